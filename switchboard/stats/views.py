"""Statistics pages (SPEC S1, S2): filters, tables, charts, CSV / Excel export of each table.

Every table is built once as a ``Table`` (title, columns, rows of plain values: numbers,
percentages as numbers, durations as ``timedelta``); the page formats it for reading, the
export writes the same rows (the whole result: these are aggregates, never a page of them).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from switchboard.core.exports import FORMATS, export_response, format_duration
from switchboard.pbx.models import Queue, QueueMember
from switchboard.records.models import CallRecord
from switchboard.stats import aggregates, compute, detail, mix, paging, queries, reports
from switchboard.stats.forms import DetailForm, GlobalForm, MixForm, QueueForm
from switchboard.stats.scope import queue_scope, visible


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    footer: list[object] | None = None
    chart: dict | None = field(default=None)
    # A long list: ``rows`` is the page shown, ``export`` gives every row, ``pager`` the links.
    export: Callable[[], Iterable[Sequence[object]]] | None = None
    pager: dict | None = None

    def all_rows(self) -> Iterable[Sequence[object]]:
        if self.export is not None:
            return self.export()
        return self.rows + ([self.footer] if self.footer else [])


def _seconds(value: float | int | None) -> dt.timedelta | None:
    return None if value is None else dt.timedelta(seconds=round(value))


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.timedelta):
        return format_duration(value)
    if isinstance(value, float):
        return f"{formats.number_format(value, 1)} %"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _respond(
    request: HttpRequest, template: str, context: dict, tables: list[Table], period: str
) -> HttpResponse:
    fmt = request.GET.get("export")
    if fmt:
        wanted = request.GET.get("table")
        table = next((t for t in tables if t.key == wanted), None)
        if fmt not in FORMATS or table is None:
            return HttpResponse(_("Unknown export."), status=400, content_type="text/plain")
        return export_response(
            fmt,
            title=f"{context['title']} - {table.title}",
            report_type=table.title,
            period=period,
            columns=table.columns,
            rows=table.all_rows(),
            filename=f"{context['title']} {table.key} {period}",
        )
    # The export links carry the filters in effect (the defaults on a first visit too).
    data = context["form"].data
    if isinstance(data, QueryDict):
        query = data.copy()
    else:
        query = QueryDict(mutable=True)
        query.update({key: str(value) for key, value in data.items()})
    for name in ("export", "table", "move", "cursor", "lost_move", "lost_cursor", "period_page"):
        query.pop(name, None)
    context["tables"] = [
        {
            "key": t.key,
            "title": t.title,
            "columns": t.columns,
            "rows": [[_shown(v) for v in row] for row in t.rows],
            "footer": [_shown(v) for v in t.footer] if t.footer else None,
            "pager": t.pager,
        }
        for t in tables
    ]
    context["charts"] = [dict(t.chart, id=f"chart-{t.key}") for t in tables if t.chart]
    context["query"] = query.urlencode()
    return render(request, template, context)


def _invalid(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The page with the form's errors; an export of invalid filters is refused."""
    if request.GET.get("export"):
        message = _("The filters are not valid: nothing was exported.")
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return render(request, template, context | {"tables": [], "charts": []})


def _bar(labels: list[str], series: list[tuple[str, list[int]]], stacked: bool = False) -> dict:
    return {
        "labels": labels,
        "series": [{"name": name, "data": data} for name, data in series],
        "stacked": stacked,
    }


@login_required
def global_statistics(request: HttpRequest) -> HttpResponse:
    """S1: calls per month of a year, per day of a month, per hour (count, talk time)."""
    with aggregates.refreshed_once():
        return _global_statistics(request)


