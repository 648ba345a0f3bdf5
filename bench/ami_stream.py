"""A synthetic but faithful AMI event stream for benchmarks: a busy contact center's day.

``generate_events(count, seed)`` returns ``count`` events as the bytes an Asterisk 22 manager
connection would carry (no banner, CRLF lines, an empty line after each event). The events
follow the shape of the recordings in ``switchboard/telephony/tests/transcripts/``: every
channel event carries the full channel snapshot (14 keys), dial and agent events the
``Dest...`` snapshot too, bridge events the bridge snapshot. Calls are consistent, so a live
model can follow them: ids, linked ids, bridges, queue positions and member states agree.

About forty calls are in progress at any moment and their events interleave at random. A
call comes in on a trunk, runs some dialplan (``Newexten``, plenty of ``VarSet`` noise as in
real calls), then mostly goes through a queue (``QueueCallerJoin``, ``AgentCalled``,
``DialBegin``, ringing, ``AgentConnect``, bridge, talk, hang-up, ``AgentComplete``); some
callers abandon, some agents do not answer in time, some calls dial an extension directly.
The same ``seed`` always gives the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

QUEUES = ("sales", "support", "billing", "vip", "overflow")
AGENTS = tuple(f"{100 + n}" for n in range(60))  # PJSIP/agent100... members of the queues
FIRST_NAMES = ("Alice", "Bob", "Chloé", "Dmitri", "Emma", "Farid", "Greta", "Hugo", "Irina")
LAST_NAMES = ("Smith", "Martin", "Ivanova", "Dubois", "Nguyen", "Garcia", "Müller", "Rossi")
CONCURRENT_CALLS = 40
EPOCH = 1_795_000_000  # Uniqueids look like Asterisk's: <epoch seconds>.<sequence>

Fields = list[tuple[str, str]]


@dataclass
class Channel:
    """What Asterisk puts in a channel snapshot, kept current as the call progresses."""

    name: str
    uniqueid: str
    linkedid: str
    caller: tuple[str, str]
    context: str
    exten: str
    connected: tuple[str, str] = ("<unknown>", "<unknown>")
    state: tuple[str, str] = ("4", "Ring")
    priority: int = 1

    def snapshot(self, prefix: str = "") -> Fields:
        return [
            (f"{prefix}Channel", self.name),
            (f"{prefix}ChannelState", self.state[0]),
            (f"{prefix}ChannelStateDesc", self.state[1]),
            (f"{prefix}CallerIDNum", self.caller[0]),
            (f"{prefix}CallerIDName", self.caller[1]),
            (f"{prefix}ConnectedLineNum", self.connected[0]),
            (f"{prefix}ConnectedLineName", self.connected[1]),
            (f"{prefix}Language", "en"),
            (f"{prefix}AccountCode", ""),
            (f"{prefix}Context", self.context),
            (f"{prefix}Exten", self.exten),
            (f"{prefix}Priority", str(self.priority)),
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Linkedid", self.linkedid),
        ]


@dataclass
class World:
    """Counters and queue state shared by all calls, so ids and positions stay consistent."""

    rng: random.Random
    sequence: int = 0
    channel_numbers: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, list[str]] = field(default_factory=lambda: {q: [] for q in QUEUES})
    busy_agents: set[str] = field(default_factory=set)

    def uniqueid(self) -> str:
        self.sequence += 1
        return f"{EPOCH + self.sequence // 50}.{self.sequence}"

    def channel_name(self, endpoint: str) -> str:
        number = self.channel_numbers.get(endpoint, 0) + 1
        self.channel_numbers[endpoint] = number
        return f"PJSIP/{endpoint}-{number:08x}"

    def bridge_id(self) -> str:
        return "%08x-%04x-%04x-%04x-%012x" % (  # noqa: UP031  (a UUID's layout)
            self.rng.getrandbits(32),
            self.rng.getrandbits(16),
            0x4000 | self.rng.getrandbits(12),
            0x8000 | self.rng.getrandbits(14),
            self.rng.getrandbits(48),
        )


def event(name: str, privilege: str, fields: Fields) -> bytes:
    lines = [f"Event: {name}", f"Privilege: {privilege},all"]
    lines += [f"{key}: {value}" for key, value in fields]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def var_set(channel: Channel, variable: str, value: str) -> bytes:
    return event(
        "VarSet", "dialplan", [*channel.snapshot(), ("Variable", variable), ("Value", value)]
    )


def new_exten(channel: Channel, application: str, data: str) -> bytes:
    fields = [*channel.snapshot(), ("Extension", channel.exten)]
    fields += [("Application", application), ("AppData", data)]
    channel.priority += 1
    return event("Newexten", "dialplan", fields)


def set_state(channel: Channel, code: str, description: str) -> bytes:
    channel.state = (code, description)
    return event("Newstate", "call", channel.snapshot())


def hangup(channel: Channel, cause: str = "16", text: str = "Normal Clearing") -> Iterator[bytes]:
    yield event("HangupRequest", "call", [*channel.snapshot(), ("Cause", cause)])
    yield event("SoftHangupRequest", "call", [*channel.snapshot(), ("Cause", cause)])
    yield event("Hangup", "call", [*channel.snapshot(), ("Cause", cause), ("Cause-txt", text)])


def device_state(endpoint: str, state: str) -> bytes:
    return event("DeviceStateChange", "call", [("Device", f"PJSIP/{endpoint}"), ("State", state)])


def member_status(queue: str, agent: str, status: str, in_call: bool, taken: int) -> bytes:
    return event(
        "QueueMemberStatus",
        "agent",
        [
            ("Queue", queue),
            ("MemberName", f"Agent {agent}"),
            ("Interface", f"PJSIP/agent{agent}"),
            ("StateInterface", f"PJSIP/agent{agent}"),
            ("Membership", "static"),
            ("Penalty", "0"),
            ("CallsTaken", str(taken)),
            ("LastCall", "0"),
            ("LastPause", "0"),
            ("LoginTime", str(EPOCH)),
            ("InCall", "1" if in_call else "0"),
            ("Status", status),
            ("Paused", "0"),
            ("PausedReason", ""),
            ("Ringinuse", "0"),
            ("Wrapuptime", "0"),
        ],
    )


def bridge_fields(bridge_id: str, channels: int) -> Fields:
    return [
        ("BridgeUniqueid", bridge_id),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", str(channels)),
        ("BridgeVideoSourceMode", "none"),
    ]


def incoming(world: World) -> Channel:
    rng = world.rng
    number = f"+33{rng.randrange(100_000_000, 999_999_999)}"
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    uniqueid = world.uniqueid()
    return Channel(
        world.channel_name("trunk"), uniqueid, uniqueid, (number, name), "from-trunk", "800"
    )


def dialplan_noise(caller: Channel, rng: random.Random) -> Iterator[bytes]:
    """What every incoming call does before reaching a queue: variables and dialplan steps."""
    yield event("Newchannel", "call", caller.snapshot())
    for variable, value in (("SIPDOMAIN", "192.0.2.10"), ("SIPCALLID", f"{rng.getrandbits(64):x}")):
        yield var_set(caller, variable, value)
    yield new_exten(caller, "NoOp", f"call from {caller.caller[0]}")
    yield var_set(caller, "CHANNEL(language)", "en")
    yield new_exten(caller, "Set", "CDR(userfield)=inbound")
    yield var_set(caller, "CDR(userfield)", "inbound")
    yield new_exten(caller, "Answer", "")
    yield set_state(caller, "6", "Up")


def queue_call(world: World) -> Iterator[bytes]:
    """One caller through a queue: answered by an agent, unanswered, or abandoned."""
    rng = world.rng
    caller = incoming(world)
    queue = rng.choice(QUEUES)
    yield from dialplan_noise(caller, rng)
    yield new_exten(caller, "Queue", f"{queue},t,,,300")
    waiting = world.waiting[queue]
    waiting.append(caller.uniqueid)
    yield event(
        "QueueCallerJoin",
        "agent",
        [
            *caller.snapshot(),
            ("Queue", queue),
            ("Position", str(len(waiting))),
            ("Count", str(len(waiting))),
        ],
    )
    yield event("MusicOnHoldStart", "call", [*caller.snapshot(), ("Class", "default")])
    for _attempt in range(rng.choice((1, 1, 1, 2))):
        free = [agent for agent in AGENTS if agent not in world.busy_agents]
        if not free or rng.random() < 0.12:
            break  # nobody free, or the caller gives up while waiting
        agent = rng.choice(free)
        world.busy_agents.add(agent)
        endpoint = f"agent{agent}"
        uniqueid = world.uniqueid()
        leg = Channel(
            world.channel_name(endpoint), uniqueid, caller.linkedid, (agent, f"Agent {agent}"),
            "from-queue", agent, connected=caller.caller, state=("0", "Down"),
        )  # fmt: skip
        yield event("Newchannel", "call", leg.snapshot())
        yield var_set(leg, "QUEUENAME", queue)
        yield event(
            "AgentCalled",
            "agent",
            [*caller.snapshot(), *leg.snapshot("Dest"), ("Queue", queue),
             ("Interface", f"PJSIP/{endpoint}"), ("MemberName", f"Agent {agent}")],
        )  # fmt: skip
        yield event(
            "DialBegin",
            "call",
            [*caller.snapshot(), *leg.snapshot("Dest"), ("DialString", endpoint)],
        )
        yield set_state(leg, "5", "Ringing")
        yield device_state(endpoint, "RINGING")
        yield member_status(queue, agent, "6", False, 0)
        if rng.random() < 0.15:  # rings out
            yield event(
                "AgentRingNoAnswer",
                "agent",
                [*caller.snapshot(), *leg.snapshot("Dest"), ("Queue", queue),
                 ("Interface", f"PJSIP/{endpoint}"), ("MemberName", f"Agent {agent}"),
                 ("RingTime", "15000")],
            )  # fmt: skip
            yield event(
                "DialEnd",
                "call",
                [*caller.snapshot(), *leg.snapshot("Dest"), ("DialStatus", "NOANSWER")],
            )
            yield from hangup(leg, "19", "No user responding")
            yield device_state(endpoint, "NOT_INUSE")
            yield member_status(queue, agent, "1", False, 0)
            world.busy_agents.discard(agent)
            continue
        yield from answered(world, caller, leg, queue, agent)
        return
    yield from abandoned(world, caller, queue)


def answered(
    world: World, caller: Channel, leg: Channel, queue: str, agent: str
) -> Iterator[bytes]:
    rng = world.rng
    endpoint = f"agent{agent}"
    leg.state = ("6", "Up")
    caller.connected = leg.caller
    yield set_state(leg, "6", "Up")
    yield device_state(endpoint, "INUSE")
    yield event(
        "DialEnd", "call", [*caller.snapshot(), *leg.snapshot("Dest"), ("DialStatus", "ANSWER")]
    )
    waiting = world.waiting[queue]
    waiting.remove(caller.uniqueid)
    yield event(
        "QueueCallerLeave",
        "agent",
        [*caller.snapshot(), ("Queue", queue), ("Position", "1"), ("Count", str(len(waiting)))],
    )
    yield event("MusicOnHoldStop", "call", caller.snapshot())
    hold_time = str(rng.randrange(1, 120))
    yield event(
        "AgentConnect",
        "agent",
        [*caller.snapshot(), *leg.snapshot("Dest"), ("Queue", queue),
         ("Interface", f"PJSIP/{endpoint}"), ("MemberName", f"Agent {agent}"),
         ("HoldTime", hold_time), ("RingTime", str(rng.randrange(1, 15)))],
    )  # fmt: skip
    bridge = world.bridge_id()
    yield event("BridgeCreate", "call", bridge_fields(bridge, 0))
    yield event("BridgeEnter", "call", [*bridge_fields(bridge, 1), *leg.snapshot()])
    yield event("BridgeEnter", "call", [*bridge_fields(bridge, 2), *caller.snapshot()])
    yield member_status(queue, agent, "2", True, 0)
    for _ in range(rng.randrange(0, 4)):
        yield var_set(caller, "BRIDGEPEER", leg.name)
        yield var_set(leg, "BRIDGEPEER", caller.name)
    yield event("BridgeLeave", "call", [*bridge_fields(bridge, 1), *caller.snapshot()])
    yield from hangup(caller)
    yield event("BridgeLeave", "call", [*bridge_fields(bridge, 0), *leg.snapshot()])
    yield event("BridgeDestroy", "call", bridge_fields(bridge, 0))
    yield event(
        "AgentComplete",
        "agent",
        [*caller.snapshot(), *leg.snapshot("Dest"), ("Queue", queue),
         ("Interface", f"PJSIP/{endpoint}"), ("MemberName", f"Agent {agent}"),
         ("HoldTime", hold_time), ("TalkTime", str(rng.randrange(10, 900))),
         ("Reason", "caller")],
    )  # fmt: skip
    yield from hangup(leg)
    yield device_state(endpoint, "NOT_INUSE")
    yield member_status(queue, agent, "1", False, 1)
    world.busy_agents.discard(agent)


def abandoned(world: World, caller: Channel, queue: str) -> Iterator[bytes]:
    waiting = world.waiting[queue]
    position = waiting.index(caller.uniqueid) + 1
    waiting.remove(caller.uniqueid)
    yield event(
        "QueueCallerAbandon",
        "agent",
        [*caller.snapshot(), ("Queue", queue), ("Position", str(position)),
         ("OriginalPosition", "1"), ("HoldTime", str(world.rng.randrange(5, 300)))],
    )  # fmt: skip
    yield event(
        "QueueCallerLeave",
        "agent",
        [
            *caller.snapshot(),
            ("Queue", queue),
            ("Position", str(position)),
            ("Count", str(len(waiting))),
        ],
    )
    yield event("MusicOnHoldStop", "call", caller.snapshot())
    yield from hangup(caller)


def direct_call(world: World) -> Iterator[bytes]:
    """A call to an extension, no queue: Dial, answer or not, hang-up."""
    rng = world.rng
    caller = incoming(world)
    yield from dialplan_noise(caller, rng)
    agent = rng.choice(AGENTS)
    endpoint = f"agent{agent}"
    yield new_exten(caller, "Dial", f"PJSIP/{endpoint},30")
    uniqueid = world.uniqueid()
    leg = Channel(
        world.channel_name(endpoint), uniqueid, caller.linkedid, (agent, f"Agent {agent}"),
        "from-internal", agent, connected=caller.caller, state=("0", "Down"),
    )  # fmt: skip
    yield event("Newchannel", "call", leg.snapshot())
    yield event(
        "DialBegin", "call", [*caller.snapshot(), *leg.snapshot("Dest"), ("DialString", endpoint)]
    )
    yield set_state(leg, "5", "Ringing")
    yield device_state(endpoint, "RINGING")
    if rng.random() < 0.3:
        yield event(
            "DialEnd", "call", [*caller.snapshot(), *leg.snapshot("Dest"), ("DialStatus", "BUSY")]
        )
        yield from hangup(leg, "17", "User busy")
        yield from hangup(caller, "17", "User busy")
        yield device_state(endpoint, "NOT_INUSE")
        return
    yield set_state(leg, "6", "Up")
    yield event(
        "DialEnd", "call", [*caller.snapshot(), *leg.snapshot("Dest"), ("DialStatus", "ANSWER")]
    )
    bridge = world.bridge_id()
    yield event("BridgeCreate", "call", bridge_fields(bridge, 0))
    yield event("BridgeEnter", "call", [*bridge_fields(bridge, 1), *caller.snapshot()])
    yield event("BridgeEnter", "call", [*bridge_fields(bridge, 2), *leg.snapshot()])
    yield event("BridgeLeave", "call", [*bridge_fields(bridge, 1), *leg.snapshot()])
    yield from hangup(leg)
    yield event("BridgeLeave", "call", [*bridge_fields(bridge, 0), *caller.snapshot()])
    yield event("BridgeDestroy", "call", bridge_fields(bridge, 0))
    yield from hangup(caller)
    yield device_state(endpoint, "NOT_INUSE")


def generate_events(count: int, seed: int = 0) -> bytes:
    """``count`` AMI events of interleaved calls, as wire bytes (no banner). Deterministic."""
    world = World(random.Random(seed))  # noqa: S311  (reproducible test data, not secrets)
    rng = world.rng

    def new_call() -> Iterator[bytes]:
        return direct_call(world) if rng.random() < 0.2 else queue_call(world)

    calls = [new_call() for _ in range(CONCURRENT_CALLS)]
    chunks: list[bytes] = []
    while len(chunks) < count:
        index = rng.randrange(len(calls))
        try:
            chunks.append(next(calls[index]))
        except StopIteration:
            calls[index] = new_call()
    return b"".join(chunks)


if __name__ == "__main__":
    import sys

    sys.stdout.buffer.write(generate_events(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
