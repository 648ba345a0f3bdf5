"""Benchmark: export of N report rows to CSV and to Excel through ``core/exports.py``.

    .venv/bin/python bench/export.py [--rows 1000000] [--format csv|xlsx|both]

Rows look like the billing detail (department, phone, aware datetime, number, duration,
two Decimal prices, currency) and come from a generator, as a queryset ``.iterator()`` gives
them, so the figures are those of ``export_response`` itself: building the response and
reading it to the end, as the server does when it sends it (CSV: the streamed chunks;
Excel: the write-only workbook written to its temporary file, then the file read in blocks).

Each format runs in its own process so that its peak memory (``ru_maxrss``) is its own; the
figures are the time, the resident memory before the export (Python + Django loaded) and the
peak during it. The goal is a flat memory: a peak under 200 MB whatever the number of rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rows(count: int) -> Iterator[list[object]]:
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    departments = ["IT (Information technology)", "Sales (Sales team)", "Support (Hotline)"]
    for n in range(count):
        seconds = 20 + n * 7 % 900
        yield [
            departments[n % 3],
            f"Phone {200 + n % 150} ({200 + n % 150})",
            start + dt.timedelta(seconds=n * 13),
            f"06{n * 7919 % 100000000:08d}",
            f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
            Decimal(n % 1000) / 100,
            Decimal(n % 1000) * 12 / 1000,
            "EUR",
        ]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def run_one(fmt: str, count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")
    import django

    django.setup()
    from django.utils import translation

    from switchboard.core.exports import export_response

    translation.activate("en")
    columns = ["Department", "Phone", "Date", "Called number", "Duration", "Excl.", "Incl.", "Cur."]
    before = rss_mb()
    began = time.perf_counter()
    response = export_response(
        fmt,
        title="Telephone consumption",
        report_type="detail per phone",
        period="2026",
        columns=columns,
        rows=rows(count),
        filename="bench",
    )
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB
    print(
        f"export {fmt:4} {count:>9,} rows: {elapsed:7.2f} s ({count / elapsed:>9,.0f} rows/s), "
        f"{size / 1e6:7.1f} MB file, memory {before:5.1f} MB before, peak {peak:5.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    args = parser.parse_args()
    if args.format != "both":
        run_one(args.format, args.rows)
        return
    for fmt in ("csv", "xlsx"):
        subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--format", fmt],
            check=True,
            cwd=ROOT,
        )


if __name__ == "__main__":
    main()
