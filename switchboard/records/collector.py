"""Lossless, incremental collection of Asterisk's CDRs and queue_log (SPEC R1).

Asterisk writes two durable files in its log directory: ``cdr-csv/Master.csv`` (one CDR a
line, as cdr_csv writes it with ``loguniqueid`` and ``loguserfield``) and ``queue_log``
(``time|callid|queue|agent|event|data…``). For each PBX with a ``log_dir`` and each file,
a :class:`~switchboard.records.models.CollectorPosition` keeps the file's identity (inode +
fingerprint of its first line) and the offset read so far, always at the end of a line: a
partial last line is left for the next pass. Rows are inserted in batches with their
idempotency keys (``ignore_conflicts`` on ``(server, key)``) and the position is moved in
the same transaction, with a compare-and-set, so a collector killed at any moment resumes
where the database says and never counts a row twice.

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
            text["uniqueid"], start_text, text["channel"], text["dstchannel"], text["dst"], duration
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


def parse_queue_log_line(line: str) -> dict[str, Any]:
    """One queue_log line -> model field values with ``key``; :class:`Rejected` if not one."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5:
        raise Rejected(_("%(count)d fields instead of at least 5") % {"count": len(parts)})
    try:
        stamp = int(parts[0])
    except ValueError as error:
        raise Rejected(_("bad time %(value)r") % {"value": parts[0]}) from error
    if not parts[4]:
        raise Rejected(_("no event"))
    data = parts[5:]
    if len(data) > 5:
        data = [*data[:4], "|".join(data[4:])]
    data += [""] * (5 - len(data))
    row = {
        "time": dt.datetime.fromtimestamp(stamp, tz=dt.UTC),
        "callid": parts[1],
        "queue": parts[2],
        "agent": parts[3],
        "event": parts[4],
        "key": queue_log_key(line),
    }
    row.update({f"data{index + 1}": value for index, value in enumerate(data)})
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
_DEFAULTS = {"answer": None, "end": None, "sequence": 0, "duration": 0, "billsec": 0}


def _insert_ignoring(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING of many rows in one executemany (SQLite, PostgreSQL);
    returns how many were inserted. Far cheaper than model instances for bulk collection."""
    if not rows:
        return 0
    from django.db import connection

    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    if connection.vendor == "postgresql":
        # COPY into a temporary table, then one INSERT … SELECT: several times faster than
        # row-by-row INSERTs. The temporary table goes with the transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE sb_collect ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY sb_collect ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM sb_collect "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
            inserted = cursor.rowcount
            cursor.execute("DROP TABLE sb_collect")
            return max(inserted, 0)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return max(cursor.rowcount, 0)


def _row_values(
    row: dict[str, Any], names: tuple[str, ...], limits: dict[str, int], adapt: Any
) -> list[Any]:
    values = []
    for name in names:
        value = row[name] if name in row else _DEFAULTS.get(name, "")
        if value.__class__ is str:
            limit = limits.get(name)
            if limit:
                value = value[:limit]
        elif value is not None and value.__class__ is not int:
            value = adapt(value)
        values.append(value)
    return values


def _adapter() -> Any:
    """Aware datetime -> what the database takes (SQLite: UTC text, as Django stores it)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        utc = dt.UTC

        def adapt(value: dt.datetime) -> str:
            return value.astimezone(utc).replace(tzinfo=None).isoformat(" ")

        return adapt
    return connection.ops.adapt_datetimefield_value


def _in_chunks(model: Any, server: Any, keys: list[str], field: str) -> list[Any]:
    """``field`` of the rows with these keys, asked 5,000 keys at a time (SQL parameter limits)."""
    found: list[Any] = []
    for begin in range(0, len(keys), 5000):
        chunk = keys[begin : begin + 5000]
        found += model.objects.filter(server=server, key__in=chunk).values_list(field, flat=True)
    return found


def store_cdrs(server: Any, rows: list[dict[str, Any]], directory: Directory) -> StoreResult:
    """Insert CDR rows (with keys) not yet stored; call inside a transaction. Returns ids."""
    from switchboard.records.models import CallRecord

    result = StoreResult(read=len(rows))
    if not rows:
        return result
    unique: dict[str, dict[str, Any]] = {}
    for row in rows:
        unique.setdefault(row["key"], row)
    existing = set(_in_chunks(CallRecord, server, list(unique), "key"))
    limits = _limits(CallRecord)
    adapt = _adapter()
    columns = [
        *CDR_FIELDS,
        "server_id",
        "direction",
        "phone_id",
        "department_id",
        "recording",
    ]
    values = []
    new_keys = []
    for key, row in unique.items():
        if key in existing:
            continue
        direction, phone, department = directory.classify(row["channel"], row["dstchannel"])
        values.append(
            (
                *_row_values(row, CDR_FIELDS, limits, adapt),
                server.pk,
                direction,
                phone,
                department,
                "",
            )
        )
        new_keys.append(key)
    if _insert_ignoring(CallRecord, columns, values):
        result.created_ids = _in_chunks(CallRecord, server, new_keys, "pk")
    result.created = len(result.created_ids)
    result.existing = len(rows) - result.created
    return result


def store_queue_log(server: Any, rows: list[dict[str, Any]]) -> StoreResult:
    """Insert queue_log rows (with keys) not yet stored; call inside a transaction."""
    from switchboard.records.models import QueueLogEntry

    result = StoreResult(read=len(rows))
    limits = _limits(QueueLogEntry)
    adapt = _adapter()
    pk = server.pk
    callid, queue, agent, event = (limits[n] for n in ("callid", "queue", "agent", "event"))
    data = limits["data1"]
    values = [
        (
            row["key"],
            adapt(row["time"]),
            row["callid"][:callid],
            row["queue"][:queue],
            row["agent"][:agent],
            row["event"][:event],
            row["data1"][:data],
            row["data2"][:data],
            row["data3"][:data],
            row["data4"][:data],
            row["data5"][:data],
            pk,
        )
        for row in rows
    ]
    result.created = _insert_ignoring(QueueLogEntry, [*QUEUE_FIELDS, "server_id"], values)
    result.existing = len(rows) - result.created
    return result


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
        rows = []
        for raw in lines:
            text = raw.decode("utf-8", errors="replace")
            try:
                if source == CDR_SOURCE:
                    rows.append(parse_cdr_line(text, self.tz))
                else:
                    rows.append(parse_queue_log_line(text))
            except Rejected as reason:
                result.rejected += 1
                log.warning("%s: %s line rejected (%s): %r", self.server.name, source, reason, text)
        with transaction.atomic():
            if source == CDR_SOURCE:
                stored = store_cdrs(self.server, rows, self.directory)
            else:
                stored = store_queue_log(self.server, rows)
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
    """SQLite: a 64 MiB page cache for this connection (2 MiB by default), so inserting into
    the large key indexes of millions of rows does not re-read pages all the time."""
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
