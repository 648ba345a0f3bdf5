"""Queue call detail and agent analytics (SPEC S3, S4), in SQL over queue_log.

A queue call has exactly one terminal event. Answered calls end with ``COMPLETECALLER``
(the caller hung up), ``COMPLETEAGENT`` (the agent hung up) or a transfer (``TRANSFER``,
``BLINDTRANSFER``, ``ATTENDEDTRANSFER``), each carrying the wait (holdtime), the talk time
(calltime) and the caller's original position; lost calls end with ``ABANDON``,
``EXITWITHKEY``, ``EXITWITHTIMEOUT`` or ``EXITEMPTY``, carrying the wait. The caller's number
is on the call's ``ENTERQUEUE`` (data2), its position at entry in data3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncHour, TruncMonth

from switchboard.records.models import QueueLogEntry
from switchboard.stats.queries import _TALK, Filters, _int, _int_head

COMPLETE = ("COMPLETECALLER", "COMPLETEAGENT")
TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
ANSWERED_END = (*COMPLETE, *TRANSFERS)
LOST_END = ("ABANDON", "EXITWITHKEY", "EXITWITHTIMEOUT", "EXITEMPTY")
# Upper bounds (seconds) of the service-level steps of S4, then "more".
STEPS = (5, 10, 15, 30, 45, 60, 90, 120, 300)

_WAIT_ANSWERED = Case(
    When(event__in=COMPLETE, then=_int("data1")),
    When(event__in=("TRANSFER", "BLINDTRANSFER"), then=_int("data3")),
    When(event="ATTENDEDTRANSFER", data1="LINK", then=_int("data4")),
    When(event="ATTENDEDTRANSFER", then=_int("data3")),
    default=Value(0),
    output_field=IntegerField(),
)
_POSITION = Case(
    When(event__in=COMPLETE, then=_int("data3")),
    When(event__in=("TRANSFER", "BLINDTRANSFER"), then=_int("data5")),
    When(event="ATTENDEDTRANSFER", data1="LINK", then=Value(None)),
    When(event="ATTENDEDTRANSFER", then=_int_head("data5")),
    default=None,
    output_field=IntegerField(),
)
_WAIT_LOST = Case(
    When(event="EXITWITHKEY", then=_int("data4")),
    default=_int("data3"),
    output_field=IntegerField(),
)


WAIT_ANSWERED, WAIT_LOST = _WAIT_ANSWERED, _WAIT_LOST  # for the aggregates


def _of_caller(qs: QuerySet[QueueLogEntry], f: Filters) -> QuerySet[QueueLogEntry]:
    if not f.caller:
        return qs
    entries = QueueLogEntry.objects.filter(
        event="ENTERQUEUE", queue__in=f.queues, data2__contains=f.caller
    )
    return qs.filter(callid__in=entries.values("callid"))


def answered(f: Filters) -> QuerySet[QueueLogEntry]:
    """The answered calls of the period, one row each, with ``wait``, ``talk``, ``position``."""
    qs = f.agent_events().filter(event__in=ANSWERED_END)
    return _of_caller(qs, f).annotate(wait=_WAIT_ANSWERED, talk=_TALK, position=_POSITION)


def lost(f: Filters) -> QuerySet[QueueLogEntry]:
    """The lost calls of the period, one row each, with ``wait``."""
    return _of_caller(f.events().filter(event__in=LOST_END), f).annotate(wait=_WAIT_LOST)


def callers(callids: list[str]) -> dict[str, tuple[str, dt.datetime]]:
    """``{callid: (caller number, time it entered the queue)}`` from the ``ENTERQUEUE`` lines."""
    if not callids:
        return {}
    rows = QueueLogEntry.objects.filter(callid__in=callids, event="ENTERQUEUE").values_list(
        "callid", "data2", "time"
    )
    return {callid: (caller, time) for callid, caller, time in rows}


def with_callers(qs: QuerySet[QueueLogEntry], chunk: int = 2000) -> Iterator[tuple]:
    """The rows of ``qs`` (values tuples, callid first) with the caller and the time it entered
    the queue (``None`` if that is not collected) appended, read in
    chunks so that an export of every row keeps a flat memory."""
    batch: list[tuple] = []
    for row in qs.iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) >= chunk:
            yield from _join(batch)
            batch = []
    yield from _join(batch)


def join_callers(rows: list[tuple]) -> list[tuple]:
    """A page's rows (callid first) with the caller and the time it entered the queue."""
    return list(_join(rows))


def _join(batch: list[tuple]) -> Iterator[tuple]:
    found = callers([row[0] for row in batch])
    for row in batch:
        yield (*row, *found.get(row[0], ("", None)))


