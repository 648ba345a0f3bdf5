"""Keep the account-manager keys of AstDB in step with the contacts (see accountmanager.py).

Any saved or deleted contact, phone (its user, its extension) or inbound route (the option)
schedules one sync after its transaction; the sync only talks to PBXs that have a route
ringing account managers first (none: one query, no AMI).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from switchboard.directory.models import Contact
from switchboard.pbx.models import InboundRoute, Phone


def _schedule(**_kwargs: Any) -> None:
    from switchboard.directory import accountmanager

    transaction.on_commit(accountmanager.sync_all)


for model in (Contact, Phone, InboundRoute):
    name = model._meta.model_name
    post_save.connect(_schedule, sender=model, dispatch_uid=f"directory-sync-{name}-saved")
    post_delete.connect(_schedule, sender=model, dispatch_uid=f"directory-sync-{name}-deleted")
