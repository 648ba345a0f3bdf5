"""Unit tests of the live model: recorded Asterisk 22 transcripts and hand-written events.

The recorded transcript (``live_transcripts/queue_day.ami``, see ``record_transcripts.py``)
holds a real AMI stream with the items of list actions run at quiet moments; at each of those
checkpoints the model kept current by events must equal the model rebuilt from the lists.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from switchboard.telephony.ami.protocol import Message
from switchboard.telephony.live import views
from switchboard.telephony.live.events import apply
from switchboard.telephony.live.loaders import LIST_ACTIONS, parse_duration, rebuild
from switchboard.telephony.live.model import PbxModel
from switchboard.telephony.live.state import (
    AgentState,
    Change,
    PbxState,
    calls_today,
    device_of,
    new_state,
)
from switchboard.telephony.live.views import CallState, Presence

TRANSCRIPTS = Path(__file__).with_name("live_transcripts")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def parse_transcript(text: str) -> list[Message]:
    """Raw AMI text -> messages (a stand-in for the protocol parser: blocks, then lines)."""
    messages = []
    for block in text.split("\r\n\r\n"):
        pairs = []
        for line in block.split("\r\n"):
            key, sep, value = line.partition(": ")
            if sep or line.endswith(":"):
                pairs.append((key.rstrip(":"), value))
        if pairs:
            messages.append(Message(headers=tuple(pairs)))
    return messages


def event(name: str, **fields: str) -> Message:
    """A hand-written event (keys as Asterisk spells them)."""
    return Message(headers=(("Event", name), *fields.items()))


def snapshot(
    uniqueid: str,
    name: str,
    state: str = "Up",
    *,
    linkedid: str | None = None,
    num: str = "",
    caller_name: str = "",
    connected: str = "",
    exten: str = "100",
) -> dict[str, str]:
    """The channel snapshot fields every channel event carries."""
    return {
        "Channel": name,
        "ChannelState": "6",
        "ChannelStateDesc": state,
        "CallerIDNum": num or "<unknown>",
        "CallerIDName": caller_name or "<unknown>",
        "ConnectedLineNum": connected or "<unknown>",
        "ConnectedLineName": "<unknown>",
        "Context": "from-trunk",
        "Exten": exten,
        "Priority": "1",
        "Uniqueid": uniqueid,
        "Linkedid": linkedid or uniqueid,
    }


@dataclass
class Checkpoint:
    """The model kept by events and the model rebuilt from lists, at one checkpoint."""

    number: int
    kept: PbxState
    rebuilt: PbxState


@dataclass
class Replay:
    """Feeds a recorded transcript: events to the kept model, list items to rebuilds."""

    clock: float = 1_000_000.0
    kept: PbxState | None = None
    lists: dict[int, dict[str, list[Message]]] = field(default_factory=dict)

    def run(self, messages: list[Message]) -> Iterator[Checkpoint]:
        last_action = list(LIST_ACTIONS)[-1]
        for message in messages:
            self.clock += 0.01
            action_id = message.get("ActionID")
            if action_id is None:
                if self.kept is not None:
                    apply(self.kept, message, self.clock)
                continue
            number_text, _, action = action_id.partition(":")
            number = int(number_text)
            items = self.lists.setdefault(number, {}).setdefault(action, [])
            if message.get("EventList") != "Complete":
                items.append(message)
            elif action == last_action:
                rebuilt = rebuild(self.lists[number], self.clock)
                if self.kept is None:
                    self.kept = rebuild(self.lists[number], self.clock)
                yield Checkpoint(number, self.kept, rebuilt)


@pytest.fixture(scope="module")
def queue_day() -> dict[int, Checkpoint]:
    """Every checkpoint of the recorded day, with deep copies of both models at that point."""
    text = (TRANSCRIPTS / "queue_day.ami").read_bytes().decode()
    replay = Replay()
    return {
        point.number: Checkpoint(point.number, copy.deepcopy(point.kept), point.rebuilt)
        for point in replay.run(parse_transcript(text))
    }


def apply_all(state: PbxState, *messages: Message, now: float = 100.0) -> list[Change]:
    changes: list[Change] = []
    for message in messages:
        changes.extend(apply(state, message, now))
    return changes


# --------------------------------------------------------------------------------------------
# The recorded day: events and rebuilds agree at every checkpoint
# --------------------------------------------------------------------------------------------


def test_transcript_has_all_checkpoints(queue_day: dict[int, Checkpoint]) -> None:
    assert sorted(queue_day) == list(range(9))


@pytest.mark.parametrize("number", range(1, 9))
def test_events_keep_the_model_equal_to_a_rebuild(
    queue_day: dict[int, Checkpoint], number: int
) -> None:
    point = queue_day[number]
    assert point.kept.channels == point.rebuilt.channels
    assert point.kept.bridges == point.rebuilt.bridges
    assert point.kept.queues == point.rebuilt.queues
    assert point.kept.devices == point.rebuilt.devices
    assert point.kept.parked == point.rebuilt.parked
    assert point.kept.extensions == point.rebuilt.extensions
    assert point.kept == point.rebuilt


def test_caller_waits_while_agent_rings(queue_day: dict[int, Checkpoint]) -> None:
    for state in (queue_day[1].kept, queue_day[1].rebuilt):
        sales = views.queue_view(state, "sales")
        assert sales is not None
        assert [(c.number, c.name, c.position) for c in sales.callers] == [("5551001", "Alice", 1)]
        agents = {a.interface: a for a in sales.agents}
        assert agents["PJSIP/agent1"].state == AgentState.RINGING
        assert agents["PJSIP/agent2"].state == AgentState.PAUSED
        assert agents["PJSIP/agent2"].paused_reason == "lunch"
        (call,) = views.active_calls(state)
        assert call.state == CallState.QUEUE
        assert call.queue == "sales"
        assert call.caller.number == "5551001"
        assert call.first_callee is not None and call.first_callee.device == "PJSIP/agent1"
        assert call.current_party is not None and call.current_party.device == "PJSIP/agent1"


def test_agent_answers(queue_day: dict[int, Checkpoint]) -> None:
    for state in (queue_day[2].kept, queue_day[2].rebuilt):
        sales = views.queue_view(state, "sales")
        assert sales is not None and sales.callers == ()
        agent1 = next(a for a in sales.agents if a.interface == "PJSIP/agent1")
        assert agent1.state == AgentState.ON_CALL
        assert agent1.in_call
        assert agent1.channel.startswith("PJSIP/agent1-")
        assert agent1.peer is not None and agent1.peer.label == "Alice 5551001"
        (call,) = views.active_calls(state)
        assert call.state == CallState.TALKING
        assert call.current_party is not None
        assert call.current_party.device == "PJSIP/agent1"
        tiles = {row.device: row for row in views.presence(state)}
        assert tiles["PJSIP/agent1"].state == Presence.TALKING
        assert tiles["PJSIP/agent1"].peer is not None
        assert tiles["PJSIP/agent1"].peer.number == "5551001"
        assert tiles["PJSIP/agent2"].state == Presence.FREE


def test_completed_and_abandoned_counters(queue_day: dict[int, Checkpoint]) -> None:
    assert queue_day[3].kept.queues["sales"].completed == 1
    assert queue_day[3].kept.channels == {}
    assert queue_day[3].kept.queues["sales"].members["PJSIP/agent1"].calls_taken == 1
    waiting = views.queue_view(queue_day[4].kept, "sales")
    assert waiting is not None
    assert [c.name for c in waiting.callers] == ["Bob"]
    assert {a.state for a in waiting.agents} == {AgentState.PAUSED}
    assert queue_day[5].kept.queues["sales"].abandoned == 1
    assert queue_day[5].kept.queues["sales"].callers == {}


def test_parked_call(queue_day: dict[int, Checkpoint]) -> None:
    for state in (queue_day[6].kept, queue_day[6].rebuilt):
        (parked,) = state.parked.values()
        assert (parked.lot, parked.space, parked.caller_num) == ("default", "7001", "5551003")
        (call,) = views.active_calls(state)
        assert call.state == CallState.PARKED
        assert call.current_party is None  # alone in the parking bridge


def test_direct_call(queue_day: dict[int, Checkpoint]) -> None:
    for state in (queue_day[7].kept, queue_day[7].rebuilt):
        (call,) = views.active_calls(state)
        assert call.state == CallState.TALKING
        assert call.dialed == "701"
        assert call.caller.label == "Dave 5551004"
        assert call.first_callee is not None and call.first_callee.device == "PJSIP/agent1"
        assert state.parked == {}


def test_hints_are_loaded(queue_day: dict[int, Checkpoint]) -> None:
    extensions = queue_day[8].kept.extensions
    assert set(extensions) == {"201@from-phones", "202@from-phones"}
    assert extensions["201@from-phones"].hint == "PJSIP/agent1"


def test_transcript_ends_idle(queue_day: dict[int, Checkpoint]) -> None:
    state = queue_day[8].kept
    assert state.channels == {} and state.bridges == {} and state.parked == {}
    assert state.device_channels == {} and state.waiting == {}
    assert views.active_calls(state) == []


def test_render_gives_the_json_the_pages_read(queue_day: dict[int, Checkpoint]) -> None:
    model = PbxModel(queue_day[2].kept)
    queues = model_json(model, "queues")
    (sales,) = queues["queues"]
    assert {"name", "members", "callers", "completed", "abandoned"} <= set(sales)
    member = sales["members"][0]
    assert {"interface", "name", "penalty", "state", "paused", "paused_reason", "since"} <= set(
        member
    )
    assert {"calls_taken", "channel"} <= set(member)
    (call,) = model_json(model, "calls")["calls"]
    assert {"id", "caller", "caller_name", "first_callee", "current_party", "state"} <= set(call)
    assert {"since", "channel"} <= set(call)
    assert call["state"] == "talking"
    assert call["first_callee"] == "600 PJSIP/agent1"
    device = model_json(model, "presence")["devices"][0]
    assert {"device", "state", "with", "since"} <= set(device)
    assert views.render(model, "status", "", 1.0) == {}


def model_json(model: PbxModel, view: str) -> dict[str, Any]:
    data = views.render(model, view, "", 123.0)
    decoded: dict[str, Any] = json.loads(json.dumps(data))  # what the channel layer carries
    return decoded


# --------------------------------------------------------------------------------------------
# Hand-written sequences
# --------------------------------------------------------------------------------------------


def two_party_call(state: PbxState, now: float = 100.0) -> None:
    """1.1 (trunk, caller 5550100) calls; 1.2 (PJSIP/201) answers; both in bridge B."""
    apply_all(
        state,
        event("Newchannel", **snapshot("1.1", "PJSIP/trunk-1", "Ring", num="5550100")),
        event("Newchannel", **snapshot("1.2", "PJSIP/201-2", "Down", linkedid="1.1")),
        event(
            "Newstate", **snapshot("1.2", "PJSIP/201-2", "Up", linkedid="1.1", connected="5550100")
        ),
        event("Newstate", **snapshot("1.1", "PJSIP/trunk-1", "Up", num="5550100")),
        event(
            "BridgeEnter",
            BridgeUniqueid="B",
            BridgeType="basic",
            **snapshot("1.2", "PJSIP/201-2", linkedid="1.1", connected="5550100"),
        ),
        event(
            "BridgeEnter",
            BridgeUniqueid="B",
            BridgeType="basic",
            **snapshot("1.1", "PJSIP/trunk-1", num="5550100"),
        ),
        now=now,
    )


def test_unknown_events_and_list_items_are_ignored() -> None:
    state = new_state()
    assert apply(state, event("VarSet", Variable="X", Value="1"), 1.0) == ()
    assert apply(state, Message(headers=()), 1.0) == ()
    assert apply(state, Message(headers=(("Response", "Success"),)), 1.0) == ()
    listed = event("DeviceStateChange", Device="PJSIP/201", State="INUSE", ActionID="a1")
    assert apply(state, listed, 1.0) == ()
    assert state == new_state()


def test_event_header_need_not_come_first() -> None:
    state = new_state()
    message = Message(
        headers=(
            ("Privilege", "call,all"),
            ("Event", "DeviceStateChange"),
            ("Device", "PJSIP/201"),
            ("State", "RINGING"),
        )
    )
    assert apply(state, message, 1.0) == (Change("device", "PJSIP/201"),)
    assert state.devices["PJSIP/201"].state == "RINGING"


def test_channel_changes_name_the_channel_and_the_call() -> None:
    state = new_state()
    changes = apply(state, event("Newchannel", **snapshot("1.1", "PJSIP/trunk-1", "Ring")), 5.0)
    assert changes == (Change("channel", "1.1"), Change("call", "1.1"))
    channel = state.channels["1.1"]
    assert (channel.device, channel.state, channel.created, channel.dialed) == (
        "PJSIP/trunk",
        "Ring",
        5.0,
        "100",
    )
    assert channel.caller_num == ""  # <unknown> is no number


def test_device_state_repeats_change_nothing() -> None:
    state = new_state()
    assert apply(state, event("DeviceStateChange", Device="PJSIP/201", State="INUSE"), 1.0)
    assert apply(state, event("DeviceStateChange", Device="PJSIP/201", State="INUSE"), 2.0) == ()
    assert state.devices["PJSIP/201"].since == 1.0


def test_hangup_cleans_every_index() -> None:
    state = new_state()
    two_party_call(state)
    assert state.bridges["B"].channels == {"1.1", "1.2"}
    changes = apply_all(
        state,
        event("BridgeLeave", BridgeUniqueid="B", **snapshot("1.1", "PJSIP/trunk-1")),
        event("Hangup", **snapshot("1.1", "PJSIP/trunk-1")),
        event("Hangup", **snapshot("1.2", "PJSIP/201-2", linkedid="1.1")),
    )
    assert Change("bridge", "B") in changes
    assert state.channels == {} and state.bridges == {} and state.device_channels == {}
    assert apply(state, event("Hangup", **snapshot("9.9", "PJSIP/x-9")), 1.0) == ()


def test_hold_and_unhold() -> None:
    state = new_state()
    two_party_call(state)
    apply(
        state,
        event("Hold", MusicClass="default", **snapshot("1.2", "PJSIP/201-2", linkedid="1.1")),
        130.0,
    )
    (call,) = views.active_calls(state)
    assert (call.state, call.since) == (CallState.ON_HOLD, 130.0)
    apply(state, event("Unhold", **snapshot("1.2", "PJSIP/201-2", linkedid="1.1")), 140.0)
    (call,) = views.active_calls(state)
    assert call.state == CallState.TALKING


def test_music_on_hold_is_tracked_but_not_compared() -> None:
    state = new_state()
    two_party_call(state)
    other = new_state()
    two_party_call(other)
    apply(
        state, event("MusicOnHoldStart", Class="default", **snapshot("1.1", "PJSIP/trunk-1")), 1.0
    )
    assert state.channels["1.1"].music_on_hold
    assert state == other
    apply(state, event("MusicOnHoldStop", **snapshot("1.1", "PJSIP/trunk-1")), 2.0)
    assert not state.channels["1.1"].music_on_hold


def test_calls_received_and_made_today_per_device() -> None:
    state = new_state()
    noon = 1_800_000_000.0
    # 201 calls 202; 202 rings, then answers.
    apply(state, event("Newchannel", **snapshot("5.1", "PJSIP/201-1", "Ring")), noon)
    apply(
        state,
        event("Newchannel", **snapshot("5.2", "PJSIP/202-2", "Down", linkedid="5.1")),
        noon,
    )
    apply(
        state, event("Newstate", **snapshot("5.2", "PJSIP/202-2", "Ringing", linkedid="5.1")), noon
    )
    apply(state, event("Newstate", **snapshot("5.2", "PJSIP/202-2", linkedid="5.1")), noon + 1)
    apply(state, event("Newstate", **snapshot("5.2", "PJSIP/202-2", linkedid="5.1")), noon + 2)
    assert calls_today(state, "PJSIP/201", noon) == (0, 1)
    assert calls_today(state, "PJSIP/202", noon) == (1, 0)
    # A new day starts from zero.
    assert calls_today(state, "PJSIP/202", noon + 86_400) == (0, 0)
    apply(state, event("Newchannel", **snapshot("6.1", "PJSIP/202-3", "Ring")), noon + 86_400)
    assert calls_today(state, "PJSIP/202", noon + 86_400) == (0, 1)


def test_recording_is_tracked_from_mixmonitor_events() -> None:
    state = new_state()
    two_party_call(state)
    changes = apply(state, event("MixMonitorStart", **snapshot("1.2", "PJSIP/201-2")), 1.0)
    assert state.channels["1.2"].recording and changes
    apply(state, event("MixMonitorStop", **snapshot("1.2", "PJSIP/201-2")), 2.0)
    assert not state.channels["1.2"].recording


def test_bridge_merge_moves_every_channel() -> None:
    state = new_state()
    two_party_call(state)
    apply_all(
        state,
        event("Newchannel", **snapshot("2.1", "PJSIP/202-3")),
        event(
            "BridgeEnter", BridgeUniqueid="C", BridgeType="basic", **snapshot("2.1", "PJSIP/202-3")
        ),
        event("BridgeMerge", ToBridgeUniqueid="C", ToBridgeType="basic", FromBridgeUniqueid="B"),
    )
    assert set(state.bridges) == {"C"}
    assert state.bridges["C"].channels == {"1.1", "1.2", "2.1"}
    assert {c.bridge_id for c in state.channels.values()} == {"C"}


def test_bridge_destroy_frees_its_channels() -> None:
    state = new_state()
    two_party_call(state)
    apply(state, event("BridgeDestroy", BridgeUniqueid="B"), 1.0)
    assert state.bridges == {}
    assert {c.bridge_id for c in state.channels.values()} == {""}


def test_local_channels_are_seen_through() -> None:
    """Caller bridged to Local;1, whose ;2 half is bridged to the agent's phone."""
    state = new_state()
    apply_all(
        state,
        event("Newchannel", **snapshot("1.1", "PJSIP/trunk-1", num="5550100")),
        event("Newchannel", **snapshot("1.2", "Local/201@agents-0001;1", linkedid="1.1")),
        event("Newchannel", **snapshot("1.3", "Local/201@agents-0001;2", linkedid="1.1")),
        event("Newchannel", **snapshot("1.4", "PJSIP/201-4", linkedid="1.1", connected="5550100")),
        event(
            "BridgeEnter",
            BridgeUniqueid="B1",
            BridgeType="basic",
            **snapshot("1.1", "PJSIP/trunk-1", num="5550100"),
        ),
        event(
            "BridgeEnter",
            BridgeUniqueid="B1",
            BridgeType="basic",
            **snapshot("1.2", "Local/201@agents-0001;1", linkedid="1.1"),
        ),
        event(
            "BridgeEnter",
            BridgeUniqueid="B2",
            BridgeType="basic",
            **snapshot("1.3", "Local/201@agents-0001;2", linkedid="1.1"),
        ),
        event(
            "BridgeEnter",
            BridgeUniqueid="B2",
            BridgeType="basic",
            **snapshot("1.4", "PJSIP/201-4", linkedid="1.1", connected="5550100"),
        ),
    )
    (call,) = views.active_calls(state)
    assert call.current_party is not None and call.current_party.device == "PJSIP/201"
    assert call.first_callee is not None and call.first_callee.device == "PJSIP/201"
    assert state.channels["1.2"].device == "Local/201@agents"


