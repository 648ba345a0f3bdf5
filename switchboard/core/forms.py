"""Form bases shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest


class RequestModelForm(forms.ModelForm):
    """A model form that knows the request (the signed-in user may change what it allows)."""

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)
