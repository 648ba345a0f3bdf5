"""Pre-aggregated statistics per local day, kept exact (DESIGN principle 2).

Collected rows are only ever inserted, with growing ids. ``refresh`` runs before a report: it
finds the days touched by the rows inserted since the last refresh (ids above the
``Watermark``) and recomputes those days' aggregates whole from the rows, in one transaction.
So a late row (a history import, a collector catching up) re-aggregates its own day. On
PostgreSQL the refresh first takes a SHARE lock on the source table: it waits for the
collector's open transactions to commit, so no row with a smaller id can appear afterwards
(SQLite has one writer at a time, which gives the same guarantee). A change of the site's time
zone rebuilds everything (days and half hours are local).

The reports read the aggregates for whole local days (the forms choose dates); they fall back
to the rows for a part of a day or a filter the aggregates do not carry (a caller's number).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import (
    Cast,
    ExtractHour,
    ExtractIsoWeekDay,
    ExtractMinute,
    TruncDate,
)
from django.utils import timezone

from switchboard.records.models import CallRecord, QueueLogEntry
from switchboard.stats import compute, detail
from switchboard.stats.models import (
    AgentDaySpan,
    CallHour,
    QueueDayAgent,
    QueueDayCall,
    QueueDayFact,
    QueueDayTotal,
    QueueDayWait,
    QueueHourCall,
    Watermark,
)
from switchboard.stats.queries import _TALK, Filters, _int


def _zone_name() -> str:
    return str(timezone.get_current_timezone())


def _ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as ``(first, last)`` ranges."""
    out: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if out and day == out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def _lock(model: type) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE MODE")


def _dirty_days(model: type, field: str, mark: Watermark, top: int) -> set[dt.date]:
    rows = (
        model.objects.filter(id__gt=mark.last_id, id__lte=top)
        .order_by()
        .annotate(d=TruncDate(field))
        .values_list("d", flat=True)
        .distinct()
    )
    return set(rows)


def _refresh(source: str, model: type, field: str, rebuild, wipe, tables: tuple) -> None:
    with transaction.atomic():
        _lock(model)
        mark, _ = Watermark.objects.select_for_update().get_or_create(
            source=source, defaults={"time_zone": _zone_name()}
        )
        if mark.time_zone != _zone_name():
            wipe()
            mark.last_id, mark.time_zone = 0, _zone_name()
        top = model.objects.aggregate(m=Max("id"))["m"] or 0
        if top > mark.last_id:
            days = _dirty_days(model, field, mark, top)
            for first, last in _ranges(days):
                rebuild(first, last, top)
            mark.last_id = top
            if len(days) > 30 and connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # fresh statistics for the planner
                    for table in tables:
                        cursor.execute(f"ANALYZE {table._meta.db_table}")
        mark.save()


_QUEUE_LOG_TABLES = (QueueDayFact, QueueDayTotal, QueueDayWait, QueueDayAgent)


def _rebuild_queue_log(first: dt.date, last: dt.date, top: int) -> None:
    for model in _QUEUE_LOG_TABLES:
        model.objects.filter(day__gte=first, day__lte=last).delete()
    start, end = _bounds(first, last)
    rows = QueueLogEntry.objects.filter(time__gte=start, time__lt=end, id__lte=top).order_by()
    facts = (
        rows.filter(event__in=compute.COUNTED_EVENTS)
        .annotate(d=TruncDate("time"), h=ExtractHour("time"), m=ExtractMinute("time"))
        .annotate(s=Case(When(m__gte=30, then=Value(1)), default=Value(0)))
        .values("d", "queue", "event", "h", "s")
        .annotate(n=Count("id"))
        .values_list("d", "queue", "event", "h", "s", "n")
    )
    totals: dict[tuple[dt.date, str, str], int] = {}

    def fact_rows() -> Iterator[QueueDayFact]:
        for d, q, e, h, s, n in facts:
            totals[(d, q, e)] = totals.get((d, q, e), 0) + n
            yield QueueDayFact(day=d, queue=q, event=e, slot=h * 2 + s, n=n)

    QueueDayFact.objects.bulk_create(fact_rows(), batch_size=2000)
    QueueDayTotal.objects.bulk_create(
        (QueueDayTotal(day=d, queue=q, event=e, n=n) for (d, q, e), n in totals.items()),
        batch_size=2000,
    )
    wait = Case(
        When(event="CONNECT", then=_int("data1")),
        default=_int("data3"),
        output_field=IntegerField(),
    )
    waits = (
        rows.filter(event__in=("CONNECT", "ABANDON"))
        .annotate(d=TruncDate("time"), b=wait / compute.BUCKET_SECONDS)
        .values("d", "queue", "event", "b")
        .annotate(n=Count("id"))
        .values_list("d", "queue", "event", "b", "n")
    )
    QueueDayWait.objects.bulk_create(
        (
            QueueDayWait(day=d, queue=q, event=e, bucket=b, n=n)
            for d, q, e, b, n in waits
            if b is not None
        ),
        batch_size=2000,
    )
    agents = (
        rows.filter(event__in=("CONNECT", *compute.END_OF_TALK))
        .exclude(agent__in=("", "NONE"))
        .annotate(d=TruncDate("time"))
        .values("d", "queue", "agent")
        .annotate(n=Count("id", filter=Q(event="CONNECT")), talk=Sum(_TALK))
        .values_list("d", "queue", "agent", "n", "talk")
    )
    QueueDayAgent.objects.bulk_create(
        (
            QueueDayAgent(day=d, queue=q, agent=a, n=n, talk=talk or 0)
            for d, q, a, n, talk in agents
        ),
        batch_size=2000,
    )


