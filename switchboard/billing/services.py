"""Rating of call records with the tariffs, re-rating, CSV import of zones (SPEC R2).

Which calls are rated: answered outbound calls (``direction == outbound``, ``disposition ==
ANSWERED``, ``billsec > 0``), as the billing of the products we replace shows only the cost of
outgoing calls. Every such call gets one ``CallCharge``: rated (zone, price), ``unmatched`` (no
rule of its tariff matches the number: listed on the review page) or ``no_tariff`` (its PBX has
no tariff and there is no default one). Rating is idempotent: rating a call again replaces its
charge, so a call queued twice or a re-rating never counts a call twice. New calls are rated
by ``rate_new_calls``, a pass of its own over the calls the collector queued: the collector
never waits for the rating.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from switchboard.billing import rating
from switchboard.billing.models import CallCharge, Tariff, Zone
from switchboard.records.models import CallRecord

log = logging.getLogger(__name__)

BATCH = 2000


def billable(queryset: QuerySet[CallRecord]) -> QuerySet[CallRecord]:
    """The calls that are rated."""
    return queryset.filter(
        direction=CallRecord.Direction.OUTBOUND,
        disposition=CallRecord.Disposition.ANSWERED,
        billsec__gt=0,
    )


class TariffBook:
    """The tariffs as pure specs, loaded once per rating run: per PBX, else the default."""

    def __init__(self) -> None:
        self.by_server: dict[int, rating.Tariff] = {}
        self.default: rating.Tariff | None = None
        for tariff in Tariff.objects.prefetch_related("zones"):
            spec = tariff.spec()
            if tariff.server_id is None:
                if self.default is None:
                    self.default = spec
            else:
                self.by_server[tariff.server_id] = spec

    def for_server(self, server_id: int) -> rating.Tariff | None:
        return self.by_server.get(server_id, self.default)


def charge_for(
    book: TariffBook, record_id: int, server_id: int, dst: str, billsec: int
) -> CallCharge:
    """The (unsaved) charge of one billable call."""
    tariff = book.for_server(server_id)
    if tariff is None:
        return CallCharge(
            record_id=record_id,
            status=CallCharge.Status.NO_TARIFF,
            number=rating.normalize(dst)[:80],
        )
    result = rating.rate(tariff, dst, billsec)
    if result.zone is None:
        return CallCharge(
            record_id=record_id,
            status=CallCharge.Status.UNMATCHED,
            tariff_id=tariff.id,
            number=result.number[:80],
            currency=tariff.currency,
        )
    return CallCharge(
        record_id=record_id,
        status=CallCharge.Status.RATED,
        tariff_id=tariff.id,
        zone_id=result.zone.id,
        zone_name=result.zone.name,
        number=result.number[:80],
        billed_seconds=result.billed_seconds,
        amount=result.amount,
        amount_with_tax=result.amount_with_tax,
        currency=tariff.currency,
    )


@dataclass
class RatingResult:
    calls: int = 0
    rated: int = 0
    unmatched: int = 0
    no_tariff: int = 0

    def add(self, charge: CallCharge) -> None:
        self.calls += 1
        if charge.status == CallCharge.Status.RATED:
            self.rated += 1
        elif charge.status == CallCharge.Status.UNMATCHED:
            self.unmatched += 1
        else:
            self.no_tariff += 1


def _rate_batch(book: TariffBook, records: list[tuple], result: RatingResult) -> None:
    """Rate (id, server id, dst, billsec) rows; their old charges are replaced."""
    charges = [charge_for(book, *record) for record in records]
    now = timezone.now()
    for charge in charges:
        charge.rated_at = now
        result.add(charge)
    with transaction.atomic():
        CallCharge.objects.filter(record_id__in=[record[0] for record in records]).delete()
        CallCharge.objects.bulk_create(charges)


def rate_queryset(queryset: QuerySet[CallRecord], book: TariffBook | None = None) -> RatingResult:
    """Rate (again) every billable call of the queryset, in batches."""
    book = book or TariffBook()
    result = RatingResult()
    batch: list[tuple] = []
    rows = billable(queryset).order_by("pk").values_list("pk", "server_id", "dst", "billsec")
    for record in rows.iterator(chunk_size=BATCH):
        batch.append(record)
        if len(batch) >= BATCH:
            _rate_batch(book, batch, result)
            batch = []
    if batch:
        _rate_batch(book, batch, result)
    return result


def rate_records(record_ids: Iterable[int]) -> RatingResult:
    """Rate the given call records (those that are billable)."""
    ids = list(record_ids)
    book = TariffBook()
    result = RatingResult()
    for start in range(0, len(ids), BATCH):
        part = rate_queryset(CallRecord.objects.filter(pk__in=ids[start : start + BATCH]), book)
        result.calls += part.calls
        result.rated += part.rated
        result.unmatched += part.unmatched
        result.no_tariff += part.no_tariff
    return result


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes [start of date_from, start of the day after date_to) in local time."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min), tz)
    return start, end


def rerate_period(
    date_from: dt.date, date_to: dt.date, server_id: int | None = None
) -> tuple[RatingResult, float]:
    """Rate again every billable call of the period (of one PBX, or all); returns the time."""
    began = time.monotonic()
    start, end = period_bounds(date_from, date_to)
    queryset = CallRecord.objects.filter(start__gte=start, start__lt=end)
    if server_id is not None:
        queryset = queryset.filter(server_id=server_id)
    result = rate_queryset(queryset)
    return result, time.monotonic() - began


def rate_new_calls(*, batch: int = 5000) -> RatingResult:
    """Rate every call the collector (or an import) queued since the last pass, once.

    The collector queues each new call record (``records.NewCall``) in the transaction that
    stores it, and never waits for the rating: this pass, run by the telephony worker next
    to the collection and by ``collect_records --follow``, takes the queue in batches and,
    in one transaction per batch, replaces the charges of the billable calls and removes
    them from the queue. A call is thus rated exactly once, even after a crash (the batch is
    rolled back and taken again) or with two passes at a time (PostgreSQL: SKIP LOCKED;
    SQLite: one writer at a time); re-rating a period stays ``rerate_period``.
    """
    from django.db import connection

    from switchboard.records.models import NewCall

    book = TariffBook()
    result = RatingResult()
    while True:
        with transaction.atomic():
            queued = NewCall.objects.order_by("record_id")
            if connection.features.has_select_for_update_skip_locked:
                queued = queued.select_for_update(skip_locked=True)
            ids = list(queued.values_list("record_id", flat=True)[:batch])
            if not ids:
                break
            taken = _ids_in(ids)
            records = list(
                billable(CallRecord.objects.filter(pk__in=taken))
                .order_by("pk")
                .values_list("pk", "server_id", "dst", "billsec")
            )
            if records:
                _rate_batch(book, records, result)
            NewCall.objects.filter(record_id__in=taken).delete()
    if result.calls:
        log.info(
            "rated %d new calls (%d unmatched, %d without tariff)",
            result.calls,
            result.unmatched,
            result.no_tariff,
        )
    return result


def _ids_in(ids: list[int]) -> RawSQL:
    """``… IN (these ids)`` as one parameter (an array, a JSON list on SQLite): thousands of
    ids would otherwise cost more to bind than to rate."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def rate_new_calls_safely() -> RatingResult | None:
    """``rate_new_calls`` for a loop: a failure is logged (the calls stay queued)."""
    from django.db import close_old_connections

    close_old_connections()
    try:
        return rate_new_calls()
    except Exception:
        log.exception("rating of new calls failed; they stay queued")
        return None
    finally:
        close_old_connections()


