"""AMI events applied to the live state: ``apply(state, message, now)``.

One handler per event name, found by a dict look-up; every other event (``VarSet``,
``DialState``, RTCP reports...) is dropped after reading its first line, so the bulk of a
busy PBX's stream costs almost nothing. A handled message is decoded into one dict
(``dict(headers)``) and handlers read that dict: Asterisk spells each key one way, so exact
look-ups replace the case-insensitive scans of :meth:`Message.get`.

Each handler returns the :class:`~switchboard.telephony.live.state.Change` values saying what
it changed, so the web layer pushes only the affected views.

Events carrying an ``ActionID`` are items of a list action (``QueueStatus`` answers with
``QueueMember`` events, ``DeviceStateList`` with ``DeviceStateChange``...): they belong to the
loaders and are ignored here, whoever delivers them.
"""

from __future__ import annotations

from collections.abc import Callable

from switchboard.telephony.ami.protocol import Message
from switchboard.telephony.live.state import (
    BRIDGE,
    CALL,
    CHANNEL,
    CONTACT,
    EXTENSION,
    NO_CHANGE,
    PARKING,
    QUEUE,
    RELOAD,
    Bridge,
    Change,
    Channel,
    Contact,
    Device,
    Extension,
    Fields,
    ParkedCall,
    PbxState,
    QueueCaller,
    QueueMember,
    add_caller,
    add_channel,
    clean,
    count_call,
    device_of,
    device_state_name,
    enter_bridge,
    get_queue,
    leave_bridge,
    refresh_member,
    remove_caller,
    remove_channel,
    set_member,
    to_int,
)

Handler = Callable[[PbxState, Fields, float], tuple[Change, ...]]


def apply(state: PbxState, message: Message, now: float) -> tuple[Change, ...]:
    """Apply one AMI message to ``state``; returns what changed (empty if nothing did)."""
    text = message.text
    # Asterisk writes ``Event`` first: read the name off the text, decode nothing else yet.
    if text.startswith("Event: "):
        end = text.find("\r\n")
        name = text[7:end] if end >= 0 else text[7:]
    else:
        name = message.event or ""
    handler = HANDLERS.get(name)
    if handler is None:
        return NO_CHANGE
    fields = fields_of(text)
    if "ActionID" in fields:
        return NO_CHANGE
    return handler(state, fields, now)


def fields_of(text: str) -> Fields:
    """One message's AMI text decoded into a dict, in one pass.

    The parser hands over messages undecoded; going straight from the text to the dict the
    handlers read costs half of building the ``headers`` tuple first (measured with
    ``bench/live_model.py``). Only the first ``: `` separates, so values may hold colons.
    """
    fields: Fields = {}
    for line in text.split("\r\n"):
        key, separator, value = line.partition(": ")
        if not separator:  # ``Key:`` with an empty value and no space
            key = key.rstrip(":")
        fields[key] = value
    return fields


# --------------------------------------------------------------------------------------------
# Channels
# --------------------------------------------------------------------------------------------


def channel_changes(channel: Channel) -> tuple[Change, ...]:
    """A channel changed, and so did the row of its call (the pair is made once per channel)."""
    return channel.changes


def update_snapshot(channel: Channel, f: Fields) -> None:
    """Copy the channel snapshot every channel event carries (state, caller ID, place)."""
    get = f.get
    channel.state = get("ChannelStateDesc", channel.state)
    channel.caller_num = clean(get("CallerIDNum", ""))
    channel.caller_name = clean(get("CallerIDName", ""))
    channel.connected_num = clean(get("ConnectedLineNum", ""))
    channel.connected_name = clean(get("ConnectedLineName", ""))
    channel.context = get("Context", channel.context)
    channel.exten = get("Exten", channel.exten)
    # Asterisk propagates the oldest linkedid when calls are joined (transfers).
    linkedid = get("Linkedid")
    if linkedid and linkedid != channel.linkedid:
        channel.linkedid = linkedid
        channel.changes = (Change(CHANNEL, channel.uniqueid), Change(CALL, linkedid))


def channel_for(state: PbxState, f: Fields, now: float) -> Channel:
    """The channel an event is about, created from its snapshot if we missed its birth."""
    uniqueid = f.get("Uniqueid", "")
    channel = state.channels.get(uniqueid)
    if channel is None:
        name = f.get("Channel", "")
        channel = Channel(
            uniqueid=uniqueid,
            linkedid=f.get("Linkedid", uniqueid),
            name=name,
            device=device_of(name),
            state=f.get("ChannelStateDesc", ""),
            dialed=f.get("Exten", ""),
            created=now,
        )
        add_channel(state, channel)
    update_snapshot(channel, f)
    return channel


