"""S5 call mix (incoming / handled in the IVR / handled by operators / automatic outgoing)
and the list of the automatic calls, over hand-built CDRs with figures worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from switchboard.stats import mix, views
from switchboard.stats.models import CallMixDay
from switchboard.stats.tests.data import at

pytestmark = pytest.mark.django_db

DAY = {"start": "2026-03-02", "end": "2026-03-02"}
THREE = {"start": "2026-03-01", "end": "2026-03-03"}


def cdr(server, key, start, linkedid, uniqueid="", **fields) -> None:
    from switchboard.records.models import CallRecord

    values = {
        "direction": "inbound",
        "disposition": "ANSWERED",
        "dcontext": "sb-from-trunks",
        "src": "0600000000",
        "dst": "500",
    } | fields
    CallRecord.objects.create(
        server=server, key=key, start=start, linkedid=linkedid,
        uniqueid=uniqueid or linkedid, **values,
    )  # fmt: skip


def build():
    from switchboard.telephony.models import PbxServer

    server = PbxServer.objects.create(name="mix", host="h", ami_user="u", ami_secret="s")
    ivr = {"dcontext": "sb-ivr-700", "dst": "start", "lastapp": "WaitExten"}
    person = {"dstchannel": "PJSIP/201-00000001"}
    # 1. IVR only (the IVR answers: no destination channel)
    cdr(server, "k1", at(2, 9, 0), "L1", **ivr)
    # 2. IVR then a queue's agent
    cdr(server, "k2a", at(2, 9, 5), "L2", **ivr)
    cdr(server, "k2b", at(2, 9, 6), "L2", "L2b", dcontext="sb-internal", **person)
    # 3. straight to a phone
    cdr(server, "k3", at(2, 9, 10), "L3", **person)
    # 4. nobody answered (a queue call abandoned)
    cdr(server, "k4", at(2, 9, 15), "L4", disposition="NO ANSWER")
    # 5. IVR, then a phone rang in vain
    cdr(server, "k5a", at(2, 9, 20), "L5", **ivr)
    cdr(server, "k5b", at(2, 9, 21), "L5", "L5b", disposition="NO ANSWER", **person)
    # 6. automatic call answered (the originated channel, then its other half)
    auto = {"accountcode": "autodial", "direction": "outbound", "dcontext": "sb-outbound"}
    cdr(server, "k6a", at(2, 10, 0), "L6", dst="0612345678", billsec=40, **auto, **person)
    cdr(server, "k6b", at(2, 10, 0), "L6", "L6b", dst="0612345678", **auto)
    # 7. automatic call not answered
    cdr(server, "k7", at(2, 10, 5), "L7", dst="0799999999", disposition="NO ANSWER", **auto)
    # 8. internal and 9. manual outgoing calls: neither incoming nor automatic
    cdr(server, "k8", at(2, 11, 0), "L8", direction="internal", **person)
    cdr(server, "k9", at(2, 11, 5), "L9", direction="outbound", **person)
    # 10. began the day before, answered after midnight: a call of March 1st
    cdr(server, "k10a", at(1, 23, 59, 30), "L10", disposition="NO ANSWER")
    cdr(server, "k10b", at(2, 0, 0, 10), "L10", "L10b", **person)
    # 11. no linkedid nor uniqueid (an old import): a call by itself, answered by a phone
    cdr(server, "k11", at(2, 12, 0), "", "", **person)
    # 13. from a line the portal does not know as a trunk (direction "other"), IVR only
    cdr(server, "k13", at(2, 13, 0), "L13", direction="other", **ivr)
    # 14. one of the portal's phones calling the IVR: not an incoming call
    cdr(server, "k14", at(2, 13, 5), "L14", direction="internal", **ivr)
    # 15. answered by an agent who then transfers (the agent's own leg is internal)
    cdr(server, "k15a", at(2, 13, 10), "L15", **person)
    cdr(server, "k15b", at(2, 13, 11), "L15", "L15b", direction="internal", **person)
    # 12. automatic call on March 3rd
    cdr(server, "k12", at(3, 8, 0), "L12", dst="0612000000", **auto)
    return server


@pytest.fixture
def manager(client, make_user):
    server = build()
    client.force_login(make_user("stat", "global_statistics"))
    client.server = server
    return client


def bounds(first: str, last: str) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return (
        dt.datetime.combine(a, dt.time.min, tzinfo=zone),
        dt.datetime.combine(b + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def table(response, key: str) -> dict:
    return next(t for t in response.context["tables"] if t["key"] == key)


def test_the_mix_figures_by_hand_and_equal_to_the_rows(db) -> None:
    build()
    day = {"incoming": 8, "ivr": 3, "operators": 4, "autodial": 2}
    assert mix.mix_from_rows(*bounds("2026-03-02", "2026-03-02")) == day
    assert mix.mix(*bounds("2026-03-02", "2026-03-02")) == day
    three = {"incoming": 9, "ivr": 3, "operators": 5, "autodial": 3}
    assert mix.mix(*bounds("2026-03-01", "2026-03-03")) == three
    assert mix.mix_from_rows(*bounds("2026-03-01", "2026-03-03")) == three
    first = {"incoming": 1, "ivr": 0, "operators": 1, "autodial": 0}
    assert mix.mix(*bounds("2026-03-01", "2026-03-01")) == first
    assert CallMixDay.objects.get(day=dt.date(2026, 3, 2)).operators == 4
    # A part of a day is read from the rows.
    start, end = bounds("2026-03-02", "2026-03-02")
    assert mix.mix(start + dt.timedelta(hours=10), end)["autodial"] == 2
    assert mix.mix(start + dt.timedelta(hours=10), end)["incoming"] == 3  # 11., 13., 15.


def test_a_late_row_re_aggregates_the_day_its_call_began(db) -> None:
    server = build()
    assert mix.mix(*bounds("2026-03-01", "2026-03-01"))["incoming"] == 1
    # A call of March 1st, not answered; its answered second half comes later, on March 2nd.
    cdr(server, "k16a", at(1, 23, 58), "L16", disposition="NO ANSWER")
    assert mix.mix(*bounds("2026-03-01", "2026-03-01")) == {
        "incoming": 2, "ivr": 0, "operators": 1, "autodial": 0
    }  # fmt: skip
    cdr(server, "k16b", at(2, 0, 1), "L16", "L16b", dstchannel="PJSIP/202-00000009")
    assert mix.mix(*bounds("2026-03-01", "2026-03-01")) == {
        "incoming": 2, "ivr": 0, "operators": 2, "autodial": 0
    }  # fmt: skip
    assert mix.mix(*bounds("2026-03-02", "2026-03-02"))["incoming"] == 8
    everything = bounds("2026-02-01", "2026-03-31")
    assert mix.mix(*everything) == mix.mix_from_rows(*everything)


def test_the_mix_page_and_its_export(manager) -> None:
    response = manager.get("/stats/mix/", DAY)
    assert response.status_code == 200
    assert table(response, "mix")["rows"] == [
        ["Incoming calls", "8", "100.0 %"],
        ["Handled in the IVR", "3", "37.5 %"],
        ["Handled by operators", "4", "50.0 %"],
        ["Automatic outgoing calls", "2", ""],
    ]
    assert [r[:4] for r in table(response, "autodial")["rows"]] == [
        ["2026-03-02 10:00:00", "0612345678", "0600000000", "answered"],
        ["2026-03-02 10:05:00", "0799999999", "0600000000", "no answer"],
    ]
    assert "data-print" in response.content.decode()
    export = manager.get("/stats/mix/", {**DAY, "export": "csv", "table": "mix"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[5] == ["Calls", "Number", "% of incoming calls"]
    assert rows[6:] == [
        ["Incoming calls", "8", "100.0"],
        ["Handled in the IVR", "3", "37.5"],
        ["Handled by operators", "4", "50.0"],
        ["Automatic outgoing calls", "2", ""],
    ]


def test_automatic_calls_by_number_paged_and_exported_whole(manager, monkeypatch) -> None:
    response = manager.get("/stats/mix/", {**THREE, "number": "0612"})
    assert [r[1] for r in table(response, "autodial")["rows"]] == ["0612345678", "0612000000"]
    response = manager.get("/stats/mix/", {**THREE, "number": "9999"})
    assert [r[1] for r in table(response, "autodial")["rows"]] == ["0799999999"]
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    response = manager.get("/stats/mix/", THREE)
    page = table(response, "autodial")
    assert [r[1] for r in page["rows"]] == ["0612345678", "0799999999"]
    assert page["pager"]["label"] == "3 calls" and not page["pager"]["previous"]
    response = manager.get("/stats/mix/" + page["pager"]["next"])
    second = table(response, "autodial")
    assert [r[1] for r in second["rows"]] == ["0612000000"] and not second["pager"]["next"]
    response = manager.get("/stats/mix/" + second["pager"]["previous"])
    assert [r[1] for r in table(response, "autodial")["rows"]] == ["0612345678", "0799999999"]
    response = manager.get("/stats/mix/" + page["pager"]["last"])
    assert [r[1] for r in table(response, "autodial")["rows"]] == ["0799999999", "0612000000"]
    export = manager.get("/stats/mix/", {**THREE, "export": "xlsx", "table": "autodial"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[5][:2] == ["Date", "Number"]
    assert [r[1] for r in values[6:]] == ["0612345678", "0799999999", "0612000000"]


def test_bad_input_scope_and_the_reports_page(manager, client, make_user) -> None:
    response = manager.get("/stats/mix/", {**DAY, "number": "06%"})
    assert response.context["tables"] == []
    assert "Digits only, with an optional leading +." in response.content.decode()
    refused = manager.get("/stats/mix/", {**DAY, "number": "x", "export": "csv", "table": "mix"})
    assert refused.status_code == 400
    bad = manager.get("/stats/mix/", {"start": "2026-03-03", "end": "2026-03-01"})
    assert "The end of the period is before its start." in bad.content.decode()
    page = manager.get("/stats/reports/").content.decode()
    assert 'action="/stats/mix/"' in page
    assert 'data-report="mix"' in page and 'data-report="autodial"' in page

    from switchboard.accounts.models import Role
    from switchboard.pbx.models import Queue
    from switchboard.telephony.access import queue_role_code

    Queue.objects.create(server=manager.server, name="sales", number="500")
    supervisor = make_user("sup")
    supervisor.groups.add(Role.objects.get(code=queue_role_code("sales")))
    client.force_login(supervisor)
    assert client.get("/stats/mix/", DAY).status_code == 403
    assert 'data-report="autodial"' not in client.get("/stats/reports/").content.decode()
    client.force_login(make_user("plain", "user"))
    assert client.get("/stats/mix/", DAY).status_code == 403
