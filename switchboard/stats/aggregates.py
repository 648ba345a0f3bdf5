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

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Q, Sum, Value, When
from django.db.models.functions import (
    ExtractHour,
    ExtractIsoWeekDay,
    ExtractMinute,
    TruncDate,
)
from django.utils import timezone

from switchboard.records.models import CallRecord, QueueLogEntry
from switchboard.stats import compute
from switchboard.stats.models import CallHour, QueueDayAgent, QueueDayFact, QueueDayWait, Watermark
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


def _rebuild_queue_log(first: dt.date, last: dt.date, top: int) -> None:
    for model in (QueueDayFact, QueueDayWait, QueueDayAgent):
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
    QueueDayFact.objects.bulk_create(
        (QueueDayFact(day=d, queue=q, event=e, slot=h * 2 + s, n=n) for d, q, e, h, s, n in facts),
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
    for model in (QueueDayFact, QueueDayWait, QueueDayAgent):
        model.objects.all().delete()


def refresh_queue_log() -> None:
    tables = (QueueDayFact, QueueDayWait, QueueDayAgent)
    _refresh("queue_log", QueueLogEntry, "time", _rebuild_queue_log, _wipe_queue_log, tables)


def refresh_cdr() -> None:
    wipe = CallHour.objects.all().delete
    _refresh("cdr", CallRecord, "start", _rebuild_cdr, wipe, (CallHour,))


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
    refresh_queue_log()
    qs = QueueDayFact.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
    per_queue = qs.values("queue", "event").annotate(t=Sum("n")).values_list("queue", "event", "t")
    weekdays = (
        qs.filter(event__in=compute.RECEIVED)
        .annotate(wd=ExtractIsoWeekDay("day"))
        .values("wd")
        .annotate(t=Sum("n"))
        .values_list("wd", "t")
    )
    slots = qs.values("slot", "event").annotate(t=Sum("n")).values_list("slot", "event", "t")
    return (
        {(q, e): n for q, e, n in per_queue},
        dict(weekdays),
        {(slot, e): n for slot, e, n in slots},
    )


def wait_facts(f: Filters) -> dict[tuple[str, int], int] | None:
    days = whole_days(f.start, f.end)
    if days is None:
        return None
    refresh_queue_log()
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
    refresh_queue_log()
    qs = QueueDayAgent.objects.filter(day__gte=days[0], day__lt=days[1], queue__in=f.queues)
    if f.agents:
        qs = qs.filter(agent__in=f.agents)
    rows = qs.values("agent").annotate(a=Sum("n"), t=Sum("talk")).values_list("agent", "a", "t")
    return {agent: (a, t or 0) for agent, a, t in rows}


def calls_by(start: dt.datetime, end: dt.datetime, unit: str) -> dict[object, tuple[int, int]]:
    """Like :func:`queries.calls_by` (month / day / hour), for whole days, from the aggregates."""
    days = whole_days(start, end)
    assert days is not None, "whole local days only"
    refresh_cdr()
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
