"""Migration 0004 gives the rows stored before it the keys the collector now computes, so a
file read again after the upgrade (a rotation, an import) adds nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from switchboard.records.collector import parse_cdr_line, parse_queue_log_line

pytestmark = pytest.mark.django_db(transaction=True)

LINE = (
    '"","201","0612345678","sb-phones","<201>","PJSIP/201-00000001","PJSIP/trunk-x-00000002",'
    '"Dial","PJSIP/0612345678@trunk-x,30","2026-11-24 10:00:00","2026-11-24 10:00:03",'
    '"2026-11-24 10:00:13",13,10,"ANSWERED","DOCUMENTATION","1700000000.1",""'
)
QUEUE = "1764000000|1700000000.1|sales|PJSIP/201|CONNECT|5|1700000000.2|1"


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_old_keys_are_recomputed() -> None:
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    try:
        old = migrate(("records", "0003_collection_speed"))
        server = old.get_model("telephony", "PbxServer").objects.create(
            name="pbx", host="h", ami_user="u", ami_secret="s"
        )
        cdr = {k: v for k, v in parse_cdr_line(LINE, tz).items() if k != "key"}
        old.get_model("records", "CallRecord").objects.create(
            server_id=server.pk, key="a" * 40, **cdr
        )
        # The same CDR twice under two old keys (it could not be told apart): both kept.
        old.get_model("records", "CallRecord").objects.create(
            server_id=server.pk, key="b" * 40, **cdr
        )
        entry = {k: v for k, v in parse_queue_log_line(QUEUE).items() if k != "key"}
        old.get_model("records", "QueueLogEntry").objects.create(
            server_id=server.pk, key="c" * 40, **entry
        )
        new = migrate(("records", "0004_short_keys"))
        keys = sorted(new.get_model("records", "CallRecord").objects.values_list("key", flat=True))
        expected = parse_cdr_line(LINE, tz)["key"]
        assert keys[0] == expected and keys[1].startswith(expected + "~")
        queue_key = new.get_model("records", "QueueLogEntry").objects.get().key
        assert queue_key == parse_queue_log_line(QUEUE)["key"]
        assert int(expected[:8], 16) == int(dt.datetime(2026, 11, 24, 10, tzinfo=tz).timestamp())
    finally:
        migrate(("records", "0004_short_keys"))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