def _global_statistics(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("stats.view_global"):
        raise PermissionDenied
    form = GlobalForm(request.GET if "year" in request.GET else GlobalForm.initial_data())
    context: dict = {"title": _("Global statistics"), "form": form}
    if not form.is_valid():
        return _invalid(request, "stats/global.html", context)
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    zone = timezone.get_current_timezone()
    year_start = dt.datetime(year, 1, 1, tzinfo=zone)
    year_end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    month_start = dt.datetime(year, month, 1, tzinfo=zone)
    month_end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    columns = [_("Calls"), _("Duration")]

    by_month = aggregates.calls_by(year_start, year_end, "month")
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    month_names = [formats.date_format(m, "F") for m in months]
    month_rows = []
    for day, name in zip(months, month_names, strict=True):
        n, talk = by_month.get(day, (0, 0))
        month_rows.append([name, n, _seconds(talk)])

    by_day = aggregates.calls_by(month_start, month_end, "day")
    days = [dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    day_rows = []
    for day in days:
        n, talk = by_day.get(day, (0, 0))
        day_rows.append([formats.date_format(day, "SHORT_DATE_FORMAT"), n, _seconds(talk)])

    def hour_rows(figures: dict) -> list[list[object]]:
        rows = []
        for hour in range(24):
            n, talk = figures.get(hour, (0, 0))
            rows.append([f"{hour}h00 < {hour + 1}h00", n, _seconds(talk) if n else None])
        return rows

    month_label = f"{month_names[month - 1]} {year}"

    def total(rows: list[list[object]]) -> list[object]:
        n = sum(r[1] for r in rows)
        talk = sum((r[2] or dt.timedelta()).total_seconds() for r in rows)
        return [_("Total"), n, _seconds(talk)]

    tables = [
        Table(
            "months",
            _("Calls per month of %(year)s") % {"year": year},
            [_("Month"), *columns],
            month_rows,
            chart=_bar(month_names, [(_("Calls"), [r[1] for r in month_rows])]),
        ),
        Table(
            "hours_year",
            _("Calls per hour in %(year)s") % {"year": year},
            [_("Hour"), *columns],
            hour_rows(aggregates.calls_by(year_start, year_end, "hour")),
        ),
        Table(
            "days",
            _("Calls per day of %(month)s") % {"month": month_label},
            [_("Day"), *columns],
            day_rows,
            chart=_bar([str(d.day) for d in days], [(_("Calls"), [r[1] for r in day_rows])]),
        ),
        Table(
            "hours_month",
            _("Calls per hour in %(month)s") % {"month": month_label},
            [_("Hour"), *columns],
            hour_rows(aggregates.calls_by(month_start, month_end, "hour")),
        ),
    ]
    for table in tables:
        table.footer = total(table.rows)
    period = f"{year}; {month_label}"
    return _respond(request, "stats/global.html", context, tables, period)


def _agent_numbers(queues: list[str]) -> dict[str, str]:
    """Agent name as queue_log writes it (the member's display name or extension) -> number."""
    numbers = {}
    members = QueueMember.objects.filter(queue__name__in=queues).select_related("phone")
    for member in members:
        phone = member.phone
        numbers[phone.display_name or phone.extension] = phone.extension
    return numbers


def _queue_filters(
    request: HttpRequest, form_class: type[QueueForm], title: str, template: str
) -> tuple[dict, QueueForm, queries.Filters, dict[str, str]] | HttpResponse:
    """Check the user's queue scope, read the filters: (context, form, filters, agent numbers)
    or the response to give (the form's errors, a refused export)."""
    scope = queue_scope(request.user)
    if not scope:
        raise PermissionDenied
    all_queues = sorted(set(Queue.objects.values_list("name", flat=True)))
    queues = visible(request.user, all_queues)
    numbers = _agent_numbers(queues)
    data = request.GET if "start" in request.GET else form_class.initial_data()
    form = form_class(data, queues=queues, agents=sorted(numbers))
    context: dict = {"title": title, "form": form}
    if not form.is_valid() or not queues:
        return _invalid(request, template, context)
    start, end = form.bounds()
    chosen = form.cleaned_data["queues"] or queues
    filters = queries.Filters(start, end, tuple(chosen), tuple(form.cleaned_data["agents"]))
    context["period"] = (
        f"{form.cleaned_data['start']:%Y-%m-%d} - {form.cleaned_data['end']:%Y-%m-%d}"
    )
    return context, form, filters, numbers


@login_required
def queue_statistics(request: HttpRequest) -> HttpResponse:
    """S2: per queue outcomes, service level, abandons, weekdays, half hours, agents."""
    with aggregates.refreshed_once():
        return _queue_statistics(request)


def _queue_statistics(request: HttpRequest) -> HttpResponse:
    found = _queue_filters(request, QueueForm, _("Queue statistics"), "stats/queues.html")
    if isinstance(found, HttpResponse):
        return found
    context, _form, filters, numbers = found
    period = context["period"]

    found_tables = aggregates.event_tables(filters)
    if found_tables is None:  # not whole days: from the rows
        facts = queries.event_facts(filters)
        found_tables = (
            compute.fold(facts, 0, 1),
            compute.weekday_counts(facts),
            compute.fold(facts, 3, 1),
        )
    per_queue_counts, weekday_counts, slot_counts = found_tables
    waits = aggregates.wait_facts(filters)
    if waits is None:
        waits = queries.wait_facts(filters)
    queue_rows = compute.queue_rows(per_queue_counts)
    outcome_columns = [_("Received")]
    for name in (_("Answered"), _("Abandoned"), _("Dissuaded"), _("Closed")):
        outcome_columns += [name, "%"]
    per_queue = Table(
        "queues",
        _("Calls per queue"),
        [_("Queue"), *outcome_columns],
        [r.cells() for r in queue_rows[:-1]],
        footer=[_("Total"), *queue_rows[-1].cells()[1:]] if queue_rows else None,
        chart=_bar(
            [r.queue for r in queue_rows[:-1]],
            [
                (_("Answered"), [r.answered for r in queue_rows[:-1]]),
                (_("Abandoned"), [r.abandoned for r in queue_rows[:-1]]),
                (_("Dissuaded"), [r.dissuaded for r in queue_rows[:-1]]),
                (_("Closed"), [r.closed for r in queue_rows[:-1]]),
            ],
            stacked=True,
        ),
    )
    bucket_columns = [_("Wait"), _("Calls"), "%", _("Cumulative %")]
    service = Table(
        "service_level",
        _("Service level (wait of answered calls)"),
        bucket_columns,
        compute.bucket_rows({b: n for (e, b), n in waits.items() if e == "CONNECT"}),
    )
    abandons = Table(
        "abandons",
        _("Abandons (wait before hanging up)"),
        bucket_columns,
        compute.bucket_rows({b: n for (e, b), n in waits.items() if e == "ABANDON"}),
    )
    day_names = [formats.date_format(dt.date(2024, 1, d), "l") for d in range(1, 8)]  # Mon..Sun
    weekday_rows = compute.weekday_rows(weekday_counts, day_names)
    weekdays = Table(
        "weekdays",
        _("Calls per day of the week"),
        [_("Day of the week"), _("Calls"), "%"],
        weekday_rows,
        chart=_bar([r[0] for r in weekday_rows], [(_("Calls"), [r[1] for r in weekday_rows])]),
    )
    half_rows = compute.half_hour_rows(slot_counts)
    half_hours = Table(
        "half_hours",
        _("Calls per half hour"),
        [
            _("Time"),
            _("Received"),
            "%",
            _("Closed"),
            "%",
            _("Dissuaded"),
            "%",
            _("Abandoned"),
            "%",
            _("Answered"),
            "%",
        ],
        half_rows,
        chart=_bar(
            [r[0] for r in half_rows],
            [
                (_("Answered"), [r[9] for r in half_rows]),
                (_("Abandoned"), [r[7] for r in half_rows]),
                (_("Dissuaded"), [r[5] for r in half_rows]),
                (_("Closed"), [r[3] for r in half_rows]),
            ],
            stacked=True,
        ),
    )
    agent_table = Table(
        "agents",
        _("Agents"),
        [
            _("Agent"),
            _("Sessions"),
            _("Duration"),
            _("Pauses"),
            _("Duration"),
            _("Calls received"),
            _("Duration"),
            _("Average"),
            _("Calls made"),
            _("Duration"),
            _("Average"),
        ],
        [
            [
                r.agent,
                r.sessions,
                _seconds(r.session_seconds),
                r.pauses,
                _seconds(r.pause_seconds),
                r.received,
                _seconds(r.talk_seconds),
                _seconds(r.talk_average),
                r.made,
                _seconds(r.made_seconds),
                _seconds(r.made_average),
            ]
            for r in queries.agent_rows(
                filters, numbers, aggregates.agent_calls(filters), aggregates.agent_spans(filters)
            )
        ],
    )
    tables = [per_queue, service, abandons, weekdays, half_hours, agent_table]
    return _respond(request, "stats/queues.html", context, tables, period)


PAGE_SIZE = 100


def _pager(request: HttpRequest, found: paging.Page, total: int | None, prefix: str) -> dict | None:
    """Links to the first / previous / next / last keyset page of a long list (``prefix``
    names its query parameters: ``<prefix>move`` and ``<prefix>cursor``)."""
    if not found.has_before and not found.has_after:
        return None

    def url(move: str, cursor: str = "") -> str:
        query = request.GET.copy()
        query[f"{prefix}move"] = move
        query[f"{prefix}cursor"] = cursor
        return "?" + query.urlencode()

    label = _("%(count)s calls") % {"count": total} if total is not None else ""
    return {
        "label": label,
        "first": url(paging.FIRST) if found.has_before else "",
        "previous": url(paging.PREVIOUS, found.first_cursor) if found.has_before else "",
        "next": url(paging.NEXT, found.last_cursor) if found.has_after else "",
        "last": url(paging.LAST) if found.has_after else "",
    }


def _list_page(request: HttpRequest, rows: list, name: str) -> tuple[list, dict | None]:
    """A page of a list already computed (e.g. 8,760 hours of a year): the screen shows
    ``PAGE_SIZE`` rows at a time (``<name>=<number>``, from 1); the exports keep every row."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    try:
        number = min(max(int(request.GET.get(name, "1")), 1), pages)
    except ValueError:
        number = 1
    if pages == 1:
        return rows, None

    def url(to: int) -> str:
        query = request.GET.copy()
        query[name] = str(to)
        return "?" + query.urlencode()

    label = _("Page %(page)s of %(pages)s") % {"page": number, "pages": pages}
    return rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], {
        "label": label,
        "first": url(1) if number > 1 else "",
        "previous": url(number - 1) if number > 1 else "",
        "next": url(number + 1) if number < pages else "",
        "last": url(pages) if number < pages else "",
    }


def _keyset(
    request: HttpRequest, qs, field: str, fields: tuple[str, ...], prefix: str
) -> paging.Page:
    move = request.GET.get(f"{prefix}move", paging.FIRST)
    return paging.page(qs, field, fields, move, request.GET.get(f"{prefix}cursor", ""), PAGE_SIZE)


@login_required
def queue_call_detail(request: HttpRequest) -> HttpResponse:
    """S3 / S4: every answered and lost queue call, totals, agents, queues, service level by
    hour / day / month and by waiting time, agent analytics."""
    with aggregates.refreshed_once():
        return _queue_call_detail(request)


def _queue_call_detail(request: HttpRequest) -> HttpResponse:
    found = _queue_filters(request, DetailForm, _("Queue call detail"), "stats/detail.html")
    if isinstance(found, HttpResponse):
        return found
    context, form, filters, _numbers = found
    filters = dataclasses.replace(filters, caller=form.cleaned_data["caller"])

    def _either(from_aggregates: Callable, from_rows: Callable):
        """The aggregates' figures, or the rows' (a caller's number, a part of a day)."""
        found = from_aggregates(filters)
        return from_rows(filters) if found is None else found

    ended_by = {"COMPLETECALLER": _("caller"), "COMPLETEAGENT": _("agent")}
    lost_status = {
        "ABANDON": _("hung up"),
        "EXITWITHKEY": _("left with a key"),
        "EXITWITHTIMEOUT": _("timed out"),
        "EXITEMPTY": _("no agent left"),
    }
    totals = aggregates.detail_summary(filters)
    if totals is None:  # a caller's number: from the rows
        totals = detail.summary(filters)

    answered_qs = (
        detail.answered(filters)
        .order_by("time", "id")
        .values_list("callid", "queue", "agent", "time", "wait", "talk", "position", "event")
    )
    lost_qs = (
        detail.lost(filters)
        .order_by("time", "id")
        .values_list("callid", "queue", "time", "wait", "event")
    )

    def answered_rows(rows: Iterable[tuple]) -> Iterator[list[object]]:
        for _callid, queue, agent, time, wait, talk, position, event, caller, entered in rows:
            who = ended_by.get(event, _("transfer"))
            when = entered or time
            yield [queue, agent, when, caller, _seconds(wait), _seconds(talk), position, who]

    def lost_rows(rows: Iterable[tuple]) -> Iterator[list[object]]:
        for _callid, queue, time, wait, event, caller, entered in rows:
            yield [queue, entered or time, caller, _seconds(wait), lost_status[event]]

    answered_fields = ("callid", "queue", "agent", "wait", "talk", "position", "event")
    page_a = _keyset(request, detail.answered(filters), "time", answered_fields, "")
    page_l = _keyset(
        request, detail.lost(filters), "time", ("callid", "queue", "wait", "event"), "lost_"
    )
    # (time, id, callid, …) -> the row shapes of the export (callid first, then the time)
    shown_a = [(r[2], r[3], r[4], r[0], *r[5:]) for r in page_a.rows]
    shown_l = [(r[2], r[3], r[0], *r[4:]) for r in page_l.rows]
    calls_table = Table(
        "answered",
        _("Answered calls"),
        [
            _("Queue"),
            _("Agent"),
            _("Date"),
            _("Caller"),
            _("Wait"),
            _("Talk"),
            _("Position"),
            _("Ended by"),
        ],
        list(answered_rows(detail.join_callers(shown_a))),
        export=lambda: answered_rows(detail.with_callers(answered_qs)),
        pager=_pager(request, page_a, totals["answered"], ""),
    )
    lost_table = Table(
        "lost",
        _("Lost calls"),
        [_("Queue"), _("Date"), _("Caller"), _("Wait before hanging up"), _("Status")],
        list(lost_rows(detail.join_callers(shown_l))),
        export=lambda: lost_rows(detail.with_callers(lost_qs)),
        pager=_pager(request, page_l, totals["lost"], "lost_"),
    )
    s = totals
    summary = Table(
        "summary",
        _("Totals"),
        [_("Figure"), _("Calls"), _("Total"), _("Average"), _("Minimum"), _("Maximum")],
        [
            [
                _("Talk time of answered calls"),
                s["answered"],
                _seconds(s["talk_total"]),
                _seconds(s["talk_avg"]),
                _seconds(s["talk_min"]),
                _seconds(s["talk_max"]),
            ],
            [
                _("Wait of answered calls"),
                s["answered"],
                _seconds(s["wait_total"]),
                _seconds(s["wait_avg"]),
                _seconds(s["wait_min"]),
                _seconds(s["wait_max"]),
            ],
            [
                _("Wait of lost calls"),
                s["lost"],
                _seconds(s["lost_wait_total"]),
                _seconds(s["lost_wait_avg"]),
                _seconds(s["lost_wait_min"]),
                _seconds(s["lost_wait_max"]),
            ],
            [_("Longest queue (callers)"), s["max_queue"], None, None, None, None],
        ],
        chart={
            "kind": "pie",
            "labels": [_("Answered"), _("Lost")],
            "series": [{"name": _("Calls"), "data": [s["answered"], s["lost"]]}],
            "stacked": False,
        },
    )
    agents = Table(
        "agents",
        _("Agents: answered calls and who ended them"),
        [
            _("Agent"),
            _("Answered"),
            _("Wait"),
            _("Talk"),
            _("Ended by the caller"),
            "%",
            _("Ended by the agent"),
            "%",
            _("Transferred"),
            "%",
        ],
        [
            [
                agent,
                n,
                _seconds(w),
                _seconds(t),
                c,
                compute.percent(c, n),
                a,
                compute.percent(a, n),
                x,
                compute.percent(x, n),
            ]
            for agent, n, w, t, c, a, x in _either(aggregates.detail_per_agent, detail.per_agent)
        ],
    )
    queue_table = Table(
        "queues",
        _("Queues: answered calls"),
        [_("Queue"), _("Answered"), _("Wait"), _("Talk")],
        [
            [q, n, _seconds(w), _seconds(t)]
            for q, n, w, t in _either(aggregates.detail_per_queue, detail.per_queue)
        ],
    )
    unit = form.cleaned_data["unit"]
    found_periods = aggregates.detail_by_period(filters, unit)
    took, lost_by = found_periods or detail.by_period(filters, unit)
    fmt = {"hour": "%Y-%m-%d %Hh", "day": "%Y-%m-%d", "month": "%Y-%m"}[unit]
    period_rows = []
    for key in sorted(set(took) | set(lost_by)):
        n, w, t, x, xw, xt = took.get(key, (0, None, None, 0, None, None))
        ln, lw = lost_by.get(key, (0, None))
        whole = n + ln
        shown = timezone.localtime(key) if isinstance(key, dt.datetime) else key
        period_rows.append(
            [
                shown.strftime(fmt),
                whole,
                n,
                _seconds(w),
                _seconds(t),
                compute.percent(n, whole),
                x,
                _seconds(xw),
                _seconds(xt),
                compute.percent(x, whole),
                ln,
                _seconds(lw),
                compute.percent(ln, whole),
            ]
        )
    # A year by hour is 8,760 rows: the screen pages them, the exports give them all.
    shown_periods, period_pager = _list_page(request, period_rows, "period_page")
    periods = Table(
        "periods",
        _("Service by period"),
        [
            _("Period"),
            _("Total"),
            _("Answered"),
            _("Average wait"),
            _("Average talk"),
            "%",
            _("Transferred"),
            _("Average wait"),
            _("Average talk"),
            "%",
            _("Lost"),
            _("Average wait"),
            "%",
        ],
        shown_periods,
        chart=_bar(
            [r[0] for r in shown_periods],
            [
                (_("Answered"), [r[2] for r in shown_periods]),
                (_("Lost"), [r[10] for r in shown_periods]),
            ],
            stacked=True,
        ),
        export=lambda: period_rows,
        pager=period_pager,
    )
    step_columns = [_("Wait up to (s)"), _("Calls"), "%"]
    steps_answered = Table(
        "steps_answered",
        _("Service level: answered calls"),
        step_columns,
        compute.step_rows(
            _either(
                lambda f: aggregates.detail_steps(f, lost=False),
                lambda f: detail.steps(detail.answered(f)),
            ),
            detail.STEPS,
        ),
    )
    steps_lost = Table(
        "steps_lost",
        _("Service level: lost calls"),
        step_columns,
        compute.step_rows(
            _either(
                lambda f: aggregates.detail_steps(f, lost=True),
                lambda f: detail.steps(detail.lost(f)),
            ),
            detail.STEPS,
        ),
    )
    spans = aggregates.agent_spans(filters)
    presence = spans[0] if spans else queries.agent_intervals(filters, "ADDMEMBER", "REMOVEMEMBER")
    figures = _either(aggregates.detail_agent_analytics, detail.agent_analytics)
    analytics_rows = []
    for agent in sorted(set(figures) | set(presence)):
        a, m, c = figures.get(agent, (0, 0, 0))
        seconds = presence.get(agent, (0, 0.0))[1]
        analytics_rows.append([agent, a, m, c, _seconds(seconds), compute.per_hour(a, seconds)])
    analytics = Table(
        "analytics",
        _("Agent analytics"),
        [
            _("Agent"),
            _("Answered"),
            _("Missed (rang, not answered)"),
            _("Ended by the caller"),
            _("Logged-in time"),
            _("Calls per hour"),
        ],
        analytics_rows,
    )
    tables = [
        summary,
        calls_table,
        lost_table,
        agents,
        queue_table,
        periods,
        steps_answered,
        steps_lost,
        analytics,
    ]
    return _respond(request, "stats/detail.html", context, tables, context["period"])


@login_required
def excel_reports(request: HttpRequest) -> HttpResponse:
    """S5: the Excel reports, for a period (and an agent, a caller's number)."""
    if not queue_scope(request.user):
        raise PermissionDenied
    queues = visible(request.user, sorted(set(Queue.objects.values_list("name", flat=True))))
    form = DetailForm(
        initial=DetailForm.initial_data(), queues=queues, agents=sorted(_agent_numbers(queues))
    )
    queue_reports = [
        {
            "title": _("Calls answered per queue and per agent"),
            "tables": [("queues", _("per queue")), ("agents", _("per agent"))],
        },
        {"title": _("Queue calls not answered"), "tables": [("lost", _("Excel"))]},
        {
            "title": _("Wait and talk time of each queue call"),
            "tables": [("answered", _("Excel"))],
        },
    ]
    others = [
        {
            "key": entry.key,
            "title": entry.title,
            "url": reverse(entry.url_name),
            "tables": entry.tables,
            "fields": entry.fields,
        }
        for entry in reports.entries_for(request.user)
    ]
    return render(
        request,
        "stats/reports.html",
        {
            "title": _("Excel reports"),
            "form": form,
            "reports": queue_reports,
            "others": others,
            "start": form.initial["start"],
            "end": form.initial["end"],
        },
    )


@login_required
def call_mix(request: HttpRequest) -> HttpResponse:
    """S5: incoming calls, handled in the IVR, handled by operators, automatic outgoing calls
    (one table), and the list of the automatic calls (by a number or a part of it)."""
    if not reports.may_open_call_mix(request.user):
        raise PermissionDenied
    form = MixForm(request.GET if "start" in request.GET else MixForm.initial_data())
    context: dict = {"title": _("Call mix and automatic calls"), "form": form}
    if not form.is_valid():
        return _invalid(request, "stats/mix.html", context)
    start, end = form.bounds()
    number = form.cleaned_data["number"]
    period = f"{form.cleaned_data['start']:%Y-%m-%d} - {form.cleaned_data['end']:%Y-%m-%d}"
    context["period"] = period
    figures = mix.mix(start, end)
    incoming = figures["incoming"]
    mix_table = Table(
        "mix",
        _("Incoming calls and automatic outgoing calls"),
        [
            _("Calls"),
            _("Number"),
            # xgettext:no-python-format
            _("% of incoming calls"),
        ],
        [
            [_("Incoming calls"), incoming, compute.percent(incoming, incoming)],
            [_("Handled in the IVR"), figures["ivr"], compute.percent(figures["ivr"], incoming)],
            [
                _("Handled by operators"),
                figures["operators"],
                compute.percent(figures["operators"], incoming),
            ],
            [_("Automatic outgoing calls"), figures["autodial"], None],
        ],
        chart={
            "kind": "pie",
            "labels": [_("Handled in the IVR"), _("Handled by operators"), _("Other")],
            "series": [
                {
                    "name": _("Incoming calls"),
                    "data": [
                        figures["ivr"],
                        figures["operators"],
                        incoming - figures["ivr"] - figures["operators"],
                    ],
                }
            ],
            "stacked": False,
        },
    )
    status = dict(CallRecord.Disposition.choices)

    def autodial_rows(rows: Iterable[tuple]) -> Iterator[list[object]]:
        for time, _pk, dst, src, disposition, duration, billsec in rows:
            state = status.get(disposition, disposition)
            yield [time, dst, src, state, _seconds(duration), _seconds(billsec)]

    calls = mix.autodial_calls(start, end, number)
    found = _keyset(request, calls, "start", mix.AUTODIAL_FIELDS, "")
    autodial = Table(
        "autodial",
        _("Automatic outgoing calls"),
        [_("Date"), _("Number"), _("Caller ID"), _("Status"), _("Duration"), _("Talk")],
        list(autodial_rows(found.rows)),
        export=lambda: autodial_rows(mix.autodial_rows(calls)),
        pager=_pager(request, found, None if number else figures["autodial"], ""),
    )
    return _respond(request, "stats/mix.html", context, [mix_table, autodial], period)
