"""Where a call's recording is on disk (SPEC R4), never outside the PBX's recordings directory.

A CDR names its recording in ``CallRecord.recording`` (relative to the PBX's
``recordings_dir``) when the dialplan set it. When it is empty, the recording is found at
display time among the files at the top of ``recordings_dir``, by one of two names:

- the supervisor's live "record" action (``telephony/actions.py``) starts MixMonitor with
  ``supervisor-<channel, [^A-Za-z0-9_-] as _>-<epoch seconds>.wav``: it belongs to the CDR
  whose channel or destination channel is that channel and whose call was up at that
  second (channel names repeat after an Asterisk restart; the time tells them apart);
- recordings made by a dialplan rule usually carry the call's ``${UNIQUEID}``
  (``<digits>.<digits>``) in their name, e.g.
  ``in-201-0612345678-20260105-101500-1767607000.42.wav``: it belongs to the CDR with that uniqueid.

Matching at display time, rather than writing ``recording`` at collection, keeps records
and files independent: a file copied in later is found, a deleted file disappears. The
directory listing is cached per directory and re-read only when its modification time
changes, so a page of the log costs one ``stat``.
"""

from __future__ import annotations

import datetime
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.records.models import CallRecord

AUDIO_TYPES = {
    ".wav": "audio/wav",
    ".wav49": "audio/wav",
    ".gsm": "audio/gsm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
}
SUPERVISOR = re.compile(r"^supervisor-(?P<channel>[A-Za-z0-9_-]+)-(?P<epoch>[0-9]{9,11})\.\w+$")
UNIQUEID = re.compile(r"(?<![0-9.])([0-9]{9,11}\.[0-9]+)(?![0-9])")
# A recording may start a little before the CDR's start (clock rounding) or after its end.
SLACK = datetime.timedelta(seconds=5)


@dataclass
class _Listing:
    mtime_ns: int
    by_uniqueid: dict[str, list[str]] = field(default_factory=dict)
    by_channel: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


_cache: dict[str, _Listing] = {}
_lock = threading.Lock()


def safe_channel(channel: str) -> str:
    """The channel as the record action writes it in a file name."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", channel)


def _read_listing(directory: str, mtime_ns: int) -> _Listing:
    listing = _Listing(mtime_ns)
    with os.scandir(directory) as entries:
        for entry in entries:
            name = entry.name
            if Path(name).suffix.lower() not in AUDIO_TYPES or not entry.is_file():
                continue
            supervisor = SUPERVISOR.match(name)
            if supervisor:
                listing.by_channel.setdefault(supervisor["channel"], []).append(
                    (int(supervisor["epoch"]), name)
                )
                continue
            for uniqueid in UNIQUEID.findall(name):
                listing.by_uniqueid.setdefault(uniqueid, []).append(name)
    return listing


def _listing(directory: str) -> _Listing | None:
    try:
        mtime_ns = os.stat(directory).st_mtime_ns
    except OSError:
        return None
    with _lock:
        cached = _cache.get(directory)
        if cached is not None and cached.mtime_ns == mtime_ns:
            return cached
    try:
        listing = _read_listing(directory, mtime_ns)
    except OSError:
        return None
    with _lock:
        _cache[directory] = listing
    return listing


def matching_name(record: CallRecord, directory: str) -> str:
    """The name of the file in ``directory`` that records this call, or ''."""
    listing = _listing(directory)
    if listing is None:
        return ""
    if record.uniqueid and record.uniqueid in listing.by_uniqueid:
        return sorted(listing.by_uniqueid[record.uniqueid])[0]
    begin = record.start - SLACK
    finish = (record.end or record.start + datetime.timedelta(seconds=record.duration)) + SLACK
    for channel in (record.channel, record.dstchannel):
        if not channel:
            continue
        for epoch, name in sorted(listing.by_channel.get(safe_channel(channel), ())):
            moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
            if begin <= moment <= finish:
                return name
    return ""


def recording_path(record: CallRecord) -> Path | None:
    """The recording's file, inside the PBX's recordings directory; None if there is none."""
    directory = getattr(record.server, "recordings_dir", "") or ""
    if not directory:
        return None
    name = record.recording or matching_name(record, directory)
    if not name:
        return None
    base = Path(directory).resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base) or path == base:
        return None
    if path.suffix.lower() not in AUDIO_TYPES or not path.is_file():
        return None
    return path


def content_type(path: Path) -> str:
    return AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream")
