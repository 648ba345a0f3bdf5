"""The collector killed mid-traffic (SIGKILL, no chance to clean up) and restarted, several
times, while SIPp calls write CDRs and queue_log lines: every line is stored exactly once."""

from __future__ import annotations

import csv
import datetime as dt
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from switchboard.records.collector import CDR_COLUMNS, cdr_from_fields, parse_queue_log_line
from switchboard.testing.asterisk import AsteriskInstance
from switchboard.testing.portal import MANAGE, asterisk_entry, portal_env
from switchboard.testing.sipp import caller_endpoint_config, start_call

pytestmark = [pytest.mark.asterisk]

CALLS = 60

# Each call: a CDR, and three queue_log lines written by the dialplan itself.
LOAD_DIALPLAN = """
[load]
exten => _X.,1,Answer()
 same => n,QueueLog(load,${UNIQUEID},NONE,ENTERQUEUE,|${CALLERID(num)}|1)
 same => n,Wait(0.2)
 same => n,QueueLog(load,${UNIQUEID},PJSIP/201,CONNECT,1|${UNIQUEID}|0)
 same => n,Wait(0.3)
 same => n,QueueLog(load,${UNIQUEID},PJSIP/201,COMPLETECALLER,1|1|1)
 same => n,Hangup()
"""


def start_collector(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*MANAGE, "collect_records", "--follow", "--interval", "0.2"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_for_output(log: Path, size: int, timeout_s: float) -> None:
    """Until the collector writes to its log beyond ``size`` bytes (a pass stored rows)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if log.exists() and log.stat().st_size > size:
            return
        time.sleep(0.05)


def test_killed_collector_catches_up_without_loss_or_duplicate(
    asterisk_factory, caller_port: int, tmp_path: Path
) -> None:
    pbx: AsteriskInstance = asterisk_factory(
        appends={
            "extensions.conf": LOAD_DIALPLAN,
            "pjsip.conf": caller_endpoint_config("load", caller_port, context="load"),
        }
    )
    entry = {**asterisk_entry(pbx, "load"), "log_dir": str(pbx.log_dir)}
    env = portal_env(tmp_path, [entry])
    subprocess.run([*MANAGE, "migrate", "-v", "0"], env=env, check=True, capture_output=True)
    log = tmp_path / "collector.log"
    mark = 0
    collector = start_collector(env, log)
    kills = 0
    call = start_call(
        pbx.sip_port, "100", local_port=caller_port, calls=CALLS, rate_per_s=8, hold_ms=5000
    )
    try:
        deadline = time.monotonic() + 120
        while call.process.running:
            assert time.monotonic() < deadline, "calls did not end"
            # Killed at varied points of its work, once it has shown it is working (on a
            # loaded machine the process may take seconds just to start).
            wait_for_output(log, mark, timeout_s=30)
            time.sleep(0.1 + 0.4 * (kills % 3))
            collector.send_signal(signal.SIGKILL)
            collector.wait(timeout=10)
            kills += 1
            mark = log.stat().st_size if log.exists() else 0
            collector = start_collector(env, log)
        result = call.wait()
        assert result.ok, result.diagnostics
        rows = pbx.wait_for_cdr_rows(CALLS, timeout_s=30)
        assert len(rows) == CALLS, pbx.failure_report()
        time.sleep(3)  # let the last collector catch up
    finally:
        collector.send_signal(signal.SIGKILL)
        collector.wait(timeout=10)
    assert kills >= 3
    # Several of the killed collectors had stored calls before they died.
    progress = re.findall(r"load: ([1-9]\d*) new CDR", log.read_text())
    assert len(progress) >= 3, log.read_text()
    # A last pass in a process of its own sees nothing new.
    done = subprocess.run(
        [*MANAGE, "collect_records"], env=env, check=True, capture_output=True, text=True
    )
    assert "0 new CDR(s)" in done.stdout and "0 new queue event(s)" in done.stdout, done.stdout

    with pbx.cdr_csv_path.open(newline="") as handle:
        expected_cdrs = sorted(
            cdr_from_fields(dict(zip(CDR_COLUMNS, row, strict=False)), dt.UTC)["key"]
            for row in csv.reader(handle)
        )
    queue_lines = [line for line in pbx.queue_log_path.read_text().splitlines() if line]
    expected_queue = sorted(parse_queue_log_line(line)["key"] for line in queue_lines)
    assert len(queue_lines) >= 3 * CALLS, pbx.failure_report()
    database = sqlite3.connect(tmp_path / "portal.sqlite3")
    try:
        cdr_keys = sorted(k for (k,) in database.execute("select key from records_callrecord"))
        queue_keys = sorted(k for (k,) in database.execute("select key from records_queuelogentry"))
        uniqueids = [u for (u,) in database.execute("select uniqueid from records_callrecord")]
    finally:
        database.close()
    assert cdr_keys == expected_cdrs
    assert len(set(uniqueids)) == CALLS == len(uniqueids)
    assert queue_keys == expected_queue


def test_the_portals_own_worker_collects(
    asterisk_factory, caller_port: int, tmp_path: Path
) -> None:
    """``manage.py serve`` (embedded telephony worker) collects a PBX that has a log_dir."""
    from switchboard.testing.portal import run_portal
    from switchboard.testing.sipp import place_call

    pbx: AsteriskInstance = asterisk_factory(
        appends={
            "extensions.conf": LOAD_DIALPLAN,
            "pjsip.conf": caller_endpoint_config("load", caller_port, context="load"),
        }
    )
    entry = {**asterisk_entry(pbx, "load"), "log_dir": str(pbx.log_dir)}
    with run_portal(tmp_path, [entry]):
        result = place_call(pbx.sip_port, "100", local_port=caller_port, calls=3, hold_ms=5000)
        assert result.ok, result.diagnostics
        assert len(pbx.wait_for_cdr_rows(3, timeout_s=20)) == 3
        deadline = time.monotonic() + 30
        while True:
            database = sqlite3.connect(tmp_path / "portal.sqlite3")
            try:
                (cdrs,) = database.execute("select count(*) from records_callrecord").fetchone()
                (events,) = database.execute(
                    "select count(*) from records_queuelogentry"
                ).fetchone()
            finally:
                database.close()
            if cdrs == 3 and events == len(pbx.queue_log_lines()):
                break
            assert time.monotonic() < deadline, (cdrs, events)
            time.sleep(0.5)
