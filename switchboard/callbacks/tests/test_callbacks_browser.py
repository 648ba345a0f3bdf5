"""The callback list in Debian's Chromium, on a real Asterisk: an operator calls a request
(their SIPp phone answers, then the requester's SIPp phone rings), reschedules it (it leaves
the list of requests to call now), finds it among the later ones and closes it."""

from __future__ import annotations

import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone

from conftest import PASSWORD
from switchboard.accounts.models import Role
from switchboard.callbacks.models import Callback, CallbackAttempt
from switchboard.pbx.models import Generation, Phone, Queue
from switchboard.pbx.services import apply_configuration
from switchboard.telephony.access import queue_role_code

pytestmark = [pytest.mark.browser, pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def wait_until(check, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return bool(check())


def test_an_operator_calls_reschedules_and_closes_a_request(
    page, live_server, make_user, portal_server, answering_phone_factory
) -> None:
    own = answering_phone_factory("201", answer_after_ms=200, hangup_after_ms=2000)
    customer = answering_phone_factory("202", answer_after_ms=300, hangup_after_ms=2000)
    operator = make_user("olga", "callback_operator")
    Phone.objects.create(
        server=portal_server, extension="201", fixed_address=f"127.0.0.1:{own.port}", user=operator
    )
    Phone.objects.create(
        server=portal_server, extension="202", fixed_address=f"127.0.0.1:{customer.port}"
    )
    queue = Queue.objects.create(server=portal_server, name="sales", number="500")
    operator.groups.add(Role.objects.get(code=queue_role_code("sales", "agent")))
    # Playwright's loop runs in this thread: the apply (AMI, async_to_sync) runs in another.
    with ThreadPoolExecutor(1) as pool:
        entry = pool.submit(apply_configuration, portal_server).result()
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    callback = Callback.objects.create(number="202", name="Anne", source="api", queue=queue)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.goto(f"{live_server.url}/callbacks/")
    row = page.locator('tr[data-number="202"]')
    assert row.count() == 1
    row.locator("button.call").click()
    page.wait_for_selector(".message.success")
    assert "201" in page.locator(".message.success").inner_text()
    assert wait_until(lambda: customer.stats().answered == 1), customer.diagnostics()
    assert own.stats().answered == 1
    assert CallbackAttempt.objects.filter(callback=callback, operator=operator).count() == 1

    # Reschedule to tomorrow: it leaves the list of requests to call now.
    page.locator('tr[data-number="202"] a.open').click()
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.fill("#reschedule_not_before", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#reschedule_outcome", "no_answer")
    page.click("#reschedule")
    page.wait_for_selector("#callbacks")
    assert page.locator('tr[data-number="202"]').count() == 0
    assert CallbackAttempt.objects.get(callback=callback).outcome == "no_answer"

    # Among the later ones; closed from there.
    page.select_option("#id_show", "later")
    page.click('#callback-filter button[type="submit"]')
    page.wait_for_selector('tr[data-number="202"]')
    page.locator('tr[data-number="202"] a.open').click()
    page.select_option("#close_status", "done")
    page.fill("#close_note", "Called back, all sorted")
    page.click("#close")
    page.wait_for_selector(".message.success")
    callback.refresh_from_db()
    assert callback.status == "done" and callback.note == "Called back, all sorted"
    page.select_option("#id_show", "later")
    page.click('#callback-filter button[type="submit"]')
    page.wait_for_selector("#callbacks")
    assert page.locator('tr[data-number="202"]').count() == 0
