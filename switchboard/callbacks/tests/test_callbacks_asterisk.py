"""Callback requests on a real Asterisk 22 with SIPp phones.

IVR: a caller on a DID presses the key of the "callback request" action while the portal's
worker is not running; the request waits in AstDB; once the telephony worker runs, it
becomes a request in the operators' list (with the caller's number and the queue) and the
AstDB key is deleted. "Call": the operator's SIPp phone rings and answers, then the
request's number (another SIPp phone) rings; the attempt is recorded.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.db import connections

from switchboard.accounts.models import Role
from switchboard.callbacks.models import Callback, CallbackAttempt
from switchboard.ivr.models import Ivr
from switchboard.ivr.tests.dtmf import call_with_dtmf
from switchboard.pbx.models import Generation, Phone, Queue
from switchboard.pbx.services import apply_configuration
from switchboard.telephony.access import queue_role_code
from switchboard.telephony.worker import TelephonyWorker

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

DID = "0140000700"
CALLER = "5550100"  # the DTMF caller's number (From: of dtmf.py)


def wait_until(check, timeout_s: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return check()


def run_worker_until(check, timeout_s: float = 30.0) -> Any:
    """Run the telephony worker (as the portal does) until ``check()`` is true."""

    async def main() -> Any:
        channel_layers.backends.clear()
        worker = TelephonyWorker()
        await worker.start()
        try:
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                found = await sync_to_async(check)()
                if found:
                    return found
                await asyncio.sleep(0.3)
            return await sync_to_async(check)()
        finally:
            await worker.stop()
            channel_layers.backends.clear()
            await sync_to_async(connections.close_all)()

    return asyncio.run(main())


def test_a_caller_asks_for_a_callback_in_the_ivr_and_operators_see_it(
    portal_server, portal_pbx, carrier_port, client, make_user, settings
) -> None:
    settings.SWITCHBOARD_ASTERISK_SERVERS = []
    queue = Queue.objects.create(server=portal_server, name="sales", number="500")
    Ivr.objects.create(
        server=portal_server,
        name="Reception",
        number="700",
        did=DID,
        scenario={
            "blocks": [
                {
                    "name": "incoming",
                    "actions": [
                        {"type": "menu", "sound": "beep", "timeout": 8, "keys": [["1", "cb"]]}
                    ],
                },
                {
                    "name": "cb",
                    "actions": [{"type": "callback", "queue": "500"}, {"type": "hangup"}],
                },
            ]
        },
    )
    entry = apply_configuration(portal_server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message

    # The portal's worker is not running: the request waits in Asterisk's database.
    call = call_with_dtmf(portal_pbx.sip_port, DID, "1", local_port=carrier_port, hold_ms=4000)
    assert call.answered, call.diagnostics
    stored = portal_pbx.cli("database show switchboard/callback")
    assert re.search(rf"\|700\|500\|{CALLER}\|", stored), stored
    assert not Callback.objects.exists()

    callback = run_worker_until(lambda: Callback.objects.filter(number=CALLER).first())
    assert callback is not None
    assert callback.source == "ivr" and callback.queue == queue
    assert callback.ivr == "Reception (700)" and callback.status == "open"
    # Deleted from AstDB only once stored.
    assert wait_until(
        lambda: "0 results" in portal_pbx.cli("database show switchboard/callback")
    ), portal_pbx.cli("database show switchboard/callback")

    # An operator of the queue sees it in the list, with the caller's number.
    operator = make_user("olga", "callback_operator")
    operator.groups.add(Role.objects.get(code=queue_role_code("sales", "agent")))
    client.force_login(operator)
    page = client.get("/callbacks/").content.decode()
    assert f'data-number="{CALLER}"' in page
    # A second pass of the worker does not store it twice.
    run_worker_until(lambda: False, timeout_s=3)
    assert Callback.objects.count() == 1


def test_call_rings_the_operator_then_the_number_and_records_the_attempt(
    portal_server, portal_pbx, answering_phone_factory, client, make_user, settings
) -> None:
    own = answering_phone_factory("201", answer_after_ms=200, hangup_after_ms=3000)
    customer = answering_phone_factory("202", answer_after_ms=300)
    operator = make_user("olga", "callback_operator")
    Phone.objects.create(
        server=portal_server,
        extension="201",
        display_name="Olga",
        fixed_address=f"127.0.0.1:{own.port}",
        user=operator,
    )
    Phone.objects.create(
        server=portal_server, extension="202", fixed_address=f"127.0.0.1:{customer.port}"
    )
    queue = Queue.objects.create(server=portal_server, name="sales", number="500")
    operator.groups.add(Role.objects.get(code=queue_role_code("sales", "agent")))
    entry = apply_configuration(portal_server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    callback = Callback.objects.create(number="202", source="api", queue=queue)

    client.force_login(operator)
    response = client.post(f"/callbacks/{callback.pk}/call/")
    assert response.status_code == 302
    attempt = CallbackAttempt.objects.get(callback=callback)
    assert attempt.operator == operator and attempt.phone == "201"
    assert attempt.outcome == CallbackAttempt.Outcome.DIALLED and attempt.detail  # ActionID
    # The operator's phone answers first, then the requester's number rings and answers.
    assert wait_until(lambda: customer.stats().answered == 1), customer.diagnostics()
    assert own.stats().answered == 1

    # The operator says how it went and closes the request: the report counts it.
    client.post(f"/callbacks/{callback.pk}/close/", {"status": "done", "outcome": "answered"})
    attempt.refresh_from_db()
    assert attempt.outcome == "answered"
    assert Callback.objects.get(pk=callback.pk).status == "done"
