"""Benchmark: collection rate of CDRs and queue_log (SPEC R1), rows per second.

    .venv/bin/python bench/collect.py [--calls 100000] [--seed 1] [--database sqlite|URL]
        [--logs DIR] [--servers 1] [--with-receivers] [--rate]

Generates ``calls`` calls of call-centre traffic (``bench/traffic.py``) into a temporary
log directory, makes a fresh database (SQLite: a temporary file; PostgreSQL: the database
of the URL is dropped and created again, e.g.
``postgresql://postgres@127.0.0.1:5432/switchboard_bench_collect``), migrates it, then times
one collector pass reading everything (parse, keys, direction and owner, insert, position),
and a second pass that finds nothing new. The ``records_collected`` receivers (billing rates
new calls) are left out of the timing unless ``--with-receivers``. Goal: at least 50,000 rows/s.

Besides the wall time, it prints the CPU time the collector used (and, on PostgreSQL, the
CPU time of its server process) and the load average, as the wall time on a shared machine
depends on what else runs. ``--logs DIR`` keeps the generated files there and reuses them
for the same calls and seed (generation is slower than collection). ``--rate`` then times
billing's pass over the new calls (``rate_new_calls``, with a tariff of a few zones).
``--servers N`` collects the same traffic for N PBXs one after the other (the tables end
with N times the calls: ``--calls 1000000 --servers 10`` fills them with 10 million calls
without generating 10 million), printing each PBX's pass as the tables grow.
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


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL server process (same host)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def logs_for(args: argparse.Namespace, work: Path) -> tuple[Path, int, int]:
    """The generated log directory (made, or reused from --logs) and its row counts."""
    from bench.traffic import Profile, write_files

    if args.logs:
        out = Path(args.logs) / f"calls{args.calls}-seed{args.seed}"
        done = out / "DONE"
        if done.exists():
            cdrs, lines = map(int, done.read_text().split())
            print(f"reusing {cdrs:,} CDRs + {lines:,} queue_log lines from {out}")
            return out, cdrs, lines
    else:
        out = work / "log"
    started = time.perf_counter()
    cdrs, lines = write_files(out, Profile(calls=args.calls, seed=args.seed))
    print(
        f"generated {cdrs:,} CDRs + {lines:,} queue_log lines "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    if args.logs:
        (out / "DONE").write_text(f"{cdrs} {lines}")
    return out, cdrs, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument(
        "--with-receivers",
        action="store_true",
        help="Keep the records_collected receivers in the timing.",
    )
    parser.add_argument("--logs", help="Keep / reuse the generated files under this directory.")
    parser.add_argument("--rate", action="store_true", help="Time billing's rating pass too.")
    parser.add_argument("--servers", type=int, default=1, help="PBXs collecting this traffic.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sb-bench-collect-"))
    if args.database == "sqlite":
        url = f"sqlite:///{work}/bench.sqlite3"
        if args.logs:
            url = f"sqlite:///{Path(args.logs)}/bench.sqlite3"
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.logs}/bench.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        url = args.database
        fresh_postgres(url)
    os.environ["SWITCHBOARD_DATABASE_URL"] = url
    os.environ["SWITCHBOARD_PATHS_DATA_DIR"] = str(work / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")

    import django

    django.setup()
    from django.core.management import call_command

    from switchboard.pbx.models import Phone, Trunk
    from switchboard.records.collector import Collector
    from switchboard.telephony.models import PbxServer

    log_dir, cdrs, lines = logs_for(args, work)
    call_command("migrate", verbosity=0)
    server = PbxServer.objects.create(
        name="bench",
        host="h",
        ami_user="u",
        ami_secret="s",  # noqa: S106  (no AMI is ever reached)
        log_dir=str(log_dir),
    )
    Phone.objects.bulk_create([Phone(server=server, extension=str(2000 + n)) for n in range(1, 61)])
    Trunk.objects.create(server=server, name="operator", host="sip.example.org")

    if not args.with_receivers:
        from switchboard.records.signals import records_collected

        records_collected.receivers.clear()
    postgres = args.database != "sqlite"
    print(f"load average before: {load()}", flush=True)
    server_cpu = backend_cpu() if postgres else 0.0
    cpu = time.process_time()
    started = time.perf_counter()
    result = Collector(server).run_once()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server_cpu = backend_cpu() - server_cpu if postgres else 0.0
    rows = result.rows
    assert result.cdr.created == cdrs and result.queue_log.created == lines, result
    engine = "PostgreSQL" if postgres else "SQLite"
    print(
        f"{engine}: collected {rows:,} rows ({result.cdr.created:,} CDRs, "
        f"{result.queue_log.created:,} queue events) in {seconds:.1f} s = "
        f"{rows / seconds:,.0f} rows/s"
    )
    busy = cpu + server_cpu
    print(
        f"  CPU: collector {cpu:.1f} s"
        + (f" + PostgreSQL server {server_cpu:.1f} s" if postgres else "")
        + f" = {rows / busy:,.0f} rows per CPU second; load average after: {load()}"
    )
    started = time.perf_counter()
    again = Collector(server).run_once()
    print(f"second pass: {again.rows} rows read in {time.perf_counter() - started:.3f} s")
    total_rows, total_seconds = rows, seconds
    for number in range(2, args.servers + 1):
        other = PbxServer.objects.create(
            name=f"bench-{number}",
            host="h",
            ami_user="u",
            ami_secret="s",  # noqa: S106
            log_dir=str(log_dir),
        )
        Phone.objects.bulk_create(
            [Phone(server=other, extension=str(2000 + n)) for n in range(1, 61)]
        )
        Trunk.objects.create(server=other, name="operator", host="sip.example.org")
        started = time.perf_counter()
        more = Collector(other).run_once()
        seconds = time.perf_counter() - started
        assert more.cdr.created == cdrs and more.queue_log.created == lines, more
        total_rows += more.rows
        total_seconds += seconds
        print(
            f"PBX {number}/{args.servers}: {more.rows:,} rows in {seconds:.1f} s = "
            f"{more.rows / seconds:,.0f} rows/s; tables now hold {number * cdrs:,} CDRs, "
            f"{total_rows:,} rows; overall {total_rows / total_seconds:,.0f} rows/s; "
            f"load average {load()}",
            flush=True,
        )
    if args.rate:
        rate(server)
    shutil.rmtree(work, ignore_errors=True)  # generated files and SQLite database


def rate(server: object) -> None:
    """Time billing's pass over the collected calls (all queued by the collector)."""
    from decimal import Decimal

    from switchboard.billing.models import CallCharge, Tariff, Zone
    from switchboard.billing.services import rate_new_calls
    from switchboard.records.models import NewCall

    tariff = Tariff.objects.create(name="bench", tax_rate=Decimal(20))
    for name, prefix, per_minute in (
        ("National", "0", "0.12"),
        ("Mobile", "06", "0.25"),
        ("Mobile", "07", "0.25"),
        ("International", "00", "0.90"),
    ):
        Zone.objects.create(tariff=tariff, name=name, prefix=prefix, per_minute=Decimal(per_minute))
    queued = NewCall.objects.count()
    started = time.perf_counter()
    result = rate_new_calls()
    seconds = time.perf_counter() - started
    assert not NewCall.objects.exists()
    assert CallCharge.objects.count() == result.calls
    print(
        f"rating pass: {queued:,} new calls ({result.calls:,} billable, rated once) in "
        f"{seconds:.1f} s = {queued / seconds:,.0f} calls/s ({result.calls / seconds:,.0f} "
        "billable calls/s)"
    )
    started = time.perf_counter()
    assert rate_new_calls().calls == 0
    print(f"second rating pass: nothing queued, {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
