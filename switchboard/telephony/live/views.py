"""What the live pages show, derived from the live state by pure functions.

* :func:`active_calls` - one row per call (SPEC L3): caller, first callee, current party,
  state (ringing, IVR, queue, talking, on hold, parked) and since when.
* :func:`presence` - every phone (SPEC L4): offline, free, ringing, talking (and with whom).
* :func:`queue_view` / :func:`queue_views` - queue supervision (SPEC L1): agents with
  penalty, state and since when, calls taken; callers waiting and since when.

The rows are frozen dataclasses; :func:`render` turns them into the JSON the live pages'
script reads (``telephony/static/telephony/live.js``), view by view, and :func:`views_for`
maps the model's changes to the views that need pushing. Times are Unix seconds: browsers
tick durations themselves, so a view is pushed only when something really changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from switchboard.telephony.live.state import (
    BRIDGE,
    CALL,
    CHANNEL,
    CONTACT,
    DEVICE,
    EXTENSION,
    PARKING,
    QUEUE,
    AgentState,
    Change,
    Channel,
    PbxState,
    Queue,
    QueueMember,
    calls_today,
)

if TYPE_CHECKING:
    from switchboard.telephony.live.model import PbxModel


class CallState(StrEnum):
    """Where a call is (SPEC L3)."""

    RINGING = "ringing"
    IVR = "ivr"
    QUEUE = "queue"
    TALKING = "talking"
    ON_HOLD = "on_hold"
    PARKED = "parked"


class Presence(StrEnum):
    """What a phone is doing (SPEC L4)."""

    OFFLINE = "offline"
    FREE = "free"
    RINGING = "ringing"
    TALKING = "talking"
    ON_HOLD = "on_hold"
    UNKNOWN = "unknown"


_PRESENCE_OF_DEVICE_STATE = {
    "NOT_INUSE": Presence.FREE,
    "INUSE": Presence.TALKING,
    "BUSY": Presence.TALKING,
    "RINGING": Presence.RINGING,
    "RINGINUSE": Presence.TALKING,  # a second call rings while the first goes on
    "ONHOLD": Presence.ON_HOLD,
    "UNAVAILABLE": Presence.OFFLINE,
    "INVALID": Presence.OFFLINE,
}
_CALLED_APPS = frozenset({"AppDial", "AppDial2", "AppQueue"})
# Bridges that hold one party alone: being in one is not a conversation.
_SOLO_BRIDGES = frozenset({"parking", "holding"})


@dataclass(frozen=True, slots=True)
class Party:
    """One side of a call, as a row names it."""

    uniqueid: str
    channel: str
    device: str
    number: str
    name: str
    called: bool = False  # a channel Dial/Queue created: its "caller ID" is the number dialed

    @property
    def label(self) -> str:
        """``Name number`` of a calling side; the device (the phone) of a called side."""
        if self.called and self.device:
            return self.device
        text = f"{self.name} {self.number}".strip()
        return text or self.device


@dataclass(frozen=True, slots=True)
class CallRow:
    """One live call (the channels sharing a linkedid)."""

    id: str  # the linkedid
    caller: Party
    dialed: str  # the number the caller dialed
    first_callee: Party | None
    current_party: Party | None
    state: CallState
    since: float
    queue: str  # the queue the caller waits in, if any
    channels: tuple[str, ...]  # uniqueids, oldest first


@dataclass(frozen=True, slots=True)
class PresenceRow:
    """One phone (device)."""

    device: str
    state: Presence
    since: float
    peer: Party | None  # who it is talking with (or who rings it)
    channel: str  # its current channel, for listen / whisper / barge
    address: str = ""  # host[:port] where the phone is reachable (its PJSIP contact)


@dataclass(frozen=True, slots=True)
class AgentRow:
    """One member of a queue."""

    interface: str
    name: str
    penalty: int
    state: AgentState
    since: float
    paused: bool
    paused_reason: str
    in_call: bool
    calls_taken: int
    last_call: int
    membership: str
    channel: str  # its current channel, for listen / whisper / barge
    peer: Party | None
    recording: bool = False  # its call is being recorded (MixMonitor)
    received_today: int = 0  # calls its phone answered today
    made_today: int = 0  # calls its phone placed today


@dataclass(frozen=True, slots=True)
class CallerRow:
    """One caller waiting in a queue."""

    uniqueid: str
    channel: str
    position: int
    number: str
    name: str
    since: float


@dataclass(frozen=True, slots=True)
class QueueView:
    """One queue as the supervision page shows it."""

    name: str
    strategy: str
    completed: int
    abandoned: int
    holdtime: int
    talktime: int
    service_level: int
    service_level_perf: float
    agents: tuple[AgentRow, ...]
    callers: tuple[CallerRow, ...]

    @property
    def agents_logged_in(self) -> int:
        """Members whose device is reachable."""
        return sum(agent.state != AgentState.OFFLINE for agent in self.agents)


# --------------------------------------------------------------------------------------------
# Parties: who is who
# --------------------------------------------------------------------------------------------


def own_party(channel: Channel) -> Party:
    """A channel's own side: its caller ID (for a called channel, the number it was reached at)."""
    return Party(
        channel.uniqueid,
        channel.name,
        channel.device,
        channel.caller_num,
        channel.caller_name,
        called=is_called(channel),
    )


