"""Benchmark: AMI parse throughput on one core.

    .venv/bin/python bench/ami_parse.py [--events 200000] [--seed 1] [--repeat 5]

The stream comes from ``bench/ami_stream.py`` (a busy contact center, 18 keys per event on
average, like Asterisk 22's). It is fed to :class:`~switchboard.telephony.ami.protocol.Parser`
in 64 KiB reads, as the client's reader gets it from the socket. Figures, best of ``repeat``:

* ``ami parse``: bytes to :class:`Message` objects, with each event's name read, which is
  what the client does for every message it routes (the headline figure);
* ``+ 4 look-ups``: also reading four keys of every event, as the live model does for the
  events it follows;
* ``+ full decode``: also building the complete ``headers`` tuple of every event (what code
  that walks all keys pays).

The target for parse + apply to the live model is 50,000 events/s, so parse alone should be
far above it.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ami_stream import generate_events
from switchboard.telephony.ami.protocol import Message, Parser

READ_SIZE = 64 * 1024


def parse_stream(data: bytes, use: Callable[[Message], object]) -> int:
    """Feed ``data`` in socket-sized reads; call ``use`` on every message; count them."""
    parser = Parser(expect_banner=False)
    feed = parser.feed
    count = 0
    for start in range(0, len(data), READ_SIZE):
        messages = feed(data[start : start + READ_SIZE])
        for message in messages:
            use(message)
        count += len(messages)
    return count


def name_only(message: Message) -> object:
    return message.event


def four_lookups(message: Message) -> object:
    return (
        message.event,
        message.get("Channel"),
        message.get("Uniqueid"),
        message.get("Linkedid"),
        message.get("ChannelStateDesc"),
    )


def full_decode(message: Message) -> object:
    return message.event, message.headers


def best_time(data: bytes, use: Callable[[Message], object], repeat: int) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        count = parse_stream(data, use)
        best = min(best, time.perf_counter() - started)
    return count, best


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--events", type=int, default=200_000)
    options.add_argument("--seed", type=int, default=1)
    options.add_argument("--repeat", type=int, default=5)
    args = options.parse_args(argv)

    started = time.perf_counter()
    data = generate_events(args.events, args.seed)
    print(
        f"stream: {args.events} events, {len(data) / 1e6:.1f} MB "
        f"({len(data) / args.events:.0f} bytes/event), generated in "
        f"{time.perf_counter() - started:.1f} s"
    )
    count, seconds = best_time(data, name_only, args.repeat)
    assert count == args.events, count
    print(f"ami parse: {count} events in {seconds:.3f} s = {count / seconds:,.0f} events/s")
    for label, use in (("+ 4 look-ups", four_lookups), ("+ full decode", full_decode)):
        count, seconds = best_time(data, use, max(1, args.repeat // 2))
        rate = count / seconds
        print(f"ami parse {label}: {count} events in {seconds:.3f} s = {rate:,.0f} events/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
