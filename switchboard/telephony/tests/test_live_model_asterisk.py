"""The live model against a real Asterisk 22: events and list actions tell the same story.

A queue with two SIPp agents; SIPp callers join it. At each step - callers waiting, an agent
answers, a caller abandons, a paused agent is skipped, all calls over - the model kept
current by the AMI events since the start must equal a model rebuilt from the list actions
at that moment, and both must agree with what Asterisk's CLI reports.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from switchboard.telephony.ami.protocol import Message
from switchboard.telephony.live import views
from switchboard.telephony.live.events import apply
from switchboard.telephony.live.loaders import LIST_ACTIONS, rebuild
from switchboard.telephony.live.state import AgentState, PbxState
from switchboard.testing.ami_probe import AmiMessage, AmiProbe
from switchboard.testing.asterisk import AsteriskInstance, free_port
from switchboard.testing.sipp import AnsweringPhone, SippCall, caller_endpoint_config, start_call

pytestmark = pytest.mark.asterisk

QUEUES_CONF = """[general]
shared_lastcall = yes

[sales]
strategy = rrmemory
timeout = 15
retry = 1
wrapuptime = 0
ringinuse = no
joinempty = yes
leavewhenempty = no
announce-frequency = 0
periodic-announce-frequency = 0
member => PJSIP/agent1,0,Agent One,PJSIP/agent1
member => PJSIP/agent2,1,Agent Two,PJSIP/agent2
"""
DIALPLAN = """
[from-trunk]
exten => 600,1,Answer()
 same => n,Queue(sales,,,,60)
 same => n,Hangup()
"""
TRUNKS = ("alice", "bob", "carol")

# How `queue show` words each device state.
CLI_STATES = {
    "NOT_INUSE": "Not in use",
    "INUSE": "In use",
    "BUSY": "Busy",
    "RINGING": "Ringing",
    "RINGINUSE": "Ring+Inuse",
    "ONHOLD": "On Hold",
    "UNAVAILABLE": "Unavailable",
    "INVALID": "Invalid",
    "UNKNOWN": "Unknown",
}


@dataclass
class LiveModelWatch:
    """Keeps a model current from the probe's events and rebuilds one on demand."""

    pbx: AsteriskInstance
    ami: AmiProbe
    kept: PbxState = field(init=False)
    applied: int = 0

    def __post_init__(self) -> None:
        self.kept = self.rebuild()  # "the start": the model as a worker builds it on connect
        self.applied = len(self.ami.events)

    def rebuild(self) -> PbxState:
        results = {
            action: [as_message(item) for item in self.ami.list_action(action)]
            for action in LIST_ACTIONS
        }
        return rebuild(results, time.time())

    def catch_up(self) -> None:
        """Apply every event received so far (list items are skipped by ``apply``)."""
        self.ami.drain()
        events = self.ami.events
        for message in events[self.applied :]:
            apply(self.kept, as_message(message), time.time())
        self.applied = len(events)

    def check(self, step: str, attempts: int = 5) -> PbxState:
        """Kept model == rebuilt model == the CLI's view; returns the kept model.

        The list actions and the event stream are not one atomic snapshot: a change that
        lands between the two (a timer in Asterisk, a SIPp phone) makes them differ for a
        moment. So a difference is looked at again a little later; one that lasts fails.
        """
        for _attempt in range(attempts - 1):
            rebuilt = self.rebuild()
            self.catch_up()
            if self.kept == rebuilt:
                break
            time.sleep(0.3)
        else:
            rebuilt = self.rebuild()
            self.catch_up()
        kept = self.kept
        assert kept.channels == rebuilt.channels, step
        assert kept.bridges == rebuilt.bridges, step
        assert kept.queues == rebuilt.queues, step
        assert kept.devices == rebuilt.devices, step
        assert kept == rebuilt, step
        assert_matches_cli(self.pbx, kept, step)
        return kept


def as_message(item: AmiMessage) -> Message:
    return Message(headers=item.fields)