def _rebuild_cdr(first: dt.date, last: dt.date, top: int) -> None:
    CallHour.objects.filter(day__gte=first, day__lte=last).delete()
    start, end = _bounds(first, last)
    hours = (
        CallRecord.objects.filter(start__gte=start, start__lt=end, id__lte=top)
        .order_by()
        .annotate(d=TruncDate("start"), h=ExtractHour("start"))
        .values("d", "h")
        .annotate(n=Count("id"), talk=Sum("billsec"))
        .values_list("d", "h", "n", "talk")
    )
    CallHour.objects.bulk_create(
        (CallHour(day=d, hour=h, n=n, talk=talk or 0) for d, h, n, talk in hours),
        batch_size=2000,
    )


def _wipe_queue_log() -> None:
    for model in _QUEUE_LOG_TABLES:
        model.objects.all().delete()


def refresh_queue_log() -> None:
    tables = _QUEUE_LOG_TABLES
    _refresh("queue_log", QueueLogEntry, "time", _rebuild_queue_log, _wipe_queue_log, tables)


def refresh_cdr() -> None:
    wipe = CallHour.objects.all().delete
    _refresh("cdr", CallRecord, "start", _rebuild_cdr, wipe, (CallHour,))


# Agents' sessions and pauses (S2): one row per local day, agent, queue and kind, chained over
# the days of a period by ``agent_spans`` exactly as ``compute.intervals`` reads the rows.
SPANS = {"ADDMEMBER": "REMOVEMEMBER", "PAUSE": "UNPAUSE"}
_CLOSING = {closing: opening for opening, closing in SPANS.items()}
_MICRO = dt.timedelta(microseconds=1)


def _day_span(events: list[tuple[dt.datetime, bool]]) -> dict:
    """One day's events ``(time, opens)`` in order, read from a closed state."""
    n, micros, opened, first_close = 0, 0, None, None
    for time, opens in events:
        if opens:
            if opened is None:
                opened, n = time, n + 1
        else:
            first_close = first_close or time
            if opened is not None:
                micros += (time - opened) // _MICRO
                opened = None
    return {
        "n": n,
        "micros": micros,
        "first_at": events[0][0],
        "first_close": first_close,
        "lead_close": not events[0][1],
        "open_at": opened,
    }


def _rebuild_spans(first: dt.date, last: dt.date, top: int) -> None:
    AgentDaySpan.objects.filter(day__gte=first, day__lte=last).delete()
    start, end = _bounds(first, last)
    rows = (
        QueueLogEntry.objects.filter(
            time__gte=start, time__lt=end, id__lte=top, event__in=(*SPANS, *_CLOSING)
        )
        .order_by("time", "id")
        .values_list("agent", "queue", "time", "event")
    )
    per: dict[tuple, list[tuple[dt.datetime, bool]]] = {}
    for agent, queue, time, event in rows.iterator(5000):
        kind = event if event in SPANS else _CLOSING[event]
        day = timezone.localtime(time).date()
        per.setdefault((day, agent, queue, kind), []).append((time, event in SPANS))
    AgentDaySpan.objects.bulk_create(
        (
            AgentDaySpan(day=day, agent=agent, queue=queue, kind=kind, **_day_span(events))
            for (day, agent, queue, kind), events in per.items()
        ),
        batch_size=2000,
    )