def connect_signals() -> None:
    """Nothing listens to ``records_collected`` any more: new calls are rated by
    ``rate_new_calls`` (kept for the app's ``ready``)."""


# ---------------------------------------------------------------------------------------------
# CSV import of a tariff's zones

CSV_COLUMNS = (
    "zone",
    "prefix",
    "lengths",
    "per_call",
    "per_minute",
    "first_period",
    "next_period",
)
CSV_HELP = (
    "zone,prefix,lengths,per_call,per_minute,first_period,next_period\n"
    "Local,,6,0,0.05,60,60\n"
    "Mobile,06,10,0.10,0.20,30,6\n"
    "International,00,,0.20,0.90,1,1"
)


@dataclass
class ImportResult:
    zones: list[Zone] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _decimal(text: str, what: str) -> Decimal:
    text = text.strip().replace(",", ".") or "0"
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(
            _("%(what)s: “%(value)s” is not a number") % {"what": what, "value": text}
        ) from error
    if not value.is_finite() or value < 0 or value >= Decimal("1e8"):
        raise ValueError(_("%(what)s: “%(value)s” is out of range") % {"what": what, "value": text})
    return value.quantize(Decimal("0.0001"))


def _period(text: str, what: str) -> int:
    text = text.strip() or "60"
    if not text.isdigit() or not 1 <= int(text) <= 3600:
        raise ValueError(
            _("%(what)s: “%(value)s” must be a whole number of seconds from 1 to 3600")
            % {"what": what, "value": text}
        )
    return int(text)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if row and any(cell.strip() for cell in row):
            yield number, row