def is_called(channel: Channel) -> bool:
    """A channel placed by another one (Dial, Queue, Originate into a call), not a caller.

    Such a channel joins its caller's linkedid at birth, and runs AppDial / AppQueue.
    """
    return channel.uniqueid != channel.linkedid or channel.application in _CALLED_APPS


def far_party(channel: Channel, peer: Channel | None) -> Party:
    """The side a channel talks to: the peer channel if known, named by the connected line."""
    if peer is None:
        return Party("", "", "", channel.connected_num, channel.connected_name)
    return Party(
        peer.uniqueid, peer.name, peer.device, channel.connected_num, channel.connected_name
    )


def bridge_peer(state: PbxState, channel: Channel) -> Channel | None:
    """The channel this one talks with in its bridge, seen through Local channel pairs."""
    seen = {channel.uniqueid}
    current = channel
    for _ in range(4):  # a Local pair per hop; a few hops is already unusual
        peer = _other_in_bridge(state, current, seen)
        if peer is None or not peer.name.startswith("Local/"):
            return peer
        sibling = _local_sibling(state, peer)
        if sibling is None or sibling.uniqueid in seen:
            return peer
        seen.update((peer.uniqueid, sibling.uniqueid))
        current = sibling
    return None


def _other_in_bridge(state: PbxState, channel: Channel, seen: set[str]) -> Channel | None:
    bridge = state.bridges.get(channel.bridge_id) if channel.bridge_id else None
    if bridge is None or bridge.type in _SOLO_BRIDGES:
        return None
    others = [state.channels[u] for u in bridge.channels if u not in seen and u in state.channels]
    return min(others, key=_age_key) if others else None


def _local_sibling(state: PbxState, channel: Channel) -> Channel | None:
    """``Local/x@ctx-0001;1`` <-> ``Local/x@ctx-0001;2``: the other half of a Local channel."""
    base, _, half = channel.name.rpartition(";")
    wanted = f"{base};{'2' if half == '1' else '1'}"
    for uniqueid in state.device_channels.get(channel.device, ()):
        other = state.channels.get(uniqueid)
        if other is not None and other.name == wanted:
            return other
    return None


def _age_key(channel: Channel) -> tuple[float, int]:
    """Oldest first: Asterisk's uniqueid ends with a sequence number, a finer clock than time."""
    _, _, sequence = channel.uniqueid.rpartition(".")
    return (channel.created, int(sequence) if sequence.isdigit() else 0)


