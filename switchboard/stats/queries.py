"""The SQL side of the statistics: every figure is grouped and summed by the database over
the indexed columns (CallRecord.start; QueueLogEntry queue/time, event/time, agent/time); only
the few grouped rows come back to Python, where ``compute`` shapes them.

Queue figures of ``queue_log``'s data fields (Asterisk's documented layouts):
``CONNECT`` holdtime|bridged uniqueid|ringtime; ``ABANDON`` position|origposition|waittime;
``COMPLETECALLER`` / ``COMPLETEAGENT`` holdtime|calltime|origposition; ``TRANSFER`` /
``BLINDTRANSFER`` extension|context|holdtime|calltime|origposition; ``ATTENDEDTRANSFER``
BRIDGE|id or APP|app then holdtime|calltime|origposition, LINK|channel|channel then the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import (
    Cast,
    Concat,
    ExtractHour,
    ExtractIsoWeekDay,
    ExtractMinute,
    Left,
    NullIf,
    StrIndex,
    TruncDate,
    TruncMonth,
)

from switchboard.records.models import CallRecord, QueueLogEntry
from switchboard.stats import compute


def _int(field_name: str) -> Cast:
    return Cast(NullIf(field_name, Value("")), IntegerField())


def _int_head(field_name: str) -> Cast:
    """The number before the first ``|`` (the collector keeps extra fields in data5)."""
    bar = StrIndex(Concat(field_name, Value("|")), Value("|"))
    return Cast(NullIf(Left(field_name, bar - 1), Value("")), IntegerField())


@dataclass(frozen=True)
class Filters:
    start: dt.datetime  # aware, included
    end: dt.datetime  # aware, excluded
    queues: tuple[str, ...]  # the queues to count (already limited to the user's scope)
    agents: tuple[str, ...] = field(default=())  # empty: every agent
    caller: str = ""  # part of the caller's number (call detail only); empty: every caller

    def events(self) -> QuerySet[QueueLogEntry]:
        return QueueLogEntry.objects.filter(
            time__gte=self.start, time__lt=self.end, queue__in=self.queues
        )

    def agent_events(self) -> QuerySet[QueueLogEntry]:
        qs = self.events()
        return qs.filter(agent__in=self.agents) if self.agents else qs


# --- S1: global call statistics over the CDRs --------------------------------------------


def _calls(start: dt.datetime, end: dt.datetime) -> QuerySet[CallRecord]:
    return CallRecord.objects.filter(start__gte=start, start__lt=end).order_by()


def calls_by(start: dt.datetime, end: dt.datetime, unit: str) -> dict[object, tuple[int, int]]:
    """``{month | day | hour: (calls, talk seconds)}`` of the CDRs started in the period."""
    key = {"month": TruncMonth("start"), "day": TruncDate("start"), "hour": ExtractHour("start")}[
        unit
    ]
    rows = (
        _calls(start, end)
        .annotate(k=key)
        .values("k")
        .annotate(n=Count("id"), talk=Sum("billsec"))
        .values_list("k", "n", "talk")
    )
    out: dict[object, tuple[int, int]] = {}
    for k, n, talk in rows:
        if isinstance(k, dt.datetime):
            k = k.date()
        out[k] = (n, talk or 0)
    return out


# --- S2: queues ----------------------------------------------------------------------------


def event_facts(f: Filters) -> dict[tuple[str, str, int, int], int]:
    """``{(queue, event, ISO weekday, half-hour slot): n}`` of the counted events: one scan
    that the per-queue, weekday and half-hour tables are all folded from
    (:func:`switchboard.stats.compute.fold`)."""
    rows = (
        f.events()
        .filter(event__in=compute.COUNTED_EVENTS)
        .order_by()
        .annotate(
            d=ExtractIsoWeekDay("time"),
            h=ExtractHour("time"),
            m=ExtractMinute("time"),
        )
        .annotate(s=Case(When(m__gte=30, then=Value(1)), default=Value(0)))
        .values("queue", "event", "d", "h", "s")
        .annotate(n=Count("id"))
        .values_list("queue", "event", "d", "h", "s", "n")
    )
    out: dict[tuple[str, str, int, int], int] = {}
    for queue, event, day, hour, half, n in rows:
        key = (queue, event, day, hour * 2 + half)
        out[key] = out.get(key, 0) + n
    return out


def wait_facts(f: Filters) -> dict[tuple[str, int], int]:
    """``{(event, bucket): n}``: answered calls by holdtime (``CONNECT`` data1) and abandoned
    calls by waiting time (``ABANDON`` data3), in buckets of 30 s, in one scan."""
    wait = Case(
        When(event="CONNECT", then=_int("data1")),
        default=_int("data3"),
        output_field=IntegerField(),
    )
    rows = (
        f.events()
        .filter(event__in=("CONNECT", "ABANDON"))
        .order_by()
        .annotate(b=wait / compute.BUCKET_SECONDS)
        .values("event", "b")
        .annotate(n=Count("id"))
        .values_list("event", "b", "n")
    )
    return {(event, int(b)): n for event, b, n in rows if b is not None}


_TALK = Case(
    When(event__in=("COMPLETECALLER", "COMPLETEAGENT"), then=_int("data2")),
    When(event__in=("TRANSFER", "BLINDTRANSFER"), then=_int("data4")),
    When(event="ATTENDEDTRANSFER", data1="LINK", then=_int_head("data5")),
    When(event="ATTENDEDTRANSFER", then=_int("data4")),
    default=Value(0),
    output_field=IntegerField(),
)


def agent_calls(f: Filters) -> dict[str, tuple[int, int]]:
    """``{agent: (calls answered, talk seconds)}`` of the queue calls."""
    rows = (
        f.agent_events()
        .filter(event__in=("CONNECT", *compute.END_OF_TALK))
        .order_by()
        .values("agent")
        .annotate(n=Count("id", filter=Q(event="CONNECT")), talk=Sum(_TALK))
        .values_list("agent", "n", "talk")
    )
    return {a: (n, talk or 0) for a, n, talk in rows if a and a != "NONE"}


def agent_intervals(f: Filters, opening: str, closing: str) -> dict[str, tuple[int, float]]:
    """``{agent: (count, seconds)}`` of sessions (ADDMEMBER/REMOVEMEMBER) or pauses
    (PAUSE/UNPAUSE), per queue then summed per agent. Few rows: read in time order."""
    rows = (
        f.agent_events()
        .filter(event__in=(opening, closing))
        .order_by("time", "id")  # grouped below: no sort on text
        .values_list("agent", "queue", "time", "event")
    )
    per: dict[tuple[str, str], list[tuple[dt.datetime, bool]]] = {}
    for agent, queue, time, event in rows:  # one fetch: a few rows per agent and day
        per.setdefault((agent, queue), []).append((time, event == opening))
    out: dict[str, tuple[int, float]] = {}
    for (agent, _queue), events in per.items():
        n, seconds = compute.intervals(events, f.start, f.end)
        before = out.get(agent, (0, 0.0))
        out[agent] = (before[0] + n, before[1] + seconds)
    return out


def calls_made(
    start: dt.datetime, end: dt.datetime, numbers: list[str]
) -> dict[str, tuple[int, int]]:
    """``{number: (calls, talk seconds)}`` of the CDRs placed from these phone numbers."""
    if not numbers:
        return {}
    rows = (
        _calls(start, end)
        .filter(src__in=numbers)
        .exclude(direction=CallRecord.Direction.INBOUND)
        .values("src")
        .annotate(n=Count("id"), talk=Sum("billsec"))
        .values_list("src", "n", "talk")
    )
    return {src: (n, talk or 0) for src, n, talk in rows}


def agent_rows(
    f: Filters,
    numbers: dict[str, str],
    calls: dict[str, tuple[int, int]] | None = None,
    spans: tuple[dict[str, tuple[int, float]], dict[str, tuple[int, float]]] | None = None,
) -> list[compute.AgentRow]:
    """One row per agent seen in the period; ``numbers`` maps agent names to phone numbers;
    ``calls`` is :func:`agent_calls` and ``spans`` the sessions and pauses when already known
    (from the aggregates)."""
    if calls is None:
        calls = agent_calls(f)
    if spans is None:
        spans = (
            agent_intervals(f, "ADDMEMBER", "REMOVEMEMBER"),
            agent_intervals(f, "PAUSE", "UNPAUSE"),
        )
    sessions, pauses = spans
    agents = set(calls) | set(sessions) | set(pauses)
    if f.agents:
        agents &= set(f.agents)
    made = calls_made(f.start, f.end, [numbers[a] for a in agents if a in numbers])
    rows = []
    for agent in sorted(agents):
        number = numbers.get(agent)
        placed = made.get(number, (0, 0)) if number else (None, None)
        rows.append(
            compute.AgentRow(
                agent,
                *sessions.get(agent, (0, 0.0)),
                *pauses.get(agent, (0, 0.0)),
                *calls.get(agent, (0, 0)),
                *placed,
            )
        )
    return rows
