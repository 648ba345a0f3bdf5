"""Queue call detail and agent analytics (S3, S4) over the hand-built call center day."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from switchboard.stats import views
from switchboard.stats.tests import data

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-02", "end": "2026-03-03", "unit": "day"}


@pytest.fixture
def manager(client, make_user):
    data.build()
    client.force_login(make_user("stat", "global_statistics"))
    return client


def table(response, key: str) -> dict:
    return next(t for t in response.context["tables"] if t["key"] == key)


def test_call_detail_figures(manager) -> None:
    response = manager.get("/stats/calls/", PERIOD)
    assert response.status_code == 200
    assert table(response, "answered")["rows"] == [
        ["sales", "Alice", "2026-03-02 09:00:00", "0611111111", "0:00:10", "0:02:00", "1",
         "caller"],
        ["sales", "Bob", "2026-03-02 09:40:00", "0633333333", "0:00:35", "0:01:00", "1",
         "transfer"],
        ["support", "Alice", "2026-03-03 14:00:00", "0677777777", "0:00:05", "0:01:00", "1",
         "agent"],
    ]  # fmt: skip
    assert table(response, "lost")["rows"] == [
        ["sales", "2026-03-02 09:10:00", "0622222222", "0:00:45", "hung up"],
        ["sales", "2026-03-02 10:05:00", "0644444444", "0:02:00", "timed out"],
        ["sales", "2026-03-02 10:35:00", "0666666666", "0:00:20", "left with a key"],
    ]
    assert table(response, "summary")["rows"] == [
        ["Talk time of answered calls", "3", "0:04:00", "0:01:20", "0:01:00", "0:02:00"],
        ["Wait of answered calls", "3", "0:00:50", "0:00:17", "0:00:05", "0:00:35"],
        ["Wait of lost calls", "3", "0:03:05", "0:01:02", "0:00:20", "0:02:00"],
        ["Longest queue (callers)", "1", "", "", "", ""],
    ]
    assert table(response, "agents")["rows"] == [
        ["Alice", "2", "0:00:15", "0:03:00", "1", "50.0 %", "1", "50.0 %", "0", "0.0 %"],
        ["Bob", "1", "0:00:35", "0:01:00", "0", "0.0 %", "0", "0.0 %", "1", "100.0 %"],
    ]
    assert table(response, "queues")["rows"] == [
        ["sales", "2", "0:00:45", "0:03:00"],
        ["support", "1", "0:00:05", "0:01:00"],
    ]
    assert table(response, "periods")["rows"] == [
        ["2026-03-02", "5", "2", "0:00:22", "0:01:30", "40.0 %", "1", "0:00:35", "0:01:00",
         "20.0 %", "3", "0:01:02", "60.0 %"],
        ["2026-03-03", "1", "1", "0:00:05", "0:01:00", "100.0 %", "0", "", "", "0.0 %", "0", "",
         "0.0 %"],
    ]  # fmt: skip
    steps = table(response, "steps_answered")["rows"]
    assert [r[1] for r in steps] == ["1", "1", "0", "0", "1", "0", "0", "0", "0", "0"]
    assert steps[0] == ["≤ 5", "1", "33.3 %"] and steps[-1] == ["> 300", "0", "0.0 %"]
    lost_steps = table(response, "steps_lost")["rows"]
    assert [r[1] for r in lost_steps] == ["0", "0", "0", "1", "1", "0", "0", "1", "0", "0"]
    assert table(response, "analytics")["rows"] == [
        ["Alice", "2", "0", "1", "17:00:00", "0.1"],
        ["Bob", "1", "1", "0", "4:00:00", "0.3"],
    ]
    charts = {c["id"]: c for c in response.context["charts"]}
    assert charts["chart-summary"]["series"][0]["data"] == [3, 3]


def test_grouping_by_hour_and_month(manager) -> None:
    response = manager.get("/stats/calls/", {**PERIOD, "unit": "hour"})
    assert [r[:3] for r in table(response, "periods")["rows"]] == [
        ["2026-03-02 09h", "3", "2"],
        ["2026-03-02 10h", "2", "0"],
        ["2026-03-03 14h", "1", "1"],
    ]
    response = manager.get("/stats/calls/", {**PERIOD, "unit": "month"})
    assert [r[:3] for r in table(response, "periods")["rows"]] == [["2026-03", "6", "3"]]


def test_long_lists_are_paged_and_exported_whole(manager, monkeypatch) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    response = manager.get("/stats/calls/", PERIOD)
    answered = table(response, "answered")
    assert [r[3] for r in answered["rows"]] == ["0611111111", "0633333333"]
    assert answered["pager"]["label"] == "3 calls" and not answered["pager"]["previous"]
    response = manager.get("/stats/calls/" + answered["pager"]["next"])
    assert [r[3] for r in table(response, "answered")["rows"]] == ["0677777777"]

    response = manager.get("/stats/calls/", {**PERIOD, "export": "csv", "table": "answered"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[5][:4] == ["Queue", "Agent", "Date", "Caller"]
    assert [r[3] for r in rows[6:]] == ["0611111111", "0633333333", "0677777777"]
    assert rows[6] == [
        "sales", "Alice", "2026-03-02 09:00:00", "0611111111", "0:00:10", "0:02:00", "1", "caller"
    ]  # fmt: skip

    response = manager.get("/stats/calls/", {**PERIOD, "export": "xlsx", "table": "lost"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [r[2] for r in values[6:]] == ["0622222222", "0644444444", "0666666666"]


def test_the_periods_are_paged_on_screen_and_exported_whole(manager, monkeypatch) -> None:
    # A year by hour is 8,760 rows: the screen shows a page, the chart that page, the
    # exports every period.
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    query = {**PERIOD, "unit": "hour"}
    everything = ["2026-03-02 09h", "2026-03-02 10h", "2026-03-03 14h"]
    periods = table(manager.get("/stats/calls/", query), "periods")
    assert [r[0] for r in periods["rows"]] == everything[:2]
    assert periods["pager"]["label"] == "Page 1 of 2" and not periods["pager"]["previous"]
    response = manager.get("/stats/calls/" + periods["pager"]["next"])
    periods = table(response, "periods")
    assert [r[0] for r in periods["rows"]] == everything[2:]
    assert not periods["pager"]["next"] and periods["pager"]["first"]
    chart = next(c for c in response.context["charts"] if c["id"] == "chart-periods")
    assert chart["labels"] == everything[2:]
    # A page number out of range or not a number shows the nearest page.
    for page, shown in (("9", everything[2:]), ("x", everything[:2]), ("0", everything[:2])):
        rows = table(manager.get("/stats/calls/", {**query, "period_page": page}), "periods")
        assert [r[0] for r in rows["rows"]] == shown
    export = manager.get("/stats/calls/", {**query, "export": "csv", "table": "periods"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[6:]] == everything
    second = manager.get("/stats/calls/", {**query, "period_page": "2"})
    assert "period_page" not in second.context["query"]  # the export links: every period


def test_agent_filter_narrows_the_answered_calls(manager) -> None:
    response = manager.get("/stats/calls/", {**PERIOD, "agents": ["Bob"]})
    assert [r[1] for r in table(response, "answered")["rows"]] == ["Bob"]
    assert len(table(response, "lost")["rows"]) == 3  # a lost call has no agent


def test_supervisor_scope_and_refusals(client, make_user) -> None:
    from switchboard.accounts.models import Role
    from switchboard.telephony.access import queue_role_code

    data.build()
    user = make_user("sup")
    user.groups.add(Role.objects.get(code=queue_role_code("support")))
    client.force_login(user)
    response = client.get("/stats/calls/", PERIOD)
    assert [r[0] for r in table(response, "answered")["rows"]] == ["support"]
    assert table(response, "lost")["rows"] == []
    export = client.get("/stats/calls/", {**PERIOD, "export": "csv", "table": "lost"})
    assert b"0622222222" not in b"".join(export.streaming_content)
    client.force_login(make_user("plain", "user"))
    assert client.get("/stats/calls/", PERIOD).status_code == 403


def test_caller_filter(manager) -> None:
    response = manager.get("/stats/calls/", {**PERIOD, "caller": "3333"})
    assert [r[3] for r in table(response, "answered")["rows"]] == ["0633333333"]
    assert table(response, "lost")["rows"] == []
    response = manager.get("/stats/calls/", {**PERIOD, "caller": "06444"})
    assert table(response, "answered")["rows"] == []
    assert [r[2] for r in table(response, "lost")["rows"]] == ["0644444444"]
    response = manager.get("/stats/calls/", {**PERIOD, "caller": "06%"})
    assert response.context["tables"] == []
    assert "Digits only, with an optional leading +." in response.content.decode()


def test_excel_reports_page_downloads_the_call_detail_tables(manager) -> None:
    page = manager.get("/stats/reports/").content.decode()
    assert 'action="/stats/calls/"' in page
    for key in ("queues", "agents", "lost", "answered"):
        assert f'data-report="{key}"' in page
    # What the page's form sends for "per agent":
    query = {**PERIOD, "export": "xlsx", "table": "agents", "caller": ""}
    response = manager.get("/stats/calls/", query)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[6][:2] == ["Alice", 2] and values[7][:2] == ["Bob", 1]