def test_queue_positions_shift_on_join_and_leave() -> None:
    state = new_state()
    for number, uniqueid in enumerate(("1.1", "2.1", "3.1"), start=1):
        apply(
            state,
            event(
                "QueueCallerJoin",
                Queue="q",
                Position=str(number),
                Count=str(number),
                **snapshot(uniqueid, f"PJSIP/t-{uniqueid}"),
            ),
            10.0 * number,
        )
    # A priority caller goes in front.
    apply(
        state,
        event("QueueCallerJoin", Queue="q", Position="1", **snapshot("4.1", "PJSIP/t-4")),
        50.0,
    )
    positions = {u: c.position for u, c in state.queues["q"].callers.items()}
    assert positions == {"4.1": 1, "1.1": 2, "2.1": 3, "3.1": 4}
    apply(
        state,
        event("QueueCallerLeave", Queue="q", Position="2", **snapshot("1.1", "PJSIP/t-1.1")),
        60.0,
    )
    positions = {u: c.position for u, c in state.queues["q"].callers.items()}
    assert positions == {"4.1": 1, "2.1": 2, "3.1": 3}
    assert set(state.waiting) == {"2.1", "3.1", "4.1"}


def test_replayed_join_is_idempotent() -> None:
    state = new_state()
    join = event("QueueCallerJoin", Queue="q", Position="1", **snapshot("1.1", "PJSIP/t-1"))
    apply(state, join, 10.0)
    apply(state, join, 20.0)
    (caller,) = state.queues["q"].callers.values()
    assert (caller.position, caller.since) == (1, 10.0)