def device_channel(state: PbxState, device: str) -> Channel | None:
    """The channel a device is busy with: a bridged one first, else the newest."""
    channels = [
        state.channels[u] for u in state.device_channels.get(device, ()) if u in state.channels
    ]
    if not channels:
        return None
    bridged = [c for c in channels if c.bridge_id]
    return max(bridged or channels, key=_age_key)


# --------------------------------------------------------------------------------------------
# Active calls (L3)
# --------------------------------------------------------------------------------------------


def active_calls(state: PbxState) -> list[CallRow]:
    """Every live call, oldest first."""
    calls: dict[str, list[Channel]] = {}
    for channel in state.channels.values():
        calls.setdefault(channel.linkedid, []).append(channel)
    rows = [call_row(state, linkedid, channels) for linkedid, channels in calls.items()]
    rows.sort(key=lambda row: (row.since, row.id))
    return rows


def call_row(state: PbxState, linkedid: str, channels: list[Channel]) -> CallRow:
    """The row of one call from its channels."""
    channels.sort(key=_age_key)
    caller = next((c for c in channels if c.uniqueid == linkedid), channels[0])
    others = [c for c in channels if c is not caller]
    callees = [c for c in others if not c.name.startswith("Local/")] or others
    first = callees[0] if callees else None
    current = _current_party(state, caller, callees)
    call_state, since = _call_state(state, caller, channels)
    return CallRow(
        id=linkedid,
        caller=own_party(caller),
        dialed=caller.dialed,
        first_callee=own_party(first) if first is not None else None,
        current_party=current,
        state=call_state,
        since=since,
        queue=state.waiting.get(caller.uniqueid, ""),
        channels=tuple(c.uniqueid for c in channels),
    )


def _current_party(state: PbxState, caller: Channel, callees: list[Channel]) -> Party | None:
    """Who has the call now: the caller's bridge peer, else the newest ringing callee."""
    peer = bridge_peer(state, caller)
    if peer is not None:
        return own_party(peer)
    ringing = [c for c in callees if c.state in ("Ringing", "Ring", "Down")]
    return own_party(ringing[-1]) if ringing else None


def _call_state(
    state: PbxState, caller: Channel, channels: list[Channel]
) -> tuple[CallState, float]:
    """Where the call is, and since when; the checks go from the most specific state."""
    parked = state.parked.get(caller.uniqueid)
    if parked is not None:
        return CallState.PARKED, parked.since
    held = [c for c in channels if c.on_hold]
    if held:
        return CallState.ON_HOLD, min(c.hold_since for c in held)
    bridge = state.bridges.get(caller.bridge_id) if caller.bridge_id else None
    if bridge is not None and bridge.type not in _SOLO_BRIDGES and len(bridge.channels) > 1:
        return CallState.TALKING, bridge.since
    queue_name = state.waiting.get(caller.uniqueid)
    if queue_name is not None:
        waiting = state.queues[queue_name].callers.get(caller.uniqueid)
        return CallState.QUEUE, waiting.since if waiting is not None else caller.created
    ringing = [c for c in channels if c is not caller and c.state == "Ringing"]
    if ringing:
        return CallState.RINGING, min(c.created for c in ringing)
    return CallState.IVR, caller.created


# --------------------------------------------------------------------------------------------
# Presence (L4)
# --------------------------------------------------------------------------------------------


def is_phone(device: str) -> bool:
    """A real endpoint (``PJSIP/201``), not a pseudo-device (``Queue:sales_avail``)."""
    tech, slash, _ = device.partition("/")
    return bool(slash) and ":" not in tech and tech != "Local"


def presence(state: PbxState) -> list[PresenceRow]:
    """Every phone, by device name."""
    addresses = contact_addresses(state)
    return [
        presence_row(state, name, addresses) for name in sorted(state.devices) if is_phone(name)
    ]


