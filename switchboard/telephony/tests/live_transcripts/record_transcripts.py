"""Record the AMI transcripts the live model's unit tests replay (run by hand, as root).

    .venv/bin/python -m switchboard.telephony.tests.live_transcripts.record_transcripts

It starts a real Asterisk 22 with the test harness, plays a day in a small contact center
with SIPp phones (a queue call answered, a caller abandoning while every agent is paused, a
parked call, a direct call) and writes everything the AMI said to ``queue_day.ami``.

At quiet moments ("checkpoints") it runs every list action of the live model; their items
are kept in the stream with ``ActionID: <checkpoint>:<action>``, so a test can rebuild the
model at that point and compare it with the one kept current by the events before it.
"""

from __future__ import annotations

import time
from pathlib import Path

from switchboard.telephony.live.loaders import LIST_ACTIONS
from switchboard.testing.ami_probe import AmiMessage, AmiProbe
from switchboard.testing.asterisk import AsteriskInstance, ensure_chroot, free_port
from switchboard.testing.sipp import AnsweringPhone, caller_endpoint_config, start_call

HERE = Path(__file__).parent
QUEUES = """[general]
shared_lastcall = yes

[sales]
strategy = rrmemory
timeout = 15
retry = 1
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
exten => 700,1,Answer()
 same => n,Park(default)
exten => 701,1,Dial(PJSIP/agent1,20)
 same => n,Hangup()

[from-phones]
exten => 201,hint,PJSIP/agent1
exten => 202,hint,PJSIP/agent2
"""
PARKING = """[general]

[default]
parkext => 7000
parkpos => 7001-7010
context => parkedcalls
parkingtime = 30
"""


class Recorder:
    """Keeps the probe's stream and the ActionIDs of each checkpoint's list actions."""

    def __init__(self, ami: AmiProbe) -> None:
        self.ami = ami
        self.start = len(ami.events)
        self.action_ids: dict[str, str] = {}
        self.checkpoints = 0

    def checkpoint(self) -> None:
        """Run every list action now; their items are tagged with this checkpoint."""
        for action in LIST_ACTIONS:
            before = len(self.ami.events)
            items = self.ami.list_action(action)
            tag = f"{self.checkpoints}:{action}"
            for message in self.ami.events[before:]:
                action_id = message.get("ActionID")
                if action_id and (message in items or message.get("EventList") == "Complete"):
                    self.action_ids[action_id] = tag
        self.checkpoints += 1

    def write(self, path: Path) -> None:
        self.ami.drain()
        with path.open("w", newline="") as out:
            for message in self.ami.events[self.start :]:
                out.write(_wire(message, self.action_ids))


def _wire(message: AmiMessage, action_ids: dict[str, str]) -> str:
    lines = []
    for key, value in message.fields:
        if key == "ActionID":
            value = action_ids.get(value, value)
        lines.append(f"{key}: {value}\r\n")
    return "".join(lines) + "\r\n"


def record(path: Path) -> None:
    chroot = ensure_chroot()
    agent1 = AnsweringPhone("agent1", answer_after_ms=1000, hangup_after_ms=2500).start()
    agent2 = AnsweringPhone("agent2", answer_after_ms=500).start()
    trunk_port = free_port("udp")
    pbx = AsteriskInstance(
        chroot,
        {"queues.conf": QUEUES, "res_parking.conf": PARKING},
        appends={
            "pjsip.conf": agent1.endpoint_config()
            + agent2.endpoint_config()
            + caller_endpoint_config("trunk", trunk_port, context="from-trunk"),
            "extensions.conf": DIALPLAN,
        },
    )
    pbx.start()
    try:
        with pbx.ami() as ami:
            rec = Recorder(ami)
            rec.checkpoint()  # 0: idle
            ami.send_action(
                "QueuePause", Queue="sales", Interface="PJSIP/agent2", Paused="true", Reason="lunch"
            )
            alice = start_call(
                pbx.sip_port,
                "600",
                caller_id="5551001",
                caller_name="Alice",
                hold_ms=20000,
                local_port=trunk_port,
            )
            ami.wait_for_event("DeviceStateChange", Device="PJSIP/agent1", State="RINGING")
            rec.checkpoint()  # 1: Alice waits, agent1 rings
            ami.wait_for_event("AgentConnect")
            time.sleep(0.3)
            rec.checkpoint()  # 2: Alice talks with agent1
            ami.wait_for_event("AgentComplete")
            alice.wait()
            time.sleep(0.5)
            rec.checkpoint()  # 3: idle again, one call completed
            ami.send_action(
                "QueuePause",
                Queue="sales",
                Interface="PJSIP/agent1",
                Paused="true",
                Reason="coffee",
            )
            bob = start_call(
                pbx.sip_port,
                "600",
                caller_id="5551002",
                caller_name="Bob",
                hold_ms=3000,
                local_port=trunk_port,
            )
            ami.wait_for_event("QueueCallerJoin", CallerIDNum="5551002")
            time.sleep(0.5)
            rec.checkpoint()  # 4: Bob waits, every agent paused
            ami.wait_for_event("QueueCallerAbandon")
            bob.wait()
            time.sleep(0.5)
            rec.checkpoint()  # 5: Bob abandoned
            ami.send_action("QueuePause", Queue="sales", Interface="PJSIP/agent1", Paused="false")
            carol = start_call(
                pbx.sip_port,
                "700",
                caller_id="5551003",
                caller_name="Carol",
                hold_ms=2000,
                local_port=trunk_port,
            )
            ami.wait_for_event("ParkedCall")
            time.sleep(0.3)
            rec.checkpoint()  # 6: Carol parked
            carol.wait()
            time.sleep(0.5)
            dave = start_call(
                pbx.sip_port,
                "701",
                caller_id="5551004",
                caller_name="Dave",
                hold_ms=10000,
                local_port=trunk_port,
            )
            ami.wait_for_event("BridgeEnter", CallerIDNum="5551004")
            time.sleep(0.3)
            rec.checkpoint()  # 7: Dave talks with agent1 directly
            dave.wait()
            time.sleep(0.5)
            rec.checkpoint()  # 8: idle
            rec.write(path)
    finally:
        pbx.stop()
        agent1.stop()
        agent2.stop()


if __name__ == "__main__":
    record(HERE / "queue_day.ami")
