"""Call forwards (SPEC U2) as data: what the dialplan reads in AstDB, and what may be set.

A phone's forwards live in Asterisk's database under ``switchboard/forward/<extension>/``:
``unconditional``, ``busy`` and ``noanswer`` hold a target (an internal or external number,
or ``voicemail``) and ``ringtime`` the seconds a call rings before the no-answer forward.
The phone's feature codes write the same keys, so the web and the phone always agree, and
calls are forwarded even while the portal is down. These functions are pure.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from switchboard.pbx.astdb import family

FAMILY = family("forward")
CONDITIONS = ("unconditional", "busy", "noanswer")
VOICEMAIL = "voicemail"
RING_KEY = "ringtime"
DEFAULT_RING_SECONDS = 20
NUMBER = re.compile(r"^\+?[0-9]{2,20}$")


@dataclass(frozen=True)
class PhoneForwards:
    """The forwards of one phone; an empty target means "not forwarded"."""

    unconditional: str = ""
    busy: str = ""
    noanswer: str = ""
    ring_seconds: int = DEFAULT_RING_SECONDS

    @property
    def active(self) -> bool:
        return any(getattr(self, condition) for condition in CONDITIONS)

    def target(self, condition: str) -> str:
        return str(getattr(self, condition))


def from_keys(values: Mapping[str, str]) -> PhoneForwards:
    """A phone's forwards from its AstDB keys (``{"busy": "202", "ringtime": "15"}``)."""
    forwards = PhoneForwards(**{c: values.get(c, "") for c in CONDITIONS})
    ring = values.get(RING_KEY, "")
    if ring.isdigit() and 1 <= int(ring) <= 300:
        forwards = replace(forwards, ring_seconds=int(ring))
    return forwards


def from_tree(values: Mapping[str, str]) -> dict[str, PhoneForwards]:
    """Every phone's forwards from the family's tree (``{"201/busy": "202", ...}``)."""
    by_phone: dict[str, dict[str, str]] = {}
    for path, value in values.items():
        extension, _slash, key = path.rpartition("/")
        if extension:
            by_phone.setdefault(extension, {})[key] = value
    return {extension: from_keys(keys) for extension, keys in sorted(by_phone.items())}


def changes(forwards: PhoneForwards) -> tuple[dict[str, str], list[str]]:
    """The keys to write and the keys to delete so AstDB holds ``forwards``."""
    written = {c: forwards.target(c) for c in CONDITIONS if forwards.target(c)}
    deleted = [c for c in CONDITIONS if not forwards.target(c)]
    written[RING_KEY] = str(forwards.ring_seconds)
    return written, deleted


def target_error(
    target: str,
    *,
    own_extension: str,
    internal_numbers: Collection[str],
    may_forward_outside: bool,
    has_voicemail: bool,
) -> str | None:
    """Why ``target`` cannot be a forward of the phone ``own_extension`` (None: it can)."""
    if target == VOICEMAIL:
        return None if has_voicemail else _("This phone has no voicemail box.")
    if not NUMBER.match(target):
        return _("A number of 2 to 20 digits, optionally after a +.")
    if target == own_extension:
        return _("A phone cannot be forwarded to itself.")
    if target in internal_numbers or may_forward_outside:
        return None
    return _("Forwarding to a number outside the organisation needs the external forward right.")
