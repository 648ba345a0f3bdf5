"""The contact form: a user without the editor's right makes private contacts only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from switchboard.directory.models import Contact


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "company",
            "number1",
            "number2",
            "number3",
            "email",
            "notes",
            "private",
            "account_manager",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        managers = self.fields["account_manager"]
        managers.queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .order_by(  # type: ignore[attr-defined]
                "last_name", "first_name", "username"
            )
        )
        managers.label_from_instance = lambda u: u.get_full_name() or u.get_username()  # type: ignore[attr-defined]
        self.may_share = user.has_perm("directory.edit_shared_contacts")
        if not self.may_share:
            self.fields["private"].disabled = True
            self.fields["private"].initial = True
            self.fields["private"].help_text = _(
                "Only directory editors make shared contacts: yours are private."
            )

    def clean_private(self) -> bool:
        return True if not self.may_share else bool(self.cleaned_data.get("private"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(f) for f in ("first_name", "last_name", "company")):
            raise forms.ValidationError(_("Give a name or a company."))
        if not any(data.get(f) for f in ("number1", "number2", "number3", "email")):
            raise forms.ValidationError(_("Give at least one number or an e-mail address."))
        return data

    def save(self, commit: bool = True) -> Contact:
        contact = super().save(commit=False)
        if contact.owner_id is None:
            contact.owner = self.user
        if commit:
            contact.save()
        return contact


class CallForm(forms.Form):
    """Click-to-call: the number, and which of the user's phones rings first."""

    number = forms.CharField(max_length=40)
    phone = forms.IntegerField(required=False)
