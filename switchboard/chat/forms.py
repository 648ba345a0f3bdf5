"""The chat's one form: a message, neither empty nor too long."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from switchboard.chat.models import MAX_LENGTH


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_LENGTH}),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text", "")
        if not text:
            raise forms.ValidationError(_("Write a message before sending it."), code="empty")
        if len(text) > MAX_LENGTH:
            raise forms.ValidationError(
                ngettext(
                    "A message has at most %(limit)d character (this one has %(length)d).",
                    "A message has at most %(limit)d characters (this one has %(length)d).",
                    MAX_LENGTH,
                )
                % {"limit": MAX_LENGTH, "length": len(text)},
                code="too_long",
            )
        return text
