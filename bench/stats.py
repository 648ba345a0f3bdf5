"""Benchmark: every statistics page (S1-S4) for a year and for a day, on PostgreSQL.

    .venv/bin/python bench/stats.py [--calls 1000000] [--url postgresql://postgres@127.0.0.1:5432/sb_bench_stats]

Creates the database if needed, migrates it and, unless it already holds about ``--calls``
queue calls, seeds with COPY a year of call-center traffic (seeded, repeatable): 10 queues,
50 agents logging in and out and pausing every working day, per call an ENTERQUEUE then
either an answer (sometimes after a ring-no-answer) ended by the caller, the agent or a
transfer, an abandon, a time-out or a full queue; one CDR per call for the global statistics.
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
        cdr.write(
            f"{server_id}\tc{n:039d}\t{_stamp(start)}\t"
            f"{_stamp(start + dt.timedelta(seconds=wait)) if answered else chr(92) + 'N'}\t"
            f"{_stamp(start + dt.timedelta(seconds=duration))}\t<{caller}>\t{caller}\t{600 + q}\t"
            f"sb-from-trunks\tPJSIP/carrier-{n:08x}\t\tQueue\t{queue}\t{duration}\t{talk}\t"
            f"{'ANSWERED' if answered else 'NO ANSWER'}\tDOCUMENTATION\t\t{callid}\t{callid}"
            f"\t\t\t0\tinbound\t\n"
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
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [cdr_table])
        estimate = cursor.fetchone()[0]
    if estimate > 0 and abs(estimate - calls) < calls * 0.01:
        print(f"database already seeded (about {estimate:,} calls)")
        return
    print(f"seeding {calls:,} queue calls…", flush=True)
    began = time.perf_counter()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    create_database(args.url)
    setup_django(args.url)
    seed(args.calls)

    from django.test import Client

    from switchboard.stats import aggregates

    for label, refresh in (
        ("CDR", aggregates.refresh_cdr),
        ("queue_log", aggregates.refresh_queue_log),
    ):
        began = time.perf_counter()
        refresh()
        spent = time.perf_counter() - began
        print(f"aggregation of the {label} rows not yet aggregated: {spent:.1f} s")

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
        ("S3 call detail, a year, last page", f"/stats/calls/?{year}&unit=month&page=7000"),
    ]
    print(f"{args.calls:,} calls, median of {args.repeat}:")
    for label, url in pages:
        print(f"  {label:45s} {timed(client, url, args.repeat):8.0f} ms", flush=True)


if __name__ == "__main__":
    main()
