"""The live state rebuilt from AMI list actions (on connect, on reconnect, after a reload).

Each loader takes the items one list action returned (the events carrying its ActionID; the
closing ``...Complete`` event may be included, it is skipped) and replaces its part of the
state. :data:`LIST_ACTIONS` gives the order to run them in: channels need the devices (to
tell who is on hold), queues need the channels (to tell since when an agent is on a call).

"Since when" is rebuilt from what the items carry: a channel's ``Duration``, a waiting
caller's ``Wait``, a parked call's ``ParkingDuration``, a member's ``LastPause``,
``LastCall`` and ``LoginTime``. What no list action tells (since when a device has been in
its state) starts at ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from switchboard.telephony.ami.protocol import Message
from switchboard.telephony.live.events import extension_from, member_from, parked_call_from
from switchboard.telephony.live.state import (
    AgentState,
    Bridge,
    Channel,
    Contact,
    Device,
    Fields,
    PbxState,
    Queue,
    QueueCaller,
    QueueMember,
    add_caller,
    add_channel,
    agent_state_of,
    clean,
    device_of,
    enter_bridge,
    get_queue,
    new_state,
    to_int,
)

Loader = Callable[[PbxState, Iterable[Message], float], None]

# Device states that last as long as the device's channels (free or offline ones do not).
DATED_DEVICE_STATES = frozenset({"INUSE", "BUSY", "RINGING", "RINGINUSE", "ONHOLD"})


def items_named(items: Iterable[Message], *events: str) -> Iterable[Fields]:
    """The fields of the items that are one of ``events`` (skips the ``...Complete`` event)."""
    for item in items:
        fields = dict(item.headers)
        if fields.get("Event") in events:
            yield fields


def parse_duration(text: str) -> int:
    """Seconds in CoreShowChannel's ``HH:MM:SS`` (0 if unreadable)."""
    seconds = 0
    for part in text.split(":"):
        if not part.isdigit():
            return 0
        seconds = seconds * 60 + int(part)
    return seconds


# --------------------------------------------------------------------------------------------
# One loader per list action
# --------------------------------------------------------------------------------------------


def load_devices(state: PbxState, items: Iterable[Message], now: float) -> None:
    """DeviceStateList: the state of every device Asterisk knows."""
    state.devices.clear()
    for f in items_named(items, "DeviceStateChange"):
        name = f.get("Device", "")
        state.devices[name] = Device(name, f.get("State", "UNKNOWN"), now)


def load_channels(state: PbxState, items: Iterable[Message], now: float) -> None:
    """CoreShowChannels: every channel, and from their BridgeId the bridges' members.

    A channel whose device is ONHOLD is taken as on hold: no list action reports hold per
    channel. Bridge types and names come later with BridgeList.
    """
    state.channels.clear()
    state.device_channels.clear()
    state.bridges.clear()
    for f in items_named(items, "CoreShowChannel"):
        channel = channel_from_listing(f, now)
        device = state.devices.get(channel.device)
        if device is not None and device.state == "ONHOLD" and channel.state == "Up":
            channel.on_hold = True
            channel.hold_since = now
        add_channel(state, channel)
        bridge_id = f.get("BridgeId", "")
        if bridge_id:
            bridge = state.bridges.get(bridge_id) or Bridge(bridge_id, since=channel.created)
            # The bridge is at least as recent as its newest member.
            bridge.since = max(bridge.since, channel.created)
            enter_bridge(state, bridge, channel)
    date_busy_devices(state)


def date_busy_devices(state: PbxState) -> None:
    """A device busy with channels is in that state since its oldest channel appeared.

    (DeviceStateList tells no time; without this a portal restart would reset every phone's
    "talking for" to zero.)
    """
    for name, uniqueids in state.device_channels.items():
        device = state.devices.get(name)
        if device is not None and device.state in DATED_DEVICE_STATES:
            device.since = min(state.channels[uniqueid].created for uniqueid in uniqueids)


def channel_from_listing(f: Fields, now: float) -> Channel:
    """A channel from one CoreShowChannel item."""
    name = f.get("Channel", "")
    uniqueid = f.get("Uniqueid", "")
    return Channel(
        uniqueid=uniqueid,
        linkedid=f.get("Linkedid", uniqueid),
        name=name,
        device=device_of(name),
        state=f.get("ChannelStateDesc", ""),
        caller_num=clean(f.get("CallerIDNum", "")),
        caller_name=clean(f.get("CallerIDName", "")),
        connected_num=clean(f.get("ConnectedLineNum", "")),
        connected_name=clean(f.get("ConnectedLineName", "")),
        context=f.get("Context", ""),
        exten=f.get("Exten", ""),
        application=f.get("Application", ""),
        application_data=f.get("ApplicationData", ""),
        dialed=f.get("Exten", ""),
        created=now - parse_duration(f.get("Duration", "")),
    )


def load_bridges(state: PbxState, items: Iterable[Message], now: float) -> None:
    """BridgeList: type, name and creator of the bridges the channels are in.

    Bridges without channels are not kept (nothing to show), so only known ones are filled.
    """
    for f in items_named(items, "BridgeListItem"):
        bridge = state.bridges.get(f.get("BridgeUniqueid", ""))
        if bridge is not None:
            bridge.type = f.get("BridgeType", "")
            bridge.name = clean(f.get("BridgeName", ""))
            bridge.creator = clean(f.get("BridgeCreator", ""))


