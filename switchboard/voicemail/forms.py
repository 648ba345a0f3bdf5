"""Forms of the voicemail boxes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from switchboard.accounts.forms import PinField
from switchboard.core.forms import RequestModelForm
from switchboard.voicemail.models import VoicemailBox


class VoicemailBoxForm(RequestModelForm):
    pin = PinField(
        label=_("Box PIN"),
        help_text=_(
            "Only for a phone without a user (6 to 16 digits; empty: unchanged). A phone's "
            "user opens the box with their own voicemail PIN."
        ),
    )

    class Meta:
        model = VoicemailBox
        fields = ["phone", "enabled", "email", "attach", "max_messages"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if phone is None:
            return cleaned
        user_pin = phone.user.voicemail_pin if phone.user else ""
        if not (user_pin or cleaned.get("pin") or self.instance.pin):
            self.add_error(
                "pin",
                _(
                    "Give the box a PIN, or give the phone a user who has a voicemail PIN: "
                    "a box nobody can open is refused."
                ),
            )
        if not 1 <= (cleaned.get("max_messages") or 0) <= 9999:
            self.add_error("max_messages", _("Between 1 and 9,999 messages."))
        return cleaned

    def save(self, commit: bool = True) -> VoicemailBox:
        box = super().save(commit=False)
        if self.cleaned_data.get("pin"):
            box.pin = self.cleaned_data["pin"]
        if commit:
            box.save()
        return box
