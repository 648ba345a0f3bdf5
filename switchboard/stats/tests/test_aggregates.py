"""The per-day aggregates equal the figures computed from the rows, and stay equal when rows
arrive late or the time zone changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from switchboard.stats import aggregates, compute, queries
from switchboard.stats.models import QueueDayFact, Watermark
from switchboard.stats.tests import data

pytestmark = pytest.mark.django_db


def filters(first: dt.date = data.START, last: dt.date = data.END, **kw) -> queries.Filters:
    zone = timezone.get_current_timezone()
    return queries.Filters(
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        ("sales", "support"),
        **kw,
    )


def assert_same(f: queries.Filters) -> None:
    facts = queries.event_facts(f)
    assert aggregates.event_tables(f) == (
        compute.fold(facts, 0, 1),
        compute.weekday_counts(facts),
        compute.fold(facts, 3, 1),
    )
    assert aggregates.wait_facts(f) == queries.wait_facts(f)
    assert aggregates.agent_calls(f) == queries.agent_calls(f)
    assert _plain(aggregates.agent_spans(f)) == _spans_from_rows(f)
    for unit in ("month", "day", "hour"):
        assert aggregates.calls_by(f.start, f.end, unit) == queries.calls_by(f.start, f.end, unit)


def test_aggregates_equal_the_rows(db) -> None:
    data.build()
    assert_same(filters())
    assert_same(filters(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    assert_same(filters(dt.date(2026, 3, 3), dt.date(2026, 3, 3)))
    assert_same(filters(agents=("Bob",)))
    assert aggregates.agent_calls(filters(agents=("Bob",))) == {"Bob": (1, 60)}
    # A part of a day is not in the aggregates: the caller falls back to the rows.
    f = filters()
    part = queries.Filters(f.start + dt.timedelta(hours=9, minutes=30), f.end, f.queues)
    assert aggregates.event_tables(part) is None


def test_a_late_row_re_aggregates_its_day(client, make_user) -> None:
    from switchboard.records.models import QueueLogEntry

    center = data.build()
    client.force_login(make_user("stat", "global_statistics"))
    period = {"start": "2026-03-02", "end": "2026-03-03"}
    before = client.get("/stats/queues/", period).context["tables"][0]["rows"][0]
    assert before[:6] == ["sales", "6", "2", "33.3 %", "2", "33.3 %"]
    mark = Watermark.objects.get(source="queue_log").last_id
    # A history import brings an older call of an already aggregated day.
    for n, (time, event, data3) in enumerate(
        [(data.at(2, 7, 0), "ENTERQUEUE", "1"), (data.at(2, 7, 1), "ABANDON", "60")]
    ):
        QueueLogEntry.objects.create(
            server=center["server"], key=f"late{n}", time=time, callid="late", queue="sales",
            agent="NONE", event=event, data1="1", data2="1", data3=data3,
        )  # fmt: skip
    after = client.get("/stats/queues/", period).context["tables"][0]["rows"][0]
    assert after[:6] == ["sales", "7", "2", "28.6 %", "3", "42.9 %"]
    assert Watermark.objects.get(source="queue_log").last_id > mark
    assert_same(filters())


def test_a_new_time_zone_rebuilds_everything(db) -> None:
    data.build()
    assert_same(filters())
    with timezone.override("Asia/Tokyo"):
        assert_same(filters())
        assert Watermark.objects.get(source="queue_log").time_zone == "Asia/Tokyo"
        assert QueueDayFact.objects.filter(day=dt.date(2026, 3, 2)).exists()
    assert_same(filters())


def test_refresh_command(db) -> None:
    from io import StringIO

    from django.core.management import call_command

    from switchboard.stats.models import CallHour

    data.build()
    out = StringIO()
    call_command("stats_refresh", stdout=out)
    assert "queue_log: up to date" in out.getvalue()
    assert CallHour.objects.get(day=dt.date(2026, 1, 15)).n == 1
    assert Watermark.objects.get(source="cdr").last_id > 0


def _plain(value):
    """Averages as floats rounded (the database's AVG and our sum / count), months as dates."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, float) or type(value).__name__ == "Decimal":
        return round(float(value), 6)
    return value


def _month_key(value, unit: str):
    if unit == "month" and isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value


def assert_same_detail(f: queries.Filters) -> None:
    from switchboard.stats import detail

    assert _plain(aggregates.detail_summary(f)) == _plain(detail.summary(f))
    assert _plain(aggregates.detail_per_agent(f)) == _plain(detail.per_agent(f))
    assert _plain(aggregates.detail_per_queue(f)) == _plain(detail.per_queue(f))
    assert aggregates.detail_steps(f, lost=False) == detail.steps(detail.answered(f))
    assert aggregates.detail_steps(f, lost=True) == detail.steps(detail.lost(f))
    assert aggregates.detail_agent_analytics(f) == detail.agent_analytics(f)
    for unit in ("hour", "day", "month"):
        found = aggregates.detail_by_period(f, unit)
        if found is None:  # per hour with an agent filter: the rows
            assert unit == "hour" and f.agents
            continue
        took, lost = detail.by_period(f, unit)
        rows = (
            {_month_key(k, unit): v for k, v in took.items()},
            {_month_key(k, unit): v for k, v in lost.items()},
        )
        assert _plain(found) == _plain(rows), unit


def test_call_detail_aggregates_equal_the_rows(db) -> None:
    data.build()
    assert_same_detail(filters())
    assert_same_detail(filters(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    assert_same_detail(filters(dt.date(2026, 3, 3), dt.date(2026, 3, 3)))
    assert_same_detail(filters(agents=("Bob",)))
    assert_same_detail(filters(agents=("Alice", "Nobody")))
    summary = aggregates.detail_summary(filters())
    assert (summary["answered"], summary["lost"], summary["max_queue"]) == (3, 3, 1)
    assert (summary["talk_total"], summary["wait_max"], summary["lost_wait_max"]) == (240, 35, 120)
    assert aggregates.detail_steps(filters(), lost=False) == {1: 1, 4: 1, 0: 1}
    # A caller's number or a part of a day is not in the aggregates: the rows are read.
    assert aggregates.detail_summary(filters(caller="0611")) is None
    f = filters()
    part = queries.Filters(f.start + dt.timedelta(hours=9, minutes=30), f.end, f.queues)
    assert aggregates.detail_summary(part) is None


def test_call_detail_aggregates_follow_late_rows_and_time_zones(db) -> None:
    from switchboard.records.models import QueueLogEntry

    center = data.build()
    assert_same_detail(filters())
    for n, (time, event, agent, d) in enumerate(
        [
            (data.at(3, 7, 0), "ENTERQUEUE", "NONE", ("", "0699", "4")),
            (data.at(3, 7, 0, 50), "CONNECT", "Bob", ("50", "x", "1")),
            (data.at(3, 7, 3), "COMPLETEAGENT", "Bob", ("50", "130", "4")),
        ]
    ):
        QueueLogEntry.objects.create(
            server=center["server"], key=f"late{n}", time=time, callid="late", queue="support",
            agent=agent, event=event, data1=d[0], data2=d[1], data3=d[2],
        )  # fmt: skip
    summary = aggregates.detail_summary(filters())
    assert (summary["answered"], summary["max_queue"], summary["talk_max"]) == (4, 4, 130)
    assert_same_detail(filters())
    with timezone.override("Asia/Tokyo"):
        assert_same_detail(filters())
        assert Watermark.objects.get(source="queue_detail").time_zone == "Asia/Tokyo"
    assert_same_detail(filters())


SPAN_EVENTS = [
    # (day, hh, mm, queue, agent, event): sessions and pauses across midnight, repeated or
    # leading opens and closes, an interval open when a period begins or ends, equal times.
    (1, 22, 0, "support", "Carol", "ADDMEMBER"),
    (2, 6, 0, "support", "Carol", "REMOVEMEMBER"),
    (2, 20, 0, "support", "Carol", "ADDMEMBER"),
    (2, 21, 0, "support", "Carol", "ADDMEMBER"),
    (3, 1, 0, "support", "Carol", "ADDMEMBER"),
    (4, 2, 0, "support", "Carol", "REMOVEMEMBER"),
    (4, 2, 30, "support", "Carol", "REMOVEMEMBER"),
    (4, 10, 0, "support", "Carol", "ADDMEMBER"),
    (5, 9, 0, "support", "Carol", "REMOVEMEMBER"),
    (2, 23, 30, "sales", "Dan", "PAUSE"),
    (3, 0, 30, "sales", "Dan", "UNPAUSE"),
    (3, 8, 0, "sales", "Dan", "PAUSE"),
    (3, 8, 10, "sales", "Dan", "UNPAUSE"),
    (3, 23, 0, "sales", "Dan", "PAUSE"),
    (5, 1, 0, "sales", "Dan", "UNPAUSE"),
    (2, 7, 0, "sales", "Eve", "REMOVEMEMBER"),
    (2, 8, 0, "sales", "Eve", "ADDMEMBER"),
    (2, 9, 0, "sales", "Eve", "REMOVEMEMBER"),
    (3, 6, 0, "sales", "Eve", "REMOVEMEMBER"),
    (3, 7, 0, "sales", "Eve", "ADDMEMBER"),
    (3, 7, 45, "sales", "Eve", "REMOVEMEMBER"),
    (2, 10, 0, "sales", "Fred", "ADDMEMBER"),
    (2, 10, 0, "sales", "Fred", "REMOVEMEMBER"),
    (2, 10, 0, "support", "Fred", "REMOVEMEMBER"),
    (2, 10, 0, "support", "Fred", "ADDMEMBER"),
    (6, 23, 59, "support", "Fred", "PAUSE"),
]


def _spans_from_rows(f: queries.Filters) -> tuple:
    return _plain(
        (
            queries.agent_intervals(f, "ADDMEMBER", "REMOVEMEMBER"),
            queries.agent_intervals(f, "PAUSE", "UNPAUSE"),
        )
    )


def test_agent_sessions_and_pauses_aggregates_equal_the_rows(db) -> None:
    from switchboard.records.models import QueueLogEntry

    center = data.build()
    for n, (day, hh, mm, queue, agent, event) in enumerate(SPAN_EVENTS):
        QueueLogEntry.objects.create(
            server=center["server"], key=f"span{n}", time=data.at(day, hh, mm), callid="NONE",
            queue=queue, agent=agent, event=event,
        )  # fmt: skip
    days = [dt.date(2026, 3, d) for d in range(1, 8)]
    for zone in ("UTC", "Europe/Paris", "Asia/Tokyo"):
        with timezone.override(zone):
            for i, first in enumerate(days):
                for last in days[i:]:
                    f = filters(first, last)
                    assert _plain(aggregates.agent_spans(f)) == _spans_from_rows(f), (first, last)
                    f = filters(first, last, agents=("Carol", "Dan"))
                    assert _plain(aggregates.agent_spans(f)) == _spans_from_rows(f), (first, last)
    sessions, pauses = aggregates.agent_spans(filters(dt.date(2026, 3, 2), dt.date(2026, 3, 4)))
    # Carol: open at the period's start, closed at 6:00; then 20:00 (3rd) to 2:00 (4th),
    # then 10:00 to the period's end.
    assert sessions["Carol"] == (3, (6 + 30 + 14) * 3600)
    assert pauses["Dan"] == (3, (60 + 10 + 25 * 60) * 60)
    f = filters()
    part = queries.Filters(f.start + dt.timedelta(hours=9, minutes=30), f.end, f.queues)
    assert aggregates.agent_spans(part) is None


def test_the_day_totals_migration_sums_the_half_hours(db) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from switchboard.stats.models import QueueDayTotal

    data.build()
    aggregates.refresh_queue_log()
    fields = ("day", "queue", "event", "n")
    kept = sorted(QueueDayTotal.objects.values_list(*fields))
    assert (dt.date(2026, 3, 2), "sales", "ENTERQUEUE", 5) in kept
    QueueDayTotal.objects.all().delete()
    migration = importlib.import_module("switchboard.stats.migrations.0005_queue_day_totals")
    migration.fill(apps, SimpleNamespace(connection=connection))  # the schema editor's part
    assert sorted(QueueDayTotal.objects.values_list(*fields)) == kept
