"""The S5 call mix from a real Asterisk 22: a caller stays in an IVR, a queue call is answered
by a SIPp agent, and an AMI ``Originate`` with ``Account: autodial`` (as the dialer of SPEC O3
will send it) rings a SIPp phone. The collector reads Asterisk's Master.csv and the call mix
page counts each call exactly once, in the right place."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from switchboard.ivr.models import Ivr
from switchboard.pbx.models import Generation, Phone, Queue, QueueMember
from switchboard.pbx.services import apply_configuration
from switchboard.records.collector import Collector
from switchboard.records.models import CallRecord
from switchboard.testing.sipp import place_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def table(response, key: str) -> dict:
    return next(t for t in response.context["tables"] if t["key"] == key)


def wait_for_cdrs(pbx, predicate, what: str, timeout_s: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while not predicate(rows := pbx.cdr_rows()):
        assert time.monotonic() < deadline, f"{what}\n{rows}\n{pbx.failure_report()}"
        time.sleep(0.2)
    return rows


def test_ivr_queue_and_autodial_calls_are_counted_exactly(
    portal_pbx, portal_server, answering_phone_factory, caller_port, client, make_user
) -> None:
    pbx, server = portal_pbx, portal_server
    server.log_dir = str(pbx.log_dir)
    server.save()
    agent = answering_phone_factory("201", answer_after_ms=300)
    target = answering_phone_factory("202", answer_after_ms=300, hangup_after_ms=1500)
    phones = {
        ext: Phone.objects.create(server=server, extension=ext, fixed_address=f"127.0.0.1:{p.port}")
        for ext, p in (("201", agent), ("202", target))
    }
    queue = Queue.objects.create(server=server, name="sales", number="510")
    QueueMember.objects.create(queue=queue, phone=phones["201"])
    Ivr.objects.create(
        server=server,
        name="Welcome",
        number="700",
        scenario={"blocks": [{"name": "incoming", "actions": [{"type": "play", "sound": "beep"}]}]},
    )
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message

    # 1. a caller who hears the IVR (it plays, then hangs up: nobody answers but the IVR)
    place_call(pbx.sip_port, "700", local_port=caller_port, hold_ms=4000, caller_id="5550001")
    # 2. a queue call answered by the agent 201
    place_call(pbx.sip_port, "510", local_port=caller_port, hold_ms=2500, caller_id="5550002")
    wait_for_cdrs(pbx, lambda rows: len(rows) >= 2, "the IVR and queue calls' CDRs")
    # 3. the dialer's call: Originate with the account autodial, answered by 202
    with pbx.ami(events=False) as ami:
        response = ami.send_action(
            "Originate",
            Channel="PJSIP/202",
            Application="Wait",
            Data="5",
            CallerID="Dialer <0100000000>",
            Account="autodial",
            Timeout="10000",
            Async="false",
            timeout_s=20,
        )
        assert response.get("Response") == "Success", response.as_dict()
    rows = wait_for_cdrs(
        pbx, lambda rows: any(r.get("accountcode") == "autodial" for r in rows), "autodial CDR"
    )
    assert Collector(server).run_once().rejected == 0
    assert CallRecord.objects.count() == len(rows)
    assert CallRecord.objects.filter(accountcode="autodial").exists()
    assert CallRecord.objects.filter(dcontext="sb-ivr-700").exists()

    client.force_login(make_user("stat", "global_statistics"))
    today = timezone.localdate().isoformat()
    response = client.get("/stats/mix/", {"start": today, "end": today})
    assert [r[:2] for r in table(response, "mix")["rows"]] == [
        ["Incoming calls", "2"],
        ["Handled in the IVR", "1"],
        ["Handled by operators", "1"],
        ["Automatic outgoing calls", "1"],
    ], [(r.dcontext, r.direction, r.dstchannel, r.disposition) for r in CallRecord.objects.all()]
    (call,) = table(response, "autodial")["rows"]
    assert call[3] == "answered"
    found = client.get("/stats/mix/", {"start": today, "end": today, "number": "202"})
    assert len(table(found, "autodial")["rows"]) == 1
    none = client.get("/stats/mix/", {"start": today, "end": today, "number": "999"})
    assert table(none, "autodial")["rows"] == []
