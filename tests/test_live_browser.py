"""A supervisor's queue page in a real browser, fed by a real Asterisk through the portal.

The portal runs as ``make run`` runs it (one uvicorn process, embedded telephony worker),
connected by its configuration to the sandbox call center of the test harness.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.testing.portal import Portal, asterisk_entry, run_portal
from switchboard.testing.sandbox import CallCenter

pytestmark = [pytest.mark.browser, pytest.mark.asterisk]

SUPERVISOR_PASSWORD = "Watch-The-Queue-7"
CREATE_SUPERVISOR = f"""
from switchboard.accounts.models import Role, User
role = Role.objects.create(
    name="Supervisors of support", code="queue-supervisor--support", kind="queue_supervisor"
)
user = User.objects.create_user("sophie", password="{SUPERVISOR_PASSWORD}", first_name="Sophie")
user.groups.add(role)
"""


@pytest.fixture
def portal(call_center: CallCenter, tmp_path: Path) -> Iterator[Portal]:
    with run_portal(tmp_path / "var", [asterisk_entry(call_center.pbx)]) as running:
        running.manage("shell", "-c", CREATE_SUPERVISOR)
        yield running


def test_waiting_caller_appears_then_goes_when_an_agent_answers(
    page, portal: Portal, call_center: CallCenter
) -> None:
    pbx = call_center.pbx
    for agent in ("203", "204"):
        pbx.cli(f"queue pause member PJSIP/{agent} queue support reason lunch")
    page.goto(f"{portal.url}/login/")
    page.fill("#id_username", "sophie")
    page.fill("#id_password", SUPERVISOR_PASSWORD)
    page.click("#sign-in")
    page.goto(f"{portal.url}/live/queues/")
    state = page.locator('[data-role="link-state"]')
    page.wait_for_selector('[data-role="link-state"].connected')
    # Sophie supervises "support" only.
    page.wait_for_selector('article[data-queue="support"]')
    assert page.locator('article[data-queue="sales"]').count() == 0
    assert page.locator('tr[data-agent="PJSIP/203"]').get_attribute("data-state") == "paused"
    page.evaluate("window.notReloaded = true")

    call = call_center.call("support", "0145678901", caller_name="Mme Durand", hold_ms=15000)
    try:
        caller = page.locator('tr[data-caller="0145678901"]')
        caller.wait_for(state="visible", timeout=10_000)
        assert "Mme Durand" in caller.inner_text()

        pbx.cli("queue unpause member PJSIP/203 queue support")
        caller.wait_for(state="detached", timeout=15_000)
        page.wait_for_selector('tr[data-agent="PJSIP/203"][data-state="on_call"]')
        assert page.evaluate("window.notReloaded") is True

        # The PBX goes away: the page says so, then recovers by itself.
        pbx._terminate()
        page.wait_for_selector('[data-role="link-state"].disconnected', timeout=15_000)
        assert page.evaluate("window.notReloaded") is True
        pbx.start()
        page.wait_for_selector('[data-role="link-state"].connected', timeout=30_000)
        # Rebuilt from the restarted PBX, which forgot the pause (no persistent members).
        page.wait_for_selector('tr[data-agent="PJSIP/204"][data-state="free"]')
        assert state.inner_text() != ""
        assert page.evaluate("window.notReloaded") is True
    finally:
        call.wait()
