"""The audit log service: snapshots of objects before and after a change, and the entry.

Every change made through the portal goes through ``record``; generic object views call it,
and so will the configuration services of later domains. Secret fields are never written:
their snapshot only says whether a value is set, so a change still shows without the secret.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import translation
from django.utils.crypto import salted_hmac

from switchboard.accounts.models import AuditEntry

SECRET_FIELDS = frozenset({"password", "voicemail_pin", "secret", "ami_secret", "ari_password"})
SECRET_SUFFIXES = ("secret", "password", "_pin")


def is_secret(field_name: str) -> bool:
    """Secrets are named so: ``*secret``, ``*password``, ``*_pin`` (e.g. ``sip_secret``)."""
    return field_name in SECRET_FIELDS or field_name.endswith(SECRET_SUFFIXES)


SKIPPED_FIELDS = frozenset({"last_login"})
UNSET = "(empty)"


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The audited values of an object: concrete fields and many-to-many relations."""
    values: dict[str, Any] = {}
    meta = instance._meta
    for field in meta.concrete_fields:
        if field.name in SKIPPED_FIELDS or field.name.endswith("_ptr"):
            continue
        if is_secret(field.name):
            values[field.name] = _fingerprint(field.name, getattr(instance, field.attname))
        elif field.is_relation:
            values[field.name] = _plain(getattr(instance, field.name))
        else:
            values[field.name] = _plain(getattr(instance, field.attname))
    if instance.pk:
        # Names in one language whoever makes the change, so entries compare across users.
        with translation.override("en"):
            for field in meta.many_to_many:
                values[field.name] = sorted(
                    _name(item) for item in getattr(instance, field.name).all()
                )
    return values


def _name(item: models.Model) -> str:
    """How a related object is named in the log (a group by its role's name, if it is one)."""
    return str(getattr(item, "role", item))


def _fingerprint(name: str, secret: str) -> str:
    """Shows that a secret is set and whether it changed, without revealing it.

    A keyed hash (HMAC with the site's secret key) cut to 8 hex digits: two entries show the
    same fingerprint for the same secret, and nothing can be learnt from it without the key.
    """
    if not secret:
        return UNSET
    return "(set " + salted_hmac(f"audit-{name}", str(secret)).hexdigest()[:8] + ")"


def _client_address(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(
    request: HttpRequest | None,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry | None:
    """Write an audit entry; an update that changed nothing writes none."""
    if action == AuditEntry.Action.UPDATE and before == after:
        return None
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return AuditEntry.objects.create(
        user=user if signed_in else None,
        username=user.get_username() if signed_in else "",
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        address=_client_address(request),
    )
