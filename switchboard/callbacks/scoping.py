"""Which callback requests a user handles (DESIGN principle 6: one place says it).

``callbacks.handle_all_callbacks`` (administrators, or any role given it): every request.
``callbacks.handle_callback`` (the callback operator role): the requests of the queues whose
agent or supervisor role the user holds. Requests without a queue need the first.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from switchboard.accounts.models import Role
from switchboard.callbacks.models import Callback

QUEUE_KINDS = (Role.Kind.QUEUE_AGENT, Role.Kind.QUEUE_SUPERVISOR)


def may_handle(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (
            user.has_perm("callbacks.handle_all_callbacks")
            or user.has_perm("callbacks.handle_callback")
        )
    )


def sees_all(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("callbacks.handle_all_callbacks"))


def queue_ids(user: Any) -> list[int]:
    """The queues whose agent or supervisor role the user holds."""
    from switchboard.pbx.models import Queue

    owner_type = ContentType.objects.get_for_model(Queue)
    return list(
        Role.objects.filter(user=user, kind__in=QUEUE_KINDS, owner_type=owner_type)
        .values_list("owner_id", flat=True)
        .distinct()
    )


def callbacks_visible_to(user: Any) -> QuerySet[Callback]:
    if sees_all(user):
        return Callback.objects.all()
    if not may_handle(user):
        return Callback.objects.none()
    return Callback.objects.filter(queue_id__in=queue_ids(user))
