"""Pages of the IVR domain: IVR applications and their scenario editor, holidays, incidents."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from switchboard.accounts import audit
from switchboard.accounts.models import AuditEntry
from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.ivr import scenario as scenarios
from switchboard.ivr.forms import HolidayForm, IncidentForm, IvrForm
from switchboard.ivr.models import Holiday, Incident, Ivr
from switchboard.ivr.services import (
    apply_servers,
    scenario_context,
    sound_choices,
    speech_errors,
    switch_incident,
)
from switchboard.pbx.models import Generation, Phone, Queue
from switchboard.pbx.services import apply_configuration


def _dates(ivr: Ivr) -> str:
    if not (ivr.start_date or ivr.end_date):
        return "—"
    start = f"{ivr.start_date:%Y-%m-%d}" if ivr.start_date else "…"
    end = f"{ivr.end_date:%Y-%m-%d}" if ivr.end_date else "…"
    return f"{start} - {end}"


class IvrListView(ObjectListView):
    model = Ivr
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("number", gettext_lazy("Internal number"), sort="number"),
        Column("did", gettext_lazy("DID"), sort="did"),
        Column("active", gettext_lazy("Active"), sort="active"),
        Column("dates", gettext_lazy("Dates"), value=_dates),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
        Column("comments", gettext_lazy("Comments")),
    )
    search_fields = ("name", "number", "did", "comments")
    default_sort = "number"


class IvrEditView(ObjectEditView):
    model = Ivr
    form_class = IvrForm

    def get_success_url(self) -> str:
        """After saving, the scenario editor (it applies the IVR to its PBX)."""
        if self.object is not None and self.object.pk:
            return reverse("ivr:ivr_scenario", args=[self.object.pk])
        return reverse("ivr:ivr_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse("ivr:ivr_list")
        return context

    def form_valid(self, form: forms.ModelForm) -> HttpResponse:
        """Numbers, dates and the active flag are in the dialplan: apply them at once."""
        previous = Ivr.objects.filter(pk=self.object.pk).first() if self.object else None
        response = super().form_valid(form)
        _report_apply(self.request, self.object.server)
        if previous is not None and previous.server_id != self.object.server_id:
            _report_apply(self.request, previous.server)
        return response


class IvrDeleteView(ObjectDeleteView):
    model = Ivr

    def form_valid(self, form: forms.Form) -> HttpResponse:
        server = self.object.server
        response = super().form_valid(form)
        if not Ivr.objects.filter(pk=self.object.pk).exists():
            _report_apply(self.request, server)
        return response


def _report_apply(request: HttpRequest, server: Any) -> None:
    entry = apply_configuration(server, request)
    if entry.outcome == Generation.Outcome.LIVE:
        messages.success(
            request, _("The configuration of %(server)s is live.") % {"server": server}
        )
    else:
        messages.error(
            request,
            _("The configuration of %(server)s was not applied: %(error)s")
            % {"server": server, "error": entry.message},
        )


# Every label of the editor's script, translated here (the script has no text of its own).
EDITOR_STRINGS = {
    "play": gettext_lazy("Play a sound"),
    "speech": gettext_lazy("Speak a text"),
    "read": gettext_lazy("Read digits"),
    "menu": gettext_lazy("Menu"),
    "goto": gettext_lazy("Jump to a block"),
    "time": gettext_lazy("If the time is"),
    "holiday": gettext_lazy("If today is a holiday"),
    "incident": gettext_lazy("If an incident is on"),
    "transfer": gettext_lazy("Transfer"),
    "hangup": gettext_lazy("Hang up"),
    "callback": gettext_lazy("Callback request"),
    "callback_queue": gettext_lazy("For the queue"),
    "no_queue": gettext_lazy("(any operator)"),
    "confirmation": gettext_lazy("Confirmation sound"),
    "sound": gettext_lazy("Sound"),
    "text": gettext_lazy("Text"),
    "language": gettext_lazy("Language"),
    "variable": gettext_lazy("Variable"),
    "max_digits": gettext_lazy("Digits"),
    "timeout": gettext_lazy("Wait (s)"),
    "target": gettext_lazy("Go to"),
    "on_timeout": gettext_lazy("On timeout"),
    "on_invalid": gettext_lazy("On invalid"),
    "keys": gettext_lazy("Keys"),
    "key": gettext_lazy("Key"),
    "patterns": gettext_lazy("Digit patterns"),
    "pattern": gettext_lazy("Pattern"),
    "add_key": gettext_lazy("Add a key"),
    "add_pattern": gettext_lazy("Add a pattern"),
    "days": gettext_lazy("Days"),
    "ranges": gettext_lazy("Time ranges"),
    "add_range": gettext_lazy("Add a range"),
    "incident_name": gettext_lazy("Incident"),
    "kind": gettext_lazy("To"),
    "phone": gettext_lazy("phone"),
    "queue": gettext_lazy("queue"),
    "external": gettext_lazy("external number"),
    "voicemail": gettext_lazy("voicemail of a phone"),
    "number": gettext_lazy("Number"),
    "none": gettext_lazy("(hang up)"),
    "choose": gettext_lazy("(choose)"),
    "add_action": gettext_lazy("Add an action"),
    "up": gettext_lazy("Up"),
    "down": gettext_lazy("Down"),
    "remove": gettext_lazy("Remove"),
    "remove_block": gettext_lazy("Delete the block"),
    "block_exists": gettext_lazy("This block already exists or its name is not valid."),
    "saving": gettext_lazy("Saving…"),
    "not_saved": gettext_lazy("Not saved: correct the errors shown."),
    "failed": gettext_lazy("The portal could not be reached."),
    "mon": gettext_lazy("Mon"),
    "tue": gettext_lazy("Tue"),
    "wed": gettext_lazy("Wed"),
    "thu": gettext_lazy("Thu"),
    "fri": gettext_lazy("Fri"),
    "sat": gettext_lazy("Sat"),
    "sun": gettext_lazy("Sun"),
}


def _editor_data(ivr: Ivr) -> dict[str, Any]:
    """What the editor's script needs: the scenario and the choices of its fields."""
    server = ivr.server
    return {
        "scenario": ivr.scenario,
        "save_url": reverse("ivr:ivr_scenario", args=[ivr.pk]),
        "phones": [
            [p.extension, f"{p.extension} {p.display_name}".strip()]
            for p in Phone.objects.filter(server=server).order_by("extension")
        ],
        "queues": [
            [q.number, f"{q.number} {q.name}"]
            for q in Queue.objects.filter(server=server).order_by("number")
        ],
        "incidents": [[i.code, i.name] for i in Incident.objects.order_by("name")],
        "sounds": sound_choices(),
        "weekdays": list(scenarios.WEEKDAYS),
    }