def test_hangup_of_a_waiting_caller_leaves_the_queue() -> None:
    state = new_state()
    apply(
        state,
        event("QueueCallerJoin", Queue="q", Position="1", **snapshot("1.1", "PJSIP/t-1")),
        1.0,
    )
    changes = apply(state, event("Hangup", **snapshot("1.1", "PJSIP/t-1")), 2.0)
    assert Change("queue", "q") in changes
    assert state.queues["q"].callers == {} and state.waiting == {}


def member_event(name: str, status: str = "1", paused: str = "0", **extra: str) -> Message:
    fields = {
        "Queue": "q",
        "MemberName": "Ann",
        "Interface": "PJSIP/201",
        "StateInterface": "PJSIP/201",
        "Membership": "dynamic",
        "Penalty": "2",
        "CallsTaken": "0",
        "LastCall": "0",
        "LastPause": "0",
        "LoginTime": "50",
        "InCall": "0",
        "Status": status,
        "Paused": paused,
        "PausedReason": "",
        "Ringinuse": "0",
        "Wrapuptime": "0",
    }
    fields.update(extra)
    return event(name, **fields)


def test_member_state_and_since() -> None:
    state = new_state()
    apply(state, member_event("QueueMemberAdded"), 100.0)
    member = state.queues["q"].members["PJSIP/201"]
    assert (member.agent_state, member.state_since, member.penalty) == (AgentState.FREE, 100.0, 2)
    apply(state, member_event("QueueMemberPause", paused="1", PausedReason="lunch"), 110.0)
    apply(state, member_event("QueueMemberPenalty", paused="1", Penalty="5"), 120.0)
    member = state.queues["q"].members["PJSIP/201"]
    assert (member.agent_state, member.state_since, member.penalty) == (AgentState.PAUSED, 110.0, 5)
    apply(state, member_event("QueueMemberStatus", status="6"), 130.0)
    assert agent_state(state) == AgentState.RINGING
    apply(state, member_event("QueueMemberStatus", status="5"), 140.0)
    assert agent_state(state) == AgentState.OFFLINE
    apply(state, member_event("QueueMemberRinginuse", Ringinuse="1"), 150.0)
    assert state.queues["q"].members["PJSIP/201"].ring_in_use is True
    apply(state, member_event("QueueMemberRemoved"), 160.0)
    assert state.queues["q"].members == {}


