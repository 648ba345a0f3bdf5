"""Benchmark: a busy contact center's AMI stream parsed and applied to the live model, one core.

    .venv/bin/python bench/live_model.py [--events 200000] [--seed 1] [--source own|ami_stream]

The stream is AMI wire bytes as Asterisk 22 writes them: calls through queues (Newchannel,
Newexten, Newstate, QueueCallerJoin, AgentCalled, DialBegin, AgentConnect, BridgeEnter,
Hangup, QueueMemberStatus, DeviceStateChange...) with the VarSet noise of real calls,
interleaved across dozens of concurrent calls; some callers abandon. By default it comes from
``bench/ami_stream.py``'s ``generate_events(count, seed)`` when that module exists, else from
the generator below (``--source own`` forces it).

It prints the time to parse + apply (bytes fed to the Parser in 64 KiB reads, as a socket
would deliver them), to parse only, and to apply only (messages parsed beforehand), for the
pure ``apply`` and for the worker's path (``PbxModel.apply``, which also maps changes to the
views to push).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from switchboard.telephony.ami.protocol import Message, Parser
from switchboard.telephony.live.events import apply
from switchboard.telephony.live.model import PbxModel
from switchboard.telephony.live.state import PbxState, new_state

READ_SIZE = 64 * 1024
QUEUES = ("sales", "support", "billing", "vip", "overflow")
AGENTS_PER_QUEUE = 12
CONCURRENT_CALLS = 40
ABANDON_RATE = 0.15

# --------------------------------------------------------------------------------------------
# A stream of calls through queues
# --------------------------------------------------------------------------------------------


@dataclass
class Leg:
    """One channel of a generated call."""

    uniqueid: str
    linkedid: str
    name: str
    context: str
    exten: str
    caller: tuple[str, str]
    connected: tuple[str, str] = ("<unknown>", "<unknown>")
    state: tuple[str, str] = ("4", "Ring")
    priority: int = 1

    def snapshot(self, prefix: str = "") -> list[tuple[str, str]]:
        """The channel snapshot every channel event carries."""
        return [
            (prefix + "Channel", self.name),
            (prefix + "ChannelState", self.state[0]),
            (prefix + "ChannelStateDesc", self.state[1]),
            (prefix + "CallerIDNum", self.caller[0]),
            (prefix + "CallerIDName", self.caller[1]),
            (prefix + "ConnectedLineNum", self.connected[0]),
            (prefix + "ConnectedLineName", self.connected[1]),
            (prefix + "Language", "en"),
            (prefix + "AccountCode", ""),
            (prefix + "Context", self.context),
            (prefix + "Exten", self.exten),
            (prefix + "Priority", str(self.priority)),
            (prefix + "Uniqueid", self.uniqueid),
            (prefix + "Linkedid", self.linkedid),
        ]


@dataclass
class StreamWriter:
    """Numbers channels like Asterisk and writes events as AMI text."""

    clock: int = 1_795_000_000
    sequence: int = 0
    blocks: list[str] = field(default_factory=list)

    def uniqueid(self) -> str:
        self.sequence += 1
        return f"{self.clock + self.sequence // 50}.{self.sequence}"

    def emit(self, name: str, privilege: str, pairs: list[tuple[str, str]]) -> None:
        lines = [f"Event: {name}", f"Privilege: {privilege}"]
        lines.extend(f"{key}: {value}" for key, value in pairs)
        self.blocks.append("\r\n".join(lines))


@dataclass
class Agent:
    queue: str
    interface: str
    name: str
    penalty: int
    calls_taken: int = 0
    last_call: int = 0
    busy: bool = False

    def status(self, status: int, in_call: int, writer: StreamWriter) -> None:
        writer.emit(
            "QueueMemberStatus",
            "agent,all",
            [
                ("Queue", self.queue),
                ("MemberName", self.name),
                ("Interface", self.interface),
                ("StateInterface", self.interface),
                ("Membership", "static"),
                ("Penalty", str(self.penalty)),
                ("CallsTaken", str(self.calls_taken)),
                ("LastCall", str(self.last_call)),
                ("LastPause", "0"),
                ("LoginTime", "1795000000"),
                ("InCall", str(in_call)),
                ("Status", str(status)),
                ("Paused", "0"),
                ("PausedReason", ""),
                ("Ringinuse", "0"),
                ("Wrapuptime", "0"),
            ],
        )


def var_set(writer: StreamWriter, leg: Leg, names: tuple[str, ...]) -> None:
    for name in names:
        writer.emit("VarSet", "dialplan,all", [*leg.snapshot(), ("Variable", name), ("Value", "")])


def device(writer: StreamWriter, name: str, state: str) -> None:
    writer.emit("DeviceStateChange", "call,all", [("Device", name), ("State", state)])


def queue_call(writer: StreamWriter, rng: random.Random, agents: list[Agent]) -> Iterator[None]:
    """The events of one inbound call through a queue, one ``yield`` per burst of events.

    Between bursts the stream moves on to other calls, so calls interleave as they do live.
    """
    queue = rng.choice(QUEUES)
    trunk = f"PJSIP/trunk{rng.randrange(4)}"
    caller_id = (f"555{rng.randrange(10**7):07d}", rng.choice(("Alice", "Bob", "<unknown>")))
    uid = writer.uniqueid()
    caller = Leg(uid, uid, f"{trunk}-{writer.sequence:08x}", "from-trunk", "600", caller_id)
    writer.emit("Newchannel", "call,all", caller.snapshot())
    var_set(writer, caller, ("SIPDOMAIN", "SIPCALLID", "__FROM_DID"))
    writer.emit(
        "Newexten",
        "dialplan,all",
        [*caller.snapshot(), ("Extension", "600"), ("Application", "Answer"), ("AppData", "")],
    )
    caller.state = ("6", "Up")
    writer.emit("Newstate", "call,all", caller.snapshot())
    device(writer, trunk, "INUSE")
    yield
    caller.priority = 2
    writer.emit(
        "Newexten",
        "dialplan,all",
        [*caller.snapshot(), ("Extension", "600"), ("Application", "Queue"), ("AppData", queue)],
    )
    var_set(writer, caller, ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "QUEUEWAIT"))
    writer.emit(
        "QueueCallerJoin",
        "agent,all",
        [*caller.snapshot(), ("Queue", queue), ("Position", "1"), ("Count", "1")],
    )
    writer.emit("MusicOnHoldStart", "call,all", [*caller.snapshot(), ("Class", "default")])
    yield
    free = [a for a in agents if a.queue == queue and not a.busy]
    if not free or rng.random() < ABANDON_RATE:
        yield from abandon(writer, caller, queue)
        return
    agent = rng.choice(free)
    agent.busy = True
    yield from answered(writer, caller, queue, agent)
    agent.busy = False


def abandon(writer: StreamWriter, caller: Leg, queue: str) -> Iterator[None]:
    writer.emit("MusicOnHoldStop", "call,all", caller.snapshot())
    writer.emit(
        "QueueCallerAbandon",
        "agent,all",
        [
            *caller.snapshot(),
            ("Queue", queue),
            ("Position", "1"),
            ("OriginalPosition", "1"),
            ("HoldTime", "12"),
        ],
    )
    writer.emit(
        "QueueCallerLeave",
        "agent,all",
        [*caller.snapshot(), ("Queue", queue), ("Position", "1"), ("Count", "0")],
    )
    yield
    hang_up(writer, caller)


def answered(writer: StreamWriter, caller: Leg, queue: str, agent: Agent) -> Iterator[None]:
    uid = writer.uniqueid()
    leg = Leg(
        uid,
        caller.linkedid,
        f"{agent.interface}-{writer.sequence:08x}",
        "from-phones",
        "s",
        ("<unknown>", "<unknown>"),
        state=("0", "Down"),
    )
    writer.emit("Newchannel", "call,all", leg.snapshot())
    leg.caller = ("600", "<unknown>")
    writer.emit("NewCallerid", "call,all", [*leg.snapshot(), ("CID-CallingPres", "0")])
    leg.connected, leg.exten = caller.caller, "600"
    writer.emit(
        "AgentCalled",
        "agent,all",
        [
            *caller.snapshot(),
            *leg.snapshot("Dest"),
            ("Queue", queue),
            ("Interface", agent.interface),
            ("MemberName", agent.name),
        ],
    )
    writer.emit(
        "DialBegin",
        "call,all",
        [*caller.snapshot(), *leg.snapshot("Dest"), ("DialString", agent.interface)],
    )
    leg.state = ("5", "Ringing")
    writer.emit("Newstate", "call,all", leg.snapshot())
    agent.status(6, 0, writer)
    device(writer, agent.interface, "RINGING")
    yield
    leg.state = ("6", "Up")
    writer.emit("Newstate", "call,all", leg.snapshot())
    writer.emit(
        "DialEnd", "call,all", [*caller.snapshot(), *leg.snapshot("Dest"), ("DialStatus", "ANSWER")]
    )
    writer.emit("MusicOnHoldStop", "call,all", caller.snapshot())
    agent.status(2, 0, writer)
    device(writer, agent.interface, "INUSE")
    writer.emit(
        "QueueCallerLeave",
        "agent,all",
        [*caller.snapshot(), ("Queue", queue), ("Position", "1"), ("Count", "0")],
    )
    writer.emit(
        "AgentConnect",
        "agent,all",
        [
            *caller.snapshot(),
            *leg.snapshot("Dest"),
            ("Queue", queue),
            ("Interface", agent.interface),
            ("MemberName", agent.name),
            ("HoldTime", "3"),
            ("RingTime", "1"),
        ],
    )
    bridge = [
        ("BridgeUniqueid", f"bridge-{caller.uniqueid}"),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", "0"),
        ("BridgeVideoSourceMode", "none"),
    ]
    writer.emit("BridgeCreate", "call,all", bridge)
    writer.emit("BridgeEnter", "call,all", [*bridge, *leg.snapshot()])
    writer.emit("BridgeEnter", "call,all", [*bridge, *caller.snapshot()])
    var_set(writer, caller, ("BRIDGEPEER", "BRIDGEPVTCALLID"))
    var_set(writer, leg, ("BRIDGEPEER", "BRIDGEPVTCALLID"))
    yield
    writer.emit("HangupRequest", "call,all", [*leg.snapshot(), ("Cause", "16")])
    writer.emit(
        "AgentComplete",
        "agent,all",
        [
            *caller.snapshot(),
            *leg.snapshot("Dest"),
            ("Queue", queue),
            ("Interface", agent.interface),
            ("MemberName", agent.name),
            ("HoldTime", "3"),
            ("TalkTime", "42"),
            ("Reason", "agent"),
        ],
    )
    writer.emit("BridgeLeave", "call,all", [*bridge, *leg.snapshot()])
    writer.emit("BridgeLeave", "call,all", [*bridge, *caller.snapshot()])
    writer.emit("BridgeDestroy", "call,all", bridge)
    var_set(writer, leg, ("RTPAUDIOQOS", "RTPAUDIOQOSJITTER", "RTPAUDIOQOSLOSS", "RTPAUDIOQOSRTT"))
    hang_up(writer, leg)
    agent.calls_taken += 1
    agent.last_call = writer.clock
    agent.status(1, 0, writer)
    device(writer, agent.interface, "NOT_INUSE")
    var_set(writer, caller, ("RTPAUDIOQOS", "RTPAUDIOQOSJITTER", "RTPAUDIOQOSLOSS"))
    hang_up(writer, caller)


def hang_up(writer: StreamWriter, leg: Leg) -> None:
    writer.emit("SoftHangupRequest", "call,all", [*leg.snapshot(), ("Cause", "16")])
    writer.emit(
        "Hangup", "call,all", [*leg.snapshot(), ("Cause", "16"), ("Cause-txt", "Normal Clearing")]
    )


def generate_own(count: int, seed: int) -> bytes:
    """At least ``count`` events of interleaved queue calls, every call finished at the end."""
    rng = random.Random(seed)  # noqa: S311  (a reproducible stream, not a secret)
    writer = StreamWriter()
    agents = [
        Agent(queue, f"PJSIP/{queue}{n:02d}", f"{queue.title()} agent {n}", n % 3)
        for queue in QUEUES
        for n in range(AGENTS_PER_QUEUE)
    ]
    calls: list[Iterator[None]] = []
    while len(writer.blocks) < count or calls:
        while len(writer.blocks) < count and len(calls) < CONCURRENT_CALLS:
            calls.append(queue_call(writer, rng, agents))
        call = calls[rng.randrange(len(calls))]
        if next(call, StopIteration) is StopIteration:
            calls.remove(call)
    return ("\r\n\r\n".join(writer.blocks) + "\r\n\r\n").encode()


def stream_source(name: str) -> Callable[[int, int], bytes]:
    """``generate_events`` of ``bench/ami_stream.py`` when asked for (or, by default, present)."""
    if name in ("auto", "ami_stream"):
        try:
            module = importlib.import_module("bench.ami_stream")
        except ImportError:
            if name == "ami_stream":
                raise
        else:
            return module.generate_events  # type: ignore[no-any-return]
    return generate_own


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


def chunks(data: bytes) -> list[bytes]:
    return [data[i : i + READ_SIZE] for i in range(0, len(data), READ_SIZE)]


def parse_all(reads: list[bytes]) -> list[Message]:
    parser = Parser(expect_banner=False)
    messages: list[Message] = []
    for read in reads:
        messages.extend(parser.feed(read))
    return messages


def parse_and_apply(reads: list[bytes]) -> tuple[int, PbxState]:
    """What the worker does: read, parse, apply, with the clock read once per read."""
    state = new_state()
    parser = Parser(expect_banner=False)
    count = 0
    for read in reads:
        now = time.time()
        messages = parser.feed(read)
        count += len(messages)
        for message in messages:
            apply(state, message, now)
    return count, state


def apply_only(messages: list[Message]) -> PbxState:
    state = new_state()
    now = time.time()
    for message in messages:
        apply(state, message, now)
    return state


def worker_path(reads: list[bytes]) -> tuple[int, set[tuple[str, str]]]:
    """Parse + ``PbxModel.apply`` (changes mapped to views), gathering dirty views as the
    worker does."""
    model = PbxModel()
    parser = Parser(expect_banner=False)
    dirty: set[tuple[str, str]] = set()
    count = 0
    for read in reads:
        now = time.time()
        for message in parser.feed(read):
            count += 1
            dirty.update(model.apply(message, now))
    return count, dirty


def best_of(runs: int, job: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        job()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--events", type=int, default=200_000)
    options.add_argument("--seed", type=int, default=1)
    options.add_argument("--runs", type=int, default=3, help="best of N")
    options.add_argument("--source", choices=("auto", "own", "ami_stream"), default="auto")
    args = options.parse_args()

    generate = stream_source(args.source)
    data = generate(args.events, args.seed)
    reads = chunks(data)
    source = "bench/ami_stream.py" if generate is not generate_own else "bench/live_model.py"
    count, state = parse_and_apply(reads)
    names: dict[str, int] = {}
    for message in parse_all(reads):
        names[message.event or ""] = names.get(message.event or "", 0) + 1
    print(f"stream: {count} events, {len(data) / 1e6:.1f} MB, generated by {source}")
    print(
        "  most frequent: "
        + ", ".join(f"{n} {c}" for n, c in sorted(names.items(), key=lambda item: -item[1])[:6])
    )
    waiting = sum(len(q.callers) for q in state.queues.values())
    print(
        f"  final model: {len(state.channels)} channels, {len(state.bridges)} bridges, "
        f"{waiting} waiting, completed {sum(q.completed for q in state.queues.values())}, "
        f"abandoned {sum(q.abandoned for q in state.queues.values())}"
    )

    total = best_of(args.runs, lambda: parse_and_apply(reads))
    parse = best_of(args.runs, lambda: parse_all(reads))
    applied = min(time_apply_only(reads) for _ in range(args.runs))
    worker = best_of(args.runs, lambda: worker_path(reads))
    rate = count / total
    print(f"live model: {count} events parsed+applied in {total:.2f} s = {rate:,.0f} events/s")
    print(f"  parse only: {parse:.2f} s = {count / parse:,.0f} events/s")
    print(f"  apply only: {applied:.2f} s = {count / applied:,.0f} events/s")
    print(
        f"  worker path (parse + PbxModel.apply + dirty views): {worker:.2f} s = "
        f"{count / worker:,.0f} events/s"
    )


def time_apply_only(reads: list[bytes]) -> float:
    """Apply freshly parsed messages (the parser decodes lazily, so reuse would flatter)."""
    messages = parse_all(reads)
    gc.collect()  # leave the parse's garbage out of the apply's time
    started = time.perf_counter()
    apply_only(messages)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