@login_required
def scenario_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """The visual editor (GET); saving (POST, JSON) validates, stores and applies at once."""
    if not request.user.has_perm("ivr.change_ivr"):
        raise PermissionDenied
    ivr = get_object_or_404(Ivr.objects.select_related("server"), pk=pk)
    if request.method == "POST":
        return _save_scenario(request, ivr)
    return render(
        request,
        "ivr/editor.html",
        {
            "title": _("Scenario of %(name)s") % {"name": ivr.name},
            "ivr": ivr,
            "editor_data": _editor_data(ivr),
            "editor_strings": {key: str(text) for key, text in EDITOR_STRINGS.items()},
            "history": Generation.objects.filter(server=ivr.server)[:5],
        },
    )


def _save_scenario(request: HttpRequest, ivr: Ivr) -> JsonResponse:
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        error = scenarios.ScenarioError(_("The scenario could not be read."))
        return JsonResponse({"ok": False, "errors": [error.as_json()]}, status=400)
    cleaned, errors = scenarios.validate(data.get("scenario"), scenario_context(ivr.server))
    if not errors:
        errors = speech_errors(cleaned)
    if errors:
        return JsonResponse({"ok": False, "errors": [e.as_json() for e in errors]}, status=400)
    before = audit.snapshot(ivr)
    with transaction.atomic():
        ivr.scenario = cleaned
        ivr.save(update_fields=["scenario"])
        audit.record(request, AuditEntry.Action.UPDATE, ivr, before, audit.snapshot(ivr))
    entry = apply_configuration(ivr.server, request)
    live = entry.outcome == Generation.Outcome.LIVE
    if live:
        message = _("Saved. The scenario is live on %(server)s (%(seconds)s s).") % {
            "server": ivr.server,
            "seconds": entry.seconds,
        }
    else:
        message = _("Saved, but the configuration of %(server)s was not applied: %(error)s") % {
            "server": ivr.server,
            "error": entry.message,
        }
    return JsonResponse(
        {
            "ok": True,
            "live": live,
            "outcome": entry.outcome,
            "message": message,
            "scenario": cleaned,
        }
    )


