"""The JSON API (token-authenticated) and the administrators' token pages.

``/api/callbacks/``: GET lists the callback requests the token's owner handles, POST creates
one (source "api"). Errors are JSON ``{"error": ..., "fields": {...}}`` in the language of
the request's Accept-Language: 401 without a valid token, 403 when the owner lacks the right,
400 for bad input (nothing is stored). ``/api/openapi.json`` describes it.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from switchboard.accounts.audit import record, snapshot
from switchboard.accounts.models import AuditEntry
from switchboard.api.auth import authenticate, error
from switchboard.api.forms import TokenForm
from switchboard.api.models import ApiToken
from switchboard.api.openapi import document
from switchboard.callbacks import scoping
from switchboard.callbacks.models import Callback
from switchboard.callbacks.services import CallbackError, clean_number, create_request

MAX_BODY = 16 * 1024
LIST_LIMIT = 100
LIST_MAX = 500


def callback_json(callback: Callback) -> dict[str, Any]:
    return {
        "id": callback.pk,
        "number": callback.number,
        "name": callback.name,
        "queue": callback.queue.number if callback.queue else None,
        "source": callback.source,
        "status": callback.status,
        "requested_at": timezone.localtime(callback.requested_at).isoformat(),
        "not_before": timezone.localtime(callback.not_before).isoformat()
        if callback.not_before
        else None,
        "note": callback.note,
    }


def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(document(request.build_absolute_uri("/").rstrip("/")))


@csrf_exempt
def callbacks(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        response = error(405, _("Use GET or POST."))
        response["Allow"] = "GET, POST"
        return response
    owner, refusal = authenticate(request)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        return _list(request, owner)
    return _create(request, owner)


def _list(request: HttpRequest, owner: Any) -> JsonResponse:
    if not scoping.may_handle(owner):
        return error(403, _("This token's owner may not read callback requests."))
    queryset = scoping.callbacks_visible_to(owner).select_related("queue").order_by("pk")
    status = request.GET.get("status", Callback.Status.OPEN)
    if status not in (*Callback.Status.values, "all"):
        return error(400, _("status is open, done, closed or all."), fields={"status": ["?"]})
    if status != "all":
        queryset = queryset.filter(status=status)
    try:
        limit = min(max(int(request.GET.get("limit", LIST_LIMIT)), 1), LIST_MAX)
        after = int(request.GET.get("after", 0))
    except ValueError:
        return error(400, _("limit and after are whole numbers."))
    rows = list(queryset.filter(pk__gt=after)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return JsonResponse(
        {
            "results": [callback_json(c) for c in rows],
            "next_after": rows[-1].pk if more and rows else None,
        }
    )


def _create(request: HttpRequest, owner: Any) -> JsonResponse:
    if not owner.has_perm("callbacks.add_callback"):
        return error(403, _("This token's owner may not create callback requests."))
    if len(request.body) > MAX_BODY:
        return error(400, _("The request body is too large."))
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return error(400, _("The body must be a JSON object."))
    if not isinstance(data, dict):
        return error(400, _("The body must be a JSON object."))
    fields: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        values["number"] = clean_number(data.get("number"))
    except CallbackError as failure:
        fields["number"] = [str(failure)]
    for name, limit in (("name", 120), ("note", 1000)):
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > limit:
            fields[name] = [_("Text of at most %(limit)d characters.") % {"limit": limit}]
        else:
            values[name] = value
    values["not_before"] = None
    raw_when = data.get("not_before")
    if raw_when not in (None, ""):
        when = parse_datetime(raw_when) if isinstance(raw_when, str) else None
        if when is None:
            fields["not_before"] = [
                _("A date and time in ISO 8601, e.g. 2026-03-01T14:30:00+01:00.")
            ]
        else:
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            values["not_before"] = when
    values["queue"] = None
    raw_queue = data.get("queue")
    if raw_queue not in (None, ""):
        from switchboard.pbx.models import Queue

        wanted = str(raw_queue).strip()
        queues = list(Queue.objects.filter(Q(number=wanted) | Q(name=wanted))[:2])
        if not queues:
            fields["queue"] = [_("There is no queue “%(queue)s”.") % {"queue": wanted}]
        elif len(queues) > 1:
            fields["queue"] = [
                _("Several queues are called “%(queue)s”: use another.") % {"queue": wanted}
            ]
        else:
            values["queue"] = queues[0]
    unknown = sorted(set(data) - {"number", "name", "not_before", "queue", "note"})
    if unknown:
        fields["unknown"] = [_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)}]
    if fields:
        return error(400, _("The request was not stored: see the fields."), fields=fields)
    callback = create_request(source=Callback.Source.API, user=owner, **values)
    return JsonResponse(callback_json(callback), status=201)


# --- administrators' pages -------------------------------------------------------------


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    _require(request, "api.view_apitoken")
    return render(
        request,
        "api/token_list.html",
        {
            "title": _("API tokens"),
            "tokens": ApiToken.objects.select_related("owner"),
            "can_add": request.user.has_perm("api.add_apitoken"),
            "can_revoke": request.user.has_perm("api.change_apitoken"),
        },
    )


@login_required
def token_add(request: HttpRequest) -> HttpResponse:
    _require(request, "api.add_apitoken")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.save(commit=False)
        secret = token.set_token()
        with transaction.atomic():
            token.save()
            record(request, AuditEntry.Action.CREATE, token, None, snapshot(token))
        return render(
            request,
            "api/token_created.html",
            {"title": _("API token created"), "token": token, "secret": secret},
        )
    return render(
        request,
        "core/object_edit.html",
        {"title": _("New API token"), "form": form, "cancel_url": reverse("api:token_list")},
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "api.change_apitoken")
    token = get_object_or_404(ApiToken, pk=pk)
    if token.revoked is None:
        before = snapshot(token)
        with transaction.atomic():
            token.revoked = timezone.now()
            token.save(update_fields=["revoked"])
            record(request, AuditEntry.Action.UPDATE, token, before, snapshot(token))
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:token_list")
