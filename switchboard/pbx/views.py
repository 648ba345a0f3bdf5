"""Pages of the PBX configuration: phones, and applying the configuration to a PBX."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from switchboard.accounts.audit import record
from switchboard.accounts.models import AuditEntry
from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.pbx.forms import (
    DialPatternForm,
    InboundRouteForm,
    OutgoingGroupForm,
    OverrideRuleForm,
    PhoneForm,
    PickupGroupForm,
    QueueForm,
    QueueMemberForm,
    TrunkForm,
)
from switchboard.pbx.models import (
    DialClass,
    DialPattern,
    Generation,
    InboundRoute,
    OutgoingGroup,
    OverrideRule,
    Phone,
    PickupGroup,
    Queue,
    QueueMember,
    Trunk,
    Weekday,
)
from switchboard.pbx.routing import DEFAULT_PATTERNS, load_default_patterns, move_rule
from switchboard.pbx.services import apply_configuration
from switchboard.telephony import bus
from switchboard.telephony.models import PbxServer


def _status(phone: Phone) -> str:
    live = getattr(phone, "live", None)
    if live is None:
        return "—"  # the PBX is not connected: nothing is known
    return str(PRESENCE_LABELS.get(live.get("state", ""), live.get("state", "")))


def _address(phone: Phone) -> str:
    """Where the phone is: its registered contact, else the fixed address it was given."""
    return (getattr(phone, "live", None) or {}).get("address", "") or phone.fixed_address


def _details(phone: Phone) -> str:
    """An expandable block: SIP account, address, MAC, the phone's own web page.

    The SIP password is not shown in lists: administrators see it on the phone's edit page,
    which only they may open."""
    address = _address(phone)
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 else address
    web = format_html('<a href="http://{}/" target="_blank" rel="noopener">http://{}/</a>',
                      host, host) if host else "—"  # fmt: skip
    rows = [
        (_("SIP account"), phone.extension),
        (_("Registration"), _("fixed address") if phone.fixed_address else _("registers")),
        (_("IP address"), address or "—"),
        (_("MAC address"), phone.mac or "—"),
        (_("Web page"), web),
    ]
    return format_html(
        '<details class="phone-details"><summary>{}</summary><dl>{}</dl></details>',
        _("Show"),
        format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
    )


PRESENCE_LABELS = {
    "offline": gettext_lazy("offline"),
    "free": gettext_lazy("free"),
    "ringing": gettext_lazy("ringing"),
    "talking": gettext_lazy("talking"),
    "on_hold": gettext_lazy("on hold"),
    "unknown": gettext_lazy("unknown"),
}


class PhoneListView(ObjectListView):
    model = Phone
    columns = (
        Column("extension", gettext_lazy("Extension"), sort="extension", link=True),
        Column("display_name", gettext_lazy("Name"), sort="display_name"),
        Column("status", gettext_lazy("State"), value=_status),
        Column("ip", gettext_lazy("Address"), value=_address),
        Column("model_name", gettext_lazy("Model"), sort="model_name"),
        Column("did", gettext_lazy("DID"), sort="did"),
        Column("user", gettext_lazy("User"), sort="user__username"),
        Column("department", gettext_lazy("Department"), sort="department__short_name"),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
        Column("enabled", gettext_lazy("Enabled"), sort="enabled"),
        Column("details", gettext_lazy("Technical details"), value=lambda p: _details(p)),
    )
    search_fields = ("extension", "display_name", "did", "mac", "user__username")
    default_sort = "extension"

    def get_queryset(self) -> QuerySet[Phone]:
        return super().get_queryset().select_related("server", "user", "department")

    def paginate_queryset(self, queryset: QuerySet[Phone], page_size: int):  # type: ignore[no-untyped-def]
        """The page's phones, each with its live state from the telephony worker."""
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        phones = list(object_list)
        live: dict[int, dict[str, dict]] = {}
        for server in {phone.server for phone in phones}:
            live[server.pk] = live_devices(server)
        for phone in phones:
            devices = live.get(phone.server_id)
            phone.live = None if devices is None else devices.get(f"PJSIP/{phone.extension}", {})
        page.object_list = phones
        return paginator, page, phones, is_paginated


class PhoneEditView(ObjectEditView):
    model = Phone
    form_class = PhoneForm


class PhoneDeleteView(ObjectDeleteView):
    model = Phone


def live_devices(server: PbxServer) -> dict[str, dict] | None:
    """Device -> its presence row, from the worker; None when the PBX is not connected."""
    if server.state != PbxServer.State.CONNECTED:
        return None
    try:
        answer = async_to_sync(bus.request)(
            "snapshot", server=server.pk, view="presence", timeout=2.0
        )
    except bus.WorkerUnavailable:
        return None
    if not answer.get("ok"):
        return None
    return {device["device"]: device for device in answer["data"].get("devices", [])}