def summary(f: Filters) -> dict[str, int | float | None]:
    """Totals, averages, minimum and maximum of the answered and lost calls; max queue length."""
    a = answered(f).aggregate(
        answered=Count("id"),
        talk_total=Sum("talk"),
        talk_avg=Avg("talk"),
        talk_min=Min("talk"),
        talk_max=Max("talk"),
        wait_total=Sum("wait"),
        wait_avg=Avg("wait"),
        wait_min=Min("wait"),
        wait_max=Max("wait"),
    )
    b = lost(f).aggregate(
        lost=Count("id"),
        lost_wait_total=Sum("wait"),
        lost_wait_avg=Avg("wait"),
        lost_wait_min=Min("wait"),
        lost_wait_max=Max("wait"),
    )
    longest = (
        f.events().filter(event="ENTERQUEUE").aggregate(m=Max(_int("data3")))["m"]
    )  # position at entry: the callers already waiting + 1
    return {**a, **b, "max_queue": longest or 0}


def per_agent(f: Filters) -> list[tuple]:
    """``(agent, answered, wait, talk, by caller, by agent, transferred)`` per agent."""
    return list(
        answered(f)
        .order_by()
        .values("agent")
        .annotate(
            n=Count("id"),
            w=Sum("wait"),
            t=Sum("talk"),
            caller=Count("id", filter=Q(event="COMPLETECALLER")),
            agent_end=Count("id", filter=Q(event="COMPLETEAGENT")),
            transfer=Count("id", filter=Q(event__in=TRANSFERS)),
        )
        .order_by("agent")
        .values_list("agent", "n", "w", "t", "caller", "agent_end", "transfer")
    )


def per_queue(f: Filters) -> list[tuple]:
    """``(queue, answered, wait, talk)`` per queue."""
    return list(
        answered(f)
        .order_by()
        .values("queue")
        .annotate(n=Count("id"), w=Sum("wait"), t=Sum("talk"))
        .order_by("queue")
        .values_list("queue", "n", "w", "t")
    )


TRUNC = {"hour": TruncHour, "day": TruncDate, "month": TruncMonth}


def by_period(f: Filters, unit: str) -> tuple[dict, dict]:
    """Per hour / day / month: answered ``(n, avg wait, avg talk, transferred, avg wait of the
    transferred, avg talk of the transferred)`` and lost ``(n, avg wait)``."""
    trunc = TRUNC[unit]("time")
    transfer = Q(event__in=TRANSFERS)
    a = (
        answered(f)
        .order_by()
        .annotate(p=trunc)
        .values("p")
        .annotate(
            n=Count("id"),
            w=Avg("wait"),
            t=Avg("talk"),
            x=Count("id", filter=transfer),
            xw=Avg("wait", filter=transfer),
            xt=Avg("talk", filter=transfer),
        )
        .values_list("p", "n", "w", "t", "x", "xw", "xt")
    )
    b = (
        lost(f)
        .order_by()
        .annotate(p=trunc)
        .values("p")
        .annotate(n=Count("id"), w=Avg("wait"))
        .values_list("p", "n", "w")
    )
    return {r[0]: r[1:] for r in a}, {r[0]: r[1:] for r in b}


def _step() -> Case:
    whens = [When(wait__lte=limit, then=Value(i)) for i, limit in enumerate(STEPS)]
    return Case(*whens, default=Value(len(STEPS)), output_field=IntegerField())


def step_case() -> Case:
    """The service-level step index of an annotated ``wait`` (for the aggregates)."""
    return _step()


def steps(qs: QuerySet[QueueLogEntry]) -> dict[int, int]:
    """``{step index: calls}`` of the waits (``STEPS``; the last index is "more")."""
    rows = qs.order_by().annotate(s=_step()).values("s").annotate(n=Count("id"))
    return {r["s"]: r["n"] for r in rows}


def agent_analytics(f: Filters) -> dict[str, tuple[int, int, int]]:
    """``{agent: (answered, missed rings, ended by the caller)}``."""
    rows = (
        f.agent_events()
        .filter(event__in=("CONNECT", "RINGNOANSWER", "COMPLETECALLER"))
        .order_by()
        .values("agent")
        .annotate(
            a=Count("id", filter=Q(event="CONNECT")),
            m=Count("id", filter=Q(event="RINGNOANSWER")),
            c=Count("id", filter=Q(event="COMPLETECALLER")),
        )
        .values_list("agent", "a", "m", "c")
    )
    return {agent: (a, m, c) for agent, a, m, c in rows if agent and agent != "NONE"}
