"""The report "callbacks per operator" (S5, seed 002): for a period, per operator, the
requests handled, calls made, answered, and requests closed as done / closed.

Two grouped queries (attempts by operator, closes by operator) and one of distinct
(operator, request) pairs; only grouped rows come back.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from switchboard.callbacks.models import Callback, CallbackAttempt


@dataclass
class OperatorRow:
    operator_id: int | None
    operator: str
    handled: int = 0
    calls: int = 0
    answered: int = 0
    done: int = 0
    closed: int = 0

    def cells(self) -> list[object]:
        return [self.operator, self.handled, self.calls, self.answered, self.done, self.closed]


def period_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the site's time zone."""
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return low, high


def _handled(low: datetime.datetime, high: datetime.datetime) -> list[tuple[int | None, int]]:
    """Per operator, the distinct requests they called or closed in the period (one query:
    UNION removes the pairs found twice)."""
    attempt = CallbackAttempt._meta.db_table
    callback = Callback._meta.db_table
    # Table names from the models' meta, every value a parameter.
    sql = (
        f"SELECT operator_id, COUNT(*) FROM ("  # noqa: S608
        f" SELECT operator_id, callback_id FROM {attempt} WHERE at >= %s AND at < %s"
        f" UNION"
        f" SELECT closed_by_id, id FROM {callback}"
        f" WHERE closed_at >= %s AND closed_at < %s AND status <> %s"
        f") pairs GROUP BY operator_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [low, high, low, high, Callback.Status.OPEN])
        return list(cursor.fetchall())


def per_operator(start: datetime.date, end: datetime.date) -> tuple[list[OperatorRow], OperatorRow]:
    low, high = period_bounds(start, end)
    attempts = CallbackAttempt.objects.filter(at__gte=low, at__lt=high)
    closes = Callback.objects.filter(closed_at__gte=low, closed_at__lt=high).exclude(
        status=Callback.Status.OPEN
    )
    rows: dict[int | None, OperatorRow] = {}

    def row(operator_id: int | None, name: str) -> OperatorRow:
        if operator_id not in rows:
            rows[operator_id] = OperatorRow(operator_id, name)
        return rows[operator_id]

    for item in attempts.values("operator_id", "operator__username").annotate(
        calls=Count("id", filter=~Q(outcome=CallbackAttempt.Outcome.FAILED)),
        answered=Count("id", filter=Q(outcome=CallbackAttempt.Outcome.ANSWERED)),
    ):
        entry = row(item["operator_id"], item["operator__username"] or "")
        entry.calls, entry.answered = item["calls"], item["answered"]
    for item in closes.values("closed_by_id", "closed_by__username").annotate(
        done=Count("id", filter=Q(status=Callback.Status.DONE)),
        closed=Count("id", filter=Q(status=Callback.Status.CLOSED)),
    ):
        entry = row(item["closed_by_id"], item["closed_by__username"] or "")
        entry.done, entry.closed = item["done"], item["closed"]
    for operator_id, handled in _handled(low, high):
        rows[operator_id].handled = handled
    ordered = sorted(rows.values(), key=lambda r: (r.operator_id is None, r.operator.lower()))
    total = OperatorRow(None, "")
    for entry in ordered:
        total.handled += entry.handled
        total.calls += entry.calls
        total.answered += entry.answered
        total.done += entry.done
        total.closed += entry.closed
    return ordered, total
