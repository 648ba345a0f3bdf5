"""Issue 5 proof: a known mix of queue calls through a real Asterisk 22, exact statistics.

The portal configures the queues and phones (``apply_configuration``); SIPp plays the callers
and the agents' phones. The mix, one call after the other:

1. ``sales``: 201 answers after 1 s, the caller hangs up after 2 s of talk;
2. ``sales``: 201 again, the caller hangs up after 4 s of talk;
3. ``support``: 202 answers after 1 s and hangs up after 2 s of talk;
4. ``late``: 203 never answers, the caller gives up after 3 s of waiting;
5. ``late`` entered with a maximum wait of 3 s (the administrator's own dialplan, number 599):
   the call times out of the queue and goes on to the next dialplan step, which marks the CDR;
6. ``helpdesk``: 205 answers after 1 s, talks 1.5 s, then transfers the caller blindly to 204
   with a SIP REFER; the caller talks with 204 and hangs up;
7. ``closed``: no member and "stop when no member is online": refused at the door (Asterisk
   writes nothing to queue_log for that; the portal's dialplan logs it for the statistics).

Then the collector reads Asterisk's files and the statistics pages (S1 global, S2 queues,
S3/S4 call detail and agent analytics) must show the figures written below by hand from the
mix: counts exactly, durations within what the scenario allows (Asterisk counts whole
seconds) and equal to Asterisk's own queue_log. The collected CDRs equal Master.csv field by
field, the collected queue events equal the queue_log file line by line.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import time

import pytest
from django.utils import timezone

from switchboard.pbx.models import Generation, Phone, Queue, QueueMember
from switchboard.pbx.services import apply_configuration
from switchboard.records.collector import CDR_COLUMNS, Collector, parse_queue_log_line
from switchboard.records.models import CallRecord, QueueLogEntry
from switchboard.stats import aggregates
from switchboard.testing.asterisk import AsteriskInstance
from switchboard.testing.sipp import CallResult, TransferringPhone, place_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

TIMEOUT_NUMBER = "599"
# The administrator's own dialplan (merged into the portal's phones context): the queue
# ``late`` with a maximum wait of 3 s, then the next step records how the queue ended.
TIMEOUT_DIALPLAN = f"""
[sb-phones]
exten => {TIMEOUT_NUMBER},1,NoOp(Queue late with a maximum wait)
 same => n,Answer()
 same => n,Queue(late,t,,,3)
 same => n,Set(CDR(userfield)=after-queue-${{QUEUESTATUS}})
 same => n,Hangup()
"""
ENDS = {
    "COMPLETECALLER",
    "COMPLETEAGENT",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "EXITEMPTY",
    "BLINDTRANSFER",
    "TRANSFER",
    "JOINEMPTY",
}


@pytest.fixture
def portal_pbx_appends() -> dict[str, str]:
    return {"extensions.conf": TIMEOUT_DIALPLAN}


def table(response, key: str) -> dict:
    return next(t for t in response.context["tables"] if t["key"] == key)


def hms(seconds: int | str) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def queue_events(pbx: AsteriskInstance) -> list[list[str]]:
    return [line for line in pbx.queue_log_lines() if len(line) > 4]


def wait_for_end(pbx: AsteriskInstance, queue: str, count: int, timeout_s: float = 60) -> None:
    """Wait until ``queue`` has ``count`` terminal events in Asterisk's queue_log."""
    deadline = time.monotonic() + timeout_s
    while sum(1 for e in queue_events(pbx) if e[2] == queue and e[4] in ENDS) < count:
        assert time.monotonic() < deadline, (
            f"{queue}: fewer than {count} ends in queue_log\n"
            + "\n".join("|".join(e) for e in queue_events(pbx))
            + pbx.failure_report(300)
        )
        time.sleep(0.2)


def wait_until_ready(pbx: AsteriskInstance, caller_port: int, numbers: list[str]) -> None:
    """Wait until Asterisk recognises the caller and knows every number and queue (the apply
    already checked it; this only guards the first call on a loaded machine)."""
    deadline = time.monotonic() + 30
    while True:
        identifies = pbx.cli("pjsip show identifies")
        plan = pbx.cli("dialplan show sb-phones") + pbx.cli("dialplan show sb-internal")
        if f":{caller_port}" in identifies and all(f"'{n}'" in plan for n in numbers):
            return
        assert time.monotonic() < deadline, f"{identifies}\n{plan}"
        time.sleep(0.2)


def as_csv_row(record: CallRecord) -> list[str]:
    """A collected record written back the way cdr_csv writes it."""

    def when(value) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    row = {name: str(getattr(record, name)) for name in CDR_COLUMNS}
    row.update(start=when(record.start), answer=when(record.answer), end=when(record.end))
    return [row[name] for name in CDR_COLUMNS]