def refresh_spans() -> None:
    wipe = AgentDaySpan.objects.all().delete
    _refresh("agent_spans", QueueLogEntry, "time", _rebuild_spans, wipe, (AgentDaySpan,))


# --- reading -------------------------------------------------------------------------------


def whole_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """``(first day, day after the last)`` when ``[start, end)`` is whole local days."""
    a, b = timezone.localtime(start), timezone.localtime(end)
    if a.time() != dt.time.min or b.time() != dt.time.min:
        return None
    return a.date(), b.date()


def event_tables(
    f: Filters,
) -> tuple[dict[tuple[str, str], int], dict[int, int], dict[tuple[int, str], int]] | None:
    """From the aggregates: ``{(queue, event): n}``, ``{ISO weekday: calls received}`` and
    ``{(half-hour slot, event): n}`` (``None``: not whole days, read the rows instead)."""
    days = whole_days(f.start, f.end)
    if days is None:
        return None
    _refresh_once("queue_log", refresh_queue_log)
    # The day totals (one row per day, queue and event) give the queues and the weekdays; the
    # half-hour facts are read once, for the half hours.
    per_weekday = (
        QueueDayTotal.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
        .order_by()
        .annotate(w=ExtractIsoWeekDay("day"))
        .values("queue", "event", "w")
        .annotate(t=Sum("n"))
        .values_list("queue", "event", "w", "t")
    )
    per_queue: dict[tuple[str, str], int] = {}
    weekdays: dict[int, int] = {}
    for queue, event, weekday, n in per_weekday:
        per_queue[(queue, event)] = per_queue.get((queue, event), 0) + n
        if event in compute.RECEIVED:
            weekdays[weekday] = weekdays.get(weekday, 0) + n
    qs = QueueDayFact.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
    slots = (
        qs.order_by().values("slot", "event").annotate(t=Sum("n")).values_list("slot", "event", "t")
    )
    return per_queue, weekdays, {(slot, e): n for slot, e, n in slots}


def wait_facts(f: Filters) -> dict[tuple[str, int], int] | None:
    days = whole_days(f.start, f.end)
    if days is None:
        return None
    _refresh_once("queue_log", refresh_queue_log)
    rows = (
        QueueDayWait.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
        .values("event", "bucket")
        .annotate(total=Sum("n"))
        .values_list("event", "bucket", "total")
    )
    return {(e, b): n for e, b, n in rows}


def agent_calls(f: Filters) -> dict[str, tuple[int, int]] | None:
    days = whole_days(f.start, f.end)
    if days is None:
        return None
    _refresh_once("queue_log", refresh_queue_log)
    qs = QueueDayAgent.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
    if f.agents:
        qs = qs.filter(agent__in=f.agents)
    rows = qs.values("agent").annotate(a=Sum("n"), t=Sum("talk")).values_list("agent", "a", "t")
    return {agent: (a, t or 0) for agent, a, t in rows}


