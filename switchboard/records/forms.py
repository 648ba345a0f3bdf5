"""The call log's search form and the mark form."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from switchboard.records.models import CallMark, CallRecord

NUMBER = re.compile(r"^\+?[0-9*#]*[0-9][0-9*#xX]*$")
WINDOW = datetime.timedelta(minutes=30)
MARKED_ANY = "any"


def clean_number(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if value and not NUMBER.match(value):
        raise ValidationError(
            _("A number: digits (a leading + is allowed), optionally ending with * or x.")
        )
    return value


class CallSearchForm(forms.Form):
    """Filters of the call log; every field is optional."""

    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=40,
        help_text=_("Either side; end with * to find every number that begins so."),
    )
    caller = forms.CharField(label=_("Caller"), required=False, max_length=40)
    callee = forms.CharField(label=_("Callee"), required=False, max_length=40)
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("any")), *CallRecord.Direction.choices],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=_("Around"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("A time of the day chosen in From: calls 30 minutes before or after."),
    )
    marked = forms.ChoiceField(
        label=_("My marks"),
        required=False,
        choices=[("", _("any call")), (MARKED_ANY, _("marked")), *CallMark.Flag.choices],
    )

    def clean_number(self) -> str:
        return clean_number(self.cleaned_data.get("number", ""))

    def clean_caller(self) -> str:
        return clean_number(self.cleaned_data.get("caller", ""))

    def clean_callee(self) -> str:
        return clean_number(self.cleaned_data.get("callee", ""))

    def clean(self) -> dict:
        data = super().clean()
        date_from, date_to, time = data.get("date_from"), data.get("date_to"), data.get("time")
        if date_from and date_to and date_to < date_from:
            raise ValidationError(_("The end date is before the start date."))
        if time and not date_from:
            raise ValidationError(_("Choose the day (From) of the time to search around."))
        if time and date_to and date_to != date_from:
            raise ValidationError(_("A time is searched around on one day: leave To empty."))
        return data

    def period(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """[since, until) in the site's time zone from the valid form's dates and time."""
        data = self.cleaned_data
        date_from, date_to, time = data.get("date_from"), data.get("date_to"), data.get("time")
        zone = timezone.get_current_timezone()
        if time and date_from:
            moment = datetime.datetime.combine(date_from, time, tzinfo=zone)
            return moment - WINDOW, moment + WINDOW + datetime.timedelta(microseconds=1)
        since = (
            datetime.datetime.combine(date_from, datetime.time(), tzinfo=zone)
            if date_from
            else None
        )
        until = (
            datetime.datetime.combine(
                date_to + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
            )
            if date_to
            else None
        )
        return since, until


class MarkForm(forms.ModelForm):
    class Meta:
        model = CallMark
        fields = ["flag", "comment"]
