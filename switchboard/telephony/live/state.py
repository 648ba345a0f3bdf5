"""The live state of one PBX as plain dataclasses, and the small updates shared by all writers.

Two writers fill a :class:`PbxState`: the loaders (``loaders.py``) build it from the results of
AMI list actions, the event handlers (``events.py``) keep it current. Both go through the
primitives at the end of this module, so the indexes stay consistent whoever writes.

Equality is meaningful: two states are equal when they describe the same calls, devices,
queues and parked calls. Timestamps and facts that only one writer can know (hold music,
queue averages) are left out of the comparison, which is what lets tests check that a model
kept current by events equals one freshly rebuilt from list actions.

Times are Unix timestamps in seconds (``time.time()``), passed in by the caller as ``now``:
nothing here reads a clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

Fields = dict[str, str]
"""One AMI message as a dict (first value of each key, keys spelled as Asterisk sends them)."""

# Kinds of change reported by ``events.apply``: what changed, so only affected views are pushed.
DEVICE = "device"
CHANNEL = "channel"
CALL = "call"  # key: the call's linkedid (a channel change also changes its call's row)
BRIDGE = "bridge"
QUEUE = "queue"
PARKING = "parking"  # key: the parking lot
CONTACT = "contact"
EXTENSION = "extension"
RELOAD = "reload"  # key: the module Asterisk reloaded; its list action must be run again


class Change(NamedTuple):
    """What an event changed: a kind (``queue``, ``channel``...) and the key of the thing."""

    kind: str
    key: str


NO_CHANGE: tuple[Change, ...] = ()

# Device states as DeviceStateChange spells them, indexed by the numeric ``Status`` of queue
# member events (AST_DEVICE_* in Asterisk's devicestate.h).
DEVICE_STATES = (
    "UNKNOWN",
    "NOT_INUSE",
    "INUSE",
    "BUSY",
    "INVALID",
    "UNAVAILABLE",
    "RINGING",
    "RINGINUSE",
    "ONHOLD",
)
OFFLINE_DEVICE_STATES = frozenset({"UNAVAILABLE", "INVALID"})
BUSY_DEVICE_STATES = frozenset({"INUSE", "BUSY", "ONHOLD", "RINGINUSE"})


class AgentState(StrEnum):
    """What a queue member is doing, as the supervision page shows it (SPEC L1)."""

    FREE = "free"
    RINGING = "ringing"
    ON_CALL = "on_call"
    PAUSED = "paused"
    OFFLINE = "offline"


# --------------------------------------------------------------------------------------------
# The records
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Device:
    """A device (``PJSIP/201``, or a pseudo-device such as ``Queue:sales_avail``)."""

    name: str
    state: str  # NOT_INUSE, INUSE, RINGING, UNAVAILABLE... (see DEVICE_STATES)
    since: float = field(default=0.0, compare=False)
    changes: tuple[Change, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        self.changes = (Change(DEVICE, self.name),)


@dataclass(slots=True)
class Channel:
    """One live channel (one leg of a call)."""

    uniqueid: str
    linkedid: str  # shared by every channel of one call
    name: str  # PJSIP/201-00000012
    device: str  # PJSIP/201 (see device_of)
    state: str  # Down, Ring, Ringing, Up... (ChannelStateDesc)
    caller_num: str = ""
    caller_name: str = ""
    connected_num: str = ""
    connected_name: str = ""
    context: str = ""
    exten: str = ""
    application: str = ""  # Queue, Dial, AppQueue (an agent's leg), Playback, ChanSpy...
    application_data: str = ""
    bridge_id: str = ""
    on_hold: bool = False
    # The number first dialed: Newchannel's extension (on rebuild only the current one is known).
    dialed: str = field(default="", compare=False)
    created: float = field(default=0.0, compare=False)
    hold_since: float = field(default=0.0, compare=False)
    # Hearing music (in a queue, parked, on hold): AMI list actions do not report it.
    music_on_hold: bool = field(default=False, compare=False)
    # Being recorded by MixMonitor: known from its events only, like music on hold.
    recording: bool = field(default=False, compare=False)
    # What a change to this channel changes, made once: events about channels are the bulk.
    changes: tuple[Change, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        self.changes = (Change(CHANNEL, self.uniqueid), Change(CALL, self.linkedid))


@dataclass(slots=True)
class Bridge:
    """Channels that hear each other (a two-party call, a conference, a parking lot...)."""

    id: str
    type: str = ""  # basic, parking, holding, confbridge... ("" until known)
    name: str = ""
    creator: str = ""
    channels: set[str] = field(default_factory=set)  # uniqueids
    since: float = field(default=0.0, compare=False)


@dataclass(slots=True)
class QueueMember:
    """An agent (interface) in a queue."""

    interface: str  # what the queue dials, e.g. PJSIP/201 or Local/201@agents
    name: str
    state_interface: str  # the device whose state is the member's state
    membership: str  # static, dynamic or realtime
    penalty: int
    paused: bool
    paused_reason: str
    status: str  # device state name (see DEVICE_STATES)
    in_call: bool
    calls_taken: int
    wrapup_time: int = 0
    agent_state: AgentState = AgentState.FREE
    state_since: float = field(default=0.0, compare=False)
    # Asterisk's own timestamps (Unix seconds, 0 = never).
    last_call: int = field(default=0, compare=False)
    last_pause: int = field(default=0, compare=False)
    login_time: int = field(default=0, compare=False)
    ring_in_use: bool | None = field(default=None, compare=False)  # not in QueueStatus

    @property
    def device(self) -> str:
        """The device that tells what the member is doing."""
        return self.state_interface or self.interface


@dataclass(slots=True)
class QueueCaller:
    """A caller waiting in a queue."""

    uniqueid: str
    channel: str
    position: int
    caller_num: str = ""
    caller_name: str = ""
    since: float = field(default=0.0, compare=False)


@dataclass(slots=True)
class Queue:
    """A queue: parameters and counters, members, waiting callers."""

    name: str
    strategy: str = ""
    max_callers: int = 0
    weight: int = 0
    service_level: int = 0
    completed: int = 0
    abandoned: int = 0
    members: dict[str, QueueMember] = field(default_factory=dict)  # by interface
    callers: dict[str, QueueCaller] = field(default_factory=dict)  # by uniqueid
    # Averages Asterisk computes internally and reports only in QueueStatus: refreshed on
    # rebuild, never recomputed from events.
    holdtime: int = field(default=0, compare=False)
    talktime: int = field(default=0, compare=False)
    service_level_perf: float = field(default=0.0, compare=False)
    service_level_perf2: float = field(default=0.0, compare=False)
    changes: tuple[Change, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        self.changes = (Change(QUEUE, self.name),)


@dataclass(slots=True)
class ParkedCall:
    """A call waiting in a parking lot."""

    uniqueid: str
    linkedid: str
    channel: str
    lot: str
    space: str
    caller_num: str = ""
    caller_name: str = ""
    parker: str = ""  # the parker's dial string (where a timed-out call goes back)
    timeout: int = field(default=0, compare=False)
    since: float = field(default=0.0, compare=False)


@dataclass(slots=True)
class Contact:
    """A PJSIP contact (where an AOR's phone is reachable) and whether it answers."""

    uri: str
    aor: str
    endpoint: str
    status: str  # Reachable, Unreachable, NonQualified, Unknown
    roundtrip_usec: str = field(default="", compare=False)


@dataclass(slots=True)
class Extension:
    """A dialplan hint: an extension number and the state of the devices behind it."""

    exten: str
    context: str
    hint: str
    status: int  # -2 removed, -1 hint removed, 0 idle, 1 in use, 2 busy, 4 unavailable, 8...
    status_text: str


@dataclass(slots=True)
class DayCount:
    """Calls a phone received (answered) and made on one day (local time)."""

    day: str  # YYYY-MM-DD
    received: int = 0
    made: int = 0


@dataclass(slots=True)
class PbxState:
    """Everything live about one PBX. Create it with :func:`new_state`."""

    devices: dict[str, Device] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)  # by uniqueid
    bridges: dict[str, Bridge] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    parked: dict[str, ParkedCall] = field(default_factory=dict)  # by the parkee's uniqueid
    contacts: dict[str, Contact] = field(default_factory=dict)  # by URI
    extensions: dict[str, Extension] = field(default_factory=dict)  # by exten@context
    # Indexes derived from the above (kept by the primitives below, so not compared).
    device_channels: dict[str, set[str]] = field(default_factory=dict, compare=False)
    waiting: dict[str, str] = field(default_factory=dict, compare=False)  # uniqueid -> queue
    # Calls of the day per device, counted from the events seen (no list action tells them):
    # the worker carries them over its rebuilds.
    calls_today: dict[str, DayCount] = field(default_factory=dict, compare=False)