def agent_state(state: PbxState) -> AgentState:
    return state.queues["q"].members["PJSIP/201"].agent_state


def test_agent_connect_and_complete() -> None:
    state = new_state()
    apply(state, member_event("QueueMemberAdded"), 100.0)
    agent = {
        "Queue": "q",
        "Interface": "PJSIP/201",
        "MemberName": "Ann",
        **snapshot("1.1", "PJSIP/t-1"),
    }
    changes = apply(state, event("AgentConnect", HoldTime="3", RingTime="1", **agent), 110.0)
    assert Change("queue", "q") in changes and Change("call", "1.1") in changes
    member = state.queues["q"].members["PJSIP/201"]
    assert (member.in_call, member.agent_state, member.state_since) == (
        True,
        AgentState.ON_CALL,
        110.0,
    )
    apply(state, event("AgentComplete", TalkTime="20", Reason="caller", **agent), 130.0)
    member = state.queues["q"].members["PJSIP/201"]
    assert (member.in_call, member.agent_state, member.last_call) == (False, AgentState.FREE, 130)
    assert state.queues["q"].completed == 1
    assert apply(state, event("AgentCalled", **agent), 131.0) == (Change("queue", "q"),)
    assert apply(state, event("AgentRingNoAnswer", **agent), 132.0) == (Change("queue", "q"),)


