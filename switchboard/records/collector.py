"""Lossless, incremental collection of Asterisk's CDRs and queue_log (SPEC R1).

Asterisk writes two durable files in its log directory: ``cdr-csv/Master.csv`` (one CDR a
line, as cdr_csv writes it with ``loguniqueid`` and ``loguserfield``) and ``queue_log``
(``time|callid|queue|agent|event|data…``). For each PBX with a ``log_dir`` and each file,
a :class:`~switchboard.records.models.CollectorPosition` keeps the file's identity (inode +
fingerprint of its first line) and the offset read so far, always at the end of a line: a
partial last line is left for the next pass. Rows are inserted in batches with their
idempotency keys (unique ``(server, key)``, see :mod:`~switchboard.records.keys`) and the
position is moved in the same transaction, with a compare-and-set, so a collector killed at
any moment resumes where the database says and never counts a row twice. New call records
are queued (``NewCall``) in that transaction for billing's rating pass, which the collector
never waits for.

Speed (issue 5, ``bench/collect.py``): lines become tuples of column values without model
instances or dicts, times are converted with per-hour / per-minute caches, keys start with
the time so the key index fills at its end; PostgreSQL gets the rows by COPY straight into
the table (parsed while the server inserts the rows already sent; a batch holding a row
already there falls back to a temporary table and ``INSERT … ON CONFLICT DO NOTHING``),
SQLite by INSERTs of 200 rows each.

Rotation: when the path holds another file (new inode or first line) or a shorter one, the
rest of the old file is read first (found by its inode beside the path: ``Master.csv.1``,
``queue_log.0``, ``queue_log-20260101``…), then the new file from its start.

The top of the module is pure (parsing, direction); the bottom touches files and database.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from switchboard.records.keys import cdr_key, queue_log_key

log = logging.getLogger(__name__)

CDR_SOURCE = "cdr_csv"
QUEUE_LOG_SOURCE = "queue_log"
SOURCE_FILES = {CDR_SOURCE: "cdr-csv/Master.csv", QUEUE_LOG_SOURCE: "queue_log"}

# Master.csv columns (cdr_csv, loguniqueid = yes, loguserfield = yes).
CDR_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})
AMA_FLAGS = {0: "", 1: "OMIT", 2: "BILLING", 3: "DOCUMENTATION"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
BATCH_LINES = 20000
READ_BYTES = 1 << 20


class Rejected(ValueError):
    """A line or row that cannot be a record; the message says why (translated by callers)."""


# --- pure parsing --------------------------------------------------------------------------


def split_lines(data: bytes, *, csv_quotes: bool, final: bool = False) -> tuple[list[bytes], int]:
    """Complete lines of ``data`` (without their end) and how many bytes they take.

    A line is complete at its ``\\n``; for CSV, a newline inside a quoted field does not end
    it (quotes are doubled inside fields, so a complete line holds an even number). With
    ``final`` (a rotated file that will not grow), a last line without end counts too.
    """
    lines: list[bytes] = []
    consumed = 0
    start = 0
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        if csv_quotes:
            while end != -1 and data.count(b'"', start, end) % 2:
                end = data.find(b"\n", end + 1)
        if end == -1:
            if final:
                lines.append(data[start:].rstrip(b"\r"))
                consumed = size
            break
        lines.append(data[start:end].rstrip(b"\r"))
        start = end + 1
        consumed = start
    return [line for line in lines if line.strip()], consumed


def parse_time(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` in Asterisk's local time -> an aware datetime; '' -> None."""
    text = text.strip()
    if not text:
        return None
    # By hand: strptime costs more than the rest of a line's parsing.
    if (
        len(text) == 19
        and text[4] == text[7] == "-"
        and text[10] == " "
        and text[13] == text[16] == ":"
    ):
        try:
            return dt.datetime(
                int(text[0:4]),
                int(text[5:7]),
                int(text[8:10]),
                int(text[11:13]),
                int(text[14:16]),
                int(text[17:19]),
                tzinfo=tz,
            )
        except ValueError:
            pass
    raise Rejected(_("bad time %(value)r") % {"value": text})


def _whole(text: object, name: str) -> int:
    try:
        value = int(str(text).strip() or 0)
    except ValueError as error:
        raise Rejected(
            _("%(name)s is not a whole number: %(value)r") % {"name": name, "value": text}
        ) from error
    if value < 0:
        raise Rejected(_("%(name)s is negative: %(value)r") % {"name": name, "value": text})
    return value


