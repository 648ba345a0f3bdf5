"""The visual editor in Debian's Chromium: an administrator builds a menu (key 1 -> phone 201,
key 2 -> phone 202), sees the errors of an unfinished scenario next to their blocks, saves,
and a SIPp caller pressing keys on the real Asterisk follows the new scenario at once."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from switchboard.ivr.models import Ivr
from switchboard.ivr.tests.dtmf import call_with_dtmf
from switchboard.pbx.models import Generation

pytestmark = [pytest.mark.browser, pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

DID = "0140000700"


def test_an_administrator_builds_a_menu_that_calls_follow(
    page, live_server, admin_user, portal_server, portal_pbx, phones, carrier_port
) -> None:
    ivr = Ivr.objects.create(server=portal_server, name="Reception", number="700", did=DID)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.goto(f"{live_server.url}/admin/ivr/{ivr.pk}/scenario/")
    incoming = page.locator('section[data-block="incoming"]')
    incoming.locator('[data-remove-action="0"]').click()

    for name, number in (("anne", "201"), ("boris", "202")):
        page.fill("#ivr-new-block", name)
        page.click("#ivr-add-block")
        block = page.locator(f'section[data-block="{name}"]')
        block.locator(f'[data-new-action="{name}"]').select_option("transfer")
        block.locator(f'[data-add-action="{name}"]').click()
        block.locator('select[data-field="number"]').select_option(number)

    # Not linked yet: saving is refused and each error shows next to its block.
    page.click("#ivr-save")
    page.wait_for_selector('#ivr-status[data-state="invalid"]')
    assert (
        "No call can reach this block"
        in page.locator('section[data-block="anne"] > .errorlist').inner_text()
    )
    assert page.locator('g.ivr-node-error[data-block="boris"]').count() == 1
    assert Ivr.objects.get(pk=ivr.pk).scenario["blocks"][0]["actions"] == [{"type": "hangup"}]

    incoming.locator('[data-new-action="incoming"]').select_option("menu")
    incoming.locator('[data-add-action="incoming"]').click()
    incoming.locator('input[data-field="sound"]').fill("beep")
    incoming.locator('input[data-field="timeout"]').fill("8")
    for index, (key, target) in enumerate((("1", "anne"), ("2", "boris"))):
        incoming.locator('[data-add="keys"]').click()
        incoming.locator('input[data-field="keys-key"]').nth(index).fill(key)
        incoming.locator('select[data-field="keys-target"]').nth(index).select_option(target)
    # The graph draws both jumps.
    assert page.locator('path.ivr-edge[data-from="incoming"][data-to="anne"]').count() == 1
    assert page.locator('path.ivr-edge[data-from="incoming"][data-to="boris"]').count() == 1

    page.click("#ivr-save")
    page.wait_for_selector('#ivr-status[data-state="live"]', timeout=60_000)
    assert "live" in page.locator("#ivr-status").inner_text()
    assert Generation.objects.filter(server=portal_server).latest("pk").outcome == "live"
    saved = Ivr.objects.get(pk=ivr.pk).scenario
    assert saved["blocks"][0]["actions"][0]["keys"] == [["1", "anne"], ["2", "boris"]]

    call = call_with_dtmf(portal_pbx.sip_port, DID, "2", local_port=carrier_port)
    assert call.answered, call.diagnostics
    assert (phones["201"].stats().answered, phones["202"].stats().answered) == (0, 1)
    call = call_with_dtmf(portal_pbx.sip_port, DID, "1", local_port=carrier_port)
    assert call.answered, call.diagnostics
    assert (phones["201"].stats().answered, phones["202"].stats().answered) == (1, 1)