def test_known_call_mix_gives_exact_statistics(
    portal_pbx, portal_server, answering_phone_factory, caller_port, client, make_user
) -> None:
    pbx, server = portal_pbx, portal_server
    server.log_dir = str(pbx.log_dir)
    server.save()
    with contextlib.ExitStack() as stack:
        phones = {
            "201": answering_phone_factory("201", answer_after_ms=1000),
            "202": answering_phone_factory("202", answer_after_ms=1000, hangup_after_ms=2000),
            "203": answering_phone_factory("203", answer_after_ms=None),
            "204": answering_phone_factory("204", answer_after_ms=500),
            "205": stack.enter_context(
                TransferringPhone("205", refer_to="204", answer_after_ms=1000, refer_after_ms=1500)
            ),
        }
        rows = {
            ext: Phone.objects.create(
                server=server, extension=ext, fixed_address=f"127.0.0.1:{phone.port}"
            )
            for ext, phone in phones.items()
        }
        members = {"sales": "201", "support": "202", "late": "203", "helpdesk": "205"}
        numbers = {"sales": "520", "support": "521", "late": "522", "helpdesk": "523"}
        for name, ext in members.items():
            queue = Queue.objects.create(server=server, name=name, number=numbers[name])
            QueueMember.objects.create(queue=queue, phone=rows[ext])
        Queue.objects.create(server=server, name="closed", number="524", leave_when_empty=True)
        entry = apply_configuration(server)
        assert entry.outcome == Generation.Outcome.LIVE, entry.message
        wait_until_ready(pbx, caller_port, ["520", "521", "522", "523", "524", TIMEOUT_NUMBER])

        def dial(number: str, caller: str, hold_ms: int) -> CallResult:
            result = place_call(
                pbx.sip_port,
                number,
                caller_id=caller,
                hold_ms=hold_ms,
                local_port=caller_port,
                answer_timeout_ms=10000,
            )
            # Every caller is answered by Answer() before the queue.
            assert result.answered_calls == 1, f"{result}\n{pbx.failure_report(300)}"
            return result

        # hold_ms runs from Asterisk's Answer() (half a second before Queue()).
        results = [
            dial("520", "5550001", 3500),
            dial("520", "5550002", 5500),
            dial("521", "5550003", 15000),
            dial("522", "5550004", 3500),
            dial(TIMEOUT_NUMBER, "5550005", 20000),
            dial("523", "5550006", 6000),
            dial("524", "5550007", 5000),
        ]
        for queue, count in (
            ("sales", 2), ("support", 1), ("late", 2), ("helpdesk", 1), ("closed", 1)
        ):  # fmt: skip
            wait_for_end(pbx, queue, count)
        # 202, the dialplan after the time-out and the closed queue hang up on their callers.
        assert [r.remote_hangups for r in results] == [0, 0, 1, 0, 1, 0, 1]
        cdr_rows = pbx.wait_for_cdr_rows(9, timeout_s=30)
        deadline = time.monotonic() + 30
        while phones["205"].stats().hung_up_by_phone < 1:  # the transferring phone is done
            assert time.monotonic() < deadline, phones["205"].diagnostics()
            time.sleep(0.2)
    transfer = phones["205"].final_stats
    assert (transfer.answered, transfer.hung_up_by_phone) == (1, 1)
    assert phones["204"].stats().answered == 1  # the transfer's target took the caller

    # What Asterisk itself wrote, per caller (callers are told apart by their number).
    events = queue_events(pbx)
    entered = {e[1]: e for e in events if e[4] == "ENTERQUEUE"}
    ends = {entered[e[1]][6]: e for e in events if e[4] in ENDS and e[1] in entered}
    (refused,) = [e for e in events if e[1] not in entered and e[1] != "NONE"]
    assert refused[2:5] == ["closed", "NONE", "JOINEMPTY"]
    assert {caller: e[4] for caller, e in ends.items()} == {
        "5550001": "COMPLETECALLER",
        "5550002": "COMPLETECALLER",
        "5550003": "COMPLETEAGENT",
        "5550004": "ABANDON",
        "5550005": "EXITWITHTIMEOUT",
        "5550006": "BLINDTRANSFER",
    }
    assert ends["5550006"][5] == "204"  # transferred to 204
    rings = sorted((e[3], e[4]) for e in events if e[4].startswith("RING"))
    assert rings == [("203", "RINGCANCELED"), ("203", "RINGNOANSWER")]

    # Waits and talks of Asterisk's lines (whole seconds), within what the mix allows.
    wait = {c: int(e[5]) for c, e in ends.items() if e[4].startswith("COMPLETE")}
    talk = {c: int(e[6]) for c, e in ends.items() if e[4].startswith("COMPLETE")}
    wait["5550006"], talk["5550006"] = int(ends["5550006"][7]), int(ends["5550006"][8])
    lost_wait = {c: int(ends[c][7]) for c in ("5550004", "5550005")}
    assert all(0 <= w <= 3 for w in wait.values()), wait  # the agents answer after 1 s
    planned_talk = {"5550001": 2, "5550002": 4, "5550003": 2, "5550006": 1.5}
    assert all(abs(talk[c] - planned_talk[c]) <= 1.5 for c in planned_talk), talk
    assert 2 <= lost_wait["5550004"] <= 4 and 3 <= lost_wait["5550005"] <= 5, lost_wait

    # Collection: the database equals Asterisk's files.
    result = Collector(server).run_once()
    assert result.rejected == 0
    with pbx.cdr_csv_path.open(newline="") as handle:
        master = sorted(row[: len(CDR_COLUMNS)] for row in csv.reader(handle))
    assert len(master) == len(cdr_rows) == 9
    collected = sorted(as_csv_row(r) for r in CallRecord.objects.filter(server=server))
    assert collected == master
    lines = [line for line in pbx.queue_log_path.read_text().splitlines() if line]
    stored = {entry.key: entry for entry in QueueLogEntry.objects.filter(server=server)}
    assert len(stored) == len(lines)
    for line in lines:
        parsed = parse_queue_log_line(line)
        entry = stored[parsed["key"]]
        assert {name: getattr(entry, name) for name in parsed} == parsed, line
    # The CDRs of the mix, by hand: the time-out's next step and the transfer add one each.
    assert sorted(
        (r.src, r.dst, r.disposition, r.lastapp, r.dstchannel.split("-")[0], r.userfield)
        for r in CallRecord.objects.all()
    ) == [
        ("5550001", "520", "ANSWERED", "Queue", "PJSIP/201", ""),
        ("5550002", "520", "ANSWERED", "Queue", "PJSIP/201", ""),
        ("5550003", "521", "ANSWERED", "Queue", "PJSIP/202", ""),
        ("5550004", "522", "NO ANSWER", "Queue", "PJSIP/203", ""),
        ("5550005", "599", "ANSWERED", "Hangup", "", "after-queue-TIMEOUT"),
        ("5550005", "599", "NO ANSWER", "Queue", "PJSIP/203", ""),
        ("5550006", "204", "ANSWERED", "Dial", "PJSIP/204", ""),
        ("5550006", "204", "ANSWERED", "Queue", "PJSIP/205", ""),
        ("5550007", "524", "ANSWERED", "Hangup", "", ""),
    ]
    # The refusal is logged under the caller's channel.
    assert CallRecord.objects.get(dst="524").uniqueid == refused[1]

    aggregates.refresh_queue_log()
    aggregates.refresh_cdr()
    today = timezone.localdate()
    # From the day before (a run across midnight stays in the period) to today.
    period = {"start": (today - dt.timedelta(days=1)).isoformat(), "end": today.isoformat()}
    client.force_login(make_user("stat", "global_statistics"))

    def when(epoch: str) -> str:
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")

    # --- S2: queue statistics --------------------------------------------------------------
    response = client.get("/stats/queues/", period)
    assert response.status_code == 200
    assert table(response, "queues")["rows"] == [
        ["closed", "1", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %", "1", "100.0 %"],
        ["helpdesk", "1", "1", "100.0 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %"],
        ["late", "2", "0", "0.0 %", "1", "50.0 %", "1", "50.0 %", "0", "0.0 %"],
        ["sales", "2", "2", "100.0 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %"],
        ["support", "1", "1", "100.0 %", "0", "0.0 %", "0", "0.0 %", "0", "0.0 %"],
    ]
    assert table(response, "queues")["footer"] == [
        "Total", "7", "4", "57.1 %", "1", "14.3 %", "1", "14.3 %", "1", "14.3 %"
    ]  # fmt: skip
    assert table(response, "service_level")["rows"] == [["< 0m30s", "4", "100.0 %", "100.0 %"]]
    assert table(response, "abandons")["rows"] == [["< 0m30s", "1", "100.0 %", "100.0 %"]]
    assert [row[1:] for row in table(response, "weekdays")["rows"]] == [["7", "100.0 %"]]
    half_hours = table(response, "half_hours")["rows"]
    assert sum(int(row[1]) for row in half_hours) == 7
    assert [sum(int(row[i]) for row in half_hours) for i in (3, 5, 7, 9)] == [1, 1, 1, 4]
    sales_talk = talk["5550001"] + talk["5550002"]
    zero = hms(0)
    assert table(response, "agents")["rows"] == [
        ["201", "0", zero, "0", zero, "2", hms(sales_talk), hms(round(sales_talk / 2)),
         "0", zero, ""],
        ["202", "0", zero, "0", zero, "1", hms(talk["5550003"]), hms(talk["5550003"]),
         "0", zero, ""],
        ["205", "0", zero, "0", zero, "1", hms(talk["5550006"]), hms(talk["5550006"]),
         "0", zero, ""],
    ]  # fmt: skip

    # --- S3 / S4: queue call detail --------------------------------------------------------
    response = client.get("/stats/calls/", {**period, "unit": "day"})
    assert response.status_code == 200
    answered_callers = ("5550001", "5550002", "5550003", "5550006")
    agent_of = {"5550001": "201", "5550002": "201", "5550003": "202", "5550006": "205"}
    ended_by = {"5550001": "caller", "5550002": "caller", "5550003": "agent"}
    assert table(response, "answered")["rows"] == [
        [
            ends[c][2],
            agent_of[c],
            when(entered[ends[c][1]][0]),
            c,
            hms(wait[c]),
            hms(talk[c]),
            "1",
            ended_by.get(c, "transfer"),
        ]
        for c in answered_callers
    ]
    assert table(response, "lost")["rows"] == [
        ["late", when(entered[ends[c][1]][0]), c, hms(lost_wait[c]), status]
        for c, status in (("5550004", "hung up"), ("5550005", "timed out"))
    ]
    waits, talks, losts = list(wait.values()), list(talk.values()), list(lost_wait.values())

    def figures(values: list[int]) -> list[str]:
        return [hms(sum(values)), hms(round(sum(values) / len(values))), hms(min(values)),
                hms(max(values))]  # fmt: skip

    assert table(response, "summary")["rows"] == [
        ["Talk time of answered calls", "4", *figures(talks)],
        ["Wait of answered calls", "4", *figures(waits)],
        ["Wait of lost calls", "2", *figures(losts)],
        ["Longest queue (callers)", "1", "", "", "", ""],
    ]
    assert table(response, "agents")["rows"] == [
        ["201", "2", hms(wait["5550001"] + wait["5550002"]), hms(sales_talk),
         "2", "100.0 %", "0", "0.0 %", "0", "0.0 %"],
        ["202", "1", hms(wait["5550003"]), hms(talk["5550003"]),
         "0", "0.0 %", "1", "100.0 %", "0", "0.0 %"],
        ["205", "1", hms(wait["5550006"]), hms(talk["5550006"]),
         "0", "0.0 %", "0", "0.0 %", "1", "100.0 %"],
    ]  # fmt: skip
    assert table(response, "queues")["rows"] == [
        ["helpdesk", "1", hms(wait["5550006"]), hms(talk["5550006"])],
        ["sales", "2", hms(wait["5550001"] + wait["5550002"]), hms(sales_talk)],
        ["support", "1", hms(wait["5550003"]), hms(talk["5550003"])],
    ]
    (day_row,) = table(response, "periods")["rows"]
    assert day_row[1:] == [
        "6", "4", hms(round(sum(waits) / 4)), hms(round(sum(talks) / 4)), "66.7 %",
        "1", hms(wait["5550006"]), hms(talk["5550006"]), "16.7 %",
        "2", hms(round(sum(losts) / 2)), "33.3 %",
    ]  # fmt: skip
    empty_steps = [[f"≤ {limit}", "0", "0.0 %"] for limit in (10, 15, 30, 45, 60, 90, 120, 300)]
    assert table(response, "steps_answered")["rows"] == [
        ["≤ 5", "4", "100.0 %"], *empty_steps, ["> 300", "0", "0.0 %"]
    ]  # fmt: skip
    assert table(response, "steps_lost")["rows"] == [
        ["≤ 5", "2", "100.0 %"], *empty_steps, ["> 300", "0", "0.0 %"]
    ]  # fmt: skip
    # S4: answered, missed (rang without answer: the time-out), ended by the caller.
    assert table(response, "analytics")["rows"] == [
        ["201", "2", "0", "2", zero, ""],
        ["202", "1", "0", "0", zero, ""],
        ["203", "0", "1", "0", zero, ""],
        ["205", "1", "0", "0", zero, ""],
    ]

    # --- S1: global statistics over the CDRs -----------------------------------------------
    response = client.get("/stats/global/", {"year": today.year, "month": today.month})
    assert response.status_code == 200
    billsec = sum(int(row[CDR_COLUMNS.index("billsec")]) for row in master)
    for key in ("months", "days", "hours_year", "hours_month"):
        shown = table(response, key)
        assert shown["footer"] == ["Total", "9", hms(billsec)], key
        assert sum(int(row[1]) for row in shown["rows"]) == 9