class QueueListView(ObjectListView):
    model = Queue
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("number", gettext_lazy("Number"), sort="number"),
        Column("description", gettext_lazy("Description")),
        Column("strategy", gettext_lazy("Strategy"), value=lambda q: q.get_strategy_display()),
        Column("members", gettext_lazy("Members"), value=lambda q: q.members.count()),
        Column(
            "simultaneous_rings",
            gettext_lazy("Simultaneous rings"),
            value=lambda q: q.simultaneous_rings or "—",
        ),
        Column("sticky_agent", gettext_lazy("Sticky agent"), sort="sticky_agent"),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("name", "number", "description")
    default_sort = "name"


class QueueEditView(ObjectEditView):
    model = Queue
    form_class = QueueForm


class QueueDeleteView(ObjectDeleteView):
    model = Queue


class QueueMemberListView(ObjectListView):
    model = QueueMember
    columns = (
        Column("queue", gettext_lazy("Queue"), sort="queue__name", link=True),
        Column("phone", gettext_lazy("Phone"), sort="phone__extension"),
        Column("penalty", gettext_lazy("Penalty"), sort="penalty"),
        Column("dynamic", gettext_lazy("Dynamic (logs in with *45)"), sort="dynamic"),
    )
    search_fields = ("queue__name", "phone__extension", "phone__display_name")
    default_sort = "queue"

    def get_queryset(self) -> QuerySet[QueueMember]:
        return super().get_queryset().select_related("queue", "phone")


class QueueMemberEditView(ObjectEditView):
    model = QueueMember
    form_class = QueueMemberForm


class QueueMemberDeleteView(ObjectDeleteView):
    model = QueueMember


class TrunkListView(ObjectListView):
    model = Trunk
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("host", gettext_lazy("Host"), sort="host"),
        Column("outbound_pattern", gettext_lazy("Outbound pattern")),
        Column("priority", gettext_lazy("Order"), sort="priority"),
        Column("inbound_number", gettext_lazy("Number called on inbound")),
        Column("external", gettext_lazy("External"), sort="external"),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("name", "host", "inbound_number")
    default_sort = "priority"


class TrunkEditView(ObjectEditView):
    model = Trunk
    form_class = TrunkForm


class TrunkDeleteView(ObjectDeleteView):
    model = Trunk


