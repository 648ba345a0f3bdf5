"""A manager opens the queue statistics in a real browser, changes the period, sees the
chart drawn by ECharts (served locally) and downloads the Excel file, which is checked."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from conftest import PASSWORD
from switchboard.stats.tests import data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_queue_statistics_chart_and_excel(page, live_server, make_user, tmp_path) -> None:
    data.build()
    make_user("manager", "global_statistics")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{live_server.url}/")
    page.click("#sidebar >> text=Queue statistics")
    page.wait_for_url("**/stats/queues/")

    # This month holds no call: the tables say so and no chart is drawn.
    assert "No calls in this period." in page.locator("#table-queues").inner_text()

    page.fill("#id_start", "2026-03-02")
    page.fill("#id_end", "2026-03-03")
    page.click("#stats-filters button[type=submit]")
    page.wait_for_selector("#chart-queues[data-drawn='1'] svg")
    assert page.locator("#chart-queues svg path").count() > 0
    assert page.locator("#chart-half_hours svg").count() == 1
    assert "sales" in page.locator("#table-queues").inner_text()

    with page.expect_download() as download_info:
        page.click("[data-export='xlsx-queues']")
    path = tmp_path / "queues.xlsx"
    download_info.value.save_as(path)
    rows = [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]
    assert rows[0][0] == "Queue statistics - Calls per queue"
    assert rows[3][:2] == ["Period", "2026-03-02 - 2026-03-03"]
    assert rows[6] == ["sales", 6, 2, 33.3, 2, 33.3, 1, 16.7, 1, 16.7]
    assert rows[7] == ["support", 1, 1, 100.0, 0, 0.0, 0, 0.0, 0, 0.0]
    assert rows[8] == ["Total", 7, 3, 42.9, 2, 28.6, 1, 14.3, 1, 14.3]
