"""Benchmark: render + apply a large site to a real Asterisk, then a change to one phone.

    .venv/bin/python bench/config_apply.py [--phones 1000] [--queues 100]

The sandbox Asterisk 22 of the test harness (needs root, as the tests) includes the portal's
files; the site has ``--phones`` registered phones and ``--queues`` queues of 10 members each
(IVR scenarios are not built yet). Printed: the pure render time, the first full apply
(stage, swap, reload of pjsip + dialplan + queues, verification through the AMI), an apply
with nothing changed, and the apply of one renamed phone (pjsip only).
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
from switchboard.pbx.render.spec import PhoneSpec, QueueMemberSpec, QueueSpec, SiteSpec
from switchboard.telephony.ami.client import AmiClient
from switchboard.testing.asterisk import AsteriskInstance, ensure_chroot


def site(phones: int, queues: int, renamed: int | None = None) -> SiteSpec:
    phone_specs = tuple(
        PhoneSpec(
            str(2000 + n),
            f"Phone {n}" + (" renamed" if n == renamed else ""),
            f"Secret{n:08d}abcd",
        )
        for n in range(phones)
    )
    queue_specs = tuple(
        QueueSpec(
            f"queue{q:03d}",
            str(7000 + q),
            members=tuple(
                QueueMemberSpec(str(2000 + (q * 10 + m) % phones), m % 3, f"Phone {m}")
                for m in range(10)
            ),
        )
        for q in range(queues)
    )
    return SiteSpec(phones=phone_specs, queues=queue_specs)


async def run(pbx: AsteriskInstance, options: argparse.Namespace) -> None:
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
        spec = site(options.phones, options.queues)
        endpoints = {p.extension for p in spec.phones}
        queues = {q.name for q in spec.queues}
        started = time.perf_counter()
        generation = new_generation()
        files = render_all(spec, generation)
        render_s = time.perf_counter() - started
        size = sum(len(text) for text in files.values())
        print(
            f"render: {options.phones} phones, {options.queues} queues -> "
            f"{size / 1e6:.1f} MB in {render_s * 1000:.0f} ms"
        )
        for label, spec_now in (
            ("first full apply", spec),
            ("apply, nothing changed", spec),
            ("apply, one phone renamed", site(options.phones, options.queues, renamed=7)),
        ):
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
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--queues", type=int, default=100)
    options = parser.parse_args()
    includes = include_lines()
    pbx = AsteriskInstance(ensure_chroot(), appends=includes)
    pbx.start()
    try:
        asyncio.run(run(pbx, options))
    finally:
        pbx.stop()


if __name__ == "__main__":
    main()
