"""An agent in a real browser: logs in to a queue and pauses with a reason from the web; the
colleagues list shows a phone go ringing -> talking without a reload.

The portal runs as ``make run`` runs it (embedded telephony worker), connected to the
sandbox call center of the test harness (queues sales / support, SIPp agents 201-204).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.testing.portal import Portal, asterisk_entry, run_portal
from switchboard.testing.sandbox import CallCenter

pytestmark = [pytest.mark.browser, pytest.mark.asterisk]

PASSWORD = "Take-The-Calls-9"
CREATE_AGENT = f"""
from switchboard.accounts.models import User
from switchboard.pbx.models import Phone, Queue
from switchboard.telephony.models import PbxServer
server = PbxServer.objects.get(name="sandbox")
Queue.objects.create(server=server, name="support", number="600")
agnes = User.objects.create_user("agnes", password="{PASSWORD}", first_name="Agnes")
agnes.groups.add(*__import__("switchboard.accounts.models", fromlist=["Role"]).Role.objects.filter(
    code="queue-agent--support"))
Phone.objects.create(server=server, extension="299", user=agnes)
carl = User.objects.create_user("carl", password="x-Unused-1", first_name="Carl")
Phone.objects.create(server=server, extension="203", user=carl)
"""


@pytest.fixture
def portal(call_center: CallCenter, tmp_path: Path) -> Iterator[Portal]:
    with run_portal(tmp_path / "var", [asterisk_entry(call_center.pbx)]) as running:
        running.manage("shell", "-c", CREATE_AGENT)
        yield running


def test_agent_logs_in_pauses_and_sees_a_colleague_ring_then_talk(
    page, portal: Portal, call_center: CallCenter
) -> None:
    pbx = call_center.pbx
    page.goto(f"{portal.url}/login/")
    page.fill("#id_username", "agnes")
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")

    page.goto(f"{portal.url}/agent/")
    row = page.locator('tr[data-queue="support"]')
    assert row.get_attribute("data-state") == "logged-out"
    row.locator('button[data-action="login"]').click()
    page.wait_for_selector('tr[data-queue="support"][data-state="logged-in"]')
    assert "PJSIP/299" in pbx.cli("queue show support")

    row = page.locator('tr[data-queue="support"]')
    row.locator('select[name="reason"]').select_option("Lunch")
    row.locator('button[data-action="pause"]').click()
    page.wait_for_selector('tr[data-queue="support"][data-state="paused"]')
    assert page.locator('tr[data-queue="support"] [data-role="reason"]').inner_text() == "Lunch"
    member = [line for line in pbx.cli("queue show support").splitlines() if "PJSIP/299" in line]
    assert member and "paused:Lunch" in member[0], member

    # The colleagues list: Carl's phone 203 rings, then talks; the page is never reloaded.
    pbx.cli("queue pause member PJSIP/204 queue support reason lunch")
    page.goto(f"{portal.url}/colleagues/")
    cell = page.locator('td.state[data-device="PJSIP/203"]')
    page.wait_for_selector('td.state[data-device="PJSIP/203"][data-state="free"]')
    page.evaluate("window.notReloaded = true")
    call = call_center.call("support", "0145678901", hold_ms=8000)
    try:
        page.wait_for_selector(
            'td.state[data-device="PJSIP/203"][data-state="ringing"]', timeout=10_000
        )
        page.wait_for_selector(
            'td.state[data-device="PJSIP/203"][data-state="talking"]', timeout=10_000
        )
        assert "0145678901" not in cell.inner_text()  # with whom: supervisors only
        assert page.evaluate("window.notReloaded") is True
    finally:
        call.wait()
