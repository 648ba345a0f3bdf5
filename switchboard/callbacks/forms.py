"""Forms of the callback pages: the list filter, a new request, reschedule, close, report."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from switchboard.callbacks.models import Callback, CallbackAttempt

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
OUTCOME_CHOICES = [("", _("(not said)"))] + [
    (value, label)
    for value, label in CallbackAttempt.Outcome.choices
    if value not in (CallbackAttempt.Outcome.DIALLED, CallbackAttempt.Outcome.FAILED)
]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class FilterForm(forms.Form):
    DUE, LATER, CLOSED, ALL = "due", "later", "closed", "all"
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (DUE, _("open requests to call now")),
            (LATER, _("open requests to call later")),
            (CLOSED, _("done and closed requests")),
            (ALL, _("every request")),
        ],
    )
    q = forms.CharField(label=_("Number or name"), required=False, max_length=40)

    def apply(self, queryset: Any) -> Any:
        show = self.cleaned_data.get("show") or self.DUE
        now = timezone.now()
        open_ = queryset.filter(status=Callback.Status.OPEN)
        due = open_.filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        if show == self.DUE:
            queryset = due
        elif show == self.LATER:
            queryset = open_.filter(not_before__gt=now)
        elif show == self.CLOSED:
            queryset = queryset.exclude(status=Callback.Status.OPEN)
        text = (self.cleaned_data.get("q") or "").strip()
        if text:
            queryset = queryset.filter(Q(number__contains=text) | Q(name__icontains=text))
        return queryset


class CallbackForm(forms.ModelForm):
    """A request typed in by an operator (source: web)."""

    not_before = forms.DateTimeField(
        label=_("call not before"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=DateTimeInput(),
    )

    class Meta:
        model = Callback
        fields = ["number", "name", "queue", "not_before", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, queues: Any = None, queue_required: bool = False, **kwargs: Any
    ) -> None:
        kwargs.pop("request", None)
        super().__init__(*args, **kwargs)
        if queues is not None:
            self.fields["queue"].queryset = queues
        self.fields["queue"].required = queue_required


class RescheduleForm(forms.Form):
    not_before = forms.DateTimeField(
        label=_("Call not before"), input_formats=DATETIME_FORMATS, widget=DateTimeInput()
    )
    outcome = forms.ChoiceField(
        label=_("How the call went"), choices=OUTCOME_CHOICES, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def clean_not_before(self) -> datetime.datetime:
        value = self.cleaned_data["not_before"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Choose a date and time in the future."))
        return value


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Close as"),
        choices=[(Callback.Status.DONE, _("done")), (Callback.Status.CLOSED, _("closed"))],
    )
    outcome = forms.ChoiceField(
        label=_("How the call went"), choices=OUTCOME_CHOICES, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data

    @staticmethod
    def initial_data() -> dict[str, str]:
        today = timezone.localdate()
        return {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
