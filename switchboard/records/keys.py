"""Idempotency keys of collected rows: the same row always gets the same key (pure).

A key is 24 characters: the row's time (seconds since the epoch, 8 hex digits) followed by a
64-bit BLAKE2b digest of its identifying fields (16 hex digits), e.g.
``6958b5a0c3f1…``. The time first makes the keys of a log file grow with the file, so the
unique index ``(server, key)`` is filled at its end like the ``start`` index, instead of at
random places: inserting millions of rows touches a few pages per batch instead of one page
per row, which is what made collection slow with 40-character SHA-1 keys.

Collisions: two different rows share a key only if they have the same second *and* the same
64-bit digest. For a PBX writing 1,000 rows in one second that is about 1,000² / 2 / 2⁶⁴ ≈
3·10⁻¹⁴ per second, i.e. one chance in a few thousand over a century of such a load. The
collector does not rely on it anyway: a row refused as a duplicate is compared with the
stored row of that key, and a different row takes the next key of its sequence (``key~1``,
``key~2``…, see ``collector.resolve_conflicts``), which reading it again finds the same way.

The fields are hashed as they are stored (cut to their column's length), so the keys of rows
already in the database can be recomputed from them (migration 0003).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

SEPARATOR = "\x1f"
DIGEST = hashlib.blake2b


def key_of(stamp: int, fields: Iterable[object]) -> str:
    """The 24-character key of a row at ``stamp`` (epoch seconds) with these field values."""
    text = SEPARATOR.join("" if value is None else str(value) for value in fields)
    digest = DIGEST(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{stamp & 0xFFFFFFFF:08x}{digest}"


# Column lengths the identifying fields are cut to (those of the models).
CDR_LIMITS = {"uniqueid": 150, "channel": 80, "dstchannel": 80, "dst": 80}
QUEUE_LIMITS = {"callid": 150, "queue": 80, "agent": 80, "event": 40, "data": 255}


def cdr_key(
    stamp: int,
    uniqueid: str,
    start: str,
    channel: str,
    dstchannel: str,
    dst: str,
    duration: int | str,
) -> str:
    """A CDR's key from the fields both Master.csv and an asteriskcdrdb ``cdr`` row hold
    (``start`` as ``YYYY-MM-DD HH:MM:SS`` in the PBX's local time, ``stamp`` the same instant
    in epoch seconds): one call may have several CDRs with the same uniqueid (one per dial
    attempt), the rest tells them apart."""
    text = SEPARATOR.join(
        (uniqueid[:150], start, channel[:80], dstchannel[:80], dst[:80], str(int(duration or 0)))
    )
    digest = DIGEST(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{stamp & 0xFFFFFFFF:08x}{digest}"


def queue_log_key(
    stamp: int,
    callid: str,
    queue: str,
    agent: str,
    event: str,
    data: Iterable[str],
) -> str:
    """A queue_log line's key from its fields as stored (time, call id, queue, agent, event
    and the five data fields): the time, call id and event make it unique."""
    text = SEPARATOR.join(
        (str(stamp), callid[:150], queue[:80], agent[:80], event[:40], *[d[:255] for d in data])
    )
    digest = DIGEST(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{stamp & 0xFFFFFFFF:08x}{digest}"
