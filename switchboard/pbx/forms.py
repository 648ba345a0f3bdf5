"""Forms of the PBX configuration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.core.forms import RequestModelForm
from switchboard.pbx.models import InboundRoute, Phone, Queue, QueueMember, Trunk


class PbxModelForm(RequestModelForm):
    """A form of the PBX configuration: values unique per PBX are checked in one way."""

    def taken(self, model: type[models.Model], **fields: Any) -> bool:
        """Another object than this form's already has these values."""
        others = model.objects.filter(**fields)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()


class PhoneForm(PbxModelForm):
    class Meta:
        model = Phone
        fields = [
            "server",
            "extension",
            "display_name",
            "model_name",
            "mac",
            "sip_secret",
            "fixed_address",
            "did",
            "user",
            "department",
            "enabled",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, extension = cleaned.get("server"), cleaned.get("extension")
        if server and extension and self.taken(Phone, server=server, extension=extension):
            self.add_error("extension", _("This PBX already has a phone with this extension."))
        return cleaned


class ApplyForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)


class QueueForm(PbxModelForm):
    class Meta:
        model = Queue
        fields = [
            "server",
            "name",
            "description",
            "number",
            "strategy",
            "ring_seconds",
            "wrapup_seconds",
            "music_class",
            "agent_announcement",
            "announce_frequency",
            "announce_holdtime",
            "announce_position",
            "leave_when_empty",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The name keys the queue's roles and its statistics: fixed once created.
            self.fields["name"].disabled = True
            self.fields["server"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, number = cleaned.get("server"), cleaned.get("number")
        if server and number:
            if Phone.objects.filter(server=server, extension=number).exists():
                self.add_error("number", _("A phone of this PBX already has this number."))
            if self.taken(Queue, server=server, number=number):
                self.add_error("number", _("Another queue of this PBX has this number."))
        name = cleaned.get("name")
        new = not self.instance.pk
        if server and name and new and Queue.objects.filter(server=server, name=name).exists():
            self.add_error("name", _("This PBX already has a queue with this name."))
        return cleaned


class QueueMemberForm(RequestModelForm):
    class Meta:
        model = QueueMember
        fields = ["queue", "phone", "penalty"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        queue, phone = cleaned.get("queue"), cleaned.get("phone")
        if queue and phone and queue.server_id != phone.server_id:
            self.add_error("phone", _("The phone and the queue must be on the same PBX."))
        return cleaned


class TrunkForm(PbxModelForm):
    class Meta:
        model = Trunk
        fields = [
            "server",
            "name",
            "host",
            "username",
            "password",
            "register",
            "outbound_pattern",
            "strip_digits",
            "prefix",
            "priority",
            "inbound_number",
            "external",
        ]
        widgets = {"password": forms.PasswordInput(render_value=True)}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("register") and not cleaned.get("username"):
            self.add_error("username", _("Registering needs a user name."))
        server, name = cleaned.get("server"), cleaned.get("name")
        if server and name and self.taken(Trunk, server=server, name=name):
            self.add_error("name", _("This PBX already has a line with this name."))
        return cleaned


class InboundRouteForm(PbxModelForm):
    class Meta:
        model = InboundRoute
        fields = ["server", "did", "phone", "queue"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, phone, queue = cleaned.get("server"), cleaned.get("phone"), cleaned.get("queue")
        if bool(phone) == bool(queue):
            raise forms.ValidationError(_("Choose either a phone or a queue."))
        target = phone or queue
        if server and target and target.server_id != server.pk:
            raise forms.ValidationError(_("The target must be on the same PBX."))
        did = cleaned.get("did")
        if server and did and self.taken(InboundRoute, server=server, did=did):
            self.add_error("did", _("This DID already has a route."))
        return cleaned
