"""Sign-in protection: failed tries for an account slow further tries down, then lock it.

After ``LOGIN_SLOWDOWN_AFTER`` failures each further try must wait a delay that doubles with
every failure (capped at one minute); after ``LOGIN_LOCKOUT_AFTER`` failures the account name
is locked for ``LOGIN_LOCKOUT_SECONDS``. Waiting is enforced by refusing early tries, so no
server worker ever sleeps. A successful sign-in clears the record. State lives in the
database so that every portal process sees the same counts.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from switchboard.accounts.models import LoginThrottle

MAX_DELAY_SECONDS = 60


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in try is refused now, and for how many more seconds."""

    locked: bool
    seconds: int


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def delay_after(failures: int) -> int:
    """Seconds a try must wait after this many failures (0 before the slow-down starts)."""
    extra = failures - settings.LOGIN_SLOWDOWN_AFTER
    return 0 if extra < 0 else min(2**extra, MAX_DELAY_SECONDS)


def check(username: str, now: datetime.datetime | None = None) -> Refusal | None:
    """A Refusal if this account may not try to sign in now, else None."""
    now = now or timezone.now()
    entry = LoginThrottle.objects.filter(username=_key(username)).first()
    if entry is None:
        return None
    if entry.locked_until and entry.locked_until > now:
        return Refusal(True, math.ceil((entry.locked_until - now).total_seconds()))
    wait = delay_after(entry.failures)
    if wait and entry.last_failure:
        remaining = (entry.last_failure + datetime.timedelta(seconds=wait) - now).total_seconds()
        if remaining > 0:
            return Refusal(False, math.ceil(remaining))
    return None


def failed(username: str, now: datetime.datetime | None = None) -> None:
    """Count a failed try; lock the account name when the lock-out threshold is reached."""
    now = now or timezone.now()
    with transaction.atomic():
        entry, _created = LoginThrottle.objects.select_for_update().get_or_create(
            username=_key(username)
        )
        if entry.locked_until and entry.locked_until <= now:
            entry.failures, entry.locked_until = 0, None
        entry.failures += 1
        entry.last_failure = now
        if entry.failures >= settings.LOGIN_LOCKOUT_AFTER:
            entry.locked_until = now + datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        entry.save()


def succeeded(username: str) -> None:
    """Forget the failures of an account that signed in."""
    LoginThrottle.objects.filter(username=_key(username)).delete()
