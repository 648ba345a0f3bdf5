"""Benchmark: the call log's pages and number search on a large PostgreSQL database.

    .venv/bin/python bench/call_log.py [--rows 10000000] [--url postgresql://postgres@127.0.0.1:5432/sb_bench_call_log]

Creates the database if needed, migrates it and, unless it already holds ``--rows`` call
records, seeds them with COPY (indexes and the key constraint dropped during the load and
rebuilt after, as a bulk import would): a year of call-center traffic, 500 phones in 20
departments, outbound / inbound / internal calls, many sharing their start second. Then,
through Django's test client (the whole view: scope, query, rendering), prints the median
of ``--repeat`` runs of the first and the last page and of a number search for an
administrator, a department head and a user. Goal: < 100 ms each at 10 million rows.
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

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sb_bench_call_log"
PHONES, DEPARTMENTS, NUMBERS = 500, 20, 200_000
YEAR_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
COLUMNS = (
    'server_id, key, start, answer, "end", clid, src, dst, dcontext, channel, dstchannel, '
    "lastapp, lastdata, duration, billsec, disposition, amaflags, accountcode, uniqueid, "
    "linkedid, userfield, peeraccount, sequence, direction, phone_id, department_id, recording"
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


def site() -> tuple[object, list[object], list[object]]:
    """The PBX, its departments and phones (created once)."""
    from switchboard.accounts.models import Department
    from switchboard.pbx.models import Phone
    from switchboard.telephony.models import PbxServer

    server, _ = PbxServer.objects.get_or_create(
        name="bench", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    departments = [
        Department.objects.get_or_create(short_name=f"D{n:02d}", defaults={"name": f"Dept {n}"})[0]
        for n in range(DEPARTMENTS)
    ]
    phones = []
    for n in range(PHONES):
        phone, _ = Phone.objects.get_or_create(
            server=server,
            extension=str(2000 + n),
            defaults={"department": departments[n % DEPARTMENTS]},
        )
        phones.append(phone)
    return server, departments, phones


def rows_text(
    start_index: int, count: int, server_id: int, phones: list, rng: random.Random
) -> str:
    """``count`` CDRs as COPY text, spread evenly over the year (several per second)."""
    seconds_per_call = 365 * 86400 / TOTAL_ROWS
    out = io.StringIO()
    for n in range(start_index, start_index + count):
        start = YEAR_START + dt.timedelta(seconds=int(n * seconds_per_call))
        phone = phones[rng.randrange(PHONES)]
        kind = rng.random()
        external = f"0{rng.randrange(NUMBERS) + 600000000:09d}"
        if kind < 0.4:
            direction, src, dst = "outbound", phone.extension, external
        elif kind < 0.8:
            direction, src, dst = "inbound", external, phone.extension
        else:
            direction, src = "internal", phone.extension
            dst = str(2000 + rng.randrange(PHONES))
        answered = rng.random() < 0.8
        billsec = rng.randrange(5, 600) if answered else 0
        duration = billsec + rng.randrange(0, 30)
        stamp = start.strftime("%Y-%m-%d %H:%M:%S+00")
        end = (start + dt.timedelta(seconds=duration)).strftime("%Y-%m-%d %H:%M:%S+00")
        answer = (
            (start + dt.timedelta(seconds=duration - billsec)).strftime("%Y-%m-%d %H:%M:%S+00")
            if answered
            else "\\N"
        )
        uniqueid = f"{int(start.timestamp())}.{n}"
        out.write(
            f"{server_id}\tb{n:039d}\t{stamp}\t{answer}\t{end}\t<{src}>\t{src}\t{dst}\tsb-phones"
            f"\tPJSIP/{src}-{n:08x}\tPJSIP/{dst}-{n:08x}\tDial\tPJSIP/{dst},30\t{duration}"
            f"\t{billsec}\t{'ANSWERED' if answered else 'NO ANSWER'}\tDOCUMENTATION\t\t"
            f"{uniqueid}\t{uniqueid}\t\t\t0\t{direction}\t{phone.pk}\t{phone.department_id}\t\n"
        )
    return out.getvalue()


TOTAL_ROWS = 10_000_000


def seed(rows: int) -> None:
    from django.db import connection

    from switchboard.records.models import CallRecord

    server, _departments, phones = site()
    table = CallRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        estimate = cursor.fetchone()[0]
    if estimate > 0 and abs(estimate - rows) < rows * 0.01:
        print(f"database already seeded (about {estimate:,} rows)")
        return
    print(f"seeding {rows:,} call records…", flush=True)
    began = time.perf_counter()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE '%%pkey'",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        constraint_names = {name for name, _ in constraints}
        for name, _definition in indexes:
            if name not in constraint_names:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    rng = random.Random(5)  # noqa: S311  (repeatable test data, not a secret)
    batch = 200_000
    with raw.cursor() as cursor:
        for first in range(0, rows, batch):
            text = rows_text(first, min(batch, rows - first), server.pk, phones, rng)
            with cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
                copy.write(text)
            raw.commit()
            if first // batch % 10 == 0:
                print(f"  {first + batch:,} rows, {time.perf_counter() - began:.0f} s", flush=True)
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        for name, definition in indexes:
            if name not in constraint_names:
                cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608  (the model's table name)
            [table],
        )
        cursor.execute(f"ANALYZE {table}")
    print(
        f"seeded in {loaded - began:.0f} s ({rows / (loaded - began):,.0f} rows/s), "
        f"indexes rebuilt in {time.perf_counter() - loaded:.0f} s"
    )


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median time of the whole page and of its SQL on the call records (ms), and its rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the cache as a user's second click would
    times, sql_times = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        sql_times.append(
            1000
            * sum(
                float(q["time"])
                for q in queries.captured_queries
                if "records_callrecord" in q["sql"]
            )
        )
        assert response.status_code == 200, (url, response.status_code)
    rows = response.content.decode().count("data-call=")
    return statistics.median(times), statistics.median(sql_times), rows


def measure(repeat: int) -> None:
    from django.test import Client

    from switchboard.accounts.models import Role, User
    from switchboard.records.models import CallRecord

    _server, departments, phones = site()
    people = {}
    for username, role, department in (
        ("bench-admin", "administrator", None),
        ("bench-head", "department_head", departments[3]),
        ("bench-user", "user", departments[7]),
    ):
        user, _ = User.objects.get_or_create(username=username, defaults={"department": department})
        user.groups.set(Role.objects.filter(code=role))
        people[username] = user
    phones[7].user = people["bench-user"]
    phones[7].save()
    inbound = CallRecord.objects.filter(direction="inbound").order_by("-start")
    # Each searches a caller of their own calls, whole or as shown to them (masked).
    numbers = {
        "bench-admin": inbound.first().src,
        "bench-head": inbound.filter(department=departments[3]).first().src[:-4] + "*",
        "bench-user": inbound.filter(phone=phones[7]).first().src[:-4] + "*",
    }
    for username in people:
        client = Client()
        client.force_login(people[username])
        number = numbers[username]
        for label, url in (
            ("first page", "/calls/"),
            ("last page", "/calls/?page=last"),
            ("number search", f"/calls/?number={number}"),
            ("number + day ±30 min", f"/calls/?number={number}&date_from=2025-06-01&time=12:00"),
        ):
            median, sql, rows = timed(client, url, repeat)
            print(
                f"{username:12} {label:22} {median:8.1f} ms  (SQL on call records {sql:6.1f} ms,"
                f" {rows} rows)"
            )
    print(f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


def main() -> None:
    global TOTAL_ROWS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    TOTAL_ROWS = args.rows
    create_database(args.url)
    setup_django(args.url)
    seed(args.rows)
    measure(args.repeat)


if __name__ == "__main__":
    main()
