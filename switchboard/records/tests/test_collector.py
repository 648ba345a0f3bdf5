"""The collector without Asterisk: parsing (pure), keys, and reading files incrementally
(partial lines, restarts, rotation, truncation) into the database exactly once."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from switchboard.records.collector import (
    CDR_SOURCE,
    Collector,
    Directory,
    Rejected,
    cdr_from_database,
    endpoint_of,
    parse_cdr_line,
    parse_queue_log_line,
    split_lines,
)
from switchboard.records.keys import cdr_key, queue_log_key
from switchboard.records.models import CallRecord, CollectorPosition, QueueLogEntry
from switchboard.records.signals import records_collected

UTC = dt.UTC
LINE = (
    '"","201","202","sb-phones","""Anne Martin"" <201>","PJSIP/201-00000001",'
    '"PJSIP/202-00000002","Dial","PJSIP/202,30","2026-11-24 10:00:00","2026-11-24 10:00:03",'
    '"2026-11-24 10:00:13",13,10,"ANSWERED","DOCUMENTATION","1700000000.1",""'
)


def cdr_line(n: int, *, src: str = "201", dst: str = "202", disposition: str = "ANSWERED") -> str:
    start = dt.datetime(2026, 11, 24, 10, 0, 0) + dt.timedelta(minutes=n)
    answer = start + dt.timedelta(seconds=2)
    end = start + dt.timedelta(seconds=12)
    return (
        f'"","{src}","{dst}","sb-phones","<{src}>","PJSIP/{src}-{n:08x}","PJSIP/{dst}-{n:08x}",'
        f'"Dial","PJSIP/{dst}","{start:%Y-%m-%d %H:%M:%S}","{answer:%Y-%m-%d %H:%M:%S}",'
        f'"{end:%Y-%m-%d %H:%M:%S}",12,10,"{disposition}","DOCUMENTATION","17000000{n:02d}.1",""\n'
    )


def queue_line(n: int, event: str = "ENTERQUEUE") -> str:
    return f"{1764000000 + n}|17000000{n:02d}.1|sales|NONE|{event}||0188801|1\n"


# --- pure ---------------------------------------------------------------------------------


