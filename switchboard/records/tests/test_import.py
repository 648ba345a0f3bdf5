"""Import of call history from a real MariaDB ``asteriskcdrdb`` the test creates and fills,
and from a Master.csv file: the summary (read / imported / already there / rejected and why),
through the web page (progress, then summary) and ``manage.py import_cdr``."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from django.core.management import CommandError, call_command

from switchboard.records.collector import Collector
from switchboard.records.models import CallRecord, ImportRun

pytestmark = pytest.mark.django_db(transaction=True)

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}

# The standard cdr table of Asterisk's cdr_adaptive_odbc / cdr_mysql schema.
CDR_TABLE = """
CREATE TABLE cdr (
  calldate datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  clid varchar(80) NOT NULL DEFAULT '',
  src varchar(80) NOT NULL DEFAULT '',
  dst varchar(80) NOT NULL DEFAULT '',
  dcontext varchar(80) NOT NULL DEFAULT '',
  channel varchar(80) NOT NULL DEFAULT '',
  dstchannel varchar(80) NOT NULL DEFAULT '',
  lastapp varchar(80) NOT NULL DEFAULT '',
  lastdata varchar(80) NOT NULL DEFAULT '',
  duration int(11) NOT NULL DEFAULT 0,
  billsec int(11) NOT NULL DEFAULT 0,
  disposition varchar(45) NOT NULL DEFAULT '',
  amaflags int(11) NOT NULL DEFAULT 0,
  accountcode varchar(20) NOT NULL DEFAULT '',
  uniqueid varchar(32) NOT NULL DEFAULT '',
  userfield varchar(255) NOT NULL DEFAULT '',
  peeraccount varchar(80) NOT NULL DEFAULT '',
  linkedid varchar(32) NOT NULL DEFAULT '',
  sequence int(11) NOT NULL DEFAULT 0,
  KEY calldate (calldate)
)
"""


INSERT = "INSERT INTO cdr VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: E501


def db_row(n: int, disposition: str = "ANSWERED", day: int = 5) -> tuple:
    return (
        dt.datetime(2026, 1, day, 9, 0, 0) + dt.timedelta(minutes=n),
        f'"Caller {n}" <06123456{n:02d}>',
        f"06123456{n:02d}",
        "201",
        "sb-from-trunks",
        f"PJSIP/trunk-orange-{n:08x}",
        f"PJSIP/201-{n:08x}",
        "Dial",
        "PJSIP/201,30",
        40,
        30 if disposition == "ANSWERED" else 0,
        disposition,
        3,
        "",
        f"1767600000.{n}",
        "",
        "",
        f"1767600000.{n}",
        n,
    )


@pytest.fixture
def cdr_database() -> Iterator[str]:
    name = f"asteriskcdrdb_test_{secrets.token_hex(4)}"
    connection = pymysql.connect(**MARIADB, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}`")
            cursor.execute(f"USE `{name}`")
            cursor.execute(CDR_TABLE)
            rows = [db_row(n) for n in range(1, 9)]
            rows.append(db_row(9, disposition="MAYBE"))  # a bad row
            rows.append(db_row(10, day=1))  # before the chosen first day
            cursor.executemany(INSERT, rows)
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()


@pytest.fixture
def server(tmp_path: Path):
    from switchboard.pbx.models import Phone, Trunk
    from switchboard.telephony.models import PbxServer

    (tmp_path / "cdr-csv").mkdir()
    server = PbxServer.objects.create(
        name="pbx", host="h", ami_user="u", ami_secret="s", log_dir=str(tmp_path)
    )
    Phone.objects.create(server=server, extension="201")
    Trunk.objects.create(server=server, name="orange", host="sip.example.org")
    return server


def csv_of(row: tuple) -> str:
    start, clid, src, dst, dcontext, channel, dstchannel, app, data, duration, billsec = row[:11]
    disposition, uniqueid = row[11], row[14]
    end = start + dt.timedelta(seconds=duration)
    answer = end - dt.timedelta(seconds=billsec)
    quoted = clid.replace('"', '""')
    return (
        f'"","{src}","{dst}","{dcontext}","{quoted}","{channel}","{dstchannel}","{app}",'
        f'"{data}","{start:%Y-%m-%d %H:%M:%S}","{answer:%Y-%m-%d %H:%M:%S}",'
        f'"{end:%Y-%m-%d %H:%M:%S}",{duration},{billsec},"{disposition}","DOCUMENTATION",'
        f'"{uniqueid}",""\n'
    )


def test_import_from_a_mariadb_asteriskcdrdb_in_the_web(
    client, make_user, server, cdr_database: str, tmp_path: Path
) -> None:
    # Two calls are already there, collected from Master.csv: they are not stored twice.
    (tmp_path / "cdr-csv/Master.csv").write_text(csv_of(db_row(1)) + csv_of(db_row(2)))
    assert Collector(server).run_once().cdr.created == 2
    client.force_login(make_user("boss", "administrator"))
    page = client.get("/admin/call-import/")
    assert page.status_code == 200 and 'name="database"' in page.content.decode()
    answer = client.post(
        "/admin/call-import/",
        {
            "server": server.pk,
            "source": "mysql",
            "since": "2026-01-02",
            "host": "127.0.0.1",
            "port": "3306",
            "user": "root",
            "password": "",
            "database": cdr_database,
        },
    )
    run = ImportRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/admin/call-import/{run.pk}/"
    deadline = time.monotonic() + 30
    while run.state == ImportRun.State.RUNNING:
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.state == ImportRun.State.DONE, run.error
    assert (run.rows_read, run.imported, run.existing, run.rejected) == (9, 6, 2, 1)
    assert run.reasons == ["row 9: unknown status 'MAYBE'"]
    assert run.location == f"root@127.0.0.1:3306/{cdr_database}.cdr" and run.percent == 100
    page = client.get(f"/admin/call-import/{run.pk}/").content.decode()
    assert 'data-count="imported">6<' in page and "unknown status" in page
    assert 'value="100"' in page and "hx-trigger" not in page  # finished: no more polling
    assert CallRecord.objects.count() == 8
    call = CallRecord.objects.get(uniqueid="1767600000.5")
    assert (call.direction, call.phone.extension, call.amaflags) == (
        "inbound",
        "201",
        "DOCUMENTATION",
    )
    assert call.answer == call.end - dt.timedelta(seconds=30)
    assert (call.linkedid, call.sequence) == ("1767600000.5", 5)
    # Run again: everything is already there.
    call_command("import_cdr", "--server", "pbx", "--mysql-database", cdr_database)
    again = ImportRun.objects.first()
    assert (again.rows_read, again.imported, again.existing, again.rejected) == (10, 1, 8, 1)


def test_a_bad_source_is_refused_with_a_reason_and_starts_nothing(
    client, make_user, server, tmp_path: Path
) -> None:
    client.force_login(make_user("boss", "administrator"))
    base = {"server": server.pk, "host": "127.0.0.1", "port": "3306", "user": "root"}
    page = client.post("/admin/call-import/", {**base, "source": "mysql", "database": "nope_x"})
    assert "Cannot connect to the database" in page.content.decode()
    page = client.post("/admin/call-import/", {**base, "source": "csv", "path": "relative.csv"})
    assert "Give the absolute path of the file." in page.content.decode()
    page = client.post(
        "/admin/call-import/", {**base, "source": "csv", "path": str(tmp_path / "x")}
    )
    assert "This file does not exist" in page.content.decode()
    assert not ImportRun.objects.exists()
    with pytest.raises(CommandError, match="no PBX named"):
        call_command("import_cdr", "--server", "other", "--csv", str(tmp_path))


def test_import_from_a_master_csv_file(server, tmp_path: Path, capsys) -> None:
    source = tmp_path / "old-Master.csv"
    source.write_text(
        csv_of(db_row(1))
        + '"only","three","fields"\n'
        + csv_of(db_row(2)).replace(",40,30,", ",forty,30,")
        + csv_of(db_row(3))
        + csv_of(db_row(3))  # the same CDR twice in the file
    )
    call_command("import_cdr", "--server", "pbx", "--csv", str(source))
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.DONE and run.source == "csv"
    assert (run.rows_read, run.imported, run.existing, run.rejected) == (5, 2, 1, 2)
    assert run.reasons == [
        "row 2: 3 fields instead of 18",
        "row 3: duration is not a whole number: 'forty'",
    ]
    out = capsys.readouterr().out
    assert "5 read, 2 imported, 1 already there, 2 rejected" in out
    assert sorted(CallRecord.objects.values_list("uniqueid", flat=True)) == [
        "1767600000.1",
        "1767600000.3",
    ]
