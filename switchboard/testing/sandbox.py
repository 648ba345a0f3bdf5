"""A small call center in a box: a real Asterisk with queues, SIPp agents and SIPp callers.

Used by the live-telephony tests and by ``manage.py demo``. Queues ``sales`` (number 500)
and ``support`` (501) have static members played by :class:`AnsweringPhone` processes;
callers come in through a "trunk" endpoint recognised by a pool of source ports, so several
callers can be in the queues at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.testing.asterisk import AsteriskInstance, free_port
from switchboard.testing.sipp import AnsweringPhone, SippCall, phone_endpoint_config, start_call

QUEUE_NUMBERS = {"sales": "500", "support": "501"}


@dataclass(frozen=True)
class Agent:
    """An agent's phone: its endpoint name, queue, and how it answers."""

    name: str
    queue: str
    answer_after_ms: int | None = 1000
    hangup_after_ms: int | None = None
    penalty: int = 0


DEFAULT_AGENTS = (
    Agent("201", "sales", answer_after_ms=3000),
    Agent("202", "sales", answer_after_ms=5000, penalty=1),
    Agent("203", "support", answer_after_ms=2000),
    Agent("204", "support", answer_after_ms=4000, penalty=2),
)
SUPERVISOR_PHONES = ("299",)


def queues_conf(agents: Sequence[Agent], ring_seconds: int = 15) -> str:
    """queues.conf with one queue per agent group, static members with state interfaces."""
    lines = ["[general]", "persistentmembers = no", "shared_lastcall = yes", ""]
    for queue in sorted({agent.queue for agent in agents}):
        lines += [
            f"[{queue}]",
            "strategy = rrmemory",
            f"timeout = {ring_seconds}",
            "retry = 1",
            "wrapuptime = 0",
            "ringinuse = no",
            "joinempty = yes",
            "leavewhenempty = no",
            "musicclass = default",
            "announce-position = no",
            "announce-holdtime = no",
        ]
        for agent in agents:
            if agent.queue == queue:
                lines.append(
                    f"member => PJSIP/{agent.name},{agent.penalty},Agent {agent.name},"
                    f"PJSIP/{agent.name}"
                )
        lines.append("")
    return "\n".join(lines)


def dialplan(agents: Sequence[Agent]) -> str:
    """Queue numbers for the trunk, and extensions to call each agent directly."""
    lines = ["[from-trunk]"]
    for queue, number in QUEUE_NUMBERS.items():
        lines += [
            f"exten => {number},1,Answer()",
            f" same => n,Queue({queue},t,,,300)",
            " same => n,Hangup()",
        ]
    lines += ["", "[from-phones]"]
    for agent in agents:
        lines.append(f"exten => {agent.name},1,Dial(PJSIP/{agent.name},30)")
    lines += ["exten => _X.,1,Goto(from-trunk,${EXTEN},1)", ""]
    return "\n".join(lines)


def trunk_config(ports: Sequence[int]) -> str:
    """An endpoint for the SIPp callers, recognised by any of its source ports."""
    lines = [
        "[trunk]",
        "type = endpoint",
        "context = from-trunk",
        "disallow = all",
        "allow = ulaw,alaw",
        "direct_media = no",
        "send_connected_line = no",
        "rtp_symmetric = yes",
        "media_address = 127.0.0.1",
        "bind_rtp_to_media_address = yes",
        "",
        "[trunk]",
        "type = identify",
        "endpoint = trunk",
    ]
    lines += [f"match = 127.0.0.1:{port}" for port in ports]
    return "\n".join(lines) + "\n"


@dataclass
class CallCenter:
    """The running sandbox: the Asterisk instance, the agents' phones, the caller ports."""

    pbx: AsteriskInstance
    phones: dict[str, AnsweringPhone]
    caller_ports: list[int]
    _free_ports: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._free_ports = list(self.caller_ports)

    def call(
        self,
        queue: str,
        caller_id: str,
        *,
        caller_name: str | None = None,
        hold_ms: int = 3000,
        answer_timeout_ms: int = 30000,
    ) -> SippCall:
        """A caller dials the queue's number; returns at once (``.wait()`` for the result)."""
        with self._lock:
            if not self._free_ports:
                raise RuntimeError("every caller port is busy")
            port = self._free_ports.pop(0)
        call = start_call(
            self.pbx.sip_port,
            QUEUE_NUMBERS[queue],
            caller_id=caller_id,
            caller_name=caller_name,
            hold_ms=hold_ms,
            answer_timeout_ms=answer_timeout_ms,
            local_port=port,
        )
        original_wait = call.wait

        def wait_and_release():  # type: ignore[no-untyped-def]
            try:
                return original_wait()
            finally:
                with self._lock:
                    self._free_ports.append(port)

        call.wait = wait_and_release  # type: ignore[method-assign]
        return call

    def stop(self) -> None:
        for phone in self.phones.values():
            phone.stop()
        self.pbx.stop()


def start_call_center(
    chroot: Path,
    agents: Sequence[Agent] = DEFAULT_AGENTS,
    *,
    caller_slots: int = 8,
    ring_seconds: int = 15,
    supervisors: Sequence[str] = SUPERVISOR_PHONES,
) -> CallCenter:
    """Start the agents' and supervisors' phones and an Asterisk configured for them.

    A supervisor's phone is no queue member: it answers after half a second, for the
    listen / whisper / barge calls the portal originates to it.
    """
    phones = {
        agent.name: AnsweringPhone(
            agent.name,
            answer_after_ms=agent.answer_after_ms,
            hangup_after_ms=agent.hangup_after_ms,
        ).start()
        for agent in agents
    }
    for name in supervisors:
        phones[name] = AnsweringPhone(name, answer_after_ms=500).start()
    caller_ports = [free_port("udp") for _ in range(caller_slots)]
    pjsip = "".join(
        phone_endpoint_config(name, phone.port, context="from-phones")
        for name, phone in phones.items()
    )
    pbx = AsteriskInstance(
        chroot,
        configs={"queues.conf": queues_conf(agents, ring_seconds)},
        appends={
            "pjsip.conf": pjsip + trunk_config(caller_ports),
            "extensions.conf": dialplan(agents),
        },
    )
    try:
        pbx.start()
    except BaseException:
        for phone in phones.values():
            phone.stop()
        raise
    return CallCenter(pbx, phones, caller_ports)


def iter_caller_ids(start: int = 33140000) -> Iterator[str]:
    number = start
    while True:
        number += 1
        yield f"0{number}"
