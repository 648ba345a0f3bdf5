"""Benchmark: collection rate of CDRs and queue_log (SPEC R1), rows per second.

    .venv/bin/python bench/collect.py [--calls 100000] [--seed 1] [--database sqlite|URL]

Generates ``calls`` calls of call-centre traffic (``bench/traffic.py``) into a temporary
log directory, makes a fresh database (SQLite: a temporary file; PostgreSQL: the database
of the URL is dropped and created again, e.g.
``postgresql://postgres@127.0.0.1:5432/switchboard_bench_collect``), migrates it, then times
one collector pass reading everything (parse, keys, direction and owner, insert, position),
and a second pass that finds nothing new. The ``records_collected`` receivers (billing rates
new calls) are left out of the timing unless ``--with-receivers``. Goal: at least 50,000 rows/s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fresh_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument(
        "--with-receivers",
        action="store_true",
        help="Keep the records_collected receivers (billing's rating) in the timing.",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sb-bench-collect-"))
    if args.database == "sqlite":
        url = f"sqlite:///{work}/bench.sqlite3"
    else:
        url = args.database
        fresh_postgres(url)
    os.environ["SWITCHBOARD_DATABASE_URL"] = url
    os.environ["SWITCHBOARD_PATHS_DATA_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")

    import django

    django.setup()
    from django.core.management import call_command

    from bench.traffic import Profile, write_files
    from switchboard.pbx.models import Phone, Trunk
    from switchboard.records.collector import Collector
    from switchboard.telephony.models import PbxServer

    started = time.perf_counter()
    cdrs, lines = write_files(work / "log", Profile(calls=args.calls, seed=args.seed))
    print(
        f"generated {cdrs:,} CDRs + {lines:,} queue_log lines "
        f"({time.perf_counter() - started:.1f} s)"
    )
    call_command("migrate", verbosity=0)
    server = PbxServer.objects.create(
        name="bench",
        host="h",
        ami_user="u",
        ami_secret="s",  # noqa: S106  (no AMI is ever reached)
        log_dir=str(work / "log"),
    )
    Phone.objects.bulk_create([Phone(server=server, extension=str(2000 + n)) for n in range(1, 61)])
    Trunk.objects.create(server=server, name="operator", host="sip.example.org")

    if not args.with_receivers:
        from switchboard.records.signals import records_collected

        records_collected.receivers.clear()
    started = time.perf_counter()
    result = Collector(server).run_once()
    seconds = time.perf_counter() - started
    rows = result.rows
    assert result.cdr.created == cdrs and result.queue_log.created == lines, result
    engine = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    print(
        f"{engine}: collected {rows:,} rows ({result.cdr.created:,} CDRs, "
        f"{result.queue_log.created:,} queue events) in {seconds:.1f} s = "
        f"{rows / seconds:,.0f} rows/s"
    )
    started = time.perf_counter()
    again = Collector(server).run_once()
    print(f"second pass: {again.rows} rows read in {time.perf_counter() - started:.3f} s")
    shutil.rmtree(work, ignore_errors=True)  # generated files and SQLite database


if __name__ == "__main__":
    main()
