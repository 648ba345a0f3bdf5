"""The call log in a real browser: a user opens it, searches, listens to and marks a call."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_searches_their_log_and_marks_a_call(page, live_server, make_user, tmp_path):
    from switchboard.pbx.models import Phone
    from switchboard.records.models import CallMark, CallRecord
    from switchboard.telephony.models import PbxServer

    (tmp_path / "answered.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVE")
    pbx = PbxServer.objects.create(
        name="main", host="h", ami_user="u", ami_secret="s", recordings_dir=str(tmp_path)
    )
    anne = make_user("anne", "user")
    phone = Phone.objects.create(server=pbx, extension="201", user=anne)
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    calls = [
        CallRecord.objects.create(
            server=pbx,
            key=f"k{n}",
            start=start + dt.timedelta(minutes=n),
            src="201",
            dst=f"06123456{n:02d}",
            direction=CallRecord.Direction.OUTBOUND,
            phone=phone,
            disposition=CallRecord.Disposition.ANSWERED,
            duration=75,
            billsec=62,
            recording="answered.wav" if n == 3 else "",
        )
        for n in range(5)
    ]
    # Another phone's call, not hers.
    CallRecord.objects.create(
        server=pbx,
        key="other",
        start=start,
        src="202",
        dst="0699999999",
        disposition=CallRecord.Disposition.BUSY,
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "anne")
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{live_server.url}/")
    page.click("#sidebar a[href='/calls/']")
    page.wait_for_url(f"{live_server.url}/calls/")
    rows = page.locator("#call-log tbody tr[data-call]")
    assert rows.count() == 5
    assert "0699999999" not in page.content()
    assert rows.first.locator(".dst").inner_text() == "061234xxxx"  # masked for users
    assert rows.first.locator(".billsec").inner_text() == "1:02"

    # Search: the beginning of the number as shown, and the time of the call.
    page.fill("#id_number", "061234*")
    page.fill("#id_date_from", "2026-01-05")
    page.fill("#id_time", "09:03")
    page.click("#search-calls")
    page.wait_for_load_state()
    assert rows.count() == 5  # 09:00 to 09:04 are all within 30 minutes of 09:03
    page.fill("#id_time", "09:34")
    page.click("#search-calls")
    page.wait_for_load_state()
    assert [rows.nth(i).get_attribute("data-call") for i in range(rows.count())] == [
        str(calls[4].pk)
    ]
    page.fill("#id_time", "")
    page.fill("#id_date_from", "")
    page.click("#search-calls")
    page.wait_for_load_state()

    # The recorded call has a player; mark it.
    row = page.locator(f"tr[data-call='{calls[3].pk}']")
    assert row.locator("audio").count() == 1
    row.locator("details summary").click()
    row.locator("select[name=flag]").select_option("orange")
    row.locator("input[name=comment]").fill("call back Monday")
    row.locator(".save-mark").click()
    page.wait_for_load_state()
    row = page.locator(f"tr[data-call='{calls[3].pk}']")
    assert row.locator(".flag-orange").count() == 1
    assert "call back Monday" in row.inner_text()
    mark = CallMark.objects.get()
    assert (mark.user, mark.record_id, mark.flag) == (anne, calls[3].pk, "orange")

    # Only her marked calls.
    page.select_option("#id_marked", "any")
    page.click("#search-calls")
    page.wait_for_load_state()
    assert rows.count() == 1 and rows.first.get_attribute("data-call") == str(calls[3].pk)
