"""Benchmark: the agents app's hot paths, on one core.

    .venv/bin/python bench/agents.py [--phones 2000] [--queues 200] [--agents 50] [--repeat 5]

* ``colleagues reduce``: the colleagues websocket removes "with whom" from every presence
  update for each non-supervisor tab; the figure is updates/s for a site of ``phones``
  phones (the whole view is sent on each change, so this bounds the tabs one process feeds);
* ``*45 render``: rendering ``sb-routing-features`` (the agent log-in code with its PIN
  check) for ``queues`` queues of ``agents`` dynamic agents each, as every apply does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from switchboard.agents.consumers import reduce, reduced_text
from switchboard.pbx.render.routing import routing_feature_lines
from switchboard.pbx.render.spec import QueueMemberSpec, QueueSpec, SiteSpec


def presence_view(phones: int) -> dict:
    states = ("free", "ringing", "talking", "offline")
    return {
        "now": 1.0,
        "devices": [
            {
                "device": f"PJSIP/{1000 + i}",
                "state": states[i % 4],
                "since": 1.0,
                "with": "0612345678 Someone" if i % 4 == 2 else "",
                "channel": f"PJSIP/{1000 + i}-0000001" if i % 4 else "",
                "address": "10.0.0.5:5060",
            }
            for i in range(phones)
        ],
    }


def best(repeat: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--queues", type=int, default=200)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    view = presence_view(args.phones)
    rounds = 50
    seconds = best(args.repeat, lambda: [json.dumps(reduce(view, False)) for _ in range(rounds)])
    print(
        f"colleagues reduce once per update ({args.phones} phones): "
        f"{seconds / rounds * 1000:.2f} ms"
    )
    text = json.dumps(view, separators=(",", ":"))
    reduced_text(text)
    tabs = 1000
    seconds = best(args.repeat, lambda: [reduced_text(text) for _ in range(tabs)])
    print(f"colleagues per extra tab (cached): {seconds / tabs * 1e9:.0f} ns")

    queues = tuple(
        QueueSpec(
            f"q{q}",
            str(5000 + q),
            members=tuple(
                QueueMemberSpec(str(10000 + q * 100 + a), 0, f"Agent {a}", dynamic=True)
                for a in range(args.agents)
            ),
        )
        for q in range(args.queues)
    )
    site = SiteSpec(queues=queues)
    lines: list[str] = []
    seconds = best(args.repeat, lambda: lines.extend(routing_feature_lines(site)))
    print(
        f"*45 render ({args.queues} queues x {args.agents} agents): {seconds * 1000:.1f} ms "
        f"({len(routing_feature_lines(site)):,} lines)"
    )


if __name__ == "__main__":
    main()
