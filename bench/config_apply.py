"""Benchmark: render + apply a large site to a real Asterisk, then a change to one phone.

    .venv/bin/python bench/config_apply.py [--phones 1000] [--queues 100]

The sandbox Asterisk 22 of the test harness (needs root, as the tests) includes the portal's
files; the site has ``--phones`` registered phones and ``--queues`` queues of 10 members each
and 50 IVR scenarios of six blocks. Printed: the pure render time, the first full apply
(stage, swap, reload of every file, verification through the AMI), an apply with nothing
changed, then, while ``--calls`` SIPp calls are up (answered and bridged to ten SIPp phones
before the apply starts, held 20 s), an apply where every phone and queue member is renamed
and the apply of one renamed phone (pjsip only); for each, how many of those calls were
dropped (a BYE from Asterisk) rather than ended by the caller.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from switchboard.pbx.apply import apply_files, include_lines, new_generation
from switchboard.pbx.render import render_all
from switchboard.pbx.render.spec import (
    IvrActionSpec,
    IvrBlockSpec,
    IvrSiteSpec,
    IvrSpec,
    PhoneSpec,
    QueueMemberSpec,
    QueueSpec,
    SiteSpec,
)
from switchboard.telephony.ami.client import AmiClient
from switchboard.testing.asterisk import AsteriskInstance, ensure_chroot, free_port
from switchboard.testing.sipp import (
    AnsweringPhone,
    SippCall,
    caller_endpoint_config,
    start_call,
)


def site(
    phones: int,
    queues: int,
    renamed: int | None = None,
    answering: tuple[int, ...] = (),
    suffix: str = "",
    ivrs: int = 50,
) -> SiteSpec:
    """``answering``: ports of SIPp phones that stand for the first phones (2000, 2001...)."""
    phone_specs = tuple(
        PhoneSpec(
            str(2000 + n),
            f"Phone {n}{suffix}" + (" renamed" if n == renamed else ""),
            f"Secret{n:08d}abcd",
            fixed_address=f"127.0.0.1:{answering[n]}" if n < len(answering) else "",
        )
        for n in range(phones)
    )
    queue_specs = tuple(
        QueueSpec(
            f"queue{q:03d}",
            str(7000 + q),
            members=tuple(
                QueueMemberSpec(str(2000 + (q * 10 + m) % phones), m % 3, f"Phone {m}{suffix}")
                for m in range(10)
            ),
        )
        for q in range(queues)
    )
    return SiteSpec(
        phones=phone_specs, queues=queue_specs, ivrs=IvrSiteSpec(ivrs=ivr_specs(ivrs, phones))
    )


def ivr_specs(count: int, phones: int) -> tuple[IvrSpec, ...]:
    """IVR scenarios of six blocks: conditions, a menu of three keys, transfers."""
    action = IvrActionSpec
    return tuple(
        IvrSpec(
            number=str(8000 + n),
            name=f"IVR {n}",
            fallback=str(2000 + n % phones),
            blocks=(
                IvrBlockSpec(
                    "incoming",
                    (
                        action("holiday", target="closed"),
                        action("incident", incident="outage", target="closed"),
                        action(
                            "time",
                            days=("mon", "tue", "wed", "thu", "fri"),
                            ranges=(("08:00", "19:00"),),
                            target="menu",
                        ),
                        action("goto", target="closed"),
                    ),
                ),
                IvrBlockSpec(
                    "menu",
                    (
                        action("play", sound="hello-world"),
                        action(
                            "menu",
                            sound="beep",
                            keys=(("1", "sales"), ("2", "support"), ("0", "operator")),
                            on_timeout="menu",
                            on_invalid="menu",
                        ),
                    ),
                ),
                IvrBlockSpec("sales", (action("transfer", transfer="queue", number="7000"),)),
                IvrBlockSpec("support", (action("transfer", transfer="queue", number="7001"),)),
                IvrBlockSpec(
                    "operator",
                    (action("transfer", transfer="phone", number=str(2000 + n % phones)),),
                ),
                IvrBlockSpec("closed", (action("play", sound="beep"), action("hangup"))),
            ),
        )
        for n in range(count)
    )


async def run(
    pbx: AsteriskInstance,
    options: argparse.Namespace,
    answering: tuple[int, ...],
    caller_ports: tuple[int, ...],
) -> None:
    client = AmiClient(
        "127.0.0.1",
        pbx.ami_port,
        pbx.credentials.ami_username,
        pbx.credentials.ami_secret,
        name="bench",
        events=False,
    )
    await client.connect_once()
    try:
        spec = site(options.phones, options.queues, answering=answering)
        endpoints = {p.extension for p in spec.phones}
        queues = {q.name for q in spec.queues}
        started = time.perf_counter()
        generation = new_generation()
        files = render_all(spec, generation)
        render_s = time.perf_counter() - started
        size = sum(len(text) for text in files.values())
        print(
            f"render: {options.phones} phones, {options.queues} queues, 50 IVRs -> "
            f"{size / 1e6:.1f} MB in {render_s * 1000:.0f} ms"
        )
        renamed = site(
            options.phones, options.queues, renamed=7, answering=answering, suffix=" (2)"
        )
        everything_changed = site(
            options.phones, options.queues, answering=answering, suffix=" (2)"
        )
        calls = None
        for label, spec_now in (
            ("first full apply", spec),
            ("apply, nothing changed", spec),
            ("full apply (every phone renamed), calls up", everything_changed),
            ("apply, one phone renamed, calls up", renamed),
        ):
            if "calls up" in label:
                calls = start_calls(pbx, options.calls, caller_ports)
                await wait_until_talking(client, 2 * options.calls)
            generation = new_generation()
            started = time.perf_counter()
            files = render_all(spec_now, generation)
            result = await apply_files(
                client, pbx.etc_dir, files, generation, endpoints=endpoints, queues=queues
            )
            total = time.perf_counter() - started
            state = "live" if result.ok else f"FAILED: {result.error}"
            print(
                f"{label}: {total:.2f} s render + apply ({state}; reloaded: "
                f"{', '.join(result.changed) or 'nothing'})"
            )
            if calls is not None:
                print("  " + calls_report(calls))
                calls = None
    finally:
        await client.close()


def start_calls(pbx: AsteriskInstance, count: int, ports: tuple[int, ...]) -> list[SippCall]:
    """``count`` calls spread over the SIPp phones (one caller endpoint each), held 20 s."""
    phones = len(ports)
    calls = []
    for n in range(phones):
        share = count // phones + (1 if n < count % phones else 0)
        if share:
            calls.append(
                start_call(
                    pbx.sip_port, str(2000 + n), calls=share, hold_ms=20000, local_port=ports[n]
                )
            )
    return calls


async def wait_until_talking(client: AmiClient, channels: int, timeout_s: float = 30) -> None:
    """Wait until every call is answered and bridged, so the apply happens mid-conversation."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _response, events = await client.list_action("CoreShowChannels")
        if sum(1 for e in events if e.get("BridgeId")) >= channels:
            return
        await asyncio.sleep(0.2)
    raise SystemExit(f"the {channels // 2} calls were not all up within {timeout_s:.0f} s")