def parse_zones_csv(text: str) -> ImportResult:
    """Zones from CSV text (header line required, columns in ``CSV_COLUMNS``); errors per line."""
    result = ImportResult()
    rows = _rows(text.lstrip("\ufeff"))
    first = next(rows, None)
    if first is None:
        result.errors.append(_("The file is empty."))
        return result
    header = [cell.strip().lower() for cell in first[1]]
    missing = [name for name in ("zone", "prefix", "per_minute") if name not in header]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if missing or unknown:
        result.errors.append(
            _(
                "Line 1: the header must name the columns %(columns)s "
                "(missing: %(missing)s; unknown: %(unknown)s)."
            )
            % {
                "columns": ", ".join(CSV_COLUMNS),
                "missing": ", ".join(missing) or "—",
                "unknown": ", ".join(unknown) or "—",
            }
        )
        return result
    seen: dict[tuple[str, frozenset[int]], int] = {}
    for number, row in rows:
        values = dict(zip(header, (cell.strip() for cell in row), strict=False))
        try:
            if len(row) > len(header):
                raise ValueError(_("more cells than columns in the header"))
            name = values.get("zone", "")
            if not name or len(name) > 80:
                raise ValueError(_("zone: a name of 1 to 80 characters is required"))
            prefix = values.get("prefix", "")
            if len(prefix) > 20 or not all(
                ch.isdigit() or ch in "*#" for ch in prefix.removeprefix("+")
            ):
                raise ValueError(
                    _("prefix: “%(value)s” is not a number prefix") % {"value": prefix}
                )
            lengths_text = values.get("lengths", "")
            try:
                lengths = rating.parse_lengths(lengths_text)
            except ValueError:
                raise ValueError(
                    _("lengths: “%(value)s” is not a list of lengths such as 4,5 or 10-12")
                    % {"value": lengths_text}
                ) from None
            key = (prefix, lengths)
            if key in seen:
                raise ValueError(
                    _("the same prefix and lengths as line %(line)d") % {"line": seen[key]}
                )
            seen[key] = number
            result.zones.append(
                Zone(
                    name=name,
                    prefix=prefix,
                    lengths=",".join(str(n) for n in sorted(lengths)),
                    per_call=_decimal(values.get("per_call", ""), "per_call"),
                    per_minute=_decimal(values.get("per_minute", ""), "per_minute"),
                    first_period=_period(values.get("first_period", ""), "first_period"),
                    next_period=_period(values.get("next_period", ""), "next_period"),
                )
            )
        except ValueError as error:
            result.errors.append(_("Line %(line)d: %(error)s") % {"line": number, "error": error})
    if not result.zones and not result.errors:
        result.errors.append(_("The file has no zone."))
    return result


def replace_zones(tariff: Tariff, zones: list[Zone]) -> None:
    """Replace every zone of the tariff by these (one transaction)."""
    with transaction.atomic():
        tariff.zones.all().delete()
        for zone in zones:
            zone.tariff = tariff
        Zone.objects.bulk_create(zones)
