"""A small front office on a real Asterisk for the desk's tests: SIPp phones, a ring-all
queue ``desk`` (number 510), direct numbers for each phone, the desk's own dialplan and
parking lot rendered by ``switchboard.pbx.render.desk``, callers on a trunk."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.pbx.render.desk import render_desk_dialplan, render_features, render_parking
from switchboard.testing.asterisk import AsteriskInstance, free_port
from switchboard.testing.sandbox import trunk_config
from switchboard.testing.sipp import AnsweringPhone, SippCall, phone_endpoint_config, start_call

QUEUE = "desk"
QUEUE_NUMBER = "510"
SCENARIO = Path(__file__).with_name("sipp") / "phone_autoanswer.xml"


class AutoAnswerPhone(AnsweringPhone):
    """Answers only an INVITE carrying ``Call-Info: ...;answer-after=0``."""

    def _scenario(self) -> str:
        return SCENARIO.read_text().replace("{{ user }}", self.name)


# name -> answer delay in ms (None: never answers by itself)
PHONES = {
    "201": 2500,  # Alice, in the queue's team
    "202": None,  # Bob, in the queue but not in its team: rings, never answers
    "203": 500,  # a colleague (transfer target)
    "205": 500,  # another colleague (attended transfer target)
}
AUTO_ANSWER = "204"


def dialplan() -> str:
    lines = [
        "[from-trunk]",
        # No Answer() first: answering an incoming call makes Asterisk wait up to 500 ms for
        # the caller's first voice frame, which a real phone sends at once but SIPp never
        # does; the queue's music goes out as early media instead.
        f"exten => {QUEUE_NUMBER},1,Queue({QUEUE},t,,,300)",
        " same => n,Hangup()",
        "exten => _2XX,1,Dial(PJSIP/${EXTEN},30)",
        " same => n,Hangup()",
        "",
        "[from-phones]",
        "exten => _2XX,1,Dial(PJSIP/${EXTEN},30)",
        " same => n,Hangup()",
        "include => sb-parked",
        "",
    ]
    return "\n".join(lines) + "\n" + render_desk_dialplan(internal_context="from-phones")


def queues_conf() -> str:
    return "\n".join(
        [
            "[general]",
            "persistentmembers = no",
            f"[{QUEUE}]",
            "strategy = ringall",
            "timeout = 20",
            "retry = 1",
            "ringinuse = no",
            "joinempty = yes",
            "leavewhenempty = no",
            "musicclass = default",
            "member => PJSIP/201,0,Alice,PJSIP/201",
            "member => PJSIP/202,0,Bob,PJSIP/202",
            "",
        ]
    )


@dataclass
class FrontOffice:
    pbx: AsteriskInstance
    phones: dict[str, AnsweringPhone]
    caller_ports: list[int]
    _free: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._free = list(self.caller_ports)

    def call(self, number: str, caller_id: str, *, hold_ms: int = 20000, **kw: object) -> SippCall:
        with self._lock:
            port = self._free.pop(0)
        call = start_call(
            self.pbx.sip_port, number, caller_id=caller_id, hold_ms=hold_ms, local_port=port, **kw
        )
        original = call.wait

        def wait_and_release():  # type: ignore[no-untyped-def]
            try:
                return original()
            finally:
                with self._lock:
                    self._free.append(port)

        call.wait = wait_and_release  # type: ignore[method-assign]
        return call

    def stop(self) -> None:
        for phone in self.phones.values():
            phone.stop()
        self.pbx.stop()


def start_front_office(chroot: Path) -> FrontOffice:
    phones: dict[str, AnsweringPhone] = {
        name: AnsweringPhone(name, answer_after_ms=delay).start() for name, delay in PHONES.items()
    }
    phones[AUTO_ANSWER] = AutoAnswerPhone(AUTO_ANSWER).start()
    ports = [free_port("udp") for _ in range(4)]
    pjsip = "".join(
        phone_endpoint_config(name, phone.port, context="from-phones")
        for name, phone in phones.items()
    )
    pbx = AsteriskInstance(
        chroot,
        configs={
            "queues.conf": queues_conf(),
            "res_parking.conf": render_parking(),
            "features.conf": render_features(),
        },
        appends={"pjsip.conf": pjsip + trunk_config(ports), "extensions.conf": dialplan()},
    )
    try:
        pbx.start()
    except BaseException:
        for phone in phones.values():
            phone.stop()
        raise
    return FrontOffice(pbx, phones, ports)
