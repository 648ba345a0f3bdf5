"""Keyset pagination of call records, newest first, that costs the same on every page.

Pages are ordered by ``(start, id)`` descending (index ``call_record_start``). A page is
reached from a cursor, the ``(start, id)`` of a row of the page beside it: *next* (older)
reads rows below the last row, *previous* (newer) reads rows above the first row in
ascending order and reverses them, *last* reads the oldest rows in ascending order. No
``COUNT(*)`` and no ``OFFSET``: each page reads at most ``size + 1`` rows from the index.
The condition ``start <= s AND (start < s OR id < i)`` keeps an index bound on ``start``
(a plain ``OR`` would make PostgreSQL filter instead of seek).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from switchboard.records.models import CallRecord

FIRST, NEXT, PREVIOUS, LAST = "first", "next", "prev", "last"
MOVES = (FIRST, NEXT, PREVIOUS, LAST)


@dataclass(frozen=True)
class KeysetPage:
    rows: list[CallRecord]
    has_newer: bool
    has_older: bool

    @property
    def newest_cursor(self) -> str:
        return cursor_of(self.rows[0]) if self.rows else ""

    @property
    def oldest_cursor(self) -> str:
        return cursor_of(self.rows[-1]) if self.rows else ""


def cursor_of(record: CallRecord) -> str:
    """``<microseconds since the epoch>.<id>`` of a row."""
    micros = round(record.start.timestamp() * 1_000_000)
    return f"{micros}.{record.pk}"


def parse_cursor(text: str) -> tuple[datetime.datetime, int] | None:
    """The (start, id) of a cursor; None if it is not one (the first page is shown)."""
    try:
        micros_text, pk_text = text.split(".", 1)
        micros, pk = int(micros_text), int(pk_text)
        start = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            microseconds=micros
        )
    except (ValueError, OverflowError):
        return None
    return start, pk


def _older_than(start: datetime.datetime, pk: int) -> Q:
    return Q(start__lte=start) & (Q(start__lt=start) | Q(pk__lt=pk))


def _newer_than(start: datetime.datetime, pk: int) -> Q:
    return Q(start__gte=start) & (Q(start__gt=start) | Q(pk__gt=pk))


class _Sorted:
    """The ``[: n]`` of an ordering, sorted here instead of by the database.

    For a small scope (a user's own phones) searched by number, PostgreSQL cannot estimate
    the search and walks the whole ``(start, id)`` index looking for the few matching rows;
    reading the (few) matching keys without ORDER BY lets it use the scope's own indexes,
    and the page's rows are then read by id.
    """

    def __init__(self, records: QuerySet[CallRecord], descending: bool) -> None:
        self.records, self.descending = records, descending

    def filter(self, condition: Q) -> _Sorted:
        return _Sorted(self.records.filter(condition), self.descending)

    def __getitem__(self, limit: slice) -> list[CallRecord]:
        keys = sorted(self.records.values_list("start", "id"), reverse=self.descending)
        ids = [pk for _start, pk in keys[limit]]
        by_id = self.records.model.objects.select_related("server").in_bulk(ids)
        return [by_id[pk] for pk in ids]


def keyset_page(
    records: QuerySet[CallRecord],
    move: str = FIRST,
    cursor: str = "",
    size: int = 50,
    *,
    sort_here: bool = False,
) -> KeysetPage:
    """One page of ``records`` (already filtered), newest first; ``sort_here``: order the
    matching keys in Python (for small scopes, see ``_Sorted``)."""
    if sort_here:
        newest_first: Any = _Sorted(records.order_by(), descending=True)
        oldest_first: Any = _Sorted(records.order_by(), descending=False)
    else:
        newest_first = records.order_by("-start", "-id")
        oldest_first = records.order_by("start", "id")
    position = parse_cursor(cursor) if move in (NEXT, PREVIOUS) else None
    if move == NEXT and position:
        rows = list(newest_first.filter(_older_than(*position))[: size + 1])
        if rows:
            return KeysetPage(rows[:size], has_newer=True, has_older=len(rows) > size)
    elif move == PREVIOUS and position:
        rows = list(oldest_first.filter(_newer_than(*position))[: size + 1])
        if len(rows) > size:
            return KeysetPage(rows[:size][::-1], has_newer=True, has_older=True)
        # Fewer than a page above: that is the first page.
    elif move == LAST:
        rows = list(oldest_first[: size + 1])
        return KeysetPage(rows[:size][::-1], has_newer=len(rows) > size, has_older=False)
    rows = list(newest_first[: size + 1])
    return KeysetPage(rows[:size], has_newer=False, has_older=len(rows) > size)
