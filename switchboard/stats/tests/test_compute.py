"""The pure shaping of statistics (no database)."""

from __future__ import annotations

import datetime as dt

from switchboard.stats import compute

T0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def test_bucket_labels_follow_the_seed() -> None:
    assert [compute.bucket_label(i) for i in range(4)] == ["< 0m30s", "< 1m", "< 1m30s", "< 2m"]
    assert compute.bucket_label(24) == "< 12m30s"


def test_bucket_rows_percent_and_cumulative() -> None:
    rows = compute.bucket_rows({0: 3, 1: 0, 2: 1, 5: 4})
    assert rows == [
        ["< 0m30s", 3, 37.5, 37.5],
        ["< 1m30s", 1, 12.5, 50.0],
        ["< 3m", 4, 50.0, 100.0],
    ]
    assert compute.bucket_rows({}) == []


def test_queue_rows_outcomes_and_total() -> None:
    rows = compute.queue_rows(
        {
            ("b", "ENTERQUEUE"): 4,
            ("b", "CONNECT"): 3,
            ("b", "ABANDON"): 1,
            ("a", "ENTERQUEUE"): 3,
            ("a", "EXITWITHKEY"): 1,
            ("a", "EXITWITHTIMEOUT"): 1,
            ("a", "EXITEMPTY"): 1,
            ("a", "JOINEMPTY"): 2,
            ("a", "RINGNOANSWER"): 9,  # not an outcome
        }
    )
    assert [r.cells() for r in rows] == [
        ["a", 5, 0, 0.0, 1, 20.0, 2, 40.0, 2, 40.0],
        ["b", 4, 3, 75.0, 1, 25.0, 0, 0.0, 0, 0.0],
        ["", 9, 3, 33.3, 2, 22.2, 2, 22.2, 2, 22.2],
    ]
    assert compute.queue_rows({}) == []


def test_weekday_and_half_hour_rows() -> None:
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert compute.weekday_rows({1: 3, 5: 1, 7: 0}, names) == [["Mon", 3, 75.0], ["Fri", 1, 25.0]]
    rows = compute.half_hour_rows(
        {(17, "ENTERQUEUE"): 3, (17, "CONNECT"): 2, (17, "ABANDON"): 1, (0, "FULL"): 1}
    )
    assert rows == [
        ["0h00", 1, 25.0, 1, 25.0, 0, 0.0, 0, 0.0, 0, 0.0],
        ["8h30", 3, 75.0, 0, 0.0, 0, 0.0, 1, 25.0, 2, 50.0],
    ]


def test_intervals_open_and_close_at_the_period_edges() -> None:
    end = T0 + dt.timedelta(days=1)
    h = dt.timedelta(hours=1)
    # Closed first: open since the start; then a full one; then still open at the end.
    events = [(T0 + 2 * h, False), (T0 + 3 * h, True), (T0 + 4 * h, False), (T0 + 20 * h, True)]
    assert compute.intervals(events, T0, end) == (3, (2 + 1 + 4) * 3600.0)
    # Repeated opens count once, a stray close after a close is ignored.
    events = [(T0 + h, True), (T0 + 2 * h, True), (T0 + 3 * h, False), (T0 + 5 * h, False)]
    assert compute.intervals(events, T0, end) == (1, 2 * 3600.0)
    assert compute.intervals([], T0, end) == (0, 0.0)


def test_fold_and_weekday_counts_from_event_facts() -> None:
    facts = {
        ("a", "ENTERQUEUE", 1, 18): 2,
        ("a", "CONNECT", 1, 18): 1,
        ("b", "ENTERQUEUE", 1, 19): 1,
        ("b", "FULL", 3, 19): 1,
        ("b", "ABANDON", 3, 19): 5,
    }
    assert compute.fold(facts, 0, 1) == {
        ("a", "ENTERQUEUE"): 2,
        ("a", "CONNECT"): 1,
        ("b", "ENTERQUEUE"): 1,
        ("b", "FULL"): 1,
        ("b", "ABANDON"): 5,
    }
    assert compute.fold(facts, 3) == {18: 3, 19: 7}
    assert compute.weekday_counts(facts) == {1: 3, 3: 1}
