"""Forms of the IVR domain: an IVR's properties (its scenario has its own editor)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from switchboard.ivr.models import Holiday, Incident, Ivr
from switchboard.pbx.forms import PbxModelForm
from switchboard.pbx.models import InboundRoute, Phone, Queue


class IvrForm(PbxModelForm):
    class Meta:
        model = Ivr
        fields = [
            "server",
            "name",
            "number",
            "did",
            "active",
            "start_date",
            "end_date",
            "fallback",
            "comments",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, number = cleaned.get("server"), cleaned.get("number")
        did, fallback = cleaned.get("did"), cleaned.get("fallback")
        if (
            server
            and number
            and (
                self.taken(Ivr, server=server, number=number)
                or Phone.objects.filter(server=server, extension=number).exists()
                or Queue.objects.filter(server=server, number=number).exists()
            )
        ):
            self.add_error("number", _("This number is already used on this PBX."))
        if (
            server
            and did
            and (
                self.taken(Ivr, server=server, did=did)
                or (InboundRoute.objects.filter(server=server, did=did).exists())
            )
        ):
            self.add_error("did", _("This DID already has a route on this PBX."))
        if server and fallback:
            known = (
                Phone.objects.filter(server=server, extension=fallback).exists()
                or Queue.objects.filter(server=server, number=fallback).exists()
                or Ivr.objects.filter(server=server, number=fallback).exists()
            )
            if not known:
                self.add_error("fallback", _("No phone, queue or IVR has this number."))
        return cleaned


class HolidayForm(PbxModelForm):
    class Meta:
        model = Holiday
        fields = ["name", "day", "yearly"]


class IncidentForm(PbxModelForm):
    class Meta:
        model = Incident
        fields = ["code", "name", "description"]
