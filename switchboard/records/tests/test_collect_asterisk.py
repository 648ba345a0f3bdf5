"""Collection against a real Asterisk 22: SIPp places a known mix of calls through the
portal's configuration; the collected CDRs and queue events equal Asterisk's own files,
through a log rotation too."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from django.utils import timezone

from switchboard.accounts.models import Department
from switchboard.pbx.models import Generation, Phone, Queue, QueueMember
from switchboard.pbx.services import apply_configuration
from switchboard.records.collector import CDR_COLUMNS, Collector, parse_queue_log_line
from switchboard.records.models import CallRecord, QueueLogEntry
from switchboard.testing.asterisk import AsteriskInstance
from switchboard.testing.sipp import place_call, start_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def as_csv_row(record: CallRecord) -> dict[str, str]:
    """A collected record written back the way cdr_csv writes it."""

    def when(value) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    row = {name: str(getattr(record, name)) for name in CDR_COLUMNS}
    row.update(start=when(record.start), answer=when(record.answer), end=when(record.end))
    return row


def sort_key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row[name] for name in CDR_COLUMNS)


def wait_for_queue_lines(pbx: AsteriskInstance, event: str, count: int, timeout_s=20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while sum(1 for line in pbx.queue_log_lines() if line[4:5] == [event]) < count:
        assert time.monotonic() < deadline, f"fewer than {count} {event} in queue_log"
        time.sleep(0.2)


def assert_collected_equal_files(pbx: AsteriskInstance, server) -> None:
    expected = []
    for path in sorted(pbx.cdr_csv_path.parent.glob("Master.csv*")):
        with path.open(newline="") as handle:
            expected += [dict(zip(CDR_COLUMNS, row, strict=False)) for row in csv.reader(handle)]
    collected = sorted(
        (as_csv_row(r) for r in CallRecord.objects.filter(server=server)), key=sort_key
    )
    assert collected == sorted(expected, key=sort_key)
    lines = [line for line in pbx.queue_log_path.read_text().splitlines() if line]
    rotated = sorted(pbx.log_dir.glob("queue_log.*"))
    for old in rotated:
        lines += [line for line in old.read_text().splitlines() if line]
    entries = {entry.key: entry for entry in QueueLogEntry.objects.filter(server=server)}
    assert len(entries) == len(lines)
    for line in lines:
        parsed = parse_queue_log_line(line)
        entry = entries[parsed["key"]]
        for name, value in parsed.items():
            assert getattr(entry, name) == value, (line, name)


def test_collected_calls_equal_asterisks_own_records(
    portal_pbx: AsteriskInstance, portal_server, answering_phone_factory, caller_port
) -> None:
    pbx, server = portal_pbx, portal_server
    server.log_dir = str(pbx.log_dir)
    server.save()
    sales = Department.objects.create(name="Sales")
    phones = {
        "201": answering_phone_factory("201", answer_after_ms=300),
        "202": answering_phone_factory("202", reject_with=486),
        "203": answering_phone_factory("203", answer_after_ms=None),
    }
    rows = {
        ext: Phone.objects.create(
            server=server,
            extension=ext,
            fixed_address=f"127.0.0.1:{phone.port}",
            department=sales if ext == "201" else None,
        )
        for ext, phone in phones.items()
    }
    queue = Queue.objects.create(server=server, name="sales", number="500", ring_seconds=10)
    QueueMember.objects.create(queue=queue, phone=rows["201"])
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message

    answered = place_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=1500)
    assert answered.answered, answered.diagnostics
    busy = place_call(pbx.sip_port, "202", local_port=caller_port, answer_timeout_ms=5000)
    assert not busy.answered
    # The caller gives up while 203 rings.
    gave_up = place_call(pbx.sip_port, "203", local_port=caller_port, answer_timeout_ms=2000)
    assert not gave_up.answered
    queued = place_call(pbx.sip_port, "500", local_port=caller_port, hold_ms=1500)
    assert queued.answered, queued.diagnostics
    wait_for_queue_lines(pbx, "COMPLETECALLER", 1)
    cdrs = pbx.wait_for_cdr_rows(4, timeout_s=20)
    assert len(cdrs) >= 4, pbx.failure_report()

    first = Collector(server).run_once()
    assert first.rejected == 0
    assert first.cdr.created == len(cdrs)
    assert_collected_equal_files(pbx, server)
    statuses = {r.dst: r.disposition for r in CallRecord.objects.filter(server=server)}
    assert statuses["201"] == "ANSWERED"
    assert statuses["202"] == "BUSY"
    assert statuses["203"] == "NO ANSWER"
    assert statuses["500"] == "ANSWERED"
    assert {"ENTERQUEUE", "CONNECT", "COMPLETECALLER"} <= set(
        QueueLogEntry.objects.values_list("event", flat=True)
    )
    # Nothing new: nothing read twice.
    assert Collector(server).run_once().cdr.created == 0

    # Rotation while calls go on: Master.csv renamed by logrotate, queue_log by Asterisk.
    # One call not yet collected stays at the end of the renamed file.
    place_call(pbx.sip_port, "202", local_port=caller_port, answer_timeout_ms=5000)
    pbx.wait_for_cdr_rows(len(cdrs) + 1, timeout_s=20)
    unread = len(pbx.cdr_rows()) - first.cdr.created
    assert unread >= 1
    call = start_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=2500)
    master = Path(pbx.cdr_csv_path)
    master.rename(master.with_name("Master.csv.1"))
    pbx.cli("logger rotate")
    assert list(pbx.log_dir.glob("queue_log.*")), "Asterisk did not rotate queue_log"
    assert call.wait().answered
    time.sleep(1)
    place_call(pbx.sip_port, "500", local_port=caller_port, hold_ms=500, answer_timeout_ms=8000)
    deadline = time.monotonic() + 20
    ends = {"COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHTIMEOUT"}
    while not any(line[4] in ends for line in pbx.queue_log_lines() if len(line) > 4):
        assert time.monotonic() < deadline, "no queue call ended in the new queue_log"
        time.sleep(0.2)
    deadline = time.monotonic() + 20
    while not master.exists() or len(pbx.cdr_rows()) < 2:
        assert time.monotonic() < deadline, pbx.failure_report()
        time.sleep(0.2)
    result = Collector(server).run_once()
    assert result.rejected == 0 and result.cdr.created == len(pbx.cdr_rows()) + unread
    assert_collected_equal_files(pbx, server)
    # Owner and direction derived at collection: the desk is no phone of the portal.
    to_201 = CallRecord.objects.filter(server=server, dst="201").first()
    assert (to_201.direction, to_201.phone, to_201.department) == ("inbound", rows["201"], sales)