def contact_addresses(state: PbxState) -> dict[str, str]:
    """``PJSIP/<endpoint>`` -> host[:port] of its contact (``sip:201@10.0.0.5:5060;ob``)."""
    addresses: dict[str, str] = {}
    for contact in state.contacts.values():
        owner = contact.endpoint or contact.aor
        at = contact.uri.find("@")
        if owner and at >= 0:
            addresses[f"PJSIP/{owner}"] = contact.uri[at + 1 :].split(";", 1)[0].rstrip(">")
    return addresses


def presence_row(
    state: PbxState, name: str, addresses: dict[str, str] | None = None
) -> PresenceRow:
    """One phone: its state from its device state, its peer from its channels."""
    device = state.devices[name]
    shown = _PRESENCE_OF_DEVICE_STATE.get(device.state, Presence.UNKNOWN)
    channel = device_channel(state, name)
    peer = far_party(channel, bridge_peer(state, channel)) if channel is not None else None
    return PresenceRow(
        device=name,
        state=shown,
        since=device.since,
        peer=peer,
        channel=channel.name if channel is not None else "",
        address=(addresses or {}).get(name, ""),
    )


# --------------------------------------------------------------------------------------------
# Queue supervision (L1)
# --------------------------------------------------------------------------------------------


def queue_views(state: PbxState, now: float = 0.0) -> list[QueueView]:
    """Every queue, by name (``now`` gives the day of the agents' daily counts)."""
    return [queue_view_of(state, state.queues[name], now) for name in sorted(state.queues)]


def queue_view(state: PbxState, name: str, now: float = 0.0) -> QueueView | None:
    """One queue, or None if the PBX has no such queue."""
    queue = state.queues.get(name)
    return queue_view_of(state, queue, now) if queue is not None else None


def queue_view_of(state: PbxState, queue: Queue, now: float = 0.0) -> QueueView:
    """A queue's agents (by penalty, then name) and callers (by position)."""
    members = sorted(queue.members.values(), key=lambda m: (m.penalty, m.name, m.interface))
    callers = sorted(queue.callers.values(), key=lambda c: c.position)
    return QueueView(
        name=queue.name,
        strategy=queue.strategy,
        completed=queue.completed,
        abandoned=queue.abandoned,
        holdtime=queue.holdtime,
        talktime=queue.talktime,
        service_level=queue.service_level,
        service_level_perf=queue.service_level_perf,
        agents=tuple(agent_row(state, member, now) for member in members),
        callers=tuple(
            CallerRow(c.uniqueid, c.channel, c.position, c.caller_num, c.caller_name, c.since)
            for c in callers
        ),
    )


def agent_row(state: PbxState, member: QueueMember, now: float = 0.0) -> AgentRow:
    """One agent, with the channel and party of its current call if it has one."""
    channel = None
    if member.agent_state in (AgentState.ON_CALL, AgentState.RINGING):
        channel = device_channel(state, member.device)
    peer = far_party(channel, bridge_peer(state, channel)) if channel is not None else None
    received, made = calls_today(state, member.device, now) if now else (0, 0)
    return AgentRow(
        interface=member.interface,
        name=member.name,
        penalty=member.penalty,
        state=member.agent_state,
        since=member.state_since,
        paused=member.paused,
        paused_reason=member.paused_reason,
        in_call=member.in_call,
        calls_taken=member.calls_taken,
        last_call=member.last_call,
        membership=member.membership,
        channel=channel.name if channel is not None else "",
        peer=peer,
        recording=channel is not None and channel.recording,
        received_today=received,
        made_today=made,
    )


# --------------------------------------------------------------------------------------------
# Views as the live pages receive them
# --------------------------------------------------------------------------------------------

QUEUES_VIEW = ("queues", "")
CALLS_VIEW = ("calls", "")
PRESENCE_VIEW = ("presence", "")
ALL_VIEWS = (QUEUES_VIEW, CALLS_VIEW, PRESENCE_VIEW)

