"""Forms of the agents app: pause reasons (administrators), a user's presence."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from switchboard.agents.models import PauseReason, Presence
from switchboard.core.forms import RequestModelForm


class PauseReasonForm(RequestModelForm):
    class Meta:
        model = PauseReason
        fields = ["name", "position", "enabled"]


class PresenceForm(forms.ModelForm):
    """Available, on mobile (needs a mobile number and the external forward right), DND."""

    class Meta:
        model = Presence
        fields = ["status", "mobile"]
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args: Any, may_forward_outside: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may_forward_outside = may_forward_outside

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == Presence.Status.MOBILE:
            if not self.may_forward_outside:
                raise forms.ValidationError(
                    _(
                        "Sending your calls to your mobile needs the external forward right; "
                        "ask an administrator."
                    )
                )
            if not data.get("mobile"):
                self.add_error("mobile", _("Enter your mobile number."))
        return data
