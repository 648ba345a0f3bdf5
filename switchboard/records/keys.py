"""Idempotency keys of collected rows: the same row always gets the same key (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def key_of(fields: Iterable[object]) -> str:
    """A 40-character key of the given field values (order matters)."""
    text = "\x1f".join("" if value is None else str(value) for value in fields)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def cdr_key(
    uniqueid: str, start: str, channel: str, dstchannel: str, dst: str, duration: int | str
) -> str:
    """A CDR's key from the fields both Master.csv and an asteriskcdrdb ``cdr`` row hold
    (``start`` as ``YYYY-MM-DD HH:MM:SS``): one call may have several CDRs with the same
    uniqueid (one per dial attempt), the rest tells them apart."""
    return key_of((uniqueid, start, channel, dstchannel, dst, int(duration or 0)))


def queue_log_key(line: str) -> str:
    """A queue_log line's key: the line itself (its time, call id and event make it unique)."""
    return key_of((line.rstrip("\r\n"),))
