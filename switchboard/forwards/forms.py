"""The forwards form of one phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from switchboard.forwards import services
from switchboard.forwards.rules import CONDITIONS, VOICEMAIL, PhoneForwards, target_error
from switchboard.pbx.models import Phone

OFF, NUMBER = "off", "number"
LABELS = {
    "unconditional": _("Always"),
    "busy": _("When busy"),
    "noanswer": _("When not answered"),
}


class ForwardsForm(forms.Form):
    """For each condition: off, to voicemail, or to a number; and the ring time."""

    ring_seconds = forms.IntegerField(
        label=_("Ring time before the no-answer forward (s)"), min_value=5, max_value=120
    )

    def __init__(self, *args: Any, phone: Phone, user: Any, **kwargs: Any) -> None:
        self.phone, self.user = phone, user
        super().__init__(*args, **kwargs)
        choices = [
            (OFF, _("not forwarded")),
            (NUMBER, _("to the number")),
            (VOICEMAIL, _("to voicemail")),
        ]
        for condition in CONDITIONS:
            self.fields[f"{condition}_to"] = forms.ChoiceField(
                label=LABELS[condition], choices=choices, initial=OFF
            )
            self.fields[f"{condition}_number"] = forms.CharField(
                label=_("Number"), required=False, max_length=21
            )
        self.order_fields(
            [f"{c}_{part}" for c in CONDITIONS for part in ("to", "number")] + ["ring_seconds"]
        )

    @staticmethod
    def initial_for(forwards: PhoneForwards) -> dict[str, Any]:
        initial: dict[str, Any] = {"ring_seconds": forwards.ring_seconds}
        for condition in CONDITIONS:
            target = forwards.target(condition)
            kind = OFF if not target else VOICEMAIL if target == VOICEMAIL else NUMBER
            initial[f"{condition}_to"] = kind
            initial[f"{condition}_number"] = target if kind == NUMBER else ""
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        internal = services.internal_numbers(self.phone.server)
        box = getattr(self.phone, "voicemail_box", None)
        for condition in CONDITIONS:
            kind = cleaned.get(f"{condition}_to")
            number = (cleaned.get(f"{condition}_number") or "").strip()
            if kind == NUMBER and not number:
                self.add_error(f"{condition}_number", _("Give the number to forward to."))
                continue
            target = number if kind == NUMBER else VOICEMAIL if kind == VOICEMAIL else ""
            if not target:
                continue
            error = target_error(
                target,
                own_extension=self.phone.extension,
                internal_numbers=internal,
                may_forward_outside=services.may_forward_outside(self.user),
                has_voicemail=bool(box and box.enabled),
            )
            if error:
                field = f"{condition}_number" if kind == NUMBER else f"{condition}_to"
                self.add_error(field, error)
        return cleaned

    def forwards(self) -> PhoneForwards:
        targets = {}
        for condition in CONDITIONS:
            kind = self.cleaned_data[f"{condition}_to"]
            number = self.cleaned_data[f"{condition}_number"].strip()
            targets[condition] = (
                number if kind == NUMBER else VOICEMAIL if kind == VOICEMAIL else ""
            )
        return PhoneForwards(**targets, ring_seconds=self.cleaned_data["ring_seconds"])
