"""The callback requests page (SPEC C5): due requests, call, reschedule, close; the report.

Every view reads requests through ``scoping.callbacks_visible_to``: a request outside the
user's scope does not exist for them (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from switchboard.callbacks import scoping, services
from switchboard.callbacks.forms import (
    CallbackForm,
    CloseForm,
    FilterForm,
    ReportForm,
    RescheduleForm,
)
from switchboard.callbacks.models import Callback, CallbackAttempt
from switchboard.callbacks.report import per_operator
from switchboard.core.exports import FORMATS, export_response

PAGE_SIZE = 50


def _require_handler(request: HttpRequest) -> None:
    if not scoping.may_handle(request.user):
        raise PermissionDenied


def _visible(request: HttpRequest, pk: int) -> Callback:
    return get_object_or_404(scoping.callbacks_visible_to(request.user), pk=pk)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
def callback_list(request: HttpRequest) -> HttpResponse:
    _require_handler(request)
    form = FilterForm(request.GET or None)
    queryset = scoping.callbacks_visible_to(request.user).select_related("queue")
    if form.is_valid():
        queryset = form.apply(queryset)
    else:
        form = FilterForm({"show": FilterForm.DUE})
        form.is_valid()
        queryset = form.apply(queryset)
    queryset = queryset.order_by("requested_at", "pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # The attempts of this page's requests only (one grouped query).
    counts = dict(
        CallbackAttempt.objects.filter(callback__in=[c.pk for c in page])
        .values_list("callback")
        .annotate(n=Count("id"))
    )
    for callback in page:
        callback.attempt_count = counts.get(callback.pk, 0)
    query = request.GET.copy()
    query.pop("page", None)
    phones = services.operator_phones(request.user)
    return render(
        request,
        "callbacks/callback_list.html",
        {
            "title": _("Callback requests"),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "phones": phones,
            "can_add": request.user.has_perm("callbacks.add_callback"),
        },
    )


@login_required
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_handler(request)
    callback = _visible(request, pk)
    return render(
        request,
        "callbacks/callback_detail.html",
        {
            "title": _("Callback request %(number)s") % {"number": callback.number},
            "callback": callback,
            "attempts": callback.attempts.select_related("operator"),
            "phones": services.operator_phones(request.user),
            "reschedule_form": RescheduleForm(auto_id="reschedule_%s"),
            "close_form": CloseForm(auto_id="close_%s"),
        },
    )


def _back(request: HttpRequest, callback: Callback) -> HttpResponse:
    if request.POST.get("next") == "detail":
        return redirect("callbacks:callback_detail", pk=callback.pk)
    return redirect(reverse("callbacks:callback_list"))


@require_POST
@login_required
def callback_call(request: HttpRequest, pk: int) -> HttpResponse:
    _require_handler(request)
    callback = _visible(request, pk)
    phones = {str(phone.pk): phone for phone in services.operator_phones(request.user)}
    phone = phones.get(request.POST.get("phone", "")) or next(iter(phones.values()), None)
    if phone is None:
        messages.error(request, _("You have no phone to call from."))
        return _back(request, callback)
    try:
        services.call(callback, request.user, phone, request)
    except services.CallbackError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your phone %(phone)s rings; pick it up to call %(number)s.")
            % {"phone": phone.extension, "number": callback.number},
        )
    return _back(request, callback)


@require_POST
@login_required
def callback_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    _require_handler(request)
    callback = _visible(request, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, callback)
    try:
        services.reschedule(
            callback,
            form.cleaned_data["not_before"],
            note=form.cleaned_data["note"],
            outcome=form.cleaned_data["outcome"],
            user=request.user,
            request=request,
        )
    except services.CallbackError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The request will show again when it is time to call."))
    return _back(request, callback)


@require_POST
@login_required
def callback_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require_handler(request)
    callback = _visible(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, callback)
    try:
        services.close(
            callback,
            form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            outcome=form.cleaned_data["outcome"],
            user=request.user,
            request=request,
        )
    except services.CallbackError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The request is closed."))
    return redirect(reverse("callbacks:callback_list"))


@login_required
def callback_add(request: HttpRequest) -> HttpResponse:
    _require_handler(request)
    if not request.user.has_perm("callbacks.add_callback"):
        raise PermissionDenied
    from switchboard.pbx.models import Queue

    all_queues = scoping.sees_all(request.user)
    queues = (
        Queue.objects.all()
        if all_queues
        else Queue.objects.filter(pk__in=scoping.queue_ids(request.user))
    )
    form = CallbackForm(request.POST or None, queues=queues, queue_required=not all_queues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_request(
                number=data["number"],
                name=data["name"],
                queue=data["queue"],
                not_before=data["not_before"],
                note=data["note"],
                source=Callback.Source.WEB,
                user=request.user,
                request=request,
            )
        except services.CallbackError as error:
            form.add_error("number", str(error))
        else:
            messages.success(request, _("Callback request saved."))
            return redirect("callbacks:callback_list")
    return render(
        request,
        "core/object_edit.html",
        {
            "title": _("New callback request"),
            "form": form,
            "cancel_url": reverse("callbacks:callback_list"),
        },
    )


@login_required
def callback_report(request: HttpRequest) -> HttpResponse:
    """Callbacks per operator for a period (S5); CSV / Excel with the report header."""
    if not request.user.has_perm("callbacks.view_callback_report"):
        raise PermissionDenied
    form = ReportForm(request.GET if "start" in request.GET else ReportForm.initial_data())
    rows, total, period = [], None, ""
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        rows, total = per_operator(start, end)
        period = f"{start:%Y-%m-%d} - {end:%Y-%m-%d}"
    columns = [
        _("Operator"),
        _("Requests handled"),
        _("Calls made"),
        _("Answered"),
        _("Done"),
        _("Closed"),
    ]
    title = _("Callbacks per operator")
    fmt = request.GET.get("export", "")
    if fmt in FORMATS and form.is_valid():
        cells = [row.cells() for row in rows]
        if total is not None:
            cells.append([_("Total"), *total.cells()[1:]])
        return export_response(
            fmt,
            title=title,
            report_type=_("Callback requests"),
            period=period,
            columns=columns,
            rows=iter(cells),
            filename=f"callbacks-{period}",
        )
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "callbacks/report.html",
        {
            "title": title,
            "form": form,
            "columns": columns,
            "rows": rows,
            "total": total,
            "period": period,
            "query": query.urlencode(),
        },
    )
