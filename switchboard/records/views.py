"""The call log (SPEC U3), its recordings (R4) and the users' marks on calls (R5).

Every view reads call records through ``scoping.calls_visible_to``: a call outside the
user's scope does not exist for them (404), whether listed, played or marked.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from switchboard.accounts.audit import record as audit
from switchboard.accounts.audit import snapshot
from switchboard.accounts.models import AuditEntry
from switchboard.records import keyset, scoping
from switchboard.records.forms import CallSearchForm, MarkForm
from switchboard.records.models import CallMark, CallRecord
from switchboard.records.recordings import content_type, recording_path
from switchboard.records.search import apply_search

PAGE_SIZE = 50


def hms(seconds: int) -> str:
    """A duration as H:MM:SS (or M:SS under an hour)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _errors(form: CallSearchForm) -> list[tuple[str, str]]:
    found = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        found += [(label, str(error)) for error in errors]
    return found


def _rows(page: keyset.KeysetPage, user: object) -> list[dict]:
    whole = scoping.sees_whole_numbers(user)
    digits = scoping.mask_digits()
    records = page.rows
    extensions = set() if whole else scoping.phone_extensions({r.server_id for r in records})
    marks = {
        mark.record_id: mark
        for mark in CallMark.objects.filter(user=user, record__in=[r.pk for r in records])
    }
    rows = []
    for call in records:
        src, dst = call.src, call.dst
        if not whole:
            src_external, dst_external = scoping.external_sides(call, extensions)
            src = scoping.mask(src, digits) if src_external else src
            dst = scoping.mask(dst, digits) if dst_external else dst
        rows.append(
            {
                "call": call,
                "src": src,
                "dst": dst,
                "duration": hms(call.duration),
                "billsec": hms(call.billsec),
                "recording": recording_path(call) is not None,
                "mark": marks.get(call.pk),
            }
        )
    return rows


@require_GET
@login_required
def call_log(request: HttpRequest) -> HttpResponse:
    """The calls the user may see, newest first, with search and keyset pages."""
    user = request.user
    whole = scoping.sees_whole_numbers(user)
    form = CallSearchForm(request.GET or None)
    records = scoping.calls_visible_to(user).select_related("server")
    if form.is_bound and not form.is_valid():
        records = records.none()
    elif form.is_bound:
        extensions = [] if whole else scoping.all_extensions()
        records = apply_search(records, form, user, whole, scoping.mask_digits(), extensions)
    move = request.GET.get("page", keyset.FIRST)
    searched = form.is_bound and any(form.data.get(n) for n in ("number", "caller", "callee"))
    page = keyset.keyset_page(
        records,
        move if move in keyset.MOVES else keyset.FIRST,
        request.GET.get("at", ""),
        PAGE_SIZE,
        sort_here=searched and scoping.sees_only_own_calls(user),
    )
    filters = [
        (name, value) for name, value in request.GET.items() if name not in ("page", "at") and value
    ]
    query = urlencode(filters)

    def link(move: str, cursor: str = "") -> str:
        params = [*filters, ("page", move)] + ([("at", cursor)] if cursor else [])
        return "?" + urlencode(params)

    return render(
        request,
        "records/call_log.html",
        {
            "title": _("Call log"),
            "form": form,
            "errors": _errors(form) if form.is_bound else [],
            "rows": _rows(page, user),
            "page": page,
            "first_url": link(keyset.FIRST),
            "previous_url": link(keyset.PREVIOUS, page.newest_cursor),
            "next_url": link(keyset.NEXT, page.oldest_cursor),
            "last_url": link(keyset.LAST),
            "here": request.get_full_path(),
            "query": query,
            "flags": CallMark.Flag.choices,
            "whole_numbers": whole,
            "sees_all": scoping.sees_all_calls(user),
        },
    )


def _visible_call(request: HttpRequest, pk: int) -> CallRecord:
    return get_object_or_404(scoping.calls_visible_to(request.user).select_related("server"), pk=pk)


@require_GET
@login_required
def recording(request: HttpRequest, pk: int) -> FileResponse:
    """The call's recording, played in the page or downloaded (``?download=1``)."""
    call = _visible_call(request, pk)
    path = recording_path(call)
    if path is None:
        raise Http404(_("This call has no recording."))
    download = request.GET.get("download") == "1"
    response = FileResponse(
        path.open("rb"),
        as_attachment=download,
        filename=path.name,
        content_type=content_type(path),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Put, change or remove (``remove``) the user's mark on a call they may see."""
    call = _visible_call(request, pk)
    existing = CallMark.objects.filter(record=call, user=request.user).first()
    before = snapshot(existing) if existing else None  # the form changes the instance
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("records:call_log")
    if "remove" in request.POST:
        if existing is not None:
            with transaction.atomic():
                audit(request, AuditEntry.Action.DELETE, existing, before, None)
                existing.delete()
            messages.success(request, _("The mark is removed."))
        return redirect(target)
    form = MarkForm(request.POST, instance=existing or CallMark(record=call, user=request.user))
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("The mark was not saved: %(errors)s") % {"errors": errors})
        return redirect(target)
    with transaction.atomic():
        saved = form.save()
        audit(
            request,
            AuditEntry.Action.UPDATE if existing else AuditEntry.Action.CREATE,
            saved,
            before,
            snapshot(saved),
        )
    messages.success(request, _("The call is marked."))
    return redirect(target)