def assert_matches_cli(pbx: AsteriskInstance, state: PbxState, step: str) -> None:
    """Channels and queue members as ``core show channels`` and ``queue show`` list them."""
    assert cli_channels(pbx) == {
        (c.uniqueid, c.name, c.state, c.bridge_id) for c in state.channels.values()
    }, step
    shown = cli_queue(pbx, "sales")
    queue = state.queues["sales"]
    assert shown.members == {
        m.interface: (m.penalty, m.paused, CLI_STATES[m.status], m.calls_taken)
        for m in queue.members.values()
    }, step
    assert shown.callers == [
        c.channel for c in sorted(queue.callers.values(), key=lambda c: c.position)
    ], step
    assert (shown.completed, shown.abandoned) == (queue.completed, queue.abandoned), step


def cli_channels(pbx: AsteriskInstance) -> set[tuple[str, str, str, str]]:
    """(uniqueid, name, state, bridge id) of every channel, from ``core show channels concise``."""
    rows = set()
    for line in pbx.cli("core show channels concise").splitlines():
        fields = line.split("!")
        if len(fields) >= 14:
            rows.add((fields[13], fields[0], fields[4], fields[12]))
    return rows


@dataclass
class CliQueue:
    """What ``queue show NAME`` says."""

    members: dict[str, tuple[int, bool, str, int]]  # interface -> penalty, paused, state, calls
    callers: list[str]  # channels, by position
    completed: int
    abandoned: int


MEMBER_LINE = re.compile(r"^\s+.+? \((?P<interface>[^ )]+)(?: from [^)]+)?\)(?P<rest>.*)$")


def cli_queue(pbx: AsteriskInstance, name: str) -> CliQueue:
    text = pbx.cli(f"queue show {name}")
    header = re.search(r", C:(\d+), A:(\d+),", text)
    assert header, text
    members: dict[str, tuple[int, bool, str, int]] = {}
    callers: list[str] = []
    section = ""
    for line in text.splitlines()[1:]:
        if line.strip() in ("Members:", "Callers:"):
            section = line.strip()
        elif section == "Members:" and (match := MEMBER_LINE.match(line)):
            rest = match["rest"]
            penalty = re.search(r"with penalty (\d+)", rest)
            states = re.findall(r"\(([^()]*)\)", rest.split(" has taken")[0])
            calls = re.search(r"has taken (\d+) calls", rest)
            members[match["interface"]] = (
                int(penalty[1]) if penalty else 0,
                "(paused" in rest,
                states[-1],
                int(calls[1]) if calls else 0,
            )
        elif section == "Callers:" and (caller := re.match(r"\s+\d+\. (\S+) ", line)):
            callers.append(caller[1])
    return CliQueue(members, callers, int(header[1]), int(header[2]))


def pause(ami: AmiProbe, interface: str, reason: str = "") -> None:
    response = ami.send_action(
        "QueuePause", Queue="sales", Interface=interface, Paused="true", Reason=reason
    )
    assert response.get("Response") == "Success", response.as_dict()


def unpause(ami: AmiProbe, interface: str) -> None:
    response = ami.send_action("QueuePause", Queue="sales", Interface=interface, Paused="false")
    assert response.get("Response") == "Success", response.as_dict()


def agents(state: PbxState) -> dict[str, views.AgentRow]:
    view = views.queue_view(state, "sales")
    assert view is not None
    return {agent.interface: agent for agent in view.agents}