def load_queues(state: PbxState, items: Iterable[Message], now: float) -> None:
    """QueueStatus: each queue's parameters (QueueParams), members and waiting callers."""
    state.queues.clear()
    state.waiting.clear()
    for f in items_named(items, "QueueParams", "QueueMember", "QueueEntry"):
        event = f["Event"]
        if event == "QueueParams":
            load_queue_params(get_queue(state, f.get("Queue", "")), f)
        elif event == "QueueMember":
            queue = get_queue(state, f.get("Queue", ""))
            member = member_from(f, name_key="Name", interface_key="Location")
            member.agent_state = agent_state_of(member)
            member.state_since = member_since(state, member, now)
            queue.members[member.interface] = member
        else:
            queue = get_queue(state, f.get("Queue", ""))
            add_caller(state, queue, caller_from_entry(f, now))


def load_queue_params(queue: Queue, f: Fields) -> None:
    """Parameters and counters of one queue from its QueueParams item."""
    queue.strategy = f.get("Strategy", "")
    queue.max_callers = to_int(f.get("Max"))
    queue.weight = to_int(f.get("Weight"))
    queue.service_level = to_int(f.get("ServiceLevel"))
    queue.completed = to_int(f.get("Completed"))
    queue.abandoned = to_int(f.get("Abandoned"))
    queue.holdtime = to_int(f.get("Holdtime"))
    queue.talktime = to_int(f.get("TalkTime"))
    queue.service_level_perf = _to_float(f.get("ServicelevelPerf"))
    queue.service_level_perf2 = _to_float(f.get("ServicelevelPerf2"))


def caller_from_entry(f: Fields, now: float) -> QueueCaller:
    """A waiting caller from a QueueEntry item (app_queue writes absent IDs as ``unknown``)."""
    return QueueCaller(
        uniqueid=f.get("Uniqueid", ""),
        channel=f.get("Channel", ""),
        position=to_int(f.get("Position")),
        caller_num=_known(f.get("CallerIDNum", "")),
        caller_name=_known(f.get("CallerIDName", "")),
        since=now - to_int(f.get("Wait")),
    )


def member_since(state: PbxState, member: QueueMember, now: float) -> float:
    """Since when a listed member is in its state, as well as the listing tells.

    Paused: since its last pause. Free: since its last call ended, or it logged in. Ringing or
    on a call: since its device's oldest channel appeared (channels are loaded first).
    """
    agent_state = member.agent_state
    if agent_state == AgentState.PAUSED and member.last_pause:
        return float(member.last_pause)
    if agent_state == AgentState.FREE and (member.last_call or member.login_time):
        return float(max(member.last_call, member.login_time))
    if agent_state in (AgentState.RINGING, AgentState.ON_CALL):
        created = [
            state.channels[uniqueid].created
            for uniqueid in state.device_channels.get(member.device, ())
            if uniqueid in state.channels
        ]
        if created:
            return min(created)
    return now


def load_parked_calls(state: PbxState, items: Iterable[Message], now: float) -> None:
    """ParkedCalls: every parked call in every lot."""
    state.parked.clear()
    for f in items_named(items, "ParkedCall"):
        parked = parked_call_from(f, now)
        state.parked[parked.uniqueid] = parked


def load_extensions(state: PbxState, items: Iterable[Message], now: float) -> None:
    """ExtensionStateList: every hint and its state."""
    state.extensions.clear()
    for f in items_named(items, "ExtensionStatus"):
        extension = extension_from(f)
        state.extensions[f"{extension.exten}@{extension.context}"] = extension


def load_contacts(state: PbxState, items: Iterable[Message], now: float) -> None:
    """PJSIPShowContacts: every contact and whether it is reachable.

    Not in :data:`LIST_ACTIONS`: Asterisk answers it with an error when there is no contact,
    and device states already say which phones are offline.
    """
    state.contacts.clear()
    for f in items_named(items, "ContactList"):
        uri = f.get("Uri", "")
        state.contacts[uri] = Contact(
            uri=uri,
            aor=f.get("ObjectName", "").partition(";")[0],
            endpoint=f.get("Endpoint", ""),
            status=f.get("Status", "Unknown"),
            roundtrip_usec=f.get("RoundtripUsec", ""),
        )


LIST_ACTIONS: dict[str, Loader] = {
    "DeviceStateList": load_devices,
    "CoreShowChannels": load_channels,
    "BridgeList": load_bridges,
    "QueueStatus": load_queues,
    "ParkedCalls": load_parked_calls,
    "ExtensionStateList": load_extensions,
}
"""The list actions that build the model, in the order to run them, with their loaders."""

LOADERS: dict[str, Loader] = {**LIST_ACTIONS, "PJSIPShowContacts": load_contacts}
"""Every loader by list action, including the optional ones."""


def rebuild(results: Mapping[str, Iterable[Message]], now: float) -> PbxState:
    """A new state from list-action results (action name -> its items), loaded in order.

    Actions missing from ``results`` leave their part empty.
    """
    state = new_state()
    for action, loader in LOADERS.items():
        items = results.get(action)
        if items is not None:
            loader(state, items, now)
    return state


def _known(value: str) -> str:
    return "" if value in ("unknown", "<unknown>") else value


def _to_float(value: str | None) -> float:
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0
