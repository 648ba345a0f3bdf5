"""Forms of the PBX configuration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.core.forms import RequestModelForm
from switchboard.pbx.models import (
    DEFAULT_DIAL_CLASSES,
    TIME_RANGES,
    DialClass,
    DialPattern,
    InboundRoute,
    OutgoingGroup,
    OverrideRule,
    Phone,
    PickupGroup,
    Queue,
    QueueMember,
    Trunk,
    Weekday,
    time_ranges,
)
from switchboard.pbx.routing import next_position


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
            "dial_classes",
            "outgoing_group",
            "call_groups",
            "pickup_groups",
            "enabled",
        ]
        widgets = {
            "call_groups": forms.CheckboxSelectMultiple,
            "pickup_groups": forms.CheckboxSelectMultiple,
        }

    dial_classes = forms.MultipleChoiceField(
        label=_("allowed call classes"),
        choices=DialClass.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Used unless the phone belongs to an outgoing call group."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("dial_classes", list(DEFAULT_DIAL_CLASSES))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, extension = cleaned.get("server"), cleaned.get("extension")
        if server and extension and self.taken(Phone, server=server, extension=extension):
            self.add_error("extension", _("This PBX already has a phone with this extension."))
        group = cleaned.get("outgoing_group")
        if server and group and group.server_id != server.pk:
            self.add_error("outgoing_group", _("The group must be on the same PBX."))
        for name in ("call_groups", "pickup_groups"):
            if server and any(g.server_id != server.pk for g in cleaned.get(name) or []):
                self.add_error(name, _("The groups must be on the same PBX."))
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
            "simultaneous_rings",
            "sticky_agent",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from switchboard.media.services import music_class_choices  # classes made in the web

        music = music_class_choices()
        if self.instance.music_class and self.instance.music_class not in dict(music):
            music.append((self.instance.music_class, self.instance.music_class))
        self.fields["music_class"].widget = forms.Select(choices=music)
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
        fields = ["queue", "phone", "penalty", "dynamic"]

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
        fields = ["server", "did", "kind", "phone", "queue", "number", "account_manager_seconds"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account_manager_seconds"].required = False  # empty: 0, never

    def clean_account_manager_seconds(self) -> int:
        return self.cleaned_data.get("account_manager_seconds") or 0

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, kind = cleaned.get("server"), cleaned.get("kind")
        phone, queue, number = cleaned.get("phone"), cleaned.get("queue"), cleaned.get("number")
        Kind = InboundRoute.Kind
        if kind in (Kind.PHONE, Kind.VOICEMAIL):
            if not phone:
                self.add_error("phone", _("Choose the phone."))
            cleaned["queue"], cleaned["number"] = None, ""
        elif kind == Kind.QUEUE:
            if not queue:
                self.add_error("queue", _("Choose the queue."))
            cleaned["phone"], cleaned["number"] = None, ""
        elif kind in (Kind.EXTERNAL, Kind.INTERNAL):
            if not number:
                self.add_error("number", _("Enter the number to call."))
            cleaned["phone"], cleaned["queue"] = None, None
        target = cleaned.get("phone") or cleaned.get("queue")
        if server and target and target.server_id != server.pk:
            raise forms.ValidationError(_("The target must be on the same PBX."))
        did = cleaned.get("did")
        if server and did and self.taken(InboundRoute, server=server, did=did):
            self.add_error("did", _("This DID already has a route."))
        return cleaned


class DialPatternForm(PbxModelForm):
    class Meta:
        model = DialPattern
        fields = ["server", "dial_class", "pattern", "description"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, pattern = cleaned.get("server"), cleaned.get("pattern")
        if server and pattern and self.taken(DialPattern, server=server, pattern=pattern):
            self.add_error("pattern", _("This PBX already has this pattern."))
        return cleaned


class OutgoingGroupForm(PbxModelForm):
    class Meta:
        model = OutgoingGroup
        fields = ["server", "name", "description", "dial_classes", "trunk"]

    dial_classes = forms.MultipleChoiceField(
        label=_("allowed call classes"),
        choices=DialClass.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, name = cleaned.get("server"), cleaned.get("name")
        if server and name and self.taken(OutgoingGroup, server=server, name=name):
            self.add_error("name", _("This PBX already has a group with this name."))
        trunk = cleaned.get("trunk")
        if server and trunk and trunk.server_id != server.pk:
            self.add_error("trunk", _("The line must be on the same PBX."))
        return cleaned


class PickupGroupForm(PbxModelForm):
    class Meta:
        model = PickupGroup
        fields = ["server", "number", "name", "description"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        server, number = cleaned.get("server"), cleaned.get("number")
        if server and number is not None and self.taken(PickupGroup, server=server, number=number):
            self.add_error("number", _("This PBX already has a group with this number."))
        return cleaned


class OverrideRuleForm(PbxModelForm):
    class Meta:
        model = OverrideRule
        fields = [
            "server",
            "name",
            "enabled",
            "called_number",
            "caller_numbers",
            "caller_regexes",
            "time_ranges",
            "weekdays",
            "action",
            "redirect_number",
        ]
        widgets = {
            "caller_numbers": forms.Textarea(attrs={"rows": 2}),
            "caller_regexes": forms.Textarea(attrs={"rows": 2}),
        }

    weekdays = forms.MultipleChoiceField(
        label=_("weekdays"),
        choices=Weekday.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every day."),
    )

    def clean_time_ranges(self) -> str:
        value = self.cleaned_data.get("time_ranges", "")
        TIME_RANGES(value)  # the shape first, with its own message
        for start, end in time_ranges(value):
            if start > "23:59" or end > "24:00" or start >= end:
                raise forms.ValidationError(
                    _("“%(range)s” is not a time range of one day (e.g. 08:00-12:00)."),
                    params={"range": f"{start}-{end}"},
                )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == OverrideRule.Action.REDIRECT and not cleaned.get("redirect_number"):
            self.add_error("redirect_number", _("Enter the number to redirect to."))
        if action == OverrideRule.Action.REFUSE:
            cleaned["redirect_number"] = ""
        return cleaned

    def save(self, commit: bool = True) -> OverrideRule:
        rule = super().save(commit=False)
        if not rule.pk:
            rule.position = next_position(rule.server)
        if commit:
            rule.save()
        return rule