def _chain(rows: Iterable[AgentDaySpan], start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """``(count, microseconds)`` of one agent's intervals in one queue over consecutive days
    (``rows`` in day order), as ``compute.intervals`` reads the events of ``[start, end)``."""
    n, micros = 0, 0
    state: object = "none yet"  # then None (closed) or the time the open interval began
    for row in rows:
        if isinstance(state, dt.datetime):  # open since the day before
            if row.first_close is None:  # only openings that day: ignored
                continue
            day_n, day_micros = row.n, row.micros
            if not row.lead_close:  # the day's own first interval was already open
                day_n -= 1
                day_micros -= (row.first_close - row.first_at) // _MICRO
            n += day_n
            micros += day_micros + (row.first_close - state) // _MICRO
        else:
            n += row.n
            micros += row.micros
            if state == "none yet" and row.lead_close:  # open when the period began
                n += 1
                micros += (row.first_close - start) // _MICRO
        state = row.open_at
    if isinstance(state, dt.datetime):
        micros += (end - state) // _MICRO
    return n, micros


def agent_spans(
    f: Filters,
) -> tuple[dict[str, tuple[int, float]], dict[str, tuple[int, float]]] | None:
    """From the aggregates: ``{agent: (count, seconds)}`` of the sessions and of the pauses,
    like ``queries.agent_intervals`` (``None``: not whole days, read the rows instead)."""
    days = whole_days(f.start, f.end)
    if days is None:
        return None
    _refresh_once("agent_spans", refresh_spans)
    qs = AgentDaySpan.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
    if f.agents:
        qs = qs.filter(agent__in=f.agents)
    groups = (
        qs.order_by()
        .values("kind", "agent", "queue")
        .annotate(t_n=Sum("n"), t_micros=Sum("micros"), first=Min("day"), opens=Count("open_at"))
        .values_list("kind", "agent", "queue", "t_n", "t_micros", "first", "opens")
    )
    totals: dict[tuple[str, str, str], tuple[int, int]] = {}
    chained: set[tuple[str, str, str]] = set()
    firsts: dict[tuple[str, str, str], dt.date] = {}
    for kind, agent, queue, n, micros, first, opens in groups:
        if opens:  # an interval runs past midnight: chain the days one by one
            chained.add((kind, agent, queue))
        else:  # every day ends closed: the sums, and the first day's leading close
            totals[(kind, agent, queue)] = (n, micros)
            firsts[(kind, agent, queue)] = first
    for kind, agent, queue, day, first_close in qs.filter(lead_close=True).values_list(
        "kind", "agent", "queue", "day", "first_close"
    ):
        key = (kind, agent, queue)
        if firsts.get(key) == day:
            n, micros = totals[key]
            totals[key] = (n + 1, micros + (first_close - f.start) // _MICRO)
    if chained:
        rows = qs.filter(agent__in={a for _k, a, _q in chained}).order_by("day")
        per: dict[tuple[str, str, str], list[AgentDaySpan]] = {}
        for row in rows:
            if (row.kind, row.agent, row.queue) in chained:
                per.setdefault((row.kind, row.agent, row.queue), []).append(row)
        for key, found in per.items():
            totals[key] = _chain(found, f.start, f.end)
    out: tuple[dict, dict] = ({}, {})
    for (kind, agent, _queue), (n, micros) in totals.items():
        into = out[0] if kind == "ADDMEMBER" else out[1]
        before = into.get(agent, (0, 0.0))
        into[agent] = (before[0] + n, before[1] + micros / 1_000_000)
    return out


def calls_by(start: dt.datetime, end: dt.datetime, unit: str) -> dict[object, tuple[int, int]]:
    """Like :func:`queries.calls_by` (month / day / hour), for whole days, from the aggregates."""
    days = whole_days(start, end)
    assert days is not None, "whole local days only"
    _refresh_once("cdr", refresh_cdr)
    qs = CallHour.objects.filter(day__gte=days[0], day__lt=days[1])
    out: dict[object, tuple[int, int]] = {}
    if unit == "hour":
        rows = qs.values("hour").annotate(a=Sum("n"), t=Sum("talk")).values_list("hour", "a", "t")
        return {h: (a, t or 0) for h, a, t in rows}
    rows = qs.values("day").annotate(a=Sum("n"), t=Sum("talk")).values_list("day", "a", "t")
    for day, a, t in rows:
        key = day.replace(day=1) if unit == "month" else day
        n, talk = out.get(key, (0, 0))
        out[key] = (n + a, talk + (t or 0))
    return out


# --- the call detail (S3, S4): per day / queue / agent / event, and per hour / queue ---------

_DETAIL_TABLES = (QueueDayCall, QueueHourCall)
_STEP_FIELDS = tuple(f"s{i}" for i in range(11))[: len(detail.STEPS) + 1]
_CHUNK_DAYS = 31
_NULL = Cast(Value(None), IntegerField())
_FIGURES = (
    "n",
    "wait_n",
    "wait_sum",
    "wait_min",
    "wait_max",
    "talk_n",
    "talk_sum",
    "talk_min",
    "talk_max",
)  # a long range is rebuilt a month at a time (bounded memory)


def _hour_kind(event: str) -> str:
    if event in detail.TRANSFERS:
        return "x"
    return "a" if event in detail.ANSWERED_END else "l"


def _step_sums(steps: tuple[int, ...]) -> str:
    """``SUM(CASE …)`` of each service-level step of ``w`` (then "more", or no wait)."""
    bounds = [None, *steps]
    sums = [
        f"SUM(CASE WHEN w > {low} AND w <= {high} THEN 1 ELSE 0 END)"
        if low is not None
        else f"SUM(CASE WHEN w <= {high} THEN 1 ELSE 0 END)"
        for low, high in itertools.pairwise(bounds)
    ]
    return ", ".join([*sums, f"SUM(CASE WHEN w > {steps[-1]} OR w IS NULL THEN 1 ELSE 0 END)"])


_DETAIL_COLUMNS = (
    "d, h, queue, agent, event, COUNT(*), COUNT(w), SUM(w), MIN(w), MAX(w), COUNT(t), SUM(t), "
    "MIN(t), MAX(t), "
)
_DETAIL_OUTER = "SELECT " + _DETAIL_COLUMNS + _step_sums(detail.STEPS) + " FROM ("  # noqa: S608


def _detail_groups(start: dt.datetime, end: dt.datetime, top: int) -> Iterable[tuple]:
    """``(day, hour, queue, agent, event, n, wait_n, wait_sum, wait_min, wait_max, talk_n,
    talk_sum, talk_min, talk_max, position_max, *steps)`` grouped by the database."""
    rows = QueueLogEntry.objects.filter(time__gte=start, time__lt=end, id__lte=top).order_by()
    keys = ("d", "h", "queue", "agent", "event")

    def figures(qs, wait, talk) -> Iterable[tuple]:
        # The wait and talk of each row are computed once (inner query), then grouped and
        # counted per service-level step by the outer query.
        inner = qs.annotate(d=TruncDate("time"), h=ExtractHour("time"), w=wait, t=talk)
        sql, params = inner.values_list(*keys, "w", "t").query.sql_with_params()
        outer = _DETAIL_OUTER  # our own text: steps from detail.STEPS (integers)
        with connection.cursor() as cursor:
            # Django's own SQL inside, its parameters apart; the steps are our integers.
            cursor.execute(outer + sql + ") rows GROUP BY d, h, queue, agent, event", params)
            for row in cursor.fetchall():
                d, h, *rest = row
                steps = (int(v or 0) for v in rest[12:])
                yield (d, int(h), *rest[:12], None, *steps)  # no position at entry

    yield from figures(rows.filter(event__in=detail.ANSWERED_END), detail.WAIT_ANSWERED, _TALK)
    yield from figures(rows.filter(event__in=detail.LOST_END), detail.WAIT_LOST, _NULL)
    zero_steps = (0,) * (len(detail.STEPS) + 1)
    others = (
        rows.filter(event__in=("CONNECT", "RINGNOANSWER", "ENTERQUEUE"))
        .annotate(d=TruncDate("time"), h=ExtractHour("time"))
        .values(*keys)
        .annotate(n=Count("id"), p=Max(_int("data3"), filter=Q(event="ENTERQUEUE")))
        .values_list(*keys, "n", "p")
    )
    for d, h, queue, agent, event, n, p in others:
        yield (d, h, queue, agent, event, n, 0, 0, None, None, 0, 0, None, None, p, *zero_steps)


def _low(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def _high(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _rebuild_detail(first: dt.date, last: dt.date, top: int) -> None:
    for model in _DETAIL_TABLES:
        model.objects.filter(day__gte=first, day__lte=last).delete()
    chunk = first
    while chunk <= last:
        chunk_last = min(last, chunk + dt.timedelta(days=_CHUNK_DAYS - 1))
        _rebuild_detail_chunk(chunk, chunk_last, top)
        chunk = chunk_last + dt.timedelta(days=1)


def _rebuild_detail_chunk(first: dt.date, last: dt.date, top: int) -> None:
    start, end = _bounds(first, last)
    days: dict[tuple, list] = {}
    hours: dict[tuple, list] = {}
    for row in _detail_groups(start, end, top):
        d, h, queue, agent, event, n, wn, ws, wmin, wmax, tn, ts, tmin, tmax, p, *steps = row
        if isinstance(d, str):  # SQLite may give the date as text
            d = dt.date.fromisoformat(d)
        ws, ts = ws or 0, ts or 0
        found = days.get((d, queue, agent, event))
        if found is None:
            days[(d, queue, agent, event)] = [n, wn, ws, wmin, wmax, tn, ts, tmin, tmax, p, *steps]
        else:
            found[0] += n
            found[1] += wn
            found[2] += ws
            found[3], found[4] = _low(found[3], wmin), _high(found[4], wmax)
            found[5] += tn
            found[6] += ts
            found[7], found[8] = _low(found[7], tmin), _high(found[8], tmax)
            found[9] = _high(found[9], p)
            for i, s in enumerate(steps):
                found[10 + i] += s
        if event in detail.ANSWERED_END or event in detail.LOST_END:
            hour = hours.setdefault((d, h, queue, _hour_kind(event)), [0, 0, 0, 0, 0])
            for i, value in enumerate((n, wn, ws, tn, ts)):
                hour[i] += value
    QueueDayCall.objects.bulk_create(
        (
            QueueDayCall(
                day=d,
                queue=queue,
                agent=agent,
                event=event,
                n=v[0],
                wait_n=v[1],
                wait_sum=v[2],
                wait_min=v[3],
                wait_max=v[4],
                talk_n=v[5],
                talk_sum=v[6],
                talk_min=v[7],
                talk_max=v[8],
                position_max=v[9],
                **dict(zip(_STEP_FIELDS, v[10:], strict=True)),
            )
            for (d, queue, agent, event), v in days.items()
        ),
        batch_size=2000,
    )
    QueueHourCall.objects.bulk_create(
        (
            QueueHourCall(
                day=d,
                hour=h,
                queue=queue,
                kind=kind,
                n=v[0],
                wait_n=v[1],
                wait_sum=v[2],
                talk_n=v[3],
                talk_sum=v[4],
            )
            for (d, h, queue, kind), v in hours.items()
        ),
        batch_size=2000,
    )


def _wipe_detail() -> None:
    for model in _DETAIL_TABLES:
        model.objects.all().delete()


def refresh_detail() -> None:
    _refresh("queue_detail", QueueLogEntry, "time", _rebuild_detail, _wipe_detail, _DETAIL_TABLES)


_ONCE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("stats_once", default=None)


@contextlib.contextmanager
def refreshed_once() -> Iterator[None]:
    """Inside: each family of aggregates is refreshed at most once (one page's many tables)."""
    token = _ONCE.set({})
    try:
        yield
    finally:
        _ONCE.reset(token)


def _refresh_once(name: str, refresh: Callable[[], None]) -> None:
    done = _ONCE.get()
    if done is None or name not in done:
        refresh()
        if done is not None:
            done[name] = True


def _detail_days(f: Filters) -> QuerySet[QueueDayCall] | None:
    """The day facts of the filters' queues and whole days (``None``: read the rows: a part
    of a day, or a caller's number, which the aggregates do not carry)."""
    days = whole_days(f.start, f.end)
    if days is None or f.caller:
        return None
    _refresh_once("detail", refresh_detail)
    return QueueDayCall.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)


def _answered(qs: QuerySet[QueueDayCall], f: Filters) -> QuerySet[QueueDayCall]:
    qs = qs.filter(event__in=detail.ANSWERED_END)
    return qs.filter(agent__in=f.agents) if f.agents else qs


def _avg(total: int | None, n: int | None) -> float | None:
    return total / n if n else None


class _Totals:
    """The figures of one (queue, agent, event) over the period (summed day facts)."""

    __slots__ = (
        "agent",
        "event",
        "n",
        "pmax",
        "queue",
        "steps",
        "tmax",
        "tmin",
        "tn",
        "ts",
        "wmax",
        "wmin",
        "wn",
        "ws",
    )

    def __init__(self, row: tuple) -> None:
        (
            self.queue,
            self.agent,
            self.event,
            self.n,
            self.wn,
            self.ws,
            self.wmin,
            self.wmax,
            self.tn,
            self.ts,
            self.tmin,
            self.tmax,
            self.pmax,
            *steps,
        ) = row
        self.steps = [v or 0 for v in steps]
        self.ws, self.ts = self.ws or 0, self.ts or 0


def _totals(f: Filters) -> list[_Totals] | None:
    """Every (queue, agent, event) of the period with its figures, in one grouped read of the
    day facts (shared by the summary, agents, queues, steps and analytics tables)."""
    memo = _ONCE.get()
    if memo is not None and ("totals", f) in memo:
        return memo[("totals", f)]
    qs = _detail_days(f)
    if qs is None:
        return None
    steps = {f"k_{name}": Sum(name) for name in _STEP_FIELDS}
    rows = (
        qs.values("queue", "agent", "event")
        .annotate(
            k_n=Sum("n"),
            k_wn=Sum("wait_n"),
            k_ws=Sum("wait_sum"),
            k_wmin=Min("wait_min"),
            k_wmax=Max("wait_max"),
            k_tn=Sum("talk_n"),
            k_ts=Sum("talk_sum"),
            k_tmin=Min("talk_min"),
            k_tmax=Max("talk_max"),
            k_p=Max("position_max"),
            **steps,
        )
        .values_list(
            "queue",
            "agent",
            "event",
            "k_n",
            "k_wn",
            "k_ws",
            "k_wmin",
            "k_wmax",
            "k_tn",
            "k_ts",
            "k_tmin",
            "k_tmax",
            "k_p",
            *steps,
        )
    )
    found = [_Totals(row) for row in rows]
    if memo is not None:
        memo[("totals", f)] = found
    return found


def _answered_totals(found: list[_Totals], f: Filters) -> list[_Totals]:
    return [
        t for t in found if t.event in detail.ANSWERED_END and (not f.agents or t.agent in f.agents)
    ]


def _lost_totals(found: list[_Totals]) -> list[_Totals]:
    return [t for t in found if t.event in detail.LOST_END]


def _sum(parts: list[_Totals]) -> dict[str, object]:
    mins = lambda values: min((v for v in values if v is not None), default=None)  # noqa: E731
    maxs = lambda values: max((v for v in values if v is not None), default=None)  # noqa: E731
    n, wn, tn = (sum(getattr(t, k) for t in parts) for k in ("n", "wn", "tn"))
    ws, ts = sum(t.ws for t in parts), sum(t.ts for t in parts)
    return {
        "n": n,
        "wait_total": ws if wn else None,
        "wait_avg": _avg(ws, wn),
        "wait_min": mins(t.wmin for t in parts),
        "wait_max": maxs(t.wmax for t in parts),
        "talk_total": ts if tn else None,
        "talk_avg": _avg(ts, tn),
        "talk_min": mins(t.tmin for t in parts),
        "talk_max": maxs(t.tmax for t in parts),
    }


def detail_summary(f: Filters) -> dict[str, int | float | None] | None:
    """Like :func:`detail.summary`, from the aggregates."""
    found = _totals(f)
    if found is None:
        return None
    a, b = _sum(_answered_totals(found, f)), _sum(_lost_totals(found))
    positions = [t.pmax for t in found if t.event == "ENTERQUEUE" and t.pmax is not None]
    return {
        "answered": a["n"],
        "talk_total": a["talk_total"],
        "talk_avg": a["talk_avg"],
        "talk_min": a["talk_min"],
        "talk_max": a["talk_max"],
        "wait_total": a["wait_total"],
        "wait_avg": a["wait_avg"],
        "wait_min": a["wait_min"],
        "wait_max": a["wait_max"],
        "lost": b["n"],
        "lost_wait_total": b["wait_total"],
        "lost_wait_avg": b["wait_avg"],
        "lost_wait_min": b["wait_min"],
        "lost_wait_max": b["wait_max"],
        "max_queue": max(positions, default=0),
    }


def _by(parts: list[_Totals], attribute: str) -> dict[str, list[_Totals]]:
    out: dict[str, list[_Totals]] = {}
    for t in parts:
        out.setdefault(getattr(t, attribute), []).append(t)
    return out


def _count(parts: list[_Totals], events: tuple[str, ...]) -> int:
    return sum(t.n for t in parts if t.event in events)


def detail_per_agent(f: Filters) -> list[tuple] | None:
    """Like :func:`detail.per_agent`, from the aggregates."""
    found = _totals(f)
    if found is None:
        return None
    rows = []
    for agent, parts in sorted(_by(_answered_totals(found, f), "agent").items()):
        figures = _sum(parts)
        rows.append(
            (
                agent,
                figures["n"],
                figures["wait_total"],
                figures["talk_total"],
                _count(parts, ("COMPLETECALLER",)),
                _count(parts, ("COMPLETEAGENT",)),
                _count(parts, detail.TRANSFERS),
            )
        )
    return rows


def detail_per_queue(f: Filters) -> list[tuple] | None:
    """Like :func:`detail.per_queue`, from the aggregates."""
    found = _totals(f)
    if found is None:
        return None
    rows = []
    for queue, parts in sorted(_by(_answered_totals(found, f), "queue").items()):
        figures = _sum(parts)
        rows.append((queue, figures["n"], figures["wait_total"], figures["talk_total"]))
    return rows


def detail_by_period(f: Filters, unit: str) -> tuple[dict, dict] | None:
    """Like :func:`detail.by_period`, from the aggregates (per hour: only without an agent
    filter, the hourly table has no agents)."""
    if unit == "hour" and f.agents:
        return None
    qs = _detail_days(f)
    if qs is None:
        return None
    took: dict = {}
    lost: dict = {}
    if unit == "hour":
        days = whole_days(f.start, f.end)
        assert days is not None
        zone = timezone.get_current_timezone()
        rows = (
            QueueHourCall.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
            .values("day", "hour", "kind")
            .annotate(
                k_n=Sum("n"),
                k_wn=Sum("wait_n"),
                k_w=Sum("wait_sum"),
                k_tn=Sum("talk_n"),
                k_t=Sum("talk_sum"),
            )
            .values_list("day", "hour", "kind", "k_n", "k_wn", "k_w", "k_tn", "k_t")
        )
        grouped = [
            (dt.datetime.combine(day, dt.time(hour), tzinfo=zone), kind, n, wn, w, tn, t)
            for day, hour, kind, n, wn, w, tn, t in rows
        ]
    else:
        answered = _answered(qs, f)
        lost_qs = qs.filter(event__in=detail.LOST_END)
        grouped = []
        for kind, part in (("a", answered), ("l", lost_qs)):
            rows = (
                part.annotate(x=Case(When(event__in=detail.TRANSFERS, then=Value(1)), default=0))
                .values("day", "x")
                .annotate(
                    k_n=Sum("n"),
                    k_wn=Sum("wait_n"),
                    k_w=Sum("wait_sum"),
                    k_tn=Sum("talk_n"),
                    k_t=Sum("talk_sum"),
                )
                .values_list("day", "x", "k_n", "k_wn", "k_w", "k_tn", "k_t")
            )
            for day, x, n, wn, w, tn, t in rows:
                key = day.replace(day=1) if unit == "month" else day
                grouped.append((key, "x" if x else kind, n, wn, w, tn, t))
    sums: dict[tuple, list[int]] = {}
    for key, kind, n, wn, w, tn, t in grouped:
        acc = sums.setdefault((key, kind), [0, 0, 0, 0, 0])
        for i, value in enumerate((n, wn, w or 0, tn, t or 0)):
            acc[i] += value
    for key in {k for k, _kind in sums}:
        a = sums.get((key, "a"), [0, 0, 0, 0, 0])
        x = sums.get((key, "x"), [0, 0, 0, 0, 0])
        lo = sums.get((key, "l"))
        n = a[0] + x[0]
        if n:
            took[key] = (
                n,
                _avg(a[2] + x[2], a[1] + x[1]),
                _avg(a[4] + x[4], a[3] + x[3]),
                x[0],
                _avg(x[2], x[1]),
                _avg(x[4], x[3]),
            )
        if lo and lo[0]:
            lost[key] = (lo[0], _avg(lo[2], lo[1]))
    return took, lost


def detail_steps(f: Filters, lost: bool) -> dict[int, int] | None:
    """Like :func:`detail.steps` of the answered (or lost) calls, from the aggregates."""
    found = _totals(f)
    if found is None:
        return None
    parts = _lost_totals(found) if lost else _answered_totals(found, f)
    sums = [sum(t.steps[i] for t in parts) for i in range(len(_STEP_FIELDS))]
    return {i: n for i, n in enumerate(sums) if n}


def detail_agent_analytics(f: Filters) -> dict[str, tuple[int, int, int]] | None:
    """Like :func:`detail.agent_analytics`, from the aggregates."""
    found = _totals(f)
    if found is None:
        return None
    out: dict[str, list[int]] = {}
    columns = {"CONNECT": 0, "RINGNOANSWER": 1, "COMPLETECALLER": 2}
    for t in found:
        if t.event not in columns or not t.agent or t.agent == "NONE":
            continue
        if f.agents and t.agent not in f.agents:
            continue
        out.setdefault(t.agent, [0, 0, 0])[columns[t.event]] += t.n
    return {agent: tuple(v) for agent, v in out.items()}  # type: ignore[misc]
