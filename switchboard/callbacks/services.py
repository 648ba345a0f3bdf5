"""Creating, calling, rescheduling and closing callback requests; every change is audited.

The web, the API and the IVR collector all create requests through :func:`create_request`;
the operator's actions go through :func:`call`, :func:`reschedule` and :func:`close`.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from switchboard.accounts.audit import record, snapshot
from switchboard.accounts.models import AuditEntry
from switchboard.callbacks.models import CALLBACK_NUMBER, Callback, CallbackAttempt

log = logging.getLogger(__name__)

ACCOUNT = "callback"  # the CDR account code of every callback call


class CallbackError(Exception):
    """An action that could not be done, with a translated message for the operator."""


def clean_number(value: Any) -> str:
    number = "".join(str(value or "").split())
    try:
        CALLBACK_NUMBER(number)
    except ValidationError as error:
        raise CallbackError(error.messages[0]) from error
    return number


def create_request(
    *,
    number: str,
    source: str,
    name: str = "",
    queue: Any = None,
    not_before: datetime.datetime | None = None,
    note: str = "",
    user: Any = None,
    request: Any = None,
    **extra: Any,
) -> Callback:
    callback = Callback(
        number=clean_number(number),
        name=(name or "").strip()[:120],
        queue=queue,
        source=source,
        not_before=not_before,
        note=(note or "").strip()[:1000],
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **extra,
    )
    with transaction.atomic():
        callback.save()
        record(request, AuditEntry.Action.CREATE, callback, None, snapshot(callback))
    return callback


def _update(callback: Callback, request: Any, **fields: Any) -> None:
    before = snapshot(Callback.objects.get(pk=callback.pk))
    for name, value in fields.items():
        setattr(callback, name, value)
    callback.save(update_fields=list(fields))
    record(request, AuditEntry.Action.UPDATE, callback, before, snapshot(callback))


def _set_last_outcome(callback: Callback, user: Any, outcome: str) -> None:
    """The operator says how their last call went (answered, no answer...)."""
    if not outcome:
        return
    if outcome not in CallbackAttempt.Outcome.values:
        raise CallbackError(_("Choose how the call went."))
    attempt = callback.attempts.filter(operator=user).first()
    if attempt is not None and attempt.outcome != CallbackAttempt.Outcome.FAILED:
        attempt.outcome = outcome
        attempt.save(update_fields=["outcome"])


def operator_phones(user: Any) -> list[Any]:
    from switchboard.pbx.models import Phone

    return list(Phone.objects.filter(user=user).select_related("server").order_by("extension"))


def call(callback: Callback, user: Any, phone: Any, request: Any = None) -> CallbackAttempt:
    """Ring the operator's phone, then dial the number; the call is recorded as an attempt
    (a failure too, with why). Raises :class:`CallbackError` when it could not be placed."""
    if callback.status != Callback.Status.OPEN:
        raise CallbackError(_("This request is closed."))
    attempt = CallbackAttempt(callback=callback, operator=user, phone=phone.extension)
    error = ""
    try:
        from switchboard.telephony.originate import OriginateError, click_to_call
    except ImportError:
        error = _("Calling from the portal is not available.")
    else:
        try:
            reference = click_to_call(
                phone,
                callback.number,
                variables={"SB_CALLBACK": str(callback.pk)},
                account=ACCOUNT,
            )
            attempt.detail = str(reference or "")[:255]
        except OriginateError as failure:
            error = str(failure) or _("The call could not be placed.")
    if error:
        attempt.outcome = CallbackAttempt.Outcome.FAILED
        attempt.detail = error[:255]
    with transaction.atomic():
        attempt.save()
        record(request, AuditEntry.Action.CREATE, attempt, None, snapshot(attempt))
    if error:
        raise CallbackError(error)
    return attempt


def reschedule(
    callback: Callback,
    when: datetime.datetime,
    *,
    note: str = "",
    outcome: str = "",
    user: Any = None,
    request: Any = None,
) -> None:
    if callback.status != Callback.Status.OPEN:
        raise CallbackError(_("This request is closed."))
    if when <= timezone.now():
        raise CallbackError(_("Choose a date and time in the future."))
    with transaction.atomic():
        _set_last_outcome(callback, user, outcome)
        fields: dict[str, Any] = {"not_before": when}
        if note.strip():
            fields["note"] = note.strip()[:1000]
        _update(callback, request, **fields)


def close(
    callback: Callback,
    status: str,
    *,
    note: str = "",
    outcome: str = "",
    user: Any = None,
    request: Any = None,
) -> None:
    if status not in (Callback.Status.DONE, Callback.Status.CLOSED):
        raise CallbackError(_("Choose done or closed."))
    if callback.status != Callback.Status.OPEN:
        raise CallbackError(_("This request is closed."))
    with transaction.atomic():
        _set_last_outcome(callback, user, outcome)
        fields: dict[str, Any] = {
            "status": status,
            "closed_at": timezone.now(),
            "closed_by": user if getattr(user, "is_authenticated", False) else None,
        }
        if note.strip():
            fields["note"] = note.strip()[:1000]
        _update(callback, request, **fields)
