"""A queue brings its agent and supervisor roles with it (the live pages scope by them)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from switchboard.accounts.models import Role
from switchboard.pbx.models import Queue
from switchboard.telephony.access import queue_role_code

ROLE_KINDS = {"agent": Role.Kind.QUEUE_AGENT, "supervisor": Role.Kind.QUEUE_SUPERVISOR}


@receiver(post_save, sender=Queue)
def create_queue_roles(sender: type, instance: Queue, created: bool, **kwargs: Any) -> None:
    owner_type = ContentType.objects.get_for_model(Queue)
    for kind, role_kind in ROLE_KINDS.items():
        Role.objects.get_or_create(
            code=queue_role_code(instance.name, kind),
            defaults={
                "name": f"{instance.name} — {kind}",
                "kind": role_kind,
                "owner_type": owner_type,
                "owner_id": instance.pk,
            },
        )


@receiver(post_delete, sender=Queue)
def delete_queue_roles(sender: type, instance: Queue, **kwargs: Any) -> None:
    owner_type = ContentType.objects.get_for_model(Queue)
    Role.objects.filter(owner_type=owner_type, owner_id=instance.pk).delete()
