"""The billing report in a real browser: accounting picks a month, sees the totals, prints
without the menu, and downloads the Excel file (opened and checked)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accounting_reads_and_downloads_the_billing(page, live_server, world, tmp_path) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "acct")
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{live_server.url}/")
    page.click("#sidebar a[href='/billing/']")
    page.fill("#id_month", "2026-03")
    page.select_option("#id_kind", "summary")
    page.click("#show")
    page.wait_for_selector("#grand-total")
    total = page.locator("#grand-total td").all_inner_texts()
    assert total[1:6] == ["4", "0:13:43", "2.07", "2.49", "EUR"]
    assert page.locator("tr[data-total]").count() == 2  # IT and Sales
    page.emulate_media(media="print")
    assert not page.locator("#sidebar").is_visible()
    assert not page.locator("#billing-form").is_visible()
    assert page.locator("#billing-summary").is_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "billing-summary-2026-03.xlsx"
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "Telephone consumption"
    assert rows[-1][:7] == ("TOTAL", None, 4, "0:13:43", 2.07, 2.49, "EUR")