def calls_report(calls: list[SippCall]) -> str:
    """How many calls held across the apply were answered and ended by the caller."""
    results = [call.wait() for call in calls]
    placed = sum(r.calls for r in results)
    answered = sum(r.answered_calls for r in results)
    clean = sum(r.successful for r in results)
    dropped = sum(r.remote_hangups for r in results)  # a BYE from Asterisk: a dropped call
    return (
        f"calls across the apply: {placed} placed, {answered} answered, "
        f"{clean} ended by the caller, {dropped} dropped"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--queues", type=int, default=100)
    parser.add_argument("--calls", type=int, default=20, help="calls held across applies")
    options = parser.parse_args()
    includes = include_lines()
    phones = [AnsweringPhone(str(2000 + n), answer_after_ms=100) for n in range(10)]
    caller_ports = tuple(free_port("udp") for _phone in phones)
    for n, port in enumerate(caller_ports):
        includes["pjsip.conf"] += caller_endpoint_config(f"desk{n}", port, context="sb-phones")
    pbx = AsteriskInstance(ensure_chroot(), appends=includes)
    pbx.start()
    try:
        for phone in phones:
            phone.start()
        answering = tuple(phone.port for phone in phones)
        asyncio.run(run(pbx, options, answering, caller_ports))
    finally:
        for phone in phones:
            phone.stop()
        pbx.stop()


if __name__ == "__main__":
    main()
