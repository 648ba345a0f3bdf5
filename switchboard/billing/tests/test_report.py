"""Rating of collected calls, the billing report's figures, its scope by role and its exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from switchboard.billing import report
from switchboard.billing.models import CallCharge

MARCH = {"month": "2026-03", "kind": "summary"}


def test_collected_calls_are_rated_once(world) -> None:
    from switchboard.billing.services import rate_new_calls
    from switchboard.records.models import NewCall

    calls = world.calls
    charges = {c.record_id: c for c in CallCharge.objects.all()}
    billable = {
        "alice_national",
        "alice_mobile",
        "bob_local",
        "carol_national",
        "carol_april",
        "alice_unmatched",
    }
    assert set(charges) == {calls[name].pk for name in billable}
    national = charges[calls["alice_national"].pk]
    assert (national.status, national.zone_name, national.billed_seconds) == (
        "rated",
        "National",
        120,
    )
    assert (national.amount, national.amount_with_tax, national.currency) == (
        D("0.34"),
        D("0.41"),
        "EUR",
    )
    mobile = charges[calls["alice_mobile"].pk]
    assert (mobile.zone_name, mobile.billed_seconds, mobile.amount) == ("Mobile", 42, D("0.28"))
    assert charges[calls["alice_unmatched"].pk].status == CallCharge.Status.UNMATCHED
    # the same calls queued again (say, a pass killed after rating, before its commit, is
    # rolled back and runs again): still one charge per call
    NewCall.objects.bulk_create([NewCall(record=c) for c in calls.values()])
    again = rate_new_calls()
    assert again.calls == len(billable)
    assert CallCharge.objects.count() == len(billable)
    assert not NewCall.objects.exists()
    # a pass with nothing queued rates nothing
    assert rate_new_calls().calls == 0


def test_summary_figures(world) -> None:
    from switchboard.billing.forms import ReportForm

    form = ReportForm(MARCH, scope=report.Scope("all"))
    assert form.is_valid(), form.errors
    result = report.summary(report.charges(report.Scope("all"), form.criteria()))
    rows = [list(map(str, row)) for row in report.summary_rows(result)]
    assert rows == [
        ["IT (Information technology)"],
        ["", "Alice (201)", "2", "0:01:38", "0.62", "0.75", "EUR"],
        ["", "Bob (202)", "1", "0:02:05", "0.15", "0.18", "EUR"],
        ["", "DEPARTMENT TOTAL", "3", "0:03:43", "0.77", "0.93", "EUR"],
        ["Sales (Sales team)"],
        ["", "Carol (301)", "1", "0:10:00", "1.30", "1.56", "EUR"],
        ["", "DEPARTMENT TOTAL", "1", "0:10:00", "1.30", "1.56", "EUR"],
        ["TOTAL", "", "4", "0:13:43", "2.07", "2.49", "EUR"],
    ]


def test_summary_page(client, world) -> None:
    client.force_login(world.users["admin"])
    page = client.get("/billing/", MARCH).content.decode()
    assert 'id="grand-total"' in page
    assert "0:13:43" in page and "2.07" in page and "2.49" in page
    assert "Alice (201)" in page and "Carol (301)" in page


def test_detail_page_shows_every_call_of_the_period(client, world) -> None:
    client.force_login(world.users["admin"])
    response = client.get(
        "/billing/", {"date_from": "2026-03-01", "date_to": "2026-03-31", "kind": "detail"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    table = page[page.index('id="billing-detail"') : page.index('id="billing-summary"')]
    assert table.count("<tr>") == 4 + 1  # header + four calls
    assert "061234567" in table and "123456" in table and ">1234567<" not in table
    assert "2026-03-01 00:00:00" in table


def export(client, user, fmt: str, **params: str):
    client.force_login(user)
    response = client.get("/billing/", {**MARCH, **params, "format": fmt})
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_export_has_the_header_and_every_row(client, world) -> None:
    response, body = export(client, world.users["accounting"], "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="billing-summary-2026-03.csv"' in response["Content-Disposition"]
    rows = csv_rows(body)
    assert rows[0] == ["Telephone consumption"]
    assert rows[1][0] == "Date" and rows[1][1][:4] >= "2026"
    assert rows[2] == ["Report type", "summary per phone"]
    assert rows[3] == ["Period", "2026-03"]
    assert rows[4] == []
    assert rows[5] == [
        "Department",
        "Phone",
        "Calls",
        "Duration",
        "Price excl. tax",
        "Price incl. tax",
        "Currency",
    ]
    assert rows[6] == ["IT (Information technology)"]
    assert rows[-1] == ["TOTAL", "", "4", "0:13:43", "2.07", "2.49", "EUR"]


def test_excel_export_opens_with_the_figures(client, world) -> None:
    response, body = export(client, world.users["admin"], "xlsx", kind="detail")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Telephone consumption"
    assert rows[2][:2] == ["Report type", "detail per phone"]
    assert rows[3][:2] == ["Period", "2026-03"]
    assert rows[5][:4] == ["Department", "Phone", "Date", "Called number"]
    data = rows[6:]
    assert [(r[1], r[3], r[4], r[5], r[6]) for r in data] == [
        ("Alice (201)", "0140000000", "0:01:01", 0.34, 0.41),
        ("Alice (201)", "061234567", "0:00:37", 0.28, 0.34),
        ("Bob (202)", "123456", "0:02:05", 0.15, 0.18),
        ("Carol (301)", "0140000000", "0:10:00", 1.3, 1.56),
    ]
    assert str(data[3][2]) == "2026-03-31 23:59:59"


def test_export_holds_the_whole_result_not_one_page(client, world, monkeypatch) -> None:
    from switchboard.billing import views

    monkeypatch.setattr(views, "DETAIL_ON_PAGE", 2)
    client.force_login(world.users["admin"])
    page = client.get("/billing/", {**MARCH, "kind": "detail"}).content.decode()
    assert 'id="detail-truncated"' in page
    _response, body = export(client, world.users["admin"], "csv", kind="detail")
    assert len(csv_rows(body)) == 6 + 4


# who -> phones seen in the March summary export
SCOPES = {
    "alice": {"Alice (201)"},
    "carol": {"Carol (301)"},
    "nophone": set(),
    "head": {"Alice (201)", "Bob (202)"},
    "accounting": {"Alice (201)", "Bob (202)", "Carol (301)"},
    "admin": {"Alice (201)", "Bob (202)", "Carol (301)"},
}


@pytest.mark.parametrize("who", sorted(SCOPES))
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_each_role_sees_its_scope(client, world, who: str, fmt: str) -> None:
    user = world.users[who]
    if fmt == "html":
        client.force_login(user)
        page = client.get("/billing/", MARCH).content.decode()
        seen = {label for label in SCOPES["admin"] if label in page}
    elif fmt == "csv":
        _response, body = export(client, user, "csv")
        seen = {row[1] for row in csv_rows(body)[6:] if len(row) > 1 and "(" in row[1]}
    else:
        _response, body = export(client, user, "xlsx")
        sheet = load_workbook(io.BytesIO(body)).active
        seen = {r[1] for r in sheet.iter_rows(min_row=7, values_only=True) if r[1] and "(" in r[1]}
    assert seen == SCOPES[who]


def test_a_role_without_billing_gets_403(client, world) -> None:
    client.force_login(world.users["calllog"])
    assert client.get("/billing/", MARCH).status_code == 403
    assert client.get("/billing/", {**MARCH, "format": "csv"}).status_code == 403


def test_scope_cannot_be_widened_by_the_criteria(client, world) -> None:
    client.force_login(world.users["head"])
    carol = world.phones["301"].pk
    response = client.get("/billing/", {**MARCH, "phones": str(carol), "format": "csv"})
    assert response.status_code == 400  # a phone outside the department is not a choice
    assert b"Carol" not in response.content
    response = client.get("/billing/", {**MARCH, "department": str(world.sales.pk)})
    assert response.status_code == 400
    client.force_login(world.users["alice"])
    response = client.get("/billing/", {**MARCH, "phones": str(world.phones["202"].pk)})
    assert response.status_code == 400


def test_choosing_phones_and_department(client, world) -> None:
    _r, body = export(client, world.users["admin"], "csv", phones=str(world.phones["202"].pk))
    assert csv_rows(body)[-1] == ["TOTAL", "", "1", "0:02:05", "0.15", "0.18", "EUR"]
    _r, body = export(client, world.users["admin"], "csv", department=str(world.sales.pk))
    assert csv_rows(body)[-1] == ["TOTAL", "", "1", "0:10:00", "1.30", "1.56", "EUR"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "summary"}, "Choose a month, or a start date and an end date."),
        ({"month": "2026-13", "kind": "summary"}, "Enter a month as YYYY-MM."),
        (
            {"date_from": "2026-03-10", "date_to": "2026-03-01", "kind": "summary"},
            "The start date is after the end date.",
        ),
    ],
)
def test_bad_criteria_are_explained(client, world, params, message: str) -> None:
    client.force_login(world.users["admin"])
    response = client.get("/billing/", {**params, "format": "csv"})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_called_numbers_are_masked_by_the_site_policy(client, world, settings) -> None:
    settings.RECORDS_MASK_DIGITS = 4
    _r, body = export(client, world.users["alice"], "csv", kind="detail")
    assert [row[3] for row in csv_rows(body)[6:]] == ["014000xxxx", "06123xxxx"]
    _r, body = export(client, world.users["admin"], "csv", kind="detail")
    assert "0140000000" in [row[3] for row in csv_rows(body)[6:]]
    settings.RECORDS_MASK_DIGITS = 0
    _r, body = export(client, world.users["alice"], "csv", kind="detail")
    assert [row[3] for row in csv_rows(body)[6:]] == ["0140000000", "061234567"]