def test_events_and_list_actions_agree_through_a_queue_session(
    asterisk_factory: Callable[..., AsteriskInstance],
    answering_phone_factory: Callable[..., AnsweringPhone],
) -> None:
    agent1 = answering_phone_factory("agent1", answer_after_ms=500)
    agent2 = answering_phone_factory("agent2", answer_after_ms=500)
    ports = {trunk: free_port("udp") for trunk in TRUNKS}
    pbx = asterisk_factory(
        {"queues.conf": QUEUES_CONF},
        appends={
            "pjsip.conf": agent1.endpoint_config()
            + agent2.endpoint_config()
            + "".join(
                caller_endpoint_config(trunk, port, context="from-trunk")
                for trunk, port in ports.items()
            ),
            "extensions.conf": DIALPLAN,
        },
    )

    def call(trunk: str, number: str, name: str, hold_ms: int) -> SippCall:
        return start_call(
            pbx.sip_port,
            "600",
            caller_id=number,
            caller_name=name,
            hold_ms=hold_ms,
            local_port=ports[trunk],
        )

    with pbx.ami() as ami:
        watch = LiveModelWatch(pbx, ami)
        assert set(watch.kept.queues["sales"].members) == {"PJSIP/agent1", "PJSIP/agent2"}

        # 1. Every agent paused: two callers wait.
        pause(ami, "PJSIP/agent1", "training")
        pause(ami, "PJSIP/agent2", "lunch")
        alice = call("alice", "5551001", "Alice", hold_ms=9000)
        ami.wait_for_event("QueueCallerJoin", CallerIDNum="5551001")
        bob = call("bob", "5551002", "Bob", hold_ms=5000)  # gives up while waiting
        ami.wait_for_event("QueueCallerJoin", CallerIDNum="5551002")
        time.sleep(0.3)
        state = watch.check("callers waiting")
        sales = views.queue_view(state, "sales")
        assert sales is not None
        assert [(c.number, c.name) for c in sales.callers] == [
            ("5551001", "Alice"),
            ("5551002", "Bob"),
        ]
        assert {a.state for a in sales.agents} == {AgentState.PAUSED}
        assert agents(state)["PJSIP/agent2"].paused_reason == "lunch"
        assert {row.state for row in views.active_calls(state)} == {views.CallState.QUEUE}

        # 2. Agent 1 comes back and answers Alice; Bob keeps waiting.
        unpause(ami, "PJSIP/agent1")
        connect = ami.wait_for_event("AgentConnect", CallerIDNum="5551001")
        ami.wait_for_event("BridgeEnter", Uniqueid=connect["Uniqueid"])
        time.sleep(0.3)
        state = watch.check("an agent answers")
        agent = agents(state)["PJSIP/agent1"]
        assert (agent.state, agent.in_call) == (AgentState.ON_CALL, True)
        assert agent.peer is not None and agent.peer.label == "Alice 5551001"
        calls = {row.caller.number: row for row in views.active_calls(state)}
        assert calls["5551001"].state == views.CallState.TALKING
        assert calls["5551002"].state == views.CallState.QUEUE

        # 3. Bob hangs up while waiting.
        abandon = ami.wait_for_event("QueueCallerAbandon", CallerIDNum="5551002")
        ami.wait_for_event("Hangup", Uniqueid=abandon["Uniqueid"])
        assert bob.wait().final_codes == (200,)  # answered by the dialplan, never by an agent
        state = watch.check("a caller abandons")
        assert (state.queues["sales"].abandoned, state.queues["sales"].callers) == (1, {})

        # 4. Alice's call ends; agent 1 pauses, agent 2 returns: Carol goes to agent 2 only.
        ami.wait_for_event("AgentComplete", CallerIDNum="5551001", timeout_s=15)
        assert alice.wait().final_codes == (200,)
        pause(ami, "PJSIP/agent1", "break")
        unpause(ami, "PJSIP/agent2")
        carol_from = len(ami.events)
        carol = call("carol", "5551003", "Carol", hold_ms=4000)
        connect = ami.wait_for_event("AgentConnect", CallerIDNum="5551003")
        ami.wait_for_event("BridgeEnter", Uniqueid=connect["Uniqueid"])
        time.sleep(0.3)
        state = watch.check("a paused agent is skipped")
        offered = {m["Interface"] for m in ami.events[carol_from:] if m.matches("AgentCalled")}
        assert offered == {"PJSIP/agent2"}
        assert agents(state)["PJSIP/agent1"].state == AgentState.PAUSED
        assert agents(state)["PJSIP/agent2"].state == AgentState.ON_CALL

        # 5. All over: counters and an empty PBX on both sides.
        ami.wait_for_event("AgentComplete", CallerIDNum="5551003", timeout_s=15)
        assert carol.wait().final_codes == (200,)
        ami.wait_for_event("QueueMemberStatus", Interface="PJSIP/agent2", Status="1")
        time.sleep(0.3)
        state = watch.check("all calls over")
        assert (state.queues["sales"].completed, state.queues["sales"].abandoned) == (2, 1)
        assert state.channels == {} and state.bridges == {}
        assert agents(state)["PJSIP/agent2"].calls_taken == 1
        assert agents(state)["PJSIP/agent1"].calls_taken == 1

    assert agent1.stats().answered == 1
    assert agent2.stats().answered == 1
