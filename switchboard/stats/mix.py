"""S5 reports over the CDRs: the call mix (incoming calls, handled in an IVR, handled by
operators, automatic outgoing calls) and the list of the automatic outgoing calls.

A *call* is the CDR rows of one ``linkedid`` on one PBX (Asterisk gives every channel of a
call the first channel's uniqueid as linkedid; a row without one is a call by itself), dated
by its first row. Of the calls:

- **automatic outgoing** (auto-dial): a row's ``accountcode`` is ``autodial``. The dialer
  (SPEC O3) originates its calls with the AMI ``Originate`` header ``Account: autodial``, so
  the originated channel and every channel it creates carry it into their CDRs;
- **incoming**: not automatic, not started by one of the portal's phones (the call's own
  first channel, ``uniqueid == linkedid``, is not an internal or outbound row), and either a
  row is inbound (the collector's reading: from a line, or from outside to a phone) or the
  call went through the DID routes (``sb-from-trunks``) or an IVR (a caller on a line the
  portal does not know as a trunk);
- **handled by operators**: incoming, and a row is answered by a phone: disposition
  ``ANSWERED`` with a destination channel (a queue's agent or a direct call; an IVR answers
  the caller itself, with no destination channel);
- **handled in the IVR**: incoming, a row's dialplan context is an IVR's
  (``sb-ivr-<number>``, rendered by ``switchboard.pbx.render.ivr``), and no person answered.

The figures per local day are kept in ``CallMixDay`` (``aggregates``-style: exact, rebuilt
for the days touched by new rows). The list shows one line per automatic call: its first
row (``uniqueid == linkedid``), read by keyset pages over a partial index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncDate

from switchboard.records.models import CallRecord
from switchboard.stats import aggregates
from switchboard.stats.models import CallMixDay

AUTODIAL = "autodial"  # the accountcode of the dialer's calls (SPEC O3)
IVR_CONTEXT_PREFIX = "sb-ivr-"  # switchboard.pbx.render.ivr.context_name
DID_CONTEXT = "sb-from-trunks"  # switchboard.pbx.render.dialplan: the lines' calls by DID
FIGURES = ("incoming", "ivr", "operators", "autodial")
_CHUNK_DAYS = 31


def _flag(condition: Q) -> Max:
    return Max(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _calls(start: dt.datetime, end: dt.datetime, top: int | None = None) -> QuerySet:
    """One row per call that began in ``[start, end)``: ``c_day`` (local) and its flags.
    Calls last less than a day: their rows are read from a day before to a day after."""
    rows = CallRecord.objects.filter(
        start__gte=start - dt.timedelta(days=1), start__lt=end + dt.timedelta(days=1)
    ).order_by()
    if top is not None:
        rows = rows.filter(id__lte=top)
    key = Coalesce(
        NullIf("linkedid", Value("")),
        NullIf("uniqueid", Value("")),
        Cast("id", CharField()),
        output_field=CharField(),
    )
    return (
        rows.annotate(c_key=key)
        .values("server_id", "c_key")
        .annotate(
            c_first=Min("start"),
            c_auto=_flag(Q(accountcode=AUTODIAL)),
            c_in=_flag(
                Q(direction=CallRecord.Direction.INBOUND)
                | Q(dcontext=DID_CONTEXT)
                | Q(dcontext__startswith=IVR_CONTEXT_PREFIX)
            ),
            c_mine=_flag(
                (Q(uniqueid=F("linkedid")) | Q(linkedid=""))
                & Q(direction__in=(CallRecord.Direction.INTERNAL, CallRecord.Direction.OUTBOUND))
            ),
            c_ivr=_flag(Q(dcontext__startswith=IVR_CONTEXT_PREFIX)),
            c_person=_flag(Q(disposition=CallRecord.Disposition.ANSWERED) & ~Q(dstchannel="")),
        )
        .filter(c_first__gte=start, c_first__lt=end)
        .annotate(c_day=TruncDate("c_first"))
        .values("c_day", "c_auto", "c_in", "c_mine", "c_ivr", "c_person")
    )


# Incoming = c_in = 1 AND c_mine = 0 AND c_auto = 0 (see the module's docstring).
_OUTER = (
    "SELECT c_day, SUM(CASE WHEN c_in = 1 AND c_mine = 0 AND c_auto = 0 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN c_in = 1 AND c_mine = 0 AND c_auto = 0 AND c_ivr = 1 AND c_person = 0 "
    "THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN c_in = 1 AND c_mine = 0 AND c_auto = 0 AND c_person = 1 THEN 1 ELSE 0 END), "
    "SUM(c_auto) FROM "
)


def _per_day(start: dt.datetime, end: dt.datetime, top: int | None = None) -> dict[dt.date, list]:
    """``{local day: [incoming, ivr, operators, autodial]}`` summed by the database."""
    inner, params = _calls(start, end, top).query.sql_with_params()
    # The inner query is Django's own SQL with its parameters apart: nothing user-written.
    sql = _OUTER + "(" + inner + ") calls GROUP BY c_day"
    out: dict[dt.date, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for day, *figures in cursor.fetchall():
            if isinstance(day, str):  # SQLite
                day = dt.date.fromisoformat(day)
            out[day] = [int(v or 0) for v in figures]
    return out


def mix_from_rows(start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """The figures of the calls that began in ``[start, end)``, straight from the rows."""
    totals = dict.fromkeys(FIGURES, 0)
    for figures in _per_day(start, end).values():
        for name, value in zip(FIGURES, figures, strict=True):
            totals[name] += value
    return totals


def _rebuild(first: dt.date, last: dt.date, top: int) -> None:
    # A new row may belong to a call that began the day before: rebuild that day too.
    first -= dt.timedelta(days=1)
    CallMixDay.objects.filter(day__gte=first, day__lte=last).delete()
    chunk = first
    while chunk <= last:
        chunk_last = min(last, chunk + dt.timedelta(days=_CHUNK_DAYS - 1))
        start, end = aggregates._bounds(chunk, chunk_last)
        CallMixDay.objects.bulk_create(
            CallMixDay(day=day, **dict(zip(FIGURES, figures, strict=True)))
            for day, figures in _per_day(start, end, top).items()
        )
        chunk = chunk_last + dt.timedelta(days=1)


def refresh() -> None:
    aggregates._refresh(
        "call_mix", CallRecord, "start", _rebuild, CallMixDay.objects.all().delete, (CallMixDay,)
    )


def mix(start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """The figures of the calls that began in ``[start, end)``: from the per-day aggregates for
    whole local days, else from the rows."""
    days = aggregates.whole_days(start, end)
    if days is None:
        return mix_from_rows(start, end)
    refresh()
    sums = CallMixDay.objects.filter(day__gte=days[0], day__lt=days[1]).aggregate(
        **{name: Sum(name) for name in FIGURES}
    )
    return {name: sums[name] or 0 for name in FIGURES}


def autodial_calls(start: dt.datetime, end: dt.datetime, number: str = "") -> QuerySet:
    """The automatic calls that began in ``[start, end)``, one row each (the call's first row);
    ``number`` (or a part of it) is looked for in the called number, the caller's number, the
    channel and the dialled address (on PostgreSQL with ``pg_trgm``, through the partial
    trigram indexes of migration ``stats.0003``; elsewhere by a scan of the automatic calls)."""
    qs = CallRecord.objects.filter(accountcode=AUTODIAL, start__gte=start, start__lt=end).filter(
        Q(linkedid="") | Q(uniqueid=F("linkedid"))
    )
    if number:
        qs = qs.filter(
            Q(dst__contains=number)
            | Q(src__contains=number)
            | Q(channel__contains=number)
            | Q(lastdata__contains=number)
        )
    return qs


AUTODIAL_FIELDS = ("dst", "src", "disposition", "duration", "billsec")


def autodial_rows(qs: QuerySet, chunk: int = 2000) -> Iterable[tuple]:
    """Every row of ``qs`` as ``(start, id, *AUTODIAL_FIELDS)`` in time order, in chunks."""
    return qs.order_by("start", "id").values_list("start", "id", *AUTODIAL_FIELDS).iterator(chunk)
