"""Which AMI events ring, answer or end a call on a phone: the screen-pop's facts. Pure.

The telephony worker hands each event (after its live model applied it) to :func:`detect`;
the answer says what happened to which phone's channel, with what the model knows of the
call: the caller, the queue it waits in, the number (DID) it came in on. Who sees it is
decided later, with the database (``switchboard.desk.delivery``).

* ``DialBegin`` to a phone's channel: it rings (``ring``); from a phone's channel to
  somewhere else: the operator dials out (``dial``);
* ``DialEnd`` with ``DialStatus: ANSWER`` to a phone's channel: ``answer``;
* ``Hangup`` of a channel seen before: ``end``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from switchboard.telephony.live.state import PbxState, clean, device_of


class Fields(Protocol):
    def get(self, key: str, default: str = "", /) -> Any: ...


EVENTS = frozenset({"DialBegin", "DialEnd", "Hangup"})
PHONE_TECHS = ("PJSIP/", "SIP/", "IAX2/")


@dataclass(frozen=True)
class Pop:
    """Something happened to a call on a phone (``extension``)."""

    kind: str  # ring, answer, dial, end
    extension: str
    channel: str
    uniqueid: str
    linkedid: str
    number: str = ""  # the other party's number
    name: str = ""
    queue: str = ""
    did: str = ""
    peer: str = ""  # the other party's channel

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def extension_of(channel_name: str) -> str:
    """``PJSIP/201-0000000a`` -> ``201``; "" for channels that are no phone's."""
    device = device_of(channel_name)
    for tech in PHONE_TECHS:
        if device.startswith(tech):
            return device[len(tech) :]
    return ""


def queue_of(state: PbxState, uniqueid: str) -> str:
    """The queue a caller's channel waits in (or is being connected from)."""
    name = state.waiting.get(uniqueid, "")
    if name:
        return name
    channel = state.channels.get(uniqueid)
    if channel is not None and channel.application == "Queue":
        return channel.application_data.split(",", 1)[0]
    return ""


def did_of(state: PbxState, linkedid: str) -> str:
    """The number first dialed by the call's first channel (a DID for a call from a line)."""
    first = state.channels.get(linkedid)
    return (first.dialed or first.exten) if first is not None else ""


def detect(state: PbxState, event: str, f: Fields, seen: set[str]) -> list[Pop]:
    """What ``event`` (its fields ``f``: a dict, or the AMI ``Message`` itself, read with
    ``f.get(key, "")``) did to phones' calls. ``seen`` holds the uniqueids reported so far
    (updated here), so that only their hang-ups are reported."""
    if event == "DialBegin" or event == "DialEnd":
        dest = f.get("DestChannel", "")
        source = f.get("Channel", "")
        pops = []
        extension = extension_of(dest)
        if extension:
            kind = "ring" if event == "DialBegin" else ""
            if event == "DialEnd":
                kind = "answer" if f.get("DialStatus") == "ANSWER" else ""
            if kind:
                source_id = f.get("Uniqueid", "")
                linkedid = f.get("DestLinkedid", "") or f.get("Linkedid", "")
                pops.append(
                    Pop(
                        kind,
                        extension,
                        dest,
                        f.get("DestUniqueid", ""),
                        linkedid,
                        number=clean(f.get("CallerIDNum", "")) if source else "",
                        name=clean(f.get("CallerIDName", "")) if source else "",
                        queue=queue_of(state, source_id) if source_id else "",
                        did=did_of(state, linkedid),
                        peer=source,
                    )
                )
                seen.add(f.get("DestUniqueid", ""))
        caller_extension = extension_of(source)
        if event == "DialBegin" and caller_extension:
            # An operator's phone calls out (or a number outside the phones).
            uniqueid = f.get("Uniqueid", "")
            channel = state.channels.get(uniqueid)
            dialed = channel.dialed or channel.exten if channel is not None else ""
            pops.append(
                Pop(
                    "dial",
                    caller_extension,
                    source,
                    uniqueid,
                    f.get("Linkedid", ""),
                    number=clean(f.get("DestConnectedLineNum", "")) or dialed,
                    peer=dest,
                )
            )
            seen.add(uniqueid)
        return pops
    if event == "Hangup":
        uniqueid = f.get("Uniqueid", "")
        if uniqueid in seen:
            seen.discard(uniqueid)
            channel = f.get("Channel", "")
            return [Pop("end", extension_of(channel), channel, uniqueid, f.get("Linkedid", ""))]
    return []