def on_newchannel(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    channel = channel_for(state, f, now)
    if channel.uniqueid == channel.linkedid and channel.device:
        count_call(state, channel.device, now, made=True)  # a call starts from this device
    return channel_changes(channel)


def on_channel_update(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """Newstate, NewCallerid, NewConnectedLine: the snapshot says it all."""
    known = state.channels.get(f.get("Uniqueid", ""))
    before = known.state if known is not None else "Up"
    channel = channel_for(state, f, now)
    if before != "Up" and channel.state == "Up" and channel.uniqueid != channel.linkedid:
        count_call(state, channel.device, now, made=False)  # a called phone answers
    return channel_changes(channel)


def on_newexten(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    channel = channel_for(state, f, now)
    channel.application = f.get("Application", "")
    channel.application_data = f.get("AppData", "")
    return channel_changes(channel)


def on_hangup(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    channel = state.channels.get(f.get("Uniqueid", ""))
    if channel is None:
        return NO_CHANGE
    return (*channel_changes(channel), *remove_channel(state, channel))


def on_hold(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    channel = channel_for(state, f, now)
    if not channel.on_hold:
        channel.on_hold = True
        channel.hold_since = now
    return channel_changes(channel)


def on_unhold(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    channel = channel_for(state, f, now)
    channel.on_hold = False
    return channel_changes(channel)


def on_music_start(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    channel = state.channels.get(f.get("Uniqueid", ""))
    if channel is None:
        return NO_CHANGE
    channel.music_on_hold = True
    return channel_changes(channel)


def on_music_stop(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    channel = state.channels.get(f.get("Uniqueid", ""))
    if channel is None:
        return NO_CHANGE
    channel.music_on_hold = False
    return channel_changes(channel)


def on_mixmonitor(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """MixMonitorStart / MixMonitorStop: the channel's call is being recorded, or no more."""
    channel = state.channels.get(f.get("Uniqueid", ""))
    if channel is None:
        return NO_CHANGE
    channel.recording = f.get("Event") == "MixMonitorStart"
    return channel_changes(channel)


# --------------------------------------------------------------------------------------------
# Bridges
# --------------------------------------------------------------------------------------------


def bridge_from(f: Fields, now: float, prefix: str = "") -> Bridge:
    """A bridge from the bridge snapshot of an event (``To``/``From`` prefixed in merges)."""
    return Bridge(
        id=f.get(prefix + "BridgeUniqueid", ""),
        type=f.get(prefix + "BridgeType", ""),
        name=clean(f.get(prefix + "BridgeName", "")),
        creator=clean(f.get(prefix + "BridgeCreator", "")),
        since=now,
    )


def on_bridge_enter(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    bridge_id = f.get("BridgeUniqueid", "")
    bridge = state.bridges.get(bridge_id) or bridge_from(f, now)
    channel = channel_for(state, f, now)
    enter_bridge(state, bridge, channel)
    return (Change(BRIDGE, bridge_id), *channel_changes(channel))


def on_bridge_leave(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    bridge_id = f.get("BridgeUniqueid", "")
    channel = state.channels.get(f.get("Uniqueid", ""))
    leave_bridge(state, bridge_id, f.get("Uniqueid", ""))
    if channel is None:
        return (Change(BRIDGE, bridge_id),)
    update_snapshot(channel, f)
    return (Change(BRIDGE, bridge_id), *channel_changes(channel))


def on_bridge_destroy(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    bridge = state.bridges.pop(f.get("BridgeUniqueid", ""), None)
    if bridge is None:
        return NO_CHANGE
    for uniqueid in bridge.channels:
        channel = state.channels.get(uniqueid)
        if channel is not None and channel.bridge_id == bridge.id:
            channel.bridge_id = ""
    return (Change(BRIDGE, bridge.id),)


def on_bridge_merge(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """Every channel of the ``From`` bridge moves to the ``To`` bridge."""
    source = state.bridges.get(f.get("FromBridgeUniqueid", ""))
    if source is None:
        return NO_CHANGE
    target_id = f.get("ToBridgeUniqueid", "")
    target = state.bridges.get(target_id) or bridge_from(f, now, "To")
    changes = [Change(BRIDGE, source.id), Change(BRIDGE, target_id)]
    for uniqueid in list(source.channels):
        channel = state.channels.get(uniqueid)
        if channel is not None:
            enter_bridge(state, target, channel)
            changes.extend(channel_changes(channel))
    state.bridges.pop(source.id, None)
    return tuple(changes)


# --------------------------------------------------------------------------------------------
# Devices, contacts, hints
# --------------------------------------------------------------------------------------------


def on_device_state(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    name = f.get("Device", "")
    value = f.get("State", "UNKNOWN")
    device = state.devices.get(name)
    if device is None:
        device = state.devices[name] = Device(name, value, now)
    elif device.state != value:
        device.state = value
        device.since = now
    else:
        return NO_CHANGE
    return device.changes


def on_contact_status(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    uri = f.get("URI", "")
    status = f.get("ContactStatus", "Unknown")
    if status == "Removed":
        state.contacts.pop(uri, None)
        return (Change(CONTACT, uri),)
    previous = state.contacts.get(uri)
    if status in ("Created", "Updated"):  # not a reachability verdict: keep the last one
        status = previous.status if previous is not None else "Unknown"
    elif status == "Unqualified":  # the event's word for ContactList's NonQualified
        status = "NonQualified"
    state.contacts[uri] = Contact(
        uri=uri,
        aor=f.get("AOR", ""),
        endpoint=f.get("EndpointName", ""),
        status=status,
        roundtrip_usec=f.get("RoundtripUsec", ""),
    )
    return (Change(CONTACT, uri),)


def on_extension_status(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    extension = extension_from(f)
    key = f"{extension.exten}@{extension.context}"
    if extension.status < 0:  # -1: hint removed, -2: extension removed
        state.extensions.pop(key, None)
    else:
        state.extensions[key] = extension
    return (Change(EXTENSION, key),)


def extension_from(f: Fields) -> Extension:
    """A hint's state from an ExtensionStatus event (live or listed)."""
    return Extension(
        exten=f.get("Exten", ""),
        context=f.get("Context", ""),
        hint=f.get("Hint", ""),
        status=to_int(f.get("Status"), 4),
        status_text=f.get("StatusText", ""),
    )


def on_reload(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """A module reloaded its configuration: queues or parking lots may differ, unannounced."""
    return (Change(RELOAD, f.get("Module", "")),)


# --------------------------------------------------------------------------------------------
# Queues
# --------------------------------------------------------------------------------------------


def member_from(f: Fields, *, name_key: str, interface_key: str) -> QueueMember:
    """A member from a QueueMember* event or a QueueStatus item (whose keys differ)."""
    ring_in_use = f.get("Ringinuse")
    return QueueMember(
        interface=f.get(interface_key, ""),
        name=f.get(name_key, ""),
        state_interface=f.get("StateInterface", ""),
        membership=f.get("Membership", ""),
        penalty=to_int(f.get("Penalty")),
        paused=f.get("Paused") == "1",
        paused_reason=f.get("PausedReason", ""),
        status=device_state_name(f.get("Status")),
        in_call=f.get("InCall") == "1",
        calls_taken=to_int(f.get("CallsTaken")),
        wrapup_time=to_int(f.get("Wrapuptime")),
        last_call=to_int(f.get("LastCall")),
        last_pause=to_int(f.get("LastPause")),
        login_time=to_int(f.get("LoginTime")),
        ring_in_use=None if ring_in_use is None else ring_in_use == "1",
    )


def on_member(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """QueueMemberAdded/Status/Pause/Penalty/Ringinuse: each carries the whole record."""
    queue = get_queue(state, f.get("Queue", ""))
    set_member(queue, member_from(f, name_key="MemberName", interface_key="Interface"), now)
    return queue.changes


def on_member_removed(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    queue = get_queue(state, f.get("Queue", ""))
    queue.members.pop(f.get("Interface", ""), None)
    return queue.changes


def on_caller_join(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    queue = get_queue(state, f.get("Queue", ""))
    channel = channel_for(state, f, now)
    caller = QueueCaller(
        uniqueid=channel.uniqueid,
        channel=channel.name,
        position=to_int(f.get("Position"), len(queue.callers) + 1),
        caller_num=channel.caller_num,
        caller_name=channel.caller_name,
        since=now,
    )
    add_caller(state, queue, caller)
    return (Change(QUEUE, queue.name), *channel_changes(channel))


def on_caller_leave(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    queue_name = f.get("Queue", "")
    remove_caller(state, queue_name, f.get("Uniqueid", ""))
    return (Change(QUEUE, queue_name), Change(CALL, f.get("Linkedid", "")))


def on_caller_abandon(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """Counted here; the QueueCallerLeave that follows takes the caller out."""
    queue = get_queue(state, f.get("Queue", ""))
    queue.abandoned += 1
    return queue.changes


def on_agent_event(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """AgentCalled, AgentRingNoAnswer: the member's own status event carries the state."""
    return (Change(QUEUE, f.get("Queue", "")),)


def on_agent_connect(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    queue = get_queue(state, f.get("Queue", ""))
    member = queue.members.get(f.get("Interface", ""))
    if member is not None:
        member.in_call = True
        refresh_member(member, now)
    return (Change(QUEUE, queue.name), Change(CALL, f.get("Linkedid", "")))


def on_agent_complete(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """The call ends: Asterisk counts it completed. The member's CallsTaken comes with the
    QueueMemberStatus that follows (counting here could count it twice)."""
    queue = get_queue(state, f.get("Queue", ""))
    queue.completed += 1
    member = queue.members.get(f.get("Interface", ""))
    if member is not None:
        member.in_call = False
        member.last_call = int(now)
        refresh_member(member, now)
    return (Change(QUEUE, queue.name), Change(CALL, f.get("Linkedid", "")))


# --------------------------------------------------------------------------------------------
# Parking
# --------------------------------------------------------------------------------------------


def parked_call_from(f: Fields, now: float) -> ParkedCall:
    """A parked call from a ParkedCall event (live or listed)."""
    return ParkedCall(
        uniqueid=f.get("ParkeeUniqueid", ""),
        linkedid=f.get("ParkeeLinkedid", ""),
        channel=f.get("ParkeeChannel", ""),
        lot=f.get("Parkinglot", ""),
        space=f.get("ParkingSpace", ""),
        caller_num=clean(f.get("ParkeeCallerIDNum", "")),
        caller_name=clean(f.get("ParkeeCallerIDName", "")),
        parker=f.get("ParkerDialString", ""),
        timeout=to_int(f.get("ParkingTimeout")),
        since=now - to_int(f.get("ParkingDuration")),
    )


def on_parked(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """ParkedCall, and ParkedCallSwap (a new channel takes over the space)."""
    parked = parked_call_from(f, now)
    for uniqueid, other in list(state.parked.items()):
        if other.lot == parked.lot and other.space == parked.space:
            del state.parked[uniqueid]
    state.parked[parked.uniqueid] = parked
    return (Change(PARKING, parked.lot), Change(CALL, parked.linkedid))


def on_unparked(state: PbxState, f: Fields, now: float) -> tuple[Change, ...]:
    """UnParkedCall, ParkedCallGiveUp, ParkedCallTimeOut: the space is free again."""
    parked = state.parked.pop(f.get("ParkeeUniqueid", ""), None)
    if parked is None:
        return NO_CHANGE
    return (Change(PARKING, parked.lot), Change(CALL, parked.linkedid))


HANDLERS: dict[str, Handler] = {
    "Newchannel": on_newchannel,
    "Newstate": on_channel_update,
    "NewCallerid": on_channel_update,
    "NewConnectedLine": on_channel_update,
    "Newexten": on_newexten,
    "Hangup": on_hangup,
    "Hold": on_hold,
    "Unhold": on_unhold,
    "MusicOnHoldStart": on_music_start,
    "MusicOnHoldStop": on_music_stop,
    "MixMonitorStart": on_mixmonitor,
    "MixMonitorStop": on_mixmonitor,
    "BridgeEnter": on_bridge_enter,
    "BridgeLeave": on_bridge_leave,
    "BridgeDestroy": on_bridge_destroy,
    "BridgeMerge": on_bridge_merge,
    "DeviceStateChange": on_device_state,
    "ContactStatus": on_contact_status,
    "ExtensionStatus": on_extension_status,
    "Reload": on_reload,
    "QueueMemberAdded": on_member,
    "QueueMemberStatus": on_member,
    "QueueMemberPause": on_member,
    "QueueMemberPenalty": on_member,
    "QueueMemberRinginuse": on_member,  # Asterisk 22's spelling
    "QueueMemberRingInUse": on_member,  # the documentation's
    "QueueMemberRemoved": on_member_removed,
    "QueueCallerJoin": on_caller_join,
    "QueueCallerLeave": on_caller_leave,
    "QueueCallerAbandon": on_caller_abandon,
    "AgentCalled": on_agent_event,
    "AgentRingNoAnswer": on_agent_event,
    "AgentConnect": on_agent_connect,
    "AgentComplete": on_agent_complete,
    "ParkedCall": on_parked,
    "ParkedCallSwap": on_parked,
    "UnParkedCall": on_unparked,
    "ParkedCallGiveUp": on_unparked,
    "ParkedCallTimeOut": on_unparked,
}
"""Event name -> handler. Events not listed here are ignored."""
