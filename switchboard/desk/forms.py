"""Forms of the operator desk."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from switchboard.core.forms import RequestModelForm
from switchboard.desk.models import Interaction, Team


class TeamForm(RequestModelForm):
    class Meta:
        model = Team
        fields = ["name", "description", "members", "queues", "numbers"]
        widgets = {
            "members": forms.CheckboxSelectMultiple,
            "queues": forms.CheckboxSelectMultiple,
            "numbers": forms.CheckboxSelectMultiple,
        }


class InteractionForm(forms.ModelForm):
    """What the operator writes about a call."""

    class Meta:
        model = Interaction
        fields = ["subject", "notes", "outcome"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


SLOT_CHOICES = [
    ("number1", _("work number")),
    ("number2", _("mobile number")),
    ("number3", _("other number")),
]


class LinkNumberForm(forms.Form):
    """Add a number to one of the contact's three number slots (SPEC C10)."""

    number = forms.CharField(label=_("number"), max_length=30)
    contact = forms.IntegerField(label=_("contact"), widget=forms.HiddenInput, required=False)
    slot = forms.ChoiceField(label=_("number slot"), choices=SLOT_CHOICES, required=False)

    def __init__(self, *args: Any, contacts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = contacts
        if contacts is not None:
            self.fields["contact"] = forms.ModelChoiceField(
                label=_("contact"), queryset=contacts, empty_label=None
            )
