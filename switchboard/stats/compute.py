"""Pure shaping of aggregated figures into report tables (no database here).

The database does the counting (``queries.py`` groups and sums in SQL); these functions turn
the few grouped figures into the rows the pages and exports show: percentages, cumulative
percentages, totals, averages, and the intervals (sessions, pauses) of an agent.

How a queue call ends, read from Asterisk's queue_log (one terminal event per call):

- answered: ``CONNECT`` (an agent took it);
- abandoned: ``ABANDON`` (the caller hung up while waiting) and ``EXITWITHKEY`` (the caller
  left with a key);
- dissuaded: ``EXITWITHTIMEOUT`` (waited up to the queue's time-out) and ``EXITEMPTY`` (sent
  away because no agent was left);
- closed: ``FULL``, ``JOINEMPTY``, ``JOINUNAVAIL`` (refused on entry; Asterisk writes no
  ``ENTERQUEUE`` for them).

So received = ``ENTERQUEUE`` + closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ENTER = "ENTERQUEUE"
OUTCOME_OF_EVENT = {
    "CONNECT": "answered",
    "ABANDON": "abandoned",
    "EXITWITHKEY": "abandoned",
    "EXITWITHTIMEOUT": "dissuaded",
    "EXITEMPTY": "dissuaded",
    "FULL": "closed",
    "JOINEMPTY": "closed",
    "JOINUNAVAIL": "closed",
}
OUTCOMES = ("answered", "abandoned", "dissuaded", "closed")
COUNTED_EVENTS = (ENTER, *OUTCOME_OF_EVENT)
END_OF_TALK = ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
BUCKET_SECONDS = 30


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in %, one decimal (0 when ``whole`` is 0)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def bucket_label(index: int, width: int = BUCKET_SECONDS) -> str:
    """Bucket 0 of 30 s -> ``< 0m30s``; bucket 1 -> ``< 1m``; bucket 2 -> ``< 1m30s``."""
    upper = (index + 1) * width
    minutes, seconds = divmod(upper, 60)
    return f"< {minutes}m{seconds:02d}s" if seconds else f"< {minutes}m"


@dataclass(frozen=True)
class QueueRow:
    queue: str
    received: int
    answered: int
    abandoned: int
    dissuaded: int
    closed: int

    def cells(self) -> list[object]:
        out: list[object] = [self.queue, self.received]
        for value in (self.answered, self.abandoned, self.dissuaded, self.closed):
            out += [value, percent(value, self.received)]
        return out


def queue_rows(counts: Mapping[tuple[str, str], int]) -> list[QueueRow]:
    """``{(queue, event): n}`` -> one row per queue (by name) and a last row of totals."""
    per: dict[str, dict[str, int]] = {}
    for (queue, event), n in counts.items():
        figures = per.setdefault(queue, dict.fromkeys(("received", *OUTCOMES), 0))
        if event == ENTER:
            figures["received"] += n
        elif event in OUTCOME_OF_EVENT:
            outcome = OUTCOME_OF_EVENT[event]
            figures[outcome] += n
            if outcome == "closed":
                figures["received"] += n
    rows = [QueueRow(queue, **per[queue]) for queue in sorted(per)]
    if rows:
        total = {f: sum(getattr(r, f) for r in rows) for f in ("received", *OUTCOMES)}
        rows.append(QueueRow("", **total))
    return rows


def bucket_rows(counts: Mapping[int, int], width: int = BUCKET_SECONDS) -> list[list[object]]:
    """``{bucket index: n}`` -> ``[label, n, %, cumulative %]`` for each non-empty bucket."""
    whole = sum(counts.values())
    rows, running = [], 0
    for index in sorted(counts):
        n = counts[index]
        if not n:
            continue
        running += n
        rows.append([bucket_label(index, width), n, percent(n, whole), percent(running, whole)])
    return rows


def weekday_rows(counts: Mapping[int, int], names: list[str]) -> list[list[object]]:
    """``{ISO weekday 1..7: n}`` -> ``[day name, n, %]`` for each day with calls."""
    whole = sum(counts.values())
    return [
        [names[day - 1], counts[day], percent(counts[day], whole)]
        for day in sorted(counts)
        if counts[day]
    ]


def slot_label(slot: int) -> str:
    """Half-hour slot 0..47 -> ``0h00``, ``0h30``, … ``23h30``."""
    return f"{slot // 2}h{'30' if slot % 2 else '00'}"


def half_hour_rows(counts: Mapping[tuple[int, str], int]) -> list[list[object]]:
    """``{(slot, event): n}`` -> ``[slot, received, %, closed, %, dissuaded, %, abandoned, %,
    answered, %]`` per slot with traffic; every % is of all calls received in the period."""
    per: dict[int, dict[str, int]] = {}
    for (slot, event), n in counts.items():
        figures = per.setdefault(slot, dict.fromkeys(("received", *OUTCOMES), 0))
        if event == ENTER:
            figures["received"] += n
        elif event in OUTCOME_OF_EVENT:
            outcome = OUTCOME_OF_EVENT[event]
            figures[outcome] += n
            if outcome == "closed":
                figures["received"] += n
    whole = sum(f["received"] for f in per.values())
    rows = []
    for slot in sorted(per):
        f = per[slot]
        row: list[object] = [slot_label(slot)]
        for key in ("received", "closed", "dissuaded", "abandoned", "answered"):
            row += [f[key], percent(f[key], whole)]
        rows.append(row)
    return rows


def intervals(
    events: Iterable[tuple[dt.datetime, bool]], start: dt.datetime, end: dt.datetime
) -> tuple[int, float]:
    """Number and total seconds of the intervals of one agent in one queue.

    ``events`` are ``(time, opens)`` in time order (``ADDMEMBER``/``PAUSE`` open,
    ``REMOVEMEMBER``/``UNPAUSE`` close) inside ``[start, end)``. An interval already open at
    ``start`` (the first event closes) starts at ``start``; one still open runs to ``end``.
    Repeated opens or closes are ignored (the first open and the first close count).
    """
    count, seconds, opened = 0, 0.0, None
    first = True
    for time, opens in events:
        if opens:
            if opened is None:
                opened = time
                count += 1
        else:
            if opened is None and first:
                opened = start
                count += 1
            if opened is not None:
                seconds += (time - opened).total_seconds()
                opened = None
        first = False
    if opened is not None:
        seconds += (end - opened).total_seconds()
    return count, seconds


@dataclass(frozen=True)
class AgentRow:
    agent: str
    sessions: int
    session_seconds: float
    pauses: int
    pause_seconds: float
    received: int
    talk_seconds: int
    made: int | None
    made_seconds: int | None

    @property
    def talk_average(self) -> float | None:
        return round(self.talk_seconds / self.received) if self.received else None

    @property
    def made_average(self) -> float | None:
        return round(self.made_seconds / self.made) if self.made else None


def step_rows(counts: Mapping[int, int], steps: tuple[int, ...]) -> list[list[object]]:
    """``{step index: n}`` -> ``[up to (s), n, %]`` for every step (the seed shows the empty
    ones too), then ``more`` with the calls above the last step."""
    whole = sum(counts.values())
    rows: list[list[object]] = []
    for index, limit in enumerate(steps):
        n = counts.get(index, 0)
        rows.append([f"≤ {limit}", n, percent(n, whole)])
    n = counts.get(len(steps), 0)
    rows.append([f"> {steps[-1]}", n, percent(n, whole)])
    return rows


def per_hour(calls: int, seconds: float) -> Decimal | None:
    """Calls per hour of presence (one decimal, rounded half up); ``None`` without presence."""
    if not seconds:
        return None
    return (Decimal(calls * 3600) / Decimal(str(seconds))).quantize(Decimal("0.1"), ROUND_HALF_UP)


def fold(facts: Mapping[tuple, int], *positions: int) -> dict:
    """Sum ``facts`` (``{key tuple: n}``) over the key parts at ``positions`` (one part: a
    plain key; several: a tuple)."""
    out: dict = {}
    for key, n in facts.items():
        part = key[positions[0]] if len(positions) == 1 else tuple(key[p] for p in positions)
        out[part] = out.get(part, 0) + n
    return out


RECEIVED = (ENTER, "FULL", "JOINEMPTY", "JOINUNAVAIL")


def weekday_counts(facts: Mapping[tuple[str, str, int, int], int]) -> dict[int, int]:
    """Calls received per ISO weekday, from :func:`queries.event_facts`."""
    return fold({k: n for k, n in facts.items() if k[1] in RECEIVED}, 2)