def new_state() -> PbxState:
    """An empty state, to be filled by the loaders (see ``loaders.rebuild``)."""
    return PbxState()


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


def day_of(now: float) -> str:
    """The local date of a Unix time, as ``YYYY-MM-DD``."""
    return time.strftime("%Y-%m-%d", time.localtime(now))


def count_call(state: PbxState, device: str, now: float, *, made: bool) -> None:
    """One more call received (answered) or made today by ``device``."""
    day = day_of(now)
    count = state.calls_today.get(device)
    if count is None or count.day != day:
        count = state.calls_today[device] = DayCount(day)
    if made:
        count.made += 1
    else:
        count.received += 1


def calls_today(state: PbxState, device: str, now: float) -> tuple[int, int]:
    """(received, made) by ``device`` on the day of ``now``."""
    count = state.calls_today.get(device)
    if count is None or count.day != day_of(now):
        return 0, 0
    return count.received, count.made


def clean(value: str) -> str:
    """Asterisk's placeholder for an absent caller ID or name is ``<unknown>``: make it empty."""
    return "" if value == "<unknown>" else value


def to_int(value: str | None, default: int = 0) -> int:
    """An integer field, tolerant of absent or odd values (a model must not crash on input)."""
    try:
        return int(value) if value else default
    except ValueError:
        return default


