"""Pages of the PBX configuration: phones, and applying the configuration to a PBX."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.pbx.forms import (
    InboundRouteForm,
    PhoneForm,
    QueueForm,
    QueueMemberForm,
    TrunkForm,
)
from switchboard.pbx.models import Generation, InboundRoute, Phone, Queue, QueueMember, Trunk
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
        Column("phone", gettext_lazy("Phone"), sort="phone__extension"),
        Column("queue", gettext_lazy("Queue"), sort="queue__name"),
        Column("server", gettext_lazy("PBX"), sort="server__name"),
    )
    search_fields = ("did",)
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