def test_abandon_counts() -> None:
    state = new_state()
    apply(
        state,
        event(
            "QueueCallerAbandon",
            Queue="q",
            Position="1",
            OriginalPosition="1",
            HoldTime="9",
            **snapshot("1.1", "PJSIP/t-1"),
        ),
        1.0,
    )
    assert state.queues["q"].abandoned == 1


def parkee(uniqueid: str, space: str) -> dict[str, str]:
    return {
        "ParkeeChannel": f"PJSIP/t-{uniqueid}",
        "ParkeeUniqueid": uniqueid,
        "ParkeeLinkedid": uniqueid,
        "ParkeeCallerIDNum": "5550100",
        "ParkeeCallerIDName": "<unknown>",
        "ParkerDialString": "PJSIP/201",
        "Parkinglot": "default",
        "ParkingSpace": space,
        "ParkingTimeout": "45",
        "ParkingDuration": "0",
    }


@pytest.mark.parametrize("ending", ["UnParkedCall", "ParkedCallGiveUp", "ParkedCallTimeOut"])
def test_parking(ending: str) -> None:
    state = new_state()
    changes = apply(state, event("ParkedCall", **parkee("1.1", "701")), 10.0)
    assert changes == (Change("parking", "default"), Change("call", "1.1"))
    parked = state.parked["1.1"]
    assert (parked.space, parked.caller_num, parked.caller_name, parked.since) == (
        "701",
        "5550100",
        "",
        10.0,
    )
    apply(state, event(ending, **parkee("1.1", "701")), 20.0)
    assert state.parked == {}
    assert apply(state, event(ending, **parkee("1.1", "701")), 20.0) == ()