# Which pages a kind of change can alter: an agent's row shows its call, a phone's tile its
# peer, a call's row its queue... so most changes touch more than one page.
_VIEWS_OF_CHANGE: dict[str, tuple[tuple[str, str], ...]] = {
    CHANNEL: (CALLS_VIEW, PRESENCE_VIEW, QUEUES_VIEW),
    CALL: (CALLS_VIEW,),
    BRIDGE: (CALLS_VIEW, PRESENCE_VIEW, QUEUES_VIEW),
    DEVICE: (PRESENCE_VIEW, QUEUES_VIEW),
    QUEUE: (QUEUES_VIEW, CALLS_VIEW),
    PARKING: (CALLS_VIEW,),
    CONTACT: (PRESENCE_VIEW,),
    EXTENSION: (PRESENCE_VIEW,),
}


def all_views(model: PbxModel | PbxState) -> tuple[tuple[str, str], ...]:
    """Every (view, key) the live pages can watch."""
    return ALL_VIEWS


def views_for(changes: Iterable[Change]) -> set[tuple[str, str]]:
    """The (view, key) pairs to push after these changes."""
    views: set[tuple[str, str]] = set()
    for change in changes:
        views.update(_VIEWS_OF_CHANGE.get(change.kind, ()))
    return views


def render(model: PbxModel | PbxState, view: str, key: str, now: float) -> dict[str, Any]:
    """The JSON of one view; an unknown view renders as ``{}``.

    ``queues`` with a key renders that queue only.
    """
    state = model if isinstance(model, PbxState) else model.state
    if view == "queues":
        one = queue_view(state, key, now) if key else None
        queues = ([one] if one else []) if key else queue_views(state, now)
        return {"now": now, "queues": [queue_json(q) for q in queues]}
    if view == "calls":
        return {"now": now, "calls": [call_json(row) for row in active_calls(state)]}
    if view == "presence":
        return {"now": now, "devices": [presence_json(row) for row in presence(state)]}
    return {}


def queue_json(view: QueueView) -> dict[str, Any]:
    return {
        "name": view.name,
        "strategy": view.strategy,
        "completed": view.completed,
        "abandoned": view.abandoned,
        "holdtime": view.holdtime,
        "talktime": view.talktime,
        "service_level": view.service_level,
        "service_level_perf": view.service_level_perf,
        "logged_in": view.agents_logged_in,
        "members": [
            {
                "interface": a.interface,
                "name": a.name,
                "penalty": a.penalty,
                "state": a.state.value,
                "since": a.since,
                "paused": a.paused,
                "paused_reason": a.paused_reason,
                "in_call": a.in_call,
                "calls_taken": a.calls_taken,
                "last_call": a.last_call,
                "membership": a.membership,
                "channel": a.channel,
                "with": a.peer.label if a.peer else "",
                "recording": a.recording,
                "received_today": a.received_today,
                "made_today": a.made_today,
            }
            for a in view.agents
        ],
        "callers": [
            {
                "uniqueid": c.uniqueid,
                "channel": c.channel,
                "position": c.position,
                "caller": c.number,
                "caller_name": c.name,
                "since": c.since,
            }
            for c in view.callers
        ],
    }


def call_json(row: CallRow) -> dict[str, Any]:
    first = row.first_callee
    return {
        "id": row.id,
        "caller": row.caller.number,
        "caller_name": row.caller.name,
        "channel": row.caller.channel,
        # Who the call was for: the number dialed, and the first phone it reached.
        "first_callee": " ".join(p for p in (row.dialed, first.device if first else "") if p),
        "current_party": row.current_party.label if row.current_party else "",
        "current_channel": row.current_party.channel if row.current_party else "",
        "state": row.state.value,
        "since": row.since,
        "queue": row.queue,
    }


def presence_json(row: PresenceRow) -> dict[str, Any]:
    return {
        "device": row.device,
        "state": row.state.value,
        "since": row.since,
        "with": row.peer.label if row.peer else "",
        "channel": row.channel,
        "address": row.address,
    }
