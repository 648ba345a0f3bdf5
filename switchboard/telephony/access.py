"""Who may watch and steer what, in one place (DESIGN principle 6).

Queues: users with the ``supervise_all_queues`` permission (administrators) supervise every
queue; a user holding a queue's supervisor role supervises that queue. A queue's supervisor
role is a ``Role`` of kind ``queue_supervisor`` whose code is ``queue_role_code(queue)``; the
queue configuration feature creates and deletes these roles with the queues.
Active calls and presence: the ``view_live_calls`` permission.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

from switchboard.accounts.models import Role

ALL = "*"


def queue_role_code(queue: str, kind: str = "supervisor") -> str:
    """The code of a queue's agent or supervisor role."""
    return f"queue-{kind}--{slugify(queue)}"


def supervised_queues(user: Any) -> set[str] | str:
    """``ALL``, or the codes' queue slugs of the queues this user supervises."""
    if not user.is_authenticated:
        return set()
    if user.has_perm("telephony.supervise_all_queues"):
        return ALL
    prefix = queue_role_code("", "supervisor")
    codes = Role.objects.filter(user=user, kind=Role.Kind.QUEUE_SUPERVISOR).values_list(
        "code", flat=True
    )
    return {code.removeprefix(prefix) for code in codes if code.startswith(prefix)}


def may_supervise(user: Any, queue: str, scope: set[str] | str | None = None) -> bool:
    scope = supervised_queues(user) if scope is None else scope
    return scope == ALL or slugify(queue) in scope


def may_see_live_calls(user: Any) -> bool:
    return user.is_authenticated and user.has_perm("telephony.view_live_calls")


def may_open_supervision(user: Any) -> bool:
    return bool(supervised_queues(user))
