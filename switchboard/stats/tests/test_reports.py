"""Statistics pages over hand-built queue_log and CDR rows: exact figures, exports, scope."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from switchboard.stats.tests import data

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-02", "end": "2026-03-03"}


@pytest.fixture
def center(db) -> dict:
    return data.build()


def table(response, key: str) -> dict:
    return next(t for t in response.context["tables"] if t["key"] == key)


def test_queue_statistics_figures(client, make_user, center) -> None:
    client.force_login(make_user("stat", "global_statistics"))
    response = client.get("/stats/queues/", PERIOD)
    assert response.status_code == 200
    queues = table(response, "queues")
    assert queues["rows"] == [
        ["sales", "6", "2", "33.3 %", "2", "33.3 %", "1", "16.7 %", "1", "16.7 %"],
        ["support", "1", "1", "100.0 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %"],
    ]
    assert queues["footer"] == [
        "Total", "7", "3", "42.9 %", "2", "28.6 %", "1", "14.3 %", "1", "14.3 %"
    ]  # fmt: skip
    assert table(response, "service_level")["rows"] == [
        ["< 0m30s", "2", "66.7 %", "66.7 %"],
        ["< 1m", "1", "33.3 %", "100.0 %"],
    ]
    assert table(response, "abandons")["rows"] == [["< 1m", "1", "100.0 %", "100.0 %"]]
    assert table(response, "weekdays")["rows"] == [
        ["Monday", "6", "85.7 %"],
        ["Tuesday", "1", "14.3 %"],
    ]
    assert table(response, "half_hours")["rows"] == [
        ["9h00", "2", "28.6 %", "0", "0.0 %", "0", "0.0 %", "1", "14.3 %", "1", "14.3 %"],
        ["9h30", "1", "14.3 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %", "1", "14.3 %"],
        ["10h00", "2", "28.6 %", "1", "14.3 %", "1", "14.3 %", "0", "0.0 %", "0", "0.0 %"],
        ["10h30", "1", "14.3 %", "0", "0.0 %", "0", "0.0 %", "1", "14.3 %", "0", "0.0 %"],
        ["14h00", "1", "14.3 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %", "1", "14.3 %"],
    ]
    assert table(response, "agents")["rows"] == [
        # agent, sessions, time, pauses, time, received, talk, avg, made, talk, avg
        ["Alice", "1", "17:00:00", "1", "0:15:00", "2", "0:03:00", "0:01:30", "2", "0:01:20",
         "0:00:40"],
        ["Bob", "1", "4:00:00", "0", "0:00:00", "1", "0:01:00", "0:01:00", "1", "0:00:00",
         "0:00:00"],  # one internal call that was not answered
    ]  # fmt: skip
    charts = {c["id"]: c for c in response.context["charts"]}
    assert charts["chart-queues"]["labels"] == ["sales", "support"]
    assert charts["chart-queues"]["series"][0]["data"] == [2, 1]
    assert b'id="stats-charts"' in response.content
    assert b"vendor/echarts/echarts.min.js" in response.content


def test_queue_and_agent_filters(client, make_user, center) -> None:
    client.force_login(make_user("stat", "global_statistics"))
    response = client.get("/stats/queues/", {**PERIOD, "queues": ["support"], "agents": ["Bob"]})
    assert table(response, "queues")["rows"] == [
        ["support", "1", "1", "100.0 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %"]
    ]
    assert table(response, "agents")["rows"] == []  # Bob took no support call
    response = client.get("/stats/queues/", {**PERIOD, "agents": ["Bob"]})
    assert [r[0] for r in table(response, "agents")["rows"]] == ["Bob"]


def test_bad_filters_are_refused_with_a_message(client, make_user, center) -> None:
    client.force_login(make_user("stat", "global_statistics"))
    response = client.get("/stats/queues/", {"start": "2026-03-05", "end": "2026-03-01"})
    assert response.status_code == 200 and response.context["tables"] == []
    assert "The end of the period is before its start." in response.content.decode()
    response = client.get("/stats/queues/", {**PERIOD, "queues": ["nope"]})
    assert response.context["tables"] == []
    response = client.get("/stats/queues/", {**PERIOD, "export": "pdf", "table": "queues"})
    assert response.status_code == 400


def test_queue_exports_csv_and_excel(client, make_user, center) -> None:
    client.force_login(make_user("stat", "global_statistics"))
    response = client.get("/stats/queues/", {**PERIOD, "export": "csv", "table": "queues"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Queue statistics - Calls per queue"]
    assert rows[3] == ["Period", "2026-03-02 - 2026-03-03"]
    assert rows[6] == ["sales", "6", "2", "33.3", "2", "33.3", "1", "16.7", "1", "16.7"]
    assert rows[-1] == ["Total", "7", "3", "42.9", "2", "28.6", "1", "14.3", "1", "14.3"]

    response = client.get("/stats/queues/", {**PERIOD, "export": "xlsx", "table": "agents"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[2][:2] == ["Report type", "Agents"]
    assert values[6][:6] == ["Alice", 1, "17:00:00", 1, "0:15:00", 2]
    assert values[7][0] == "Bob" and values[7][5] == 1


def test_global_statistics_figures_and_export(client, make_user, center) -> None:
    client.force_login(make_user("stat", "global_statistics"))
    response = client.get("/stats/global/", {"year": "2026", "month": "3"})
    assert response.status_code == 200
    months = table(response, "months")
    assert months["rows"][0] == ["January", "1", "0:01:00"]
    assert months["rows"][1] == ["February", "0", "0:00:00"]
    assert months["rows"][2] == ["March", "4", "0:03:20"]
    assert months["footer"] == ["Total", "5", "0:04:20"]
    days = table(response, "days")
    assert len(days["rows"]) == 31
    assert days["rows"][1][1:] == ["3", "0:03:20"] and days["rows"][2][1:] == ["1", "0:00:00"]
    hours = table(response, "hours_month")["rows"]
    assert hours[9] == ["9h00 < 10h00", "2", "0:02:30"]
    assert hours[10] == ["10h00 < 11h00", "0", ""]
    assert hours[14][1:] == ["1", "0:00:00"] and hours[15][1:] == ["1", "0:00:50"]
    assert table(response, "hours_year")["rows"][10][1:] == ["1", "0:01:00"]
    response = client.get("/stats/global/", {"year": "2026", "month": "3", "export": "xlsx",
                                              "table": "months"})  # fmt: skip
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[8] == ["March", 4, "0:03:20"]
    assert values[-1] == ["Total", 5, "0:04:20"]
    response = client.get("/stats/global/", {"year": "1999", "month": "13"})
    assert response.status_code == 200 and response.context["tables"] == []


def test_a_queue_supervisor_sees_only_their_queues(client, make_user, center) -> None:
    from switchboard.accounts.models import Role
    from switchboard.telephony.access import queue_role_code

    user = make_user("sup")
    user.groups.add(Role.objects.get(code=queue_role_code("support")))
    client.force_login(user)
    response = client.get("/stats/queues/", PERIOD)
    assert response.status_code == 200
    assert [r[0] for r in table(response, "queues")["rows"]] == ["support"]
    assert [r[0] for r in table(response, "agents")["rows"]] == ["Alice"]
    response = client.get("/stats/queues/", {**PERIOD, "queues": ["sales"]})
    assert response.context["tables"] == []
    response = client.get("/stats/queues/", {**PERIOD, "export": "csv", "table": "queues",
                                              "queues": ["sales"]})  # fmt: skip
    assert response.status_code == 400 and b"sales" not in response.content
    assert client.get("/stats/global/").status_code == 403


def test_others_are_refused(client, make_user, center) -> None:
    client.force_login(make_user("plain", "user", "department_head", "call_log"))
    assert client.get("/stats/queues/").status_code == 403
    assert client.get("/stats/global/").status_code == 403
    assert (
        client.get("/stats/queues/", {**PERIOD, "export": "csv", "table": "queues"}).status_code
        == 403
    )


def test_export_links_carry_the_filters_in_effect(client, make_user, center) -> None:
    client.force_login(make_user("stat", "global_statistics"))
    for url in ("/stats/global/", "/stats/queues/", "/stats/calls/"):
        response = client.get(url)  # first visit: the default period
        query = response.context["query"]
        assert "export" not in query and query, url
        export = client.get(
            f"{url}?{query}&export=csv&table={response.context['tables'][0]['key']}"
        )
        assert export.status_code == 200, url
    response = client.get("/stats/queues/", {**PERIOD, "queues": ["sales"]})
    assert response.context["query"] == "start=2026-03-02&end=2026-03-03&queues=sales"
