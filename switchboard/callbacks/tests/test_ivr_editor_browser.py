"""The IVR editor's "callback request" action in Debian's Chromium: an administrator adds
it for a queue after a menu key, saves (the PBX is applied), and a SIPp caller pressing the
key leaves their number in Asterisk's database for the operators."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from switchboard.ivr.models import Ivr
from switchboard.ivr.tests.dtmf import call_with_dtmf
from switchboard.pbx.models import Queue

pytestmark = [pytest.mark.browser, pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

DID = "0140000700"


def test_the_editor_adds_a_callback_request_that_calls_follow(
    page, live_server, admin_user, portal_server, portal_pbx, carrier_port
) -> None:
    Queue.objects.create(server=portal_server, name="sales", number="500")
    ivr = Ivr.objects.create(server=portal_server, name="Reception", number="700", did=DID)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.goto(f"{live_server.url}/admin/ivr/{ivr.pk}/scenario/")
    incoming = page.locator('section[data-block="incoming"]')
    incoming.locator('[data-remove-action="0"]').click()

    page.fill("#ivr-new-block", "cb")
    page.click("#ivr-add-block")
    block = page.locator('section[data-block="cb"]')
    block.locator('[data-new-action="cb"]').select_option("callback")
    block.locator('[data-add-action="cb"]').click()
    assert block.locator('input[data-field="sound"]').input_value() == "auth-thankyou"
    block.locator('select[data-field="queue"]').select_option("500")

    incoming.locator('[data-new-action="incoming"]').select_option("menu")
    incoming.locator('[data-add-action="incoming"]').click()
    incoming.locator('input[data-field="sound"]').fill("beep")
    incoming.locator('input[data-field="timeout"]').fill("8")
    incoming.locator('[data-add="keys"]').click()
    incoming.locator('input[data-field="keys-key"]').nth(0).fill("1")
    incoming.locator('select[data-field="keys-target"]').nth(0).select_option("cb")

    page.click("#ivr-save")
    page.wait_for_selector('#ivr-status[data-state="live"]', timeout=60_000)
    saved = Ivr.objects.get(pk=ivr.pk).scenario
    assert saved["blocks"][1]["actions"][0] == {
        "type": "callback",
        "queue": "500",
        "sound": "auth-thankyou",
    }

    call = call_with_dtmf(portal_pbx.sip_port, DID, "1", local_port=carrier_port, hold_ms=4000)
    assert call.answered, call.diagnostics
    stored = portal_pbx.cli("database show switchboard/callback")
    assert re.search(r"\|700\|500\|5550100\|", stored), stored
