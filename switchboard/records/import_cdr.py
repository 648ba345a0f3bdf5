"""Import of call history (SPEC R1): from an existing ``asteriskcdrdb`` (MySQL / MariaDB,
the standard ``cdr`` table) or from a Master.csv file, into the call records of one PBX.

Rows get the same idempotency keys as collected ones (a CDR imported from the database
and collected from Master.csv is stored once), so an import may be run again or overlap
the collector. Progress and the summary (rows read / imported / already there / rejected,
with the first reasons) are written to an :class:`~switchboard.records.models.ImportRun`
row after every batch, so the web page follows a run started in a background thread.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from switchboard.records.collector import (
    CDR_COLUMNS,
    Rejected,
    cdr_from_database,
    cdr_from_fields,
    directory_of,
    send_collected,
    store_cdrs,
)
from switchboard.records.models import ImportRun

log = logging.getLogger(__name__)

BATCH = 2000
MAX_REASONS = 20


@dataclass(frozen=True)
class MysqlSource:
    """Where an asteriskcdrdb is; the password is never stored."""

    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = ""
    database: str = "asteriskcdrdb"
    table: str = "cdr"

    @property
    def location(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}.{self.table}"


def _connect(source: MysqlSource) -> Any:
    import pymysql

    return pymysql.connect(
        host=source.host,
        port=source.port,
        user=source.user,
        password=source.password,
        database=source.database,
        charset="utf8mb4",
        connect_timeout=10,
    )


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(_("Bad table name %(name)s.") % {"name": name})
    return f"`{name}`"


def _mysql_rows(source: MysqlSource, run: ImportRun) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, row) of the cdr table from ``run.since``, oldest first, streamed."""
    import pymysql.cursors

    table = _quoted(source.table)
    where, params = "", []
    if run.since:
        where, params = " WHERE calldate >= %s", [run.since.strftime("%Y-%m-%d 00:00:00")]
    connection = _connect(source)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}{where}", params)  # noqa: S608
            ImportRun.objects.filter(pk=run.pk).update(total=cursor.fetchone()[0])
        with connection.cursor(pymysql.cursors.SSDictCursor) as cursor:
            cursor.execute(f"SELECT * FROM {table}{where} ORDER BY calldate", params)  # noqa: S608
            yield from enumerate(cursor, start=1)
    finally:
        connection.close()


def _csv_rows(
    path: Path, run: ImportRun, progress: dict[str, int]
) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    """(line number, CDR values or why not) of a Master.csv file; progress in bytes."""
    ImportRun.objects.filter(pk=run.pk).update(total=path.stat().st_size)
    since = run.since.strftime("%Y-%m-%d") if run.since else ""
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text)
        number = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                number += 1
                yield number, Rejected(_("not a CSV line: %(error)s") % {"error": error})
                continue
            progress["done"] = raw.tell()
            number = reader.line_num
            if not fields:
                continue
            if not 16 <= len(fields) <= 18:
                yield number, Rejected(_("%(count)d fields instead of 18") % {"count": len(fields)})
                continue
            values = dict(zip(CDR_COLUMNS, fields, strict=False))
            if since and values["start"][:10] < since:
                continue
            yield number, values


def run_import(
    run: ImportRun, *, mysql: MysqlSource | None = None, path: Path | None = None
) -> ImportRun:
    """Import everything of one source into ``run.server``; ``run`` holds the summary."""
    tz = timezone.get_default_timezone()
    directory = directory_of(run.server)
    batch: list[dict[str, Any]] = []
    reasons: list[str] = list(run.reasons)
    counts = {"rows_read": 0, "imported": 0, "existing": 0, "rejected": 0}
    state = {"done": 0}

    def reject(number: int, reason: object) -> None:
        counts["rejected"] += 1
        if len(reasons) < MAX_REASONS:
            reasons.append(_("row %(number)d: %(reason)s") % {"number": number, "reason": reason})

    def flush() -> None:
        with transaction.atomic():
            stored = store_cdrs(run.server, batch, directory)
            counts["imported"] += stored.created
            counts["existing"] += stored.existing
            ImportRun.objects.filter(pk=run.pk).update(reasons=reasons, **counts, **state)
        send_collected(run.server, stored.created_ids)
        batch.clear()

    try:
        if mysql is not None:
            rows: Iterator[tuple[int, Any]] = _mysql_rows(mysql, run)
        elif path is not None:
            rows = _csv_rows(path, run, state)
        else:
            raise ValueError("no source")
        for number, row in rows:
            counts["rows_read"] += 1
            if mysql is not None:
                state["done"] = counts["rows_read"]
            if isinstance(row, Rejected):
                reject(number, row)
                continue
            try:
                if mysql is not None:
                    batch.append(cdr_from_database(row, tz))
                else:
                    batch.append(cdr_from_fields(row, tz))
            except Rejected as reason:
                reject(number, reason)
            if len(batch) >= BATCH:
                flush()
        flush()
        total = ImportRun.objects.filter(pk=run.pk).values_list("total", flat=True).first()
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportRun.State.DONE, finished=timezone.now(), done=total or 0
        )
    except Exception as error:  # the page shows why it stopped; what was stored stays
        log.exception("import %s failed", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(
            state=ImportRun.State.FAILED,
            finished=timezone.now(),
            error=str(error) or error.__class__.__name__,
            reasons=reasons,
            **counts,
        )
    run.refresh_from_db()
    return run


def start_in_background(
    run: ImportRun, *, mysql: MysqlSource | None = None, path: Path | None = None
) -> threading.Thread:
    """Run the import in a daemon thread (the page polls the run's row)."""

    def work() -> None:
        close_old_connections()
        try:
            run_import(run, mysql=mysql, path=path)
        finally:
            close_old_connections()

    thread = threading.Thread(target=work, name=f"cdr-import-{run.pk}", daemon=True)
    thread.start()
    return thread


def check_mysql(source: MysqlSource) -> str | None:
    """Why this database cannot be read (translated), or None."""
    try:
        table = _quoted(source.table)
        connection = _connect(source)
    except ValueError as error:
        return str(error)
    except Exception as error:
        return _("Cannot connect to the database: %(error)s") % {"error": error}
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT calldate, src, dst, disposition FROM {table} LIMIT 1")  # noqa: S608
    except Exception as error:
        return _("The database has no readable cdr table: %(error)s") % {"error": error}
    finally:
        connection.close()
    return None