def device_of(channel_name: str) -> str:
    """The device of a channel: ``PJSIP/201-0000000a`` -> ``PJSIP/201``.

    Local channels lose their ``;1``/``;2`` half marker too. Names without a ``-suffix``
    (``Message/ast_msg_queue``) are their own device.
    """
    name = channel_name.partition(";")[0]
    head, sep, _ = name.rpartition("-")
    return head if sep and "/" in head else name


def device_state_name(status: str | None) -> str:
    """The device state name for a queue member's numeric ``Status``."""
    code = to_int(status, -1)
    return DEVICE_STATES[code] if 0 <= code < len(DEVICE_STATES) else "UNKNOWN"


def agent_state_of(member: QueueMember) -> AgentState:
    """What a member is doing, from its device state, call and pause flags.

    A call outranks a pause (a paused agent may still be on a direct call), and an unknown
    device state counts as free because Asterisk itself offers calls to such members.
    """
    status = member.status
    if status in OFFLINE_DEVICE_STATES:
        return AgentState.OFFLINE
    if member.in_call or status in BUSY_DEVICE_STATES:
        return AgentState.ON_CALL
    if status == "RINGING":
        return AgentState.RINGING
    if member.paused:
        return AgentState.PAUSED
    return AgentState.FREE


# --------------------------------------------------------------------------------------------
# Primitives: every writer changes channels, bridges and queues through these
# --------------------------------------------------------------------------------------------


def add_channel(state: PbxState, channel: Channel) -> None:
    """Add (or replace) a channel and index it under its device."""
    state.channels[channel.uniqueid] = channel
    state.device_channels.setdefault(channel.device, set()).add(channel.uniqueid)


