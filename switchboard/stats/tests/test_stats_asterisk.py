"""Queue statistics from a real Asterisk 22: SIPp places a known mix of queue calls (the
caller hangs up after talking, the agent hangs up, the caller gives up while waiting); the
collector reads Asterisk's queue_log and the figures the pages show equal the ones read from
Asterisk's own file."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from switchboard.pbx.models import Generation, Phone, Queue, QueueMember
from switchboard.pbx.services import apply_configuration
from switchboard.records.collector import Collector
from switchboard.testing.sipp import place_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

ENDS = {"COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY"}


def table(response, key: str) -> dict:
    return next(t for t in response.context["tables"] if t["key"] == key)


def hms(seconds: str) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def test_queue_figures_equal_asterisks_queue_log(
    portal_pbx, portal_server, answering_phone_factory, caller_port, client, make_user
) -> None:
    pbx, server = portal_pbx, portal_server
    server.log_dir = str(pbx.log_dir)
    server.save()
    agents = {
        "201": answering_phone_factory("201", answer_after_ms=500),  # the caller hangs up
        "202": answering_phone_factory("202", answer_after_ms=500, hangup_after_ms=1500),
        "203": answering_phone_factory("203", answer_after_ms=None),  # never answers
    }
    for number, (ext, phone) in enumerate(agents.items()):
        row = Phone.objects.create(
            server=server, extension=ext, fixed_address=f"127.0.0.1:{phone.port}"
        )
        queue = Queue.objects.create(
            server=server, name=("sales", "support", "late")[number], number=str(510 + number)
        )
        QueueMember.objects.create(queue=queue, phone=row)
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message

    place_call(pbx.sip_port, "510", local_port=caller_port, hold_ms=2000)
    place_call(pbx.sip_port, "511", local_port=caller_port, hold_ms=6000)
    place_call(pbx.sip_port, "512", local_port=caller_port, hold_ms=3000, answer_timeout_ms=3000)
    deadline = time.monotonic() + 30
    while sum(1 for line in pbx.queue_log_lines() if line[4:5] and line[4] in ENDS) < 3:
        assert time.monotonic() < deadline, pbx.failure_report()
        time.sleep(0.2)

    assert Collector(server).run_once().rejected == 0
    lines = [line for line in pbx.queue_log_lines() if len(line) > 4]
    ends = {line[2]: line for line in lines if line[4] in ENDS}
    assert {q: line[4] for q, line in ends.items()} == {
        "sales": "COMPLETECALLER",
        "support": "COMPLETEAGENT",
        "late": "ABANDON",
    }
    connects = {line[2]: line for line in lines if line[4] == "CONNECT"}

    client.force_login(make_user("stat", "global_statistics"))
    today = timezone.localdate().isoformat()
    period = {"start": today, "end": today}
    response = client.get("/stats/queues/", period)
    assert table(response, "queues")["rows"] == [
        ["late", "1", "0", "0.0 %", "1", "100.0 %", "0", "0.0 %", "0", "0.0 %"],
        ["sales", "1", "1", "100.0 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %"],
        ["support", "1", "1", "100.0 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %"],
    ]
    agents_rows = {r[0]: r for r in table(response, "agents")["rows"]}
    for queue, agent in (("sales", "201"), ("support", "202")):
        talk = ends[queue][6]  # COMPLETECALLER / COMPLETEAGENT: holdtime|calltime|origposition
        assert agents_rows[agent][5:7] == ["1", hms(talk)]
        assert ends[queue][5] == connects[queue][5]  # the same holdtime on both lines

    response = client.get("/stats/calls/", {**period, "unit": "day"})
    answered = {r[0]: r for r in table(response, "answered")["rows"]}
    assert answered["sales"][7] == "caller" and answered["support"][7] == "agent"
    assert answered["sales"][4:6] == [hms(ends["sales"][5]), hms(ends["sales"][6])]
    assert answered["support"][4:6] == [hms(ends["support"][5]), hms(ends["support"][6])]
    (lost,) = table(response, "lost")["rows"]
    assert lost[0] == "late" and lost[3] == hms(ends["late"][7])  # ABANDON: pos|origpos|wait
    assert lost[4] == "hung up"
    assert int(ends["late"][7]) >= 2  # the caller waited before giving up
