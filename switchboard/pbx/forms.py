"""Forms of the PBX configuration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from switchboard.core.forms import RequestModelForm
from switchboard.pbx.models import Phone


class PhoneForm(RequestModelForm):
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
        if server and extension:
            taken = Phone.objects.filter(server=server, extension=extension)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("extension", _("This PBX already has a phone with this extension."))
        return cleaned


class ApplyForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