def remove_channel(state: PbxState, channel: Channel) -> list[Change]:
    """Forget a hung-up channel everywhere it appears; returns the other things it changed."""
    changes: list[Change] = []
    uniqueid = channel.uniqueid
    state.channels.pop(uniqueid, None)
    on_device = state.device_channels.get(channel.device)
    if on_device is not None:
        on_device.discard(uniqueid)
        if not on_device:
            del state.device_channels[channel.device]
    if channel.bridge_id and leave_bridge(state, channel.bridge_id, uniqueid):
        changes.append(Change(BRIDGE, channel.bridge_id))
    queue_name = state.waiting.get(uniqueid)
    if queue_name is not None and remove_caller(state, queue_name, uniqueid):
        changes.append(Change(QUEUE, queue_name))
    parked = state.parked.pop(uniqueid, None)
    if parked is not None:
        changes.append(Change(PARKING, parked.lot))
    return changes


def enter_bridge(state: PbxState, bridge: Bridge, channel: Channel) -> None:
    """Put a channel into a bridge (leaving any other bridge it was in)."""
    if channel.bridge_id and channel.bridge_id != bridge.id:
        leave_bridge(state, channel.bridge_id, channel.uniqueid)
    state.bridges[bridge.id] = bridge
    bridge.channels.add(channel.uniqueid)
    channel.bridge_id = bridge.id


def leave_bridge(state: PbxState, bridge_id: str, uniqueid: str) -> bool:
    """Take a channel out of a bridge; an empty bridge is forgotten. False if unknown."""
    bridge = state.bridges.get(bridge_id)
    if bridge is None:
        return False
    bridge.channels.discard(uniqueid)
    channel = state.channels.get(uniqueid)
    if channel is not None and channel.bridge_id == bridge_id:
        channel.bridge_id = ""
    # An empty bridge carries no call; parking lots keep theirs alive, but nothing to show.
    if not bridge.channels:
        del state.bridges[bridge_id]
    return True


def get_queue(state: PbxState, name: str) -> Queue:
    """The queue called ``name``, created empty if an event names a queue not loaded yet."""
    queue = state.queues.get(name)
    if queue is None:
        queue = state.queues[name] = Queue(name)
    return queue


def set_member(queue: Queue, member: QueueMember, now: float) -> None:
    """Store a member's new record, keeping when its agent state last changed."""
    previous = queue.members.get(member.interface)
    queue.members[member.interface] = member
    member.agent_state = agent_state_of(member)
    if previous is not None and previous.agent_state == member.agent_state:
        member.state_since = previous.state_since
    elif previous is not None or not member.state_since:
        member.state_since = now


def refresh_member(member: QueueMember, now: float) -> None:
    """Recompute a member's agent state after a change in place (pause, call...)."""
    state = agent_state_of(member)
    if state != member.agent_state:
        member.agent_state = state
        member.state_since = now


def add_caller(state: PbxState, queue: Queue, caller: QueueCaller) -> None:
    """A caller joins at ``caller.position``; those at or after it move one place back.

    Joining twice (an event replayed after a rebuild) only updates the caller.
    """
    if caller.uniqueid in queue.callers:
        previous = queue.callers[caller.uniqueid]
        caller.since = previous.since or caller.since
        queue.callers[caller.uniqueid] = caller
        return
    for other in queue.callers.values():
        if other.position >= caller.position:
            other.position += 1
    queue.callers[caller.uniqueid] = caller
    state.waiting[caller.uniqueid] = queue.name


def remove_caller(state: PbxState, queue_name: str, uniqueid: str) -> bool:
    """A caller leaves; those behind move one place forward. False if it was not there."""
    state.waiting.pop(uniqueid, None)
    queue = state.queues.get(queue_name)
    caller = queue.callers.pop(uniqueid, None) if queue is not None else None
    if queue is None or caller is None:
        return False
    for other in queue.callers.values():
        if other.position > caller.position:
            other.position -= 1
    return True