class InboundRouteListView(ObjectListView):
    model = InboundRoute
    columns = (
        Column("did", gettext_lazy("DID"), sort="did", link=True),
        Column("kind", gettext_lazy("Destination"), value=lambda r: r.target_label),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("did", "number", "phone__extension", "queue__name")
    default_sort = "did"

    def get_queryset(self) -> QuerySet[InboundRoute]:
        return super().get_queryset().select_related("phone", "queue", "server")


class InboundRouteEditView(ObjectEditView):
    model = InboundRoute
    form_class = InboundRouteForm


class InboundRouteDeleteView(ObjectDeleteView):
    model = InboundRoute


@login_required
def apply_page(request: HttpRequest) -> HttpResponse:
    """Each PBX with its last applies; a button applies the configuration to one."""
    if not request.user.has_perm("pbx.apply_configuration"):
        raise PermissionDenied
    if request.method == "POST":
        server = get_object_or_404(PbxServer, pk=request.POST.get("server"))
        entry = apply_configuration(server, request)
        if entry.outcome == Generation.Outcome.LIVE:
            messages.success(
                request,
                _("The configuration of %(server)s is live (%(seconds)s s).")
                % {"server": server, "seconds": entry.seconds},
            )
        else:
            messages.error(
                request,
                _("The configuration of %(server)s was not applied: %(error)s")
                % {"server": server, "error": entry.message},
            )
        return redirect("pbx:apply")
    servers = PbxServer.objects.filter(enabled=True).order_by("name")
    history = Generation.objects.select_related("server")[:20]
    return render(
        request,
        "pbx/apply.html",
        {"title": _("Apply the configuration"), "servers": servers, "history": history},
    )


def _classes(obj: Phone | OutgoingGroup) -> str:
    labels = dict(DialClass.choices)
    return ", ".join(str(labels.get(c, c)) for c in obj.dial_classes or [])


class DialPatternListView(ObjectListView):
    model = DialPattern
    columns = (
        Column("pattern", gettext_lazy("Pattern"), sort="pattern", link=True),
        Column(
            "dial_class",
            gettext_lazy("Call class"),
            sort="dial_class",
            value=lambda p: p.get_dial_class_display(),
        ),
        Column("description", gettext_lazy("Description")),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("pattern", "description", "dial_class")
    default_sort = "dial_class"
    template_name = "pbx/dialpattern_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["servers"] = PbxServer.objects.order_by("name")
        context["plans"] = [
            ("fr", _("France")),
            ("ru", _("Russia")),
            ("intl", _("International")),
        ]
        context["can_load"] = self.request.user.has_perm("pbx.add_dialpattern")
        return context


class DialPatternEditView(ObjectEditView):
    model = DialPattern
    form_class = DialPatternForm


class DialPatternDeleteView(ObjectDeleteView):
    model = DialPattern


@require_POST
@login_required
def dialpattern_defaults(request: HttpRequest) -> HttpResponse:
    """Load a numbering plan's default patterns into a PBX's table (missing ones only)."""
    if not request.user.has_perm("pbx.add_dialpattern"):
        raise PermissionDenied
    server = get_object_or_404(PbxServer, pk=request.POST.get("server"))
    plan = request.POST.get("plan", "")
    if plan not in DEFAULT_PATTERNS:
        messages.error(request, _("Unknown numbering plan."))
        return redirect("pbx:dialpattern_list")
    added = load_default_patterns(server, plan)
    after = {"default_patterns": plan, "added": added}
    record(request, AuditEntry.Action.CREATE, server, None, after)
    messages.success(request, _("%(count)s patterns added.") % {"count": added})
    return redirect("pbx:dialpattern_list")


class OutgoingGroupListView(ObjectListView):
    model = OutgoingGroup
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("description", gettext_lazy("Description")),
        Column("dial_classes", gettext_lazy("Allowed call classes"), value=_classes),
        Column("trunk", gettext_lazy("External line")),
        Column("phones", gettext_lazy("Phones"), value=lambda g: g.phones.count()),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("name", "description")
    default_sort = "name"


class OutgoingGroupEditView(ObjectEditView):
    model = OutgoingGroup
    form_class = OutgoingGroupForm


class OutgoingGroupDeleteView(ObjectDeleteView):
    model = OutgoingGroup


class PickupGroupListView(ObjectListView):
    model = PickupGroup
    columns = (
        Column("number", gettext_lazy("Group"), sort="number", link=True),
        Column("name", gettext_lazy("Name"), sort="name"),
        Column("description", gettext_lazy("Description")),
        Column(
            "ringing",
            gettext_lazy("Call group of"),
            value=lambda g: ", ".join(p.extension for p in g.ringing_phones.all()),
        ),
        Column(
            "picking",
            gettext_lazy("Pickup group of"),
            value=lambda g: ", ".join(p.extension for p in g.picking_phones.all()),
        ),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("name", "description")
    default_sort = "number"


class PickupGroupEditView(ObjectEditView):
    model = PickupGroup
    form_class = PickupGroupForm


class PickupGroupDeleteView(ObjectDeleteView):
    model = PickupGroup


def _rule_when(rule: OverrideRule) -> str:
    days = ", ".join(str(dict(Weekday.choices)[d]) for d in rule.weekdays or [])
    return " ".join(part for part in (rule.time_ranges, days) if part) or str(_("always"))


def _rule_action(rule: OverrideRule) -> str:
    if rule.action == OverrideRule.Action.REFUSE:
        return str(_("refuse"))
    return _("redirect to %(number)s") % {"number": rule.redirect_number}


def _move_buttons(rule: OverrideRule) -> str:
    token = getattr(rule, "csrf_token", None)
    if token is None:
        return ""
    url = reverse("pbx:overriderule_move", args=[rule.pk])
    return format_html(
        '<form method="post" action="{}" class="inline">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button name="direction" value="up" title="{}">↑</button>'
        '<button name="direction" value="down" title="{}">↓</button></form>',
        url,
        token,
        _("Move up"),
        _("Move down"),
    )


class OverrideRuleListView(ObjectListView):
    model = OverrideRule
    columns = (
        Column("position", gettext_lazy("Order"), sort="position", value=_move_buttons),
        Column("name", gettext_lazy("Name"), link=True),
        Column("called_number", gettext_lazy("Called number")),
        Column(
            "callers",
            gettext_lazy("Callers"),
            value=lambda r: " ".join([r.caller_numbers, r.caller_regexes]).strip() or _("any"),
        ),
        Column("when", gettext_lazy("When"), value=_rule_when),
        Column("action", gettext_lazy("Action"), value=_rule_action),
        Column("enabled", gettext_lazy("Enabled")),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("name", "called_number", "caller_numbers", "redirect_number")
    default_sort = "position"
    paginate_by = 200

    def get_queryset(self) -> QuerySet[OverrideRule]:
        return super().get_queryset().select_related("server")

    def paginate_queryset(self, queryset: QuerySet[OverrideRule], page_size: int):  # type: ignore[no-untyped-def]
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        rules = list(object_list)
        if self.request.user.has_perm("pbx.change_overriderule"):
            token = get_token(self.request)
            for rule in rules:
                rule.csrf_token = token
        page.object_list = rules
        return paginator, page, rules, is_paginated


class OverrideRuleEditView(ObjectEditView):
    model = OverrideRule
    form_class = OverrideRuleForm


class OverrideRuleDeleteView(ObjectDeleteView):
    model = OverrideRule


@require_POST
@login_required
def overriderule_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a rule up or down: the order is the order Asterisk tries the rules in."""
    if not request.user.has_perm("pbx.change_overriderule"):
        raise PermissionDenied
    rule = get_object_or_404(OverrideRule, pk=pk)
    before = {"position": rule.position}
    move_rule(rule, -1 if request.POST.get("direction") == "up" else 1)
    rule.refresh_from_db()
    record(request, AuditEntry.Action.UPDATE, rule, before, {"position": rule.position})
    return redirect(f"{reverse('pbx:overriderule_list')}?sort=position")
