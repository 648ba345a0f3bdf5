"""Keyset pages of a long list of the statistics, oldest first, that cost the same on every
page (the call log's approach, ``switchboard.records.keyset``, in ascending order).

Rows are ordered by ``(<time field>, id)``. A page is reached from a cursor (the time and id
of a row of the page beside it): *next* reads the rows after the last row shown, *previous*
the rows before the first one (in descending order, reversed), *last* the newest rows. No
``COUNT(*)`` and no ``OFFSET``: a page reads at most ``size + 1`` rows from an index on
``(time, id)`` (the partial indexes of migration ``stats.0002`` for the queue calls and the
automatic calls). The condition ``t >= T AND (t > T OR id > I)`` keeps an index bound.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

FIRST, NEXT, PREVIOUS, LAST = "first", "next", "prev", "last"
MOVES = (FIRST, NEXT, PREVIOUS, LAST)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Page:
    rows: list[tuple]  # values tuples: the time then the id first
    has_before: bool
    has_after: bool

    @property
    def first_cursor(self) -> str:
        return cursor_of(self.rows[0][0], self.rows[0][1]) if self.rows else ""

    @property
    def last_cursor(self) -> str:
        return cursor_of(self.rows[-1][0], self.rows[-1][1]) if self.rows else ""


def cursor_of(time: dt.datetime, pk: int) -> str:
    """``<microseconds since the epoch>.<id>``."""
    return f"{round((time - _EPOCH).total_seconds() * 1_000_000)}.{pk}"


def parse_cursor(text: str) -> tuple[dt.datetime, int] | None:
    try:
        micros_text, pk_text = text.split(".", 1)
        return _EPOCH + dt.timedelta(microseconds=int(micros_text)), int(pk_text)
    except (ValueError, OverflowError):
        return None


def page(
    qs: QuerySet, field: str, fields: tuple[str, ...], move: str, cursor: str, size: int
) -> Page:
    """A page of ``qs`` as values tuples ``(field, id, *fields)`` ordered by ``(field, id)``."""
    at = parse_cursor(cursor) if move in (NEXT, PREVIOUS) else None
    if move not in MOVES or (move in (NEXT, PREVIOUS) and at is None):
        move = FIRST
    columns = (field, "id", *fields)
    if move == NEXT:
        t, pk = at  # type: ignore[misc]
        after = Q(**{f"{field}__gte": t}) & (Q(**{f"{field}__gt": t}) | Q(id__gt=pk))
        rows = list(qs.filter(after).order_by(field, "id").values_list(*columns)[: size + 1])
        return Page(rows[:size], True, len(rows) > size)
    if move == PREVIOUS:
        t, pk = at  # type: ignore[misc]
        before = Q(**{f"{field}__lte": t}) & (Q(**{f"{field}__lt": t}) | Q(id__lt=pk))
        rows = list(
            qs.filter(before).order_by(f"-{field}", "-id").values_list(*columns)[: size + 1]
        )
        return Page(rows[:size][::-1], len(rows) > size, True)
    if move == LAST:
        rows = list(qs.order_by(f"-{field}", "-id").values_list(*columns)[: size + 1])
        return Page(rows[:size][::-1], len(rows) > size, False)
    rows = list(qs.order_by(field, "id").values_list(*columns)[: size + 1])
    return Page(rows[:size], False, len(rows) > size)