def test_parked_call_swap_replaces_the_space() -> None:
    state = new_state()
    apply(state, event("ParkedCall", **parkee("1.1", "701")), 10.0)
    apply(state, event("ParkedCallSwap", **parkee("2.1", "701")), 20.0)
    assert set(state.parked) == {"2.1"}


def test_contacts() -> None:
    state = new_state()
    fields = {"URI": "sip:201@10.0.0.5:5060", "AOR": "201", "EndpointName": "201"}
    apply(state, event("ContactStatus", ContactStatus="Created", **fields), 1.0)
    assert state.contacts[fields["URI"]].status == "Unknown"
    apply(
        state, event("ContactStatus", ContactStatus="Reachable", RoundtripUsec="900", **fields), 2.0
    )
    apply(state, event("ContactStatus", ContactStatus="Updated", **fields), 3.0)
    assert state.contacts[fields["URI"]].status == "Reachable"
    apply(state, event("ContactStatus", ContactStatus="Unqualified", **fields), 3.0)
    assert state.contacts[fields["URI"]].status == "NonQualified"
    # The presence board tells where the phone is.
    apply(state, event("DeviceStateChange", Device="PJSIP/201", State="NOT_INUSE"), 3.5)
    (row,) = views.presence(state)
    assert (row.device, row.address) == ("PJSIP/201", "10.0.0.5:5060")
    apply(state, event("ContactStatus", ContactStatus="Removed", **fields), 4.0)
    assert state.contacts == {}


