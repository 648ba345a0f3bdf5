"""Benchmark: every statistics page (S1-S5) for a year and for a day, on PostgreSQL or SQLite.

    .venv/bin/python bench/stats.py [--calls 1000000] [--url postgresql://postgres@127.0.0.1:5432/sb_bench_stats]

Creates the database if needed, migrates it and, unless it already holds about ``--calls``
queue calls, seeds with COPY a year of call-center traffic (seeded, repeatable): 10 queues,
50 agents logging in and out and pausing every working day, per call an ENTERQUEUE then
either an answer (sometimes after a ring-no-answer) ended by the caller, the agent or a
transfer, an abandon, a time-out or a full queue; one CDR per call for the global statistics
(the agent's channel as destination when answered), plus for every tenth call a caller who
stays in an IVR (``sb-ivr-700``) and for every twentieth an automatic outgoing call
(accountcode ``autodial``) for the S5 call mix. A ``sqlite:////path`` URL seeds SQLite with
the same rows (plain INSERTs).
Then brings the per-day aggregates up to date (the first time: all of them; timed), prints
the median time of ``--repeat`` runs of each page (the whole view through
Django's test client: scope, SQL, rendering) for a year and for a day. Goal: < 1 s each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sb_bench_stats"
QUEUES, AGENTS = 10, 50
YEAR = 2025
YEAR_START = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC)
QL_COLUMNS = "server_id, key, time, callid, queue, agent, event, data1, data2, data3, data4, data5"
CDR_COLUMNS = (
    'server_id, key, start, answer, "end", clid, src, dst, dcontext, channel, dstchannel, '
    "lastapp, lastdata, duration, billsec, disposition, amaflags, accountcode, uniqueid, "
    "linkedid, userfield, peeraccount, sequence, direction, recording"
)


def create_database(url: str) -> None:
    if url.startswith("sqlite:"):
        return  # the file is created by migrate
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["SWITCHBOARD_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def site() -> object:
    from switchboard.pbx.models import Phone, Queue, QueueMember
    from switchboard.telephony.models import PbxServer

    server, _ = PbxServer.objects.get_or_create(
        name="bench", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    queues = [
        Queue.objects.get_or_create(server=server, name=f"q{n}", defaults={"number": str(600 + n)})[
            0
        ]
        for n in range(QUEUES)
    ]
    for n in range(AGENTS):
        phone, _ = Phone.objects.get_or_create(
            server=server, extension=str(3000 + n), defaults={"display_name": f"Agent {n:02d}"}
        )
        QueueMember.objects.get_or_create(queue=queues[n % QUEUES], phone=phone)
    return server


def _stamp(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S+00")


def generate(calls: int, server_id: int, rng: random.Random, batch: int):
    """Yield (queue_log COPY text, cdr COPY text) by batches of calls, in time order."""
    seconds_per_call = 365 * 86400 / calls
    ql, cdr = io.StringIO(), io.StringIO()
    key = 0

    def line(time: dt.datetime, callid: str, queue: str, agent: str, event: str, *data: object):
        nonlocal key
        key += 1
        values = [str(d) for d in data] + [""] * (5 - len(data))
        ql.write(
            f"{server_id}\tq{key:039d}\t{_stamp(time)}\t{callid}\t{queue}\t{agent}\t{event}\t"
            + "\t".join(values)
            + "\n"
        )

    day_done = -1
    for n in range(calls):
        start = YEAR_START + dt.timedelta(seconds=int(n * seconds_per_call))
        day = (start - YEAR_START).days
        if day != day_done:  # the agents' working day: log in, lunch pause, log out
            day_done = day
            base = YEAR_START + dt.timedelta(days=day)
            for a in range(AGENTS):
                queue, agent = f"q{a % QUEUES}", f"Agent {a:02d}"
                line(base + dt.timedelta(hours=8), "NONE", queue, agent, "ADDMEMBER")
                line(base + dt.timedelta(hours=12), "NONE", queue, agent, "PAUSE", "lunch")
                line(base + dt.timedelta(hours=13), "NONE", queue, agent, "UNPAUSE")
                line(base + dt.timedelta(hours=17), "NONE", queue, agent, "REMOVEMEMBER")
        q = rng.randrange(QUEUES)
        queue = f"q{q}"
        agent = f"Agent {q + QUEUES * rng.randrange(AGENTS // QUEUES):02d}"
        callid = f"{int(start.timestamp())}.{n}"
        caller = f"06{rng.randrange(100_000_000):08d}"
        position = rng.randrange(1, 6)
        kind = rng.random()
        wait = int(rng.expovariate(1 / 40))
        talk = 0
        if kind >= 0.02:  # a full queue refuses the call: no ENTERQUEUE
            line(start, callid, queue, "NONE", "ENTERQUEUE", "", caller, position)
        if kind < 0.02:
            line(start, callid, queue, "NONE", "FULL", position)
        elif kind < 0.17:
            line(
                start + dt.timedelta(seconds=wait),
                callid,
                queue,
                "NONE",
                "ABANDON",
                1,
                position,
                wait,
            )
        elif kind < 0.20:
            wait = 300
            line(
                start + dt.timedelta(seconds=wait),
                callid,
                queue,
                "NONE",
                "EXITWITHTIMEOUT",
                1,
                position,
                wait,
            )
        else:
            if rng.random() < 0.1:
                line(
                    start + dt.timedelta(seconds=wait // 2),
                    callid,
                    queue,
                    agent,
                    "RINGNOANSWER",
                    15000,
                )
            connect = start + dt.timedelta(seconds=wait)
            line(connect, callid, queue, agent, "CONNECT", wait, f"{callid}.1", 3)
            talk = rng.randrange(10, 900)
            end = connect + dt.timedelta(seconds=talk)
            end_kind = rng.random()
            if end_kind < 0.5:
                line(end, callid, queue, agent, "COMPLETECALLER", wait, talk, position)
            elif end_kind < 0.9:
                line(end, callid, queue, agent, "COMPLETEAGENT", wait, talk, position)
            else:
                line(
                    end,
                    callid,
                    queue,
                    agent,
                    "BLINDTRANSFER",
                    "300",
                    "internal",
                    wait,
                    talk,
                    position,
                )
        duration = wait + talk
        answered = talk > 0
        answered_by = f"PJSIP/{3000 + int(agent[-2:])}-{n:08x}" if answered else ""
        cdr.write(
            f"{server_id}\tc{n:039d}\t{_stamp(start)}\t"
            f"{_stamp(start + dt.timedelta(seconds=wait)) if answered else chr(92) + 'N'}\t"
            f"{_stamp(start + dt.timedelta(seconds=duration))}\t<{caller}>\t{caller}\t{600 + q}\t"
            f"sb-from-trunks\tPJSIP/carrier-{n:08x}\t{answered_by}\tQueue\t{queue}\t{duration}\t{talk}\t"
            f"{'ANSWERED' if answered else 'NO ANSWER'}\tDOCUMENTATION\t\t{callid}\t{callid}"
            f"\t\t\t0\tinbound\t\n"
        )
        if n % 10 == 5:  # a caller who hears an IVR and hangs up there (no queue)
            extra = f"{int(start.timestamp())}.i{n}"
            ivr_talk = rng.randrange(5, 90)
            cdr.write(
                f"{server_id}\ti{n:039d}\t{_stamp(start)}\t{_stamp(start)}\t"
                f"{_stamp(start + dt.timedelta(seconds=ivr_talk))}\t<{caller}>\t{caller}\tstart\t"
                f"sb-ivr-700\tPJSIP/carrier-i{n:08x}\t\tWaitExten\t5\t{ivr_talk}\t{ivr_talk}\t"
                f"ANSWERED\tDOCUMENTATION\t\t{extra}\t{extra}\t\t\t0\tinbound\t\n"
            )
        if n % 20 == 7:  # an automatic outgoing call (accountcode autodial, SPEC O3)
            extra = f"{int(start.timestamp())}.a{n}"
            number = f"07{rng.randrange(100_000_000):08d}"
            out_talk = rng.randrange(0, 200)
            cdr.write(
                f"{server_id}\ta{n:039d}\t{_stamp(start)}\t"
                f"{_stamp(start) if out_talk else chr(92) + 'N'}\t"
                f"{_stamp(start + dt.timedelta(seconds=out_talk))}\t<{number}>\t\t{number}\t"
                f"sb-outbound\tLocal/{number}@sb-outbound-{n:08x};1\tPJSIP/carrier-a{n:08x}\t"
                f"Dial\tPJSIP/{number}@carrier\t{out_talk}\t{out_talk}\t"
                f"{'ANSWERED' if out_talk else 'NO ANSWER'}\tDOCUMENTATION\tautodial\t{extra}\t"
                f"{extra}\t\t\t0\toutbound\t\n"
            )
        if (n + 1) % batch == 0:
            yield ql.getvalue(), cdr.getvalue()
            ql, cdr = io.StringIO(), io.StringIO()
    yield ql.getvalue(), cdr.getvalue()


def seed(calls: int) -> None:
    from django.db import connection

    from switchboard.records.models import CallRecord, QueueLogEntry

    server = site()
    cdr_table, ql_table = CallRecord._meta.db_table, QueueLogEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COUNT(*) FROM {cdr_table}")  # noqa: S608 (our table name)
        else:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [cdr_table])
        estimate = cursor.fetchone()[0]
    expected = calls + calls // 10 + calls // 20  # with the IVR-only and autodial CDRs
    if estimate > 0 and abs(estimate - expected) < expected * 0.01:
        print(f"database already seeded (about {estimate:,} calls)")
        return
    print(f"seeding {calls:,} queue calls…", flush=True)
    began = time.perf_counter()
    if connection.vendor == "sqlite":
        seed_sqlite(calls, server, cdr_table, ql_table, began)
        return
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {cdr_table}, {ql_table} CASCADE")
    rng = random.Random(5)  # noqa: S311  (repeatable test data, not a secret)
    with raw.cursor() as cursor:
        for done, (ql, cdr) in enumerate(generate(calls, server.pk, rng, 100_000)):
            with cursor.copy(f"COPY {ql_table} ({QL_COLUMNS}) FROM STDIN") as copy:
                copy.write(ql)
            with cursor.copy(f"COPY {cdr_table} ({CDR_COLUMNS}) FROM STDIN") as copy:
                copy.write(cdr)
            raw.commit()
            loaded = min((done + 1) * 100_000, calls)
            print(f"  {loaded:,} calls, {time.perf_counter() - began:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ql_table}")
        cursor.execute(f"ANALYZE {cdr_table}")
    print(f"seeded in {time.perf_counter() - began:.0f} s")


def seed_sqlite(calls: int, server, cdr_table: str, ql_table: str, began: float) -> None:
    """The same rows as the COPY, inserted in one transaction per batch (SQLite)."""
    from django.db import connection, transaction

    def rows(text: str) -> list[list[str | None]]:
        return [[None if v == "\\N" else v for v in line.split("\t")] for line in text.splitlines()]

    ql_sql = f"INSERT INTO {ql_table} ({QL_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})"  # noqa: S608
    cdr_sql = f"INSERT INTO {cdr_table} ({CDR_COLUMNS}) VALUES ({', '.join(['%s'] * 25)})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {cdr_table}")  # noqa: S608 (our table names)
        cursor.execute(f"DELETE FROM {ql_table}")  # noqa: S608
    rng = random.Random(5)  # noqa: S311  (repeatable test data, not a secret)
    for done, (ql, cdr) in enumerate(generate(calls, server.pk, rng, 100_000)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(ql_sql, rows(ql))
            cursor.executemany(cdr_sql, rows(cdr))
        loaded = min((done + 1) * 100_000, calls)
        print(f"  {loaded:,} calls, {time.perf_counter() - began:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - began:.0f} s")


def timed(client, url: str, repeat: int) -> float:
    client.get(url)  # warm the cache as a user's second click would
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        assert b'id="table-' in response.content, url
    return statistics.median(times)


REFRESHES = {
    "cdr": "CDR",
    "queue_log": "queue_log",
    "detail": "queue_log (call detail)",
    "mix": "CDR (call mix)",
    "spans": "queue_log (agent sessions and pauses)",
}


def refresh(name: str) -> None:
    """Bring one family of aggregates up to date, timed."""
    from switchboard.stats import aggregates, mix

    function = {
        "cdr": aggregates.refresh_cdr,
        "queue_log": aggregates.refresh_queue_log,
        "detail": aggregates.refresh_detail,
        "mix": mix.refresh,
        "spans": aggregates.refresh_spans,
    }[name]
    began = time.perf_counter()
    function()
    spent = time.perf_counter() - began
    print(
        f"aggregation of the {REFRESHES[name]} rows not yet aggregated: {spent:.1f} s", flush=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="bring the aggregate families up to date in parallel processes (PostgreSQL)",
    )
    parser.add_argument("--refresh-only", choices=sorted(REFRESHES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    create_database(args.url)
    setup_django(args.url)
    if args.refresh_only:
        refresh(args.refresh_only)
        return
    seed(args.calls)

    from django.test import Client

    if args.parallel:
        began = time.perf_counter()
        children = [
            subprocess.Popen([sys.executable, __file__, "--url", args.url, "--refresh-only", name])
            for name in REFRESHES
        ]
        assert all(child.wait() == 0 for child in children)
        print(f"aggregation of every family in parallel: {time.perf_counter() - began:.1f} s")
    for name in REFRESHES:
        refresh(name)

    from switchboard.accounts.models import Role, User

    user, _ = User.objects.get_or_create(username="bench-stats")
    user.groups.set(Role.objects.filter(code="global_statistics"))
    client = Client()
    client.force_login(user)
    year = f"start={YEAR}-01-01&end={YEAR}-12-31"
    day = f"start={YEAR}-06-11&end={YEAR}-06-11"
    pages = [
        ("S1 global statistics (year + month)", f"/stats/global/?year={YEAR}&month=6"),
        ("S2 queue statistics, a year", f"/stats/queues/?{year}"),
        ("S2 queue statistics, a day", f"/stats/queues/?{day}"),
        ("S3/S4 queue call detail, a year by month", f"/stats/calls/?{year}&unit=month"),
        ("S3/S4 queue call detail, a day by hour", f"/stats/calls/?{day}&unit=hour"),
        ("S3 call detail, a year, last page", f"/stats/calls/?{year}&unit=month&move=last"),
        ("S3/S4 call detail, a year by hour", f"/stats/calls/?{year}&unit=hour"),
        ("S3/S4 call detail, a year, one agent", f"/stats/calls/?{year}&unit=day&agents=Agent+07"),
        ("S5 call mix + automatic calls, a year", f"/stats/mix/?{year}"),
        ("S5 call mix + automatic calls, a day", f"/stats/mix/?{day}"),
        ("S5 automatic calls to 0612…, a year", f"/stats/mix/?{year}&number=0612"),
        ("S5 automatic calls, a year, last page", f"/stats/mix/?{year}&move=last"),
    ]
    print(f"{args.calls:,} calls, median of {args.repeat}:")
    for label, url in pages:
        print(f"  {label:45s} {timed(client, url, args.repeat):8.0f} ms", flush=True)


if __name__ == "__main__":
    main()
