"""Benchmark: the operator desk's share of the worker's event path, one core.

    .venv/bin/python bench/desk_pops.py [--events 200000] [--seed 1] [--runs 3]

A busy contact center's AMI stream (``bench/live_model.py``'s generator) is parsed once,
then applied to the live model twice: the worker's path alone (``PbxModel.apply``), and the
same followed by what the worker now also does for each event, the desk's detection
(``switchboard.desk.pops.detect`` on DialBegin / DialEnd / Hangup, reading their few keys
straight from the message's text; a name test on the others). It prints events per second
of both, the desk's cost per event, and how many pops (ring, answer, end...) the stream
gives.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_model import chunks, parse_all, stream_source

from switchboard.desk.pops import EVENTS, detect
from switchboard.telephony.live.model import PbxModel


def run(messages: list, with_desk: bool) -> tuple[float, int]:
    model = PbxModel()
    seen: set[str] = set()
    pops = 0
    now = time.time()
    started = time.perf_counter()
    for message in messages:
        model.apply(message, now)
        if with_desk:
            event = message.event
            if event in EVENTS:
                pops += len(detect(model.state, event, message, seen))
    return time.perf_counter() - started, pops


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--events", type=int, default=200_000)
    options.add_argument("--seed", type=int, default=1)
    options.add_argument("--runs", type=int, default=3, help="best of N")
    args = options.parse_args()
    data = stream_source("own")(args.events, args.seed)
    messages = parse_all(chunks(data))
    plain = min(run(messages, False)[0] for _ in range(args.runs))
    timings = [run(messages, True) for _ in range(args.runs)]
    desk = min(t for t, _ in timings)
    pops = timings[0][1]
    count = len(messages)
    print(f"events: {count}, pops detected: {pops}")
    print(f"worker path alone:       {count / plain:>12,.0f} events/s")
    print(f"worker path + desk pops: {count / desk:>12,.0f} events/s")
    print(f"desk cost per event:     {(desk - plain) / count * 1e6:>12.2f} µs")


if __name__ == "__main__":
    main()