def test_extension_hints() -> None:
    state = new_state()
    hint = {"Exten": "201", "Context": "phones", "Hint": "PJSIP/201"}
    apply(state, event("ExtensionStatus", Status="8", StatusText="Ringing", **hint), 1.0)
    assert state.extensions["201@phones"].status_text == "Ringing"
    apply(state, event("ExtensionStatus", Status="-1", StatusText="Removed", **hint), 2.0)
    assert state.extensions == {}


def test_reload_marks_the_model_stale() -> None:
    model = PbxModel()
    assert not model.stale
    assert model.apply(event("Reload", Module="app_queue.so", Status="0"), 1.0) == set()
    assert model.stale


# --------------------------------------------------------------------------------------------
# Loaders and the worker's facade
# --------------------------------------------------------------------------------------------


def test_loaders_compute_since_from_what_items_carry() -> None:
    lists = {
        "CoreShowChannels": [
            event(
                "CoreShowChannel",
                ActionID="x",
                Duration="00:01:05",
                Application="Queue",
                ApplicationData="q",
                BridgeId="",
                **snapshot("1.1", "PJSIP/t-1"),
            ),
            event(
                "CoreShowChannel",
                ActionID="x",
                Duration="00:00:10",
                Application="AppQueue",
                ApplicationData="(Outgoing Line)",
                BridgeId="",
                **snapshot("1.2", "PJSIP/201-2", "Ringing", linkedid="1.1"),
            ),
            event("CoreShowChannelsComplete", ActionID="x", EventList="Complete", ListItems="2"),
        ],
        "QueueStatus": [
            event(
                "QueueParams",
                ActionID="y",
                Queue="q",
                Strategy="ringall",
                Completed="4",
                Abandoned="1",
                Holdtime="7",
                ServicelevelPerf="75.5",
            ),
            event(
                "QueueMember",
                ActionID="y",
                Queue="q",
                Name="Ann",
                Location="PJSIP/201",
                StateInterface="PJSIP/201",
                Membership="static",
                Status="6",
                Paused="0",
                LoginTime="10",
            ),
            event(
                "QueueMember",
                ActionID="y",
                Queue="q",
                Name="Bob",
                Location="PJSIP/202",
                StateInterface="PJSIP/202",
                Status="1",
                Paused="1",
                LastPause="900",
            ),
            event(
                "QueueMember",
                ActionID="y",
                Queue="q",
                Name="Cid",
                Location="PJSIP/203",
                StateInterface="PJSIP/203",
                Status="1",
                Paused="0",
                LastCall="950",
                LoginTime="10",
            ),
            event(
                "QueueEntry",
                ActionID="y",
                Queue="q",
                Position="1",
                Channel="PJSIP/t-1",
                Uniqueid="1.1",
                CallerIDNum="5550100",
                CallerIDName="unknown",
                Wait="60",
            ),
        ],
    }
    state = rebuild(lists, 1000.0)
    assert state.channels["1.1"].created == 935.0
    assert state.channels["1.2"].application == "AppQueue"
    queue = state.queues["q"]
    assert (queue.strategy, queue.completed, queue.holdtime, queue.service_level_perf) == (
        "ringall",
        4,
        7,
        75.5,
    )
    members = queue.members
    assert members["PJSIP/201"].agent_state == AgentState.RINGING
    assert members["PJSIP/201"].state_since == 990.0  # its channel rings since then
    assert (members["PJSIP/202"].agent_state, members["PJSIP/202"].state_since) == (
        AgentState.PAUSED,
        900.0,
    )
    assert members["PJSIP/203"].state_since == 950.0
    (caller,) = queue.callers.values()
    assert (caller.since, caller.caller_num, caller.caller_name) == (940.0, "5550100", "")
    assert state.waiting == {"1.1": "q"}


