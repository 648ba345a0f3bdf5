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