def cdr_from_fields(values: dict[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """Model field values (and ``key``) of one CDR given by column name (strings)."""
    start_text = str(values.get("start") or "").strip()
    start = parse_time(start_text, tz)
    if start is None:
        raise Rejected(_("no start time"))
    disposition = str(values.get("disposition") or "").strip()
    if disposition not in DISPOSITIONS:
        raise Rejected(_("unknown status %(value)r") % {"value": disposition})
    duration = _whole(values.get("duration"), "duration")
    billsec = _whole(values.get("billsec"), "billsec")
    text = {name: str(values.get(name) or "") for name in CDR_COLUMNS}
    row: dict[str, Any] = {
        name: text[name]
        for name in (
            "accountcode",
            "src",
            "dst",
            "dcontext",
            "clid",
            "channel",
            "dstchannel",
            "lastapp",
            "lastdata",
            "amaflags",
            "uniqueid",
            "userfield",
        )
    }
    row.update(
        start=start,
        answer=parse_time(text["answer"], tz),
        end=parse_time(text["end"], tz),
        duration=duration,
        billsec=billsec,
        disposition=disposition,
        key=cdr_key(
            int(start.timestamp()),
            text["uniqueid"],
            start_text,
            text["channel"],
            text["dstchannel"],
            text["dst"],
            duration,
        ),
    )
    for name in ("linkedid", "peeraccount"):
        if values.get(name):
            row[name] = str(values[name])
    if values.get("sequence") not in (None, ""):
        row["sequence"] = _whole(values["sequence"], "sequence")
    return row


def parse_cdr_line(line: str, tz: dt.tzinfo) -> dict[str, Any]:
    """One Master.csv line -> model field values with ``key``; :class:`Rejected` if not a CDR."""
    try:
        fields = next(csv.reader([line], strict=True))
    except (csv.Error, StopIteration) as error:
        raise Rejected(_("not a CSV line: %(error)s") % {"error": error}) from error
    if not 16 <= len(fields) <= 18:
        raise Rejected(_("%(count)d fields instead of 18") % {"count": len(fields)})
    return cdr_from_fields(dict(zip(CDR_COLUMNS, fields, strict=False)), tz)


def cdr_from_database(row: dict[str, Any], tz: dt.tzinfo) -> dict[str, Any]:
    """One row of an asteriskcdrdb ``cdr`` table (calldate, clid, …) -> model field values.

    The standard table has no answer and end times: end = calldate + duration and, for an
    answered call, answer = end - billsec.
    """
    calldate = row.get("calldate")
    if isinstance(calldate, dt.datetime):
        start_text = calldate.strftime(TIME_FORMAT)
    else:
        start_text = str(calldate or "")
    amaflags = row.get("amaflags")
    if isinstance(amaflags, int):
        amaflags = AMA_FLAGS.get(amaflags, str(amaflags))
    values = {name: row.get(name) for name in CDR_COLUMNS}
    values.update(start=start_text, answer="", end="", amaflags=amaflags or "")
    for name in ("linkedid", "peeraccount", "sequence"):
        values[name] = row.get(name)
    record = cdr_from_fields(values, tz)
    record["end"] = record["start"] + dt.timedelta(seconds=record["duration"])
    if record["disposition"] == "ANSWERED":
        record["answer"] = record["end"] - dt.timedelta(seconds=record["billsec"])
    return record


def queue_log_fields(line: str) -> tuple[Any, ...]:
    """One queue_log line -> (key, epoch seconds, callid, queue, agent, event, data1…data5),
    the text fields cut to their column's length; :class:`Rejected` if not one."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5:
        raise Rejected(_("%(count)d fields instead of at least 5") % {"count": len(parts)})
    try:
        stamp = int(parts[0])
    except ValueError as error:
        raise Rejected(_("bad time %(value)r") % {"value": parts[0]}) from error
    if not parts[4]:
        raise Rejected(_("no event"))
    count = len(parts)
    if count == 10:
        data = parts[5:]
    elif count < 10:
        data = parts[5:] + [""] * (10 - count)
    else:
        data = [*parts[5:9], "|".join(parts[9:])]
    callid, queue, agent, event = parts[1][:150], parts[2][:80], parts[3][:80], parts[4][:40]
    data = [data[0][:255], data[1][:255], data[2][:255], data[3][:255], data[4][:255]]
    key = queue_log_key(stamp, callid, queue, agent, event, data)
    return (key, stamp, callid, queue, agent, event, *data)


def parse_queue_log_line(line: str) -> dict[str, Any]:
    """One queue_log line -> model field values with ``key``; :class:`Rejected` if not one."""
    values = queue_log_fields(line)
    try:
        time_ = dt.datetime.fromtimestamp(values[1], tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise Rejected(_("bad time %(value)r") % {"value": values[1]}) from error
    row = dict(zip(("key", "time", *QUEUE_FIELDS[2:]), values, strict=True))
    row["time"] = time_
    return row


def endpoint_of(channel: str) -> tuple[str, str]:
    """``PJSIP/201-0000001a`` -> (``PJSIP``, ``201``); a Local or empty channel -> (tech, '')."""
    tech, _, rest = channel.partition("/")
    if not rest or tech.upper() not in ("PJSIP", "SIP", "IAX2"):
        return tech, ""
    name, dash, _suffix = rest.rpartition("-")
    return tech, name if dash else rest


@dataclass(frozen=True)
class Directory:
    """What a PBX's endpoints are: phones (extension -> (phone id, department id)), lines."""

    phones: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    trunks: frozenset[str] = frozenset()

    def classify(self, channel: str, dstchannel: str) -> tuple[str, int | None, int | None]:
        """(direction, phone id, department id) of a CDR from its two channels."""
        _, caller = endpoint_of(channel)
        _, callee = endpoint_of(dstchannel)
        caller_phone = self.phones.get(caller) if caller else None
        callee_phone = self.phones.get(callee) if callee else None
        if caller_phone is not None:
            direction = "outbound" if callee in self.trunks else "internal"
            return direction, caller_phone[0], caller_phone[1]
        if caller in self.trunks or callee_phone is not None:
            phone = callee_phone or (None, None)
            return "inbound", phone[0], phone[1]
        return "other", None, None


# --- database ------------------------------------------------------------------------------


def directory_of(server: Any) -> Directory:
    from switchboard.pbx.models import Phone, Trunk

    phones = {
        extension: (pk, department)
        for pk, extension, department in Phone.objects.filter(server=server).values_list(
            "pk", "extension", "department_id"
        )
    }
    trunks = frozenset(
        f"trunk-{name}"
        for name in Trunk.objects.filter(server=server).values_list("name", flat=True)
    )
    return Directory(phones, trunks)


def _limits(model: Any) -> dict[str, int]:
    return {
        f.name: f.max_length
        for f in model._meta.get_fields()
        if getattr(f, "max_length", None) and f.get_internal_type() == "CharField"
    }


@dataclass
class StoreResult:
    read: int = 0
    created: int = 0
    existing: int = 0
    created_ids: list[int] = field(default_factory=list)


CDR_FIELDS = (
    "key",
    "start",
    "answer",
    "end",
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "linkedid",
    "userfield",
    "peeraccount",
    "sequence",
)
CDR_DB_COLUMNS = (*CDR_FIELDS, "server_id", "direction", "phone_id", "department_id", "recording")
QUEUE_FIELDS = (
    "key",
    "time",
    "callid",
    "queue",
    "agent",
    "event",
    "data1",
    "data2",
    "data3",
    "data4",
    "data5",
)
QUEUE_DB_COLUMNS = (*QUEUE_FIELDS, "server_id")
# What makes a row the row its key stands for (positions in the *_DB_COLUMNS tuples; the
# time, at position 1, is compared as epoch seconds): see resolve_conflicts.
CDR_IDENTITY = ("uniqueid", "channel", "dstchannel", "dst", "duration")
QUEUE_IDENTITY = QUEUE_FIELDS[2:]
EPOCH = dt.datetime(1970, 1, 1)
SQLITE_ROWS = 200  # rows per INSERT statement on SQLite


class Times:
    """Times -> the text the database stores, fast (caches per local hour and per minute).

    SQLite: UTC as ``YYYY-MM-DD HH:MM:SS`` (as Django stores an aware datetime there);
    PostgreSQL: the same with ``+00``, read by the server as a ``timestamptz``.
    """

    def __init__(self, tz: dt.tzinfo, vendor: str) -> None:
        self.tz = tz
        self.suffix = "+00" if vendor == "postgresql" else ""
        self.seconds = [f"{n:02d}{self.suffix}" for n in range(60)]
        self.hours: dict[str, tuple[int, bool]] = {}  # local hour -> (epoch, offset is 0)
        self.minutes: dict[int, str] = {}  # epoch minute -> its text up to the seconds

    def local(self, text: str) -> tuple[int, str] | None:
        """Asterisk's local ``YYYY-MM-DD HH:MM:SS`` -> (epoch seconds, database text);
        '' -> None; :class:`Rejected` if not such a time."""
        if len(text) != 19:
            text = text.strip()
            if not text:
                return None
        hour = self.hours.get(text[:13])
        if hour is None:
            moment = parse_time(text, self.tz)  # checks every part, raises Rejected
            assert moment is not None
            offset = moment.utcoffset()
            base = int(moment.timestamp()) - moment.minute * 60 - moment.second
            if len(self.hours) > 100_000:
                self.hours.clear()
            hour = self.hours[text[:13]] = (base, not offset)
        minutes, seconds = text[14:16], text[17:19]
        if (
            len(text) != 19
            or text[13] != ":"
            or text[16] != ":"
            or not (minutes.isascii() and seconds.isascii())
            or not (minutes.isdigit() and seconds.isdigit())
            or minutes > "59"
            or seconds > "59"
        ):
            raise Rejected(_("bad time %(value)r") % {"value": text})
        stamp = hour[0] + int(minutes) * 60 + int(seconds)
        if hour[1]:
            return stamp, text + self.suffix
        return stamp, self.db(stamp)

    def epoch(self, text: str) -> int | None:
        """Epoch seconds of Asterisk's local ``YYYY-MM-DD HH:MM:SS``; '' -> None."""
        found = self.local(text)
        return None if found is None else found[0]

    def db(self, stamp: int) -> str:
        """Epoch seconds -> the database's text of that instant."""
        minute, second = divmod(stamp, 60)
        prefix = self.minutes.get(minute)
        if prefix is None:
            try:
                prefix = (EPOCH + dt.timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:")
            except OverflowError as error:
                raise Rejected(_("bad time %(value)r") % {"value": stamp}) from error
            if len(self.minutes) > 100_000:
                self.minutes.clear()
            self.minutes[minute] = prefix
        return prefix + self.seconds[second]


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


class CdrRows:
    """Master.csv fields or parsed CDRs -> tuples of ``CDR_DB_COLUMNS`` for one PBX."""

    def __init__(self, server_id: int, directory: Directory, times: Times) -> None:
        from switchboard.records.models import CallRecord

        self.server_id, self.directory, self.times = server_id, directory, times
        self.limits = _limits(CallRecord)

    def from_fields(self, fields: list[str]) -> tuple[Any, ...]:
        """One Master.csv line's fields (as ``parse_cdr_line``, without dicts: the fast path)."""
        count = len(fields)
        if not 16 <= count <= 18:
            raise Rejected(_("%(count)d fields instead of 18") % {"count": count})
        (accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata) = fields[:9]
        start_text = fields[9].strip()
        times = self.times
        started = times.local(start_text)
        if started is None:
            raise Rejected(_("no start time"))
        start, start_db = started
        disposition = fields[14].strip()
        if disposition not in DISPOSITIONS:
            raise Rejected(_("unknown status %(value)r") % {"value": disposition})
        duration = _whole(fields[12], "duration")
        billsec = _whole(fields[13], "billsec")
        answer = times.local(fields[10])
        end = times.local(fields[11])
        uniqueid = fields[16] if count > 16 else ""
        userfield = fields[17] if count > 17 else ""
        direction, phone, department = self.directory.classify(channel, dstchannel)
        key = cdr_key(start, uniqueid, start_text, channel, dstchannel, dst, duration)
        limit = self.limits
        return (
            key,
            start_db,
            None if answer is None else answer[1],
            None if end is None else end[1],
            clid[: limit["clid"]],
            src[: limit["src"]],
            dst[: limit["dst"]],
            dcontext[: limit["dcontext"]],
            channel[: limit["channel"]],
            dstchannel[: limit["dstchannel"]],
            lastapp[: limit["lastapp"]],
            lastdata[: limit["lastdata"]],
            duration,
            billsec,
            disposition,
            fields[15][: limit["amaflags"]],
            accountcode[: limit["accountcode"]],
            uniqueid[: limit["uniqueid"]],
            "",
            userfield[: limit["userfield"]],
            "",
            0,
            self.server_id,
            direction,
            phone,
            department,
            "",
        )

    def from_row(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """A CDR parsed to model field values (``cdr_from_fields``) -> its tuple."""
        times, limit = self.times, self.limits
        direction, phone, department = self.directory.classify(row["channel"], row["dstchannel"])
        values: list[Any] = []
        for name in CDR_FIELDS:
            value = row.get(name, _DEFAULTS.get(name, ""))
            if isinstance(value, dt.datetime):
                value = times.db(int(value.timestamp()))
            elif isinstance(value, str) and name in limit:
                value = value[: limit[name]]
            values.append(value)
        return (*values, self.server_id, direction, phone, department, "")


_DEFAULTS = {"answer": None, "end": None, "sequence": 0, "duration": 0, "billsec": 0}


def _copy_rows(cursor: Any, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    names = ", ".join(columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_ignoring(
    model: Any,
    columns: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    *,
    want_ids: bool,
    expected: int | None = None,
    kept: list[tuple[Any, ...]] | None = None,
) -> tuple[int, list[int]]:
    """Insert rows, leaving out those whose ``(server, key)`` is already there; returns how
    many went in and (``want_ids``) their ids. Call inside a transaction.

    ``rows`` may be a generator (``expected``: at most how many it gives), filling ``kept``
    as it goes: on PostgreSQL the lines are then parsed while the server inserts the rows
    already sent. PostgreSQL: ids are taken from the table's sequence first, then the rows
    are COPied straight into the table inside a savepoint (the fast way: no conflict is
    expected); if one row is already there, the savepoint is rolled back and the rows go
    through a temporary table and ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id``.
    SQLite: ``INSERT … ON CONFLICT DO NOTHING`` of many rows a statement; the new ids are
    those above the largest id before (the write lock is held: nobody else inserts).
    """
    if kept is None:
        kept = rows if isinstance(rows, list) else []
    if not isinstance(rows, list) and expected is None:
        rows = kept = list(rows)
    if expected is None:
        expected = len(rows)  # type: ignore[arg-type]
    if not expected:
        return 0, []
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    quoted = [quote(name) for name in columns]
    if connection.vendor == "postgresql":
        import psycopg

        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            ids: list[int] = []
            if want_ids:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, expected],
                )
                ids = [found for (found,) in cursor.fetchall()]
                quoted = ['"id"', *quoted]
            source = iter(rows)
            stream = zip(ids, source, strict=False) if want_ids else source
            try:
                with transaction.atomic():
                    _copy_rows(
                        cursor,
                        table,
                        quoted,
                        ((pk, *row) for pk, row in stream) if want_ids else stream,
                    )
                return len(kept), ids[: len(kept)]
            except psycopg.errors.UniqueViolation:
                pass  # some rows are there already: the careful way
            for _row in source:
                pass  # the rest of the lines, for ``kept``
            rows = [(pk, *row) for pk, row in zip(ids, kept, strict=False)] if want_ids else kept
            names = ", ".join(quoted)
            cursor.execute(
                f"CREATE TEMP TABLE sb_collect ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            _copy_rows(cursor, "sb_collect", quoted, rows)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM sb_collect "  # noqa: S608
                'ON CONFLICT DO NOTHING RETURNING "id"'
            )
            created = [found for (found,) in cursor.fetchall()]
            cursor.execute("DROP TABLE sb_collect")
            return len(created), sorted(created) if want_ids else []
    # Statements of many rows (VALUES (…), (…), …): a fifth cheaper than one row each.
    names = ", ".join(quoted)
    if not isinstance(rows, list):
        rows = list(rows)
    marks = "(" + ", ".join(["?"] * len(columns)) + ")"
    size = max(1, min(SQLITE_ROWS, 30000 // len(columns)))
    statements: dict[int, str] = {}
    inserted = 0
    raw = connection.connection  # Django's "%s" -> "?" conversion is not needed here
    with connection.cursor() as cursor:
        before = 0
        if want_ids:
            cursor.execute(f'SELECT coalesce(max("id"), 0) FROM {table}')  # noqa: S608
            before = cursor.fetchone()[0]
        sqlite = raw.cursor()
        for begin in range(0, len(rows), size):
            part = rows[begin : begin + size]
            sql = statements.get(len(part))
            if sql is None:
                sql = statements[len(part)] = (
                    f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                    + ", ".join([marks] * len(part))
                    + " ON CONFLICT DO NOTHING"
                )
            sqlite.execute(sql, [value for row in part for value in row])
            inserted += sqlite.rowcount
        sqlite.close()
        if not want_ids or not inserted:
            return inserted, []
        cursor.execute(f'SELECT "id" FROM {table} WHERE "id" > %s ORDER BY "id"', [before])  # noqa: S608
        return inserted, [found for (found,) in cursor.fetchall()]


def _identity(model: Any, names: tuple[str, ...], values: dict[str, Any]) -> tuple[Any, ...]:
    time_name = "start" if "start" in values else "time"
    stamp = values[time_name]
    if isinstance(stamp, dt.datetime):
        stamp = int(stamp.timestamp())
    return (stamp & 0xFFFFFFFF, *(values[name] for name in names))


def resolve_conflicts(
    model: Any, server_id: int, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> tuple[int, list[int]]:
    """After an insert that left rows out: a row left out whose key is held by a *different*
    row (a collision of keys, see ``keys``) is stored under the next free key of its sequence
    ``key~1``, ``key~2``…, unless a row equal to it is already there under one of them.
    Returns how many rows this inserted and their ids. Rare: only when rows were left out."""
    names = CDR_IDENTITY if model._meta.model_name == "callrecord" else QUEUE_IDENTITY
    time_name = "start" if "start" in columns else "time"
    position = {name: index for index, name in enumerate(columns)}
    created_ids: list[int] = []
    created = 0

    def ours(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return (
            int(row[0][:8], 16),
            *(row[position[name]] for name in names),
        )

    def stored(keys: list[str]) -> dict[str, tuple[Any, ...]]:
        found = {}
        fields = ("key", time_name, *names)
        for begin in range(0, len(keys), 5000):
            for values in model.objects.filter(
                server_id=server_id, key__in=keys[begin : begin + 5000]
            ).values(*fields):
                found[values["key"]] = _identity(model, names, values)
        return found

    there = stored(sorted({row[0] for row in rows}))
    for row in rows:
        identity = ours(row)
        base = row[0]
        key, step = base, 0
        while True:
            held = there.get(key) if step == 0 else stored([key]).get(key)
            if held == identity:
                break  # already stored (now or before)
            if held is None:
                one = (key, *row[1:])
                inserted, ids = _insert_ignoring(
                    model, columns, [one], want_ids=model._meta.model_name == "callrecord"
                )
                if inserted:
                    log.warning("key collision: a row stored under %s", key)
                    created += inserted
                    created_ids += ids
                    break
                continue  # inserted meanwhile by someone else: compare again
            step += 1
            key = f"{base}~{step}"
    return created, created_ids


def _store(
    model: Any,
    server_id: int,
    columns: tuple[str, ...],
    rows: Iterable[tuple],
    *,
    want_ids: bool,
    expected: int | None = None,
    kept: list[tuple] | None = None,
) -> StoreResult:
    """Insert the rows not yet stored (call inside a transaction); see ``_insert_ignoring``
    (a generator of rows fills ``kept``)."""
    if kept is None:
        kept = rows if isinstance(rows, list) else []
    inserted, ids = _insert_ignoring(
        model, columns, rows, want_ids=want_ids, expected=expected, kept=kept
    )
    result = StoreResult(read=len(kept))
    if inserted < len(kept):
        more, more_ids = resolve_conflicts(model, server_id, columns, kept)
        inserted += more
        ids = sorted(ids + more_ids)
    result.created = inserted
    result.created_ids = ids
    result.existing = len(kept) - inserted
    if want_ids and ids:
        _queue_new_calls(ids)
    return result


def _queue_new_calls(ids: list[int]) -> None:
    """Queue the new calls for the passes that process each collected call once (billing's
    rating), in the same transaction as the rows: none is forgotten after a crash."""
    from switchboard.records.models import NewCall

    _insert_ignoring(NewCall, ("record_id",), [(pk,) for pk in ids], want_ids=False)


def store_cdrs(server: Any, rows: list[dict[str, Any]], directory: Directory) -> StoreResult:
    """Insert CDR rows (with keys, as ``cdr_from_fields`` gives) not yet stored; call inside
    a transaction. Returns the ids of the new ones."""
    from switchboard.records.models import CallRecord

    convert = CdrRows(server.pk, directory, Times(timezone.get_default_timezone(), _vendor()))
    values = [convert.from_row(row) for row in rows]
    return _store(CallRecord, server.pk, CDR_DB_COLUMNS, values, want_ids=True)


def store_queue_log(server: Any, rows: list[dict[str, Any]]) -> StoreResult:
    """Insert queue_log rows (with keys, as ``parse_queue_log_line`` gives) not yet stored;
    call inside a transaction."""
    from switchboard.records.models import QueueLogEntry

    times = Times(dt.UTC, _vendor())
    values = [
        (
            row["key"],
            times.db(int(row["time"].timestamp())),
            *(row[name] for name in QUEUE_FIELDS[2:]),
            server.pk,
        )
        for row in rows
    ]
    return _store(QueueLogEntry, server.pk, QUEUE_DB_COLUMNS, values, want_ids=False)


def send_collected(server: Any, record_ids: list[int]) -> None:
    """Tell receivers (billing) about new call records, after their commit."""
    if not record_ids:
        return
    from switchboard.records.signals import records_collected
    from switchboard.telephony.models import PbxServer

    for receiver, response in records_collected.send_robust(
        sender=PbxServer, server=server, record_ids=record_ids
    ):
        if isinstance(response, Exception):
            log.error("records_collected receiver %r failed: %s", receiver, response)


# --- files ---------------------------------------------------------------------------------


def fingerprint(path: Path) -> str:
    """Hash of the file's first complete line ('' while it has none)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return ""
    end = head.find(b"\n")
    if end == -1:
        return ""
    return hashlib.sha1(head[: end + 1], usedforsecurity=False).hexdigest()


def _rotated_copy(path: Path, inode: int, mark: str) -> Path | None:
    """The old file a rotation moved away: same directory, name starting like the path."""
    try:
        candidates = sorted(path.parent.iterdir())
    except OSError:
        return None
    for candidate in candidates:
        if candidate == path or not candidate.name.startswith(path.name):
            continue
        try:
            if candidate.stat().st_ino == inode and fingerprint(candidate) == mark:
                return candidate
        except OSError:
            continue
    return None


@dataclass
class PassResult:
    """What one collection pass did for one PBX."""

    cdr: StoreResult = field(default_factory=StoreResult)
    queue_log: StoreResult = field(default_factory=StoreResult)
    rejected: int = 0

    @property
    def rows(self) -> int:
        return self.cdr.read + self.queue_log.read


class PositionMoved(Exception):
    """Another collector moved this position meanwhile: this batch is rolled back."""


class Collector:
    """Collects one PBX's log directory; ``run_once`` reads everything there is now."""

    def __init__(self, server: Any, *, batch_lines: int = BATCH_LINES) -> None:
        self.server = server
        self.batch_lines = batch_lines
        self.tz = timezone.get_default_timezone()
        self.directory = directory_of(server)
        vendor = self._vendor = _vendor()
        self._times = Times(dt.UTC, vendor)
        self._cdr_rows = CdrRows(server.pk, self.directory, Times(self.tz, vendor))

    def run_once(self) -> PassResult:
        result = PassResult()
        _large_cache()
        for source in (CDR_SOURCE, QUEUE_LOG_SOURCE):
            self._collect_source(source, result)
        return result

    # One source -------------------------------------------------------------------------

    def _position(self, source: str) -> Any:
        from switchboard.records.models import CollectorPosition

        path = str(Path(self.server.log_dir) / SOURCE_FILES[source])
        position, _created = CollectorPosition.objects.get_or_create(
            server=self.server, source=source, defaults={"path": path}
        )
        if position.path != path:  # the log directory moved: a new file entirely
            position.path, position.inode, position.offset, position.fingerprint = path, 0, 0, ""
            position.save()
        return position

    def _collect_source(self, source: str, result: PassResult) -> None:
        position = self._position(source)
        path = Path(position.path)
        try:
            stat = path.stat()
        except FileNotFoundError:
            stat = None
        if position.inode:
            same = (
                stat is not None
                and stat.st_ino == position.inode
                and stat.st_size >= position.offset
                and fingerprint(path) == position.fingerprint
            )
            if not same:
                old = None
                if stat is None or stat.st_ino != position.inode:
                    old = _rotated_copy(path, position.inode, position.fingerprint)
                if old is not None:
                    self._read_file(source, position, old, result, final=True)
                    log.info("%s: finished rotated %s", self.server.name, old)
                else:
                    log.warning(
                        "%s: %s was replaced or truncated; reading it from the start",
                        self.server.name,
                        path,
                    )
                self._move(position, inode=0, offset=0, mark="")
        if stat is None:
            return
        self._read_file(source, position, path, result, final=False)

    def _read_file(
        self, source: str, position: Any, path: Path, result: PassResult, *, final: bool
    ) -> None:
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            inode = os.fstat(handle.fileno()).st_ino
            if position.inode and position.inode != inode:
                return
            mark = fingerprint(path)
            if not mark and not final:
                return  # no complete line yet
            offset = position.offset if position.inode == inode else 0
            chunk = READ_BYTES
            while True:
                handle.seek(offset)
                data = handle.read(chunk)
                if not data:
                    break
                lines, consumed = split_lines(
                    data, csv_quotes=source == CDR_SOURCE, final=final and len(data) < chunk
                )
                if consumed == 0:
                    if len(data) < chunk:
                        break  # a partial last line: next time
                    chunk *= 2
                    continue
                # Store in batches; a batch's position is the end of its last line.
                ends = _line_ends(data[:consumed], csv_quotes=source == CDR_SOURCE)
                for begin in range(0, len(lines), self.batch_lines):
                    batch = lines[begin : begin + self.batch_lines]
                    end_offset = offset + (
                        ends[begin + len(batch) - 1]
                        if begin + len(batch) < len(lines)
                        else consumed
                    )
                    self._store_batch(source, position, batch, inode, mark, end_offset, result)
                offset += consumed

    def _store_batch(
        self,
        source: str,
        position: Any,
        lines: list[bytes],
        inode: int,
        mark: str,
        new_offset: int,
        result: PassResult,
    ) -> None:
        server_id = self.server.pk
        kept: list[tuple[Any, ...]] = []
        append = kept.append

        def parsed() -> Iterator[tuple[Any, ...]]:
            """The batch's rows, parsed as they are sent (and kept for a second look)."""
            if source == CDR_SOURCE:
                convert = self._cdr_rows.from_fields
                reader = csv.reader
            else:
                db_time = self._times.db
            for raw in lines:
                text = raw.decode("utf-8", errors="replace")
                try:
                    if source == CDR_SOURCE:
                        try:
                            fields = next(reader((text,), strict=True))
                        except (csv.Error, StopIteration) as error:
                            raise Rejected(
                                _("not a CSV line: %(error)s") % {"error": error}
                            ) from error
                        row = convert(fields)
                    else:
                        values = queue_log_fields(text)
                        row = (values[0], db_time(values[1]), *values[2:], server_id)
                except Rejected as reason:
                    result.rejected += 1
                    log.warning(
                        "%s: %s line rejected (%s): %r", self.server.name, source, reason, text
                    )
                    continue
                append(row)
                yield row

        from switchboard.records.models import CallRecord, QueueLogEntry

        with transaction.atomic():
            if source == CDR_SOURCE:
                model, columns, want_ids = CallRecord, CDR_DB_COLUMNS, True
            else:
                model, columns, want_ids = QueueLogEntry, QUEUE_DB_COLUMNS, False
            if self._vendor == "postgresql":
                stored = _store(
                    model,
                    server_id,
                    columns,
                    parsed(),
                    want_ids=want_ids,
                    expected=len(lines),
                    kept=kept,
                )
            else:
                stored = _store(model, server_id, columns, list(parsed()), want_ids=want_ids)
            self._move(position, inode=inode, offset=new_offset, mark=mark)
        total = result.cdr if source == CDR_SOURCE else result.queue_log
        total.read += stored.read
        total.created += stored.created
        total.existing += stored.existing
        if source == CDR_SOURCE:
            total.created_ids += stored.created_ids
            send_collected(self.server, stored.created_ids)

    def _move(self, position: Any, *, inode: int, offset: int, mark: str) -> None:
        """Compare-and-set of the position: from what this collector read to the new one."""
        from switchboard.records.models import CollectorPosition

        with transaction.atomic():
            moved = CollectorPosition.objects.filter(
                pk=position.pk, inode=position.inode, offset=position.offset
            ).update(inode=inode, offset=offset, fingerprint=mark, updated=timezone.now())
            if not moved:
                raise PositionMoved(f"{self.server.name} {position.source}")
        position.inode, position.offset, position.fingerprint = inode, offset, mark


def _large_cache() -> None:
    """SQLite: a 64 MiB page cache for this connection (2 MiB by default), so inserting
    into the large indexes of millions of rows does not re-read pages all the time (256 MiB
    made no difference at 1 million calls). Durability is untouched (WAL, synchronous
    writes at each commit, as the portal sets)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")


def _line_ends(data: bytes, *, csv_quotes: bool) -> list[int]:
    """Offset just after each non-blank complete line of ``data`` (as split_lines keeps them)."""
    ends = []
    start = 0
    size = len(data)
    while start < size:
        end = data.find(b"\n", start)
        if csv_quotes:
            while end != -1 and data.count(b'"', start, end) % 2:
                end = data.find(b"\n", end + 1)
        if end == -1:
            if data[start:].strip():
                ends.append(size)
            break
        if data[start:end].strip():
            ends.append(end + 1)
        start = end + 1
    return ends


def collectable_servers() -> Iterable[Any]:
    from switchboard.telephony.models import PbxServer

    return PbxServer.objects.filter(enabled=True).exclude(log_dir="")


def collect_all() -> dict[str, PassResult]:
    """One pass over every enabled PBX with a log directory; errors are logged, not raised."""
    from django.db import close_old_connections

    close_old_connections()
    results = {}
    try:
        servers = list(collectable_servers())
    except Exception:
        log.exception("could not read the PBX servers to collect")
        close_old_connections()
        return results
    try:
        for server in servers:
            try:
                results[server.name] = Collector(server).run_once()
            except PositionMoved:
                log.info("%s: another collector is running; skipped", server.name)
            except Exception:
                log.exception("collection of %s failed", server.name)
    finally:
        close_old_connections()
    return results


def follow(interval: float = 2.0, *, stop: Any = None) -> Iterator[dict[str, PassResult]]:
    """Collect every ``interval`` seconds, yielding each pass's results, until ``stop`` is set."""
    while stop is None or not stop.is_set():
        started = time.monotonic()
        yield collect_all()
        delay = max(0.0, interval - (time.monotonic() - started))
        if stop is not None:
            stop.wait(delay)
        else:
            time.sleep(delay)