def test_rebuilt_hold_comes_from_the_device_state() -> None:
    lists = {
        "DeviceStateList": [event("DeviceStateChange", Device="PJSIP/201", State="ONHOLD")],
        "CoreShowChannels": [
            event(
                "CoreShowChannel",
                Duration="00:00:30",
                BridgeId="B",
                **snapshot("1.2", "PJSIP/201-2"),
            ),
        ],
    }
    state = rebuild(lists, 100.0)
    assert state.channels["1.2"].on_hold
    assert state.bridges["B"].channels == {"1.2"}
    assert state.devices["PJSIP/201"].since == 70.0  # on hold as long as its call lasted


def test_pbx_model_facade() -> None:
    assert PbxModel.LIST_ACTIONS[:2] == ("DeviceStateList", "CoreShowChannels")
    model = PbxModel()
    model.load(
        "DeviceStateList", [event("DeviceStateChange", Device="PJSIP/201", State="NOT_INUSE")], 1.0
    )
    assert model.state.devices["PJSIP/201"].state == "NOT_INUSE"
    assert model.apply(event("VarSet", Variable="A"), 1.0) == set()
    pushed = model.apply(event("DeviceStateChange", Device="PJSIP/201", State="INUSE"), 2.0)
    assert pushed == {("presence", ""), ("queues", "")}
    assert model.changes(member_event("QueueMemberAdded"), 3.0) == (Change("queue", "q"),)
    with pytest.raises(ValueError, match="no loader"):
        model.load("Nonsense", [], 1.0)
    assert set(views.all_views(model)) == {("queues", ""), ("calls", ""), ("presence", "")}


def test_presence_lists_phones_only() -> None:
    state = new_state()
    for device, device_state in (
        ("PJSIP/201", "NOT_INUSE"),
        ("PJSIP/202", "UNAVAILABLE"),
        ("PJSIP/203", "RINGING"),
        ("Queue:q_avail", "INUSE"),
        ("park:701@parkedcalls", "INUSE"),
        ("Custom:dnd", "INUSE"),
    ):
        apply(state, event("DeviceStateChange", Device=device, State=device_state), 1.0)
    assert [(row.device, row.state) for row in views.presence(state)] == [
        ("PJSIP/201", Presence.FREE),
        ("PJSIP/202", Presence.OFFLINE),
        ("PJSIP/203", Presence.RINGING),
    ]


def test_ringing_and_ivr_calls() -> None:
    state = new_state()
    apply_all(
        state,
        event("Newchannel", **snapshot("1.1", "PJSIP/trunk-1", "Ring", num="5550100")),
        event(
            "Newexten",
            Application="Playback",
            AppData="welcome",
            **snapshot("1.1", "PJSIP/trunk-1", num="5550100"),
        ),
        now=10.0,
    )
    (call,) = views.active_calls(state)
    assert (call.state, call.since, call.current_party) == (CallState.IVR, 10.0, None)
    apply_all(
        state,
        event("Newchannel", **snapshot("1.2", "PJSIP/201-2", "Down", linkedid="1.1")),
        event(
            "Newstate",
            **snapshot("1.2", "PJSIP/201-2", "Ringing", linkedid="1.1", connected="5550100"),
        ),
        now=20.0,
    )
    (call,) = views.active_calls(state)
    assert (call.state, call.since) == (CallState.RINGING, 20.0)
    assert call.current_party is not None and call.current_party.device == "PJSIP/201"
    # No device state known yet: presence lists the devices Asterisk reported.
    assert all(row.device != "PJSIP/201" for row in views.presence(state))


@pytest.mark.parametrize(
    ("name", "device"),
    [
        ("PJSIP/201-0000000a", "PJSIP/201"),
        ("PJSIP/my-phone-0000000a", "PJSIP/my-phone"),
        ("Local/201@agents-00000001;2", "Local/201@agents"),
        ("Message/ast_msg_queue", "Message/ast_msg_queue"),
    ],
)
def test_device_of(name: str, device: str) -> None:
    assert device_of(name) == device


def test_parse_duration() -> None:
    assert parse_duration("01:02:03") == 3723
    assert parse_duration("") == 0
    assert parse_duration("bad") == 0