def _report_applies(request: HttpRequest) -> None:
    """Holidays are in the dialplan: apply to every PBX with IVRs and say how it went."""
    for server in apply_servers():
        _report_apply(request, server)


class HolidayListView(ObjectListView):
    model = Holiday
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("day", gettext_lazy("Date"), sort="day"),
        Column("yearly", gettext_lazy("Every year"), sort="yearly"),
    )
    search_fields = ("name",)
    default_sort = "day"


class HolidayEditView(ObjectEditView):
    model = Holiday
    form_class = HolidayForm

    def form_valid(self, form: forms.ModelForm) -> HttpResponse:
        response = super().form_valid(form)
        _report_applies(self.request)
        return response


class HolidayDeleteView(ObjectDeleteView):
    model = Holiday

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        _report_applies(self.request)
        return response


class IncidentEditView(ObjectEditView):
    model = Incident
    form_class = IncidentForm

    def get_success_url(self) -> str:
        return reverse("ivr:incident_list")


class IncidentDeleteView(ObjectDeleteView):
    model = Incident

    def get_success_url(self) -> str:
        return reverse("ivr:incident_list")

    def form_valid(self, form: forms.Form) -> HttpResponse:
        """An incident deleted while on is switched off first: no key is left in AstDB."""
        if self.object.active:
            switch_incident(self.object, False, self.request)
        return super().form_valid(form)


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Every incident with its state; a switch for who may switch them."""
    if not request.user.has_perm("ivr.view_incident"):
        raise PermissionDenied
    return render(
        request,
        "ivr/incidents.html",
        {
            "title": _("Incidents"),
            "incidents": Incident.objects.order_by("name"),
            "can_switch": request.user.has_perm("ivr.switch_incident"),
            "can_add": request.user.has_perm("ivr.add_incident"),
            "can_change": request.user.has_perm("ivr.change_incident"),
        },
    )


@require_POST
@login_required
def incident_switch(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch one incident on or off: AstDB of every PBX at once, audited."""
    if not request.user.has_perm("ivr.switch_incident"):
        raise PermissionDenied
    incident = get_object_or_404(Incident, pk=pk)
    wanted = request.POST.get("on")
    if wanted not in ("0", "1"):
        messages.error(request, _("Choose on or off."))
        return redirect("ivr:incident_list")
    on = wanted == "1"
    failures = switch_incident(incident, on, request)
    if failures:
        messages.error(
            request,
            _("“%(name)s” was switched, but these PBXs did not take it: %(failures)s")
            % {"name": incident.name, "failures": "; ".join(failures)},
        )
    elif on:
        messages.success(request, _("“%(name)s” is on.") % {"name": incident.name})
    else:
        messages.success(request, _("“%(name)s” is off.") % {"name": incident.name})
    return redirect("ivr:incident_list")