def test_a_master_csv_line_becomes_a_record_with_its_key() -> None:
    row = parse_cdr_line(LINE, UTC)
    assert row["clid"] == '"Anne Martin" <201>'
    assert row["lastdata"] == "PJSIP/202,30"
    assert row["start"] == dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)
    assert row["answer"] == dt.datetime(2026, 11, 24, 10, 0, 3, tzinfo=UTC)
    assert row["end"] == dt.datetime(2026, 11, 24, 10, 0, 13, tzinfo=UTC)
    assert (row["duration"], row["billsec"], row["disposition"]) == (13, 10, "ANSWERED")
    assert (row["uniqueid"], row["amaflags"], row["userfield"]) == (
        "1700000000.1",
        "DOCUMENTATION",
        "",
    )
    stamp = int(dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC).timestamp())
    assert row["key"] == cdr_key(
        stamp,
        "1700000000.1",
        "2026-11-24 10:00:00",
        "PJSIP/201-00000001",
        "PJSIP/202-00000002",
        "202",
        13,
    )
    # The key starts with the time (the index fills at its end), then a 64-bit digest.
    assert len(row["key"]) == 24 and row["key"][:8] == f"{stamp:08x}"
    # An unanswered call has no answer time.
    missed = parse_cdr_line(cdr_line(1).replace('"2026-11-24 10:01:02"', '""'), UTC)
    assert missed["answer"] is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('"a","b"', "2 fields instead of 18"),
        (LINE.replace('"2026-11-24 10:00:00"', '"yesterday"'), "bad time 'yesterday'"),
        (LINE.replace(",13,10,", ",x,10,"), "duration is not a whole number"),
        (LINE.replace('"ANSWERED"', '"MAYBE"'), "unknown status 'MAYBE'"),
        (LINE.replace('"2026-11-24 10:00:00"', '""'), "no start time"),
    ],
)
def test_bad_master_csv_lines_are_rejected_with_a_reason(line: str, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        parse_cdr_line(line, UTC)


def test_the_same_cdr_from_a_database_row_gets_the_same_key() -> None:
    from_csv = parse_cdr_line(LINE, UTC)
    from_db = cdr_from_database(
        {
            "calldate": dt.datetime(2026, 11, 24, 10, 0, 0),
            "clid": '"Anne Martin" <201>',
            "src": "201",
            "dst": "202",
            "dcontext": "sb-phones",
            "channel": "PJSIP/201-00000001",
            "dstchannel": "PJSIP/202-00000002",
            "lastapp": "Dial",
            "lastdata": "PJSIP/202,30",
            "duration": 13,
            "billsec": 10,
            "disposition": "ANSWERED",
            "amaflags": 3,
            "accountcode": "",
            "uniqueid": "1700000000.1",
            "userfield": "",
            "linkedid": "1700000000.1",
            "sequence": 4,
        },
        UTC,
    )
    assert from_db["key"] == from_csv["key"]
    assert from_db["amaflags"] == "DOCUMENTATION" and from_db["sequence"] == 4
    assert (from_db["answer"], from_db["end"]) == (from_csv["answer"], from_csv["end"])


def test_queue_log_lines() -> None:
    line = "1764000000|1700000000.1|sales|PJSIP/201|CONNECT|5|1700000000.2|1"
    row = parse_queue_log_line(line)
    assert row["time"] == dt.datetime.fromtimestamp(1764000000, tz=UTC)
    assert (row["callid"], row["queue"], row["agent"], row["event"]) == (
        "1700000000.1",
        "sales",
        "PJSIP/201",
        "CONNECT",
    )
    assert [row[f"data{i}"] for i in range(1, 6)] == ["5", "1700000000.2", "1", "", ""]
    fields = ("1700000000.1", "sales", "PJSIP/201", "CONNECT", ["5", "1700000000.2", "1", "", ""])
    assert row["key"] == queue_log_key(1764000000, *fields)
    assert parse_queue_log_line(line + "\n")["key"] == row["key"]
    assert parse_queue_log_line(line + "|")["key"] == row["key"]  # empty data fields
    assert parse_queue_log_line(line.replace("CONNECT", "AGENTDUMP"))["key"] != row["key"]
    many = parse_queue_log_line("1|c|q|a|E|1|2|3|4|5|6|7")
    assert many["data5"] == "5|6|7"
    for bad, reason in (("1|c|q|a", "4 fields"), ("x|c|q|a|E", "bad time"), ("1|c|q|a|", "no ev")):
        with pytest.raises(Rejected, match=reason):
            parse_queue_log_line(bad)


def test_only_complete_lines_are_taken() -> None:
    data = b'"a","b"\n"c","multi\nline"\n\n"partial'
    lines, consumed = split_lines(data, csv_quotes=True)
    assert lines == [b'"a","b"', b'"c","multi\nline"']
    assert consumed == data.index(b'"partial')
    lines, consumed = split_lines(data, csv_quotes=True, final=True)
    assert lines[-1] == b'"partial' and consumed == len(data)
    assert split_lines(b"1|a\r\n2|b", csv_quotes=False) == ([b"1|a"], 5)


def test_direction_and_owner_come_from_the_channels() -> None:
    directory = Directory({"201": (1, 10), "202": (2, None)}, frozenset({"trunk-orange"}))
    assert endpoint_of("PJSIP/trunk-orange-0000000a") == ("PJSIP", "trunk-orange")
    assert endpoint_of("Local/201@sb-phones-00000001;1") == ("Local", "")
    assert directory.classify("PJSIP/201-1", "PJSIP/202-2") == ("internal", 1, 10)
    assert directory.classify("PJSIP/201-1", "PJSIP/trunk-orange-2") == ("outbound", 1, 10)
    assert directory.classify("PJSIP/trunk-orange-1", "PJSIP/202-2") == ("inbound", 2, None)
    assert directory.classify("PJSIP/trunk-orange-1", "") == ("inbound", None, None)
    assert directory.classify("PJSIP/201-1", "") == ("internal", 1, 10)
    assert directory.classify("PJSIP/desk-1", "") == ("other", None, None)


# --- files and database -------------------------------------------------------------------


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    (tmp_path / "cdr-csv").mkdir()
    return tmp_path


@pytest.fixture
def server(db: None, log_dir: Path):
    from switchboard.telephony.models import PbxServer

    return PbxServer.objects.create(
        name="pbx", host="h", ami_user="u", ami_secret="s", log_dir=str(log_dir)
    )


def append(path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)


def stored_cdrs() -> list[str]:
    return sorted(CallRecord.objects.values_list("uniqueid", flat=True))


def test_collection_is_incremental_and_exactly_once(server, log_dir: Path) -> None:
    from switchboard.accounts.models import Department
    from switchboard.pbx.models import Phone

    sales = Department.objects.create(name="Sales")
    anne = Phone.objects.create(server=server, extension="201", department=sales)
    master, queue_log = log_dir / "cdr-csv/Master.csv", log_dir / "queue_log"
    seen: list[list[int]] = []

    def receiver(sender, server, record_ids, **kwargs) -> None:
        seen.append(sorted(record_ids))

    records_collected.connect(receiver)
    try:
        assert Collector(server).run_once().rows == 0  # no files yet
        append(master, cdr_line(1) + cdr_line(2) + cdr_line(3)[:40])
        append(queue_log, queue_line(1) + queue_line(2)[:10])
        result = Collector(server).run_once()
        assert (result.cdr.created, result.queue_log.created) == (2, 1)
        assert stored_cdrs() == ["1700000001.1", "1700000002.1"]
        assert seen == [sorted(CallRecord.objects.values_list("pk", flat=True))]
        record = CallRecord.objects.get(uniqueid="1700000001.1")
        assert (record.direction, record.phone, record.department) == ("internal", anne, sales)
        # The partial lines are completed: read once, nothing else again.
        append(master, cdr_line(3)[40:] + cdr_line(4, disposition="BUSY"))
        append(queue_log, queue_line(2)[10:])
        result = Collector(server).run_once()
        assert (result.cdr.read, result.cdr.created, result.queue_log.created) == (2, 2, 1)
        assert Collector(server).run_once().rows == 0
        assert len(seen) == 2 and len(seen[1]) == 2
        # A position lost (collector died before saving it) re-reads, but stores nothing twice.
        CollectorPosition.objects.filter(source=CDR_SOURCE).update(offset=0)
        again = Collector(server).run_once()
        assert (again.cdr.read, again.cdr.created, again.cdr.existing) == (4, 0, 4)
        assert len(seen) == 2  # no signal for rows already there
        assert stored_cdrs() == [f"17000000{n:02d}.1" for n in range(1, 5)]
        assert QueueLogEntry.objects.count() == 2
    finally:
        records_collected.disconnect(receiver)


def test_rotation_and_truncation_lose_nothing(server, log_dir: Path) -> None:
    master, queue_log = log_dir / "cdr-csv/Master.csv", log_dir / "queue_log"
    append(master, cdr_line(1) + cdr_line(2))
    append(queue_log, queue_line(1))
    Collector(server).run_once()
    # Lines written just before the rotation, then the file is renamed and a new one begins.
    append(master, cdr_line(3))
    append(queue_log, queue_line(2))
    master.rename(master.with_name("Master.csv.1"))
    queue_log.rename(log_dir / "queue_log.0")
    append(master, cdr_line(4))
    append(queue_log, queue_line(3))
    result = Collector(server).run_once()
    assert (result.cdr.created, result.queue_log.created) == (2, 2)
    assert stored_cdrs() == [f"17000000{n:02d}.1" for n in range(1, 5)]
    # Rotated away and not yet recreated: the old file is finished, then the new one read.
    append(master, cdr_line(5))
    os.replace(master, master.with_name("Master.csv.1"))
    Collector(server).run_once()
    append(master, cdr_line(6))
    Collector(server).run_once()
    assert stored_cdrs() == [f"17000000{n:02d}.1" for n in range(1, 7)]
    # Truncated in place (copytruncate), then written again: read from its start.
    master.write_text("")
    Collector(server).run_once()
    append(master, cdr_line(7))
    assert Collector(server).run_once().cdr.created == 1
    # Replaced by a file of the same size but other content: a new file.
    queue_log.write_text(queue_line(4))
    assert Collector(server).run_once().queue_log.created == 1
    assert stored_cdrs() == [f"17000000{n:02d}.1" for n in range(1, 8)]
    assert QueueLogEntry.objects.count() == 4


def test_bad_lines_are_skipped_and_counted(server, log_dir: Path) -> None:
    append(log_dir / "cdr-csv/Master.csv", cdr_line(1) + '"broken","line"\n' + cdr_line(2))
    append(log_dir / "queue_log", "not a queue log line\n" + queue_line(1))
    result = Collector(server).run_once()
    assert (result.cdr.created, result.queue_log.created, result.rejected) == (2, 1, 2)
    assert Collector(server).run_once().rows == 0


@pytest.mark.parametrize("name", ["log_dir", "recordings_dir"])
def test_the_log_and_recordings_directories_of_a_pbx_are_checked(
    db: None, tmp_path: Path, name: str
) -> None:
    from django.utils import translation

    from switchboard.telephony.forms import PbxServerForm

    base = {"name": "p", "host": "h", "ami_port": 5038, "ami_user": "u", "ami_secret": "s"}
    with translation.override("en"):
        for value, error in (
            ("log", "Give an absolute path"),
            (str(tmp_path / "nowhere"), "does not exist"),
        ):
            form = PbxServerForm(data={**base, name: value, "enabled": "on"})
            assert not form.is_valid() and error in str(form.errors[name])
    form = PbxServerForm(data={**base, name: f"{tmp_path}/", "enabled": "on"})
    form.is_valid()  # (the AMI check of the form fails: no PBX at "h")
    assert name not in form.errors and form.cleaned_data[name] == str(tmp_path)


def test_servers_of_the_configuration_file_bring_their_directories(db: None) -> None:
    from switchboard.config import AsteriskServer
    from switchboard.telephony.services import sync_configured_servers

    entry = AsteriskServer(
        name="cfg",
        host="h",
        ami_port=5038,
        ami_user="u",
        ami_secret="s",
        ari_url="",
        ari_user="",
        ari_password="",
        log_dir="/var/log/asterisk",
        recordings_dir="/var/spool/asterisk/monitor",
    )
    (server,) = sync_configured_servers([entry])
    server.refresh_from_db()
    assert (server.log_dir, server.recordings_dir) == (
        "/var/log/asterisk",
        "/var/spool/asterisk/monitor",
    )


def test_new_calls_are_queued_once_for_the_rating_pass(server, log_dir: Path) -> None:
    from switchboard.records.models import NewCall

    master = log_dir / "cdr-csv/Master.csv"
    append(master, cdr_line(1) + cdr_line(2))
    Collector(server).run_once()
    queued = set(NewCall.objects.values_list("record_id", flat=True))
    assert queued == set(CallRecord.objects.values_list("pk", flat=True)) and len(queued) == 2
    NewCall.objects.all().delete()  # a pass took them
    CollectorPosition.objects.filter(source=CDR_SOURCE).update(offset=0)
    append(master, cdr_line(3))
    Collector(server).run_once()  # re-reads 1 and 2 (already there): only 3 is queued
    assert list(NewCall.objects.values_list("record__uniqueid", flat=True)) == ["1700000003.1"]


def test_colliding_keys_lose_no_row_and_count_none_twice(
    server, log_dir: Path, monkeypatch
) -> None:
    """Every digest made equal: rows of the same second share their key; each is still
    stored once, under the next key of its sequence, and found there when read again."""
    from switchboard.records import keys

    class Same:
        def __init__(self, data: bytes, digest_size: int) -> None:
            self.size = digest_size

        def hexdigest(self) -> str:
            return "ab" * self.size

    monkeypatch.setattr(keys, "DIGEST", Same)
    queue_log = log_dir / "queue_log"
    lines = [f"1764000000|call{n}|sales|NONE|ENTERQUEUE||0188801|1\n" for n in range(4)]
    append(queue_log, "".join(lines[:3]))
    first = Collector(server).run_once()
    assert (first.queue_log.read, first.queue_log.created) == (3, 3)
    stored = sorted(QueueLogEntry.objects.values_list("key", "callid"))
    base = f"{1764000000:08x}" + "ab" * 8
    assert stored == [(base, "call0"), (f"{base}~1", "call1"), (f"{base}~2", "call2")]
    # Read again from the start, with one more line: only the new one is stored.
    CollectorPosition.objects.filter(source="queue_log").update(offset=0)
    append(queue_log, lines[3])
    again = Collector(server).run_once()
    assert (again.queue_log.read, again.queue_log.created, again.queue_log.existing) == (4, 1, 3)
    assert QueueLogEntry.objects.count() == 4
    assert QueueLogEntry.objects.get(callid="call3").key == f"{base}~3"


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Sao_Paulo"])
def test_fast_collection_stores_what_the_parser_reads(
    server, log_dir: Path, settings, zone: str
) -> None:
    """The collector's fast path (no dicts, cached time zones) stores the same values as
    ``parse_cdr_line`` and ``parse_queue_log_line``, in any time zone (summer time too)."""
    settings.TIME_ZONE = zone
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    lines = [
        cdr_line(1),
        cdr_line(2, src="0612345678", dst="201").replace("2026-11-24 10:02", "2026-03-29 02:30"),
        cdr_line(3, disposition="NO ANSWER").replace('"2026-11-24 10:03:02"', '""'),
        LINE + "\n",
    ]
    append(log_dir / "cdr-csv/Master.csv", "".join(lines))
    append(log_dir / "queue_log", queue_line(1) + "1764000000|c|q|PJSIP/201|CONNECT|5|id|1\n")
    result = Collector(server).run_once()
    assert (result.cdr.created, result.queue_log.created, result.rejected) == (4, 2, 0)
    names = ("key", "start", "answer", "end", "src", "dst", "duration", "billsec", "clid")
    for line in lines:
        expected = parse_cdr_line(line.rstrip("\n"), tz)
        stored = CallRecord.objects.filter(key=expected["key"]).values(*names).get()

        def plain(values: dict) -> dict:  # instants (a time in the spring gap compares unequal)
            return {
                n: v.timestamp() if isinstance(v, dt.datetime) else v for n, v in values.items()
            }

        assert plain(stored) == plain({name: expected[name] for name in names})
    for entry in QueueLogEntry.objects.all():
        line = f"{int(entry.time.timestamp())}|{entry.callid}|{entry.queue}|{entry.agent}|"
        line += f"{entry.event}|{entry.data1}|{entry.data2}|{entry.data3}"
        assert parse_queue_log_line(line)["key"] == entry.key
