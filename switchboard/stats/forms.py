"""Filters of the statistics pages (read from the query string)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 3660  # ten years


class GlobalForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)

    @staticmethod
    def initial_data() -> dict[str, int]:
        today = timezone.localdate()
        return {"year": today.year, "month": today.month}


class PeriodForm(forms.Form):
    """A period of whole local days (the start and the end included)."""

    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @staticmethod
    def initial_data() -> dict[str, str]:
        today = timezone.localdate()
        return {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}

    def clean(self) -> dict[str, object]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                raise forms.ValidationError(_("The end of the period is before its start."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("The period may not be longer than ten years."))
        return data

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes ``[start, end + 1 day)`` in the site's time zone."""
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        )


class QueueForm(PeriodForm):
    queues = forms.MultipleChoiceField(
        label=_("Queues"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every queue you may see."),
    )
    agents = forms.MultipleChoiceField(
        label=_("Agents"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every agent."),
    )

    def __init__(self, *args: object, queues: list[str], agents: list[str], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["queues"].choices = [(q, q) for q in queues]
        self.fields["agents"].choices = [(a, a) for a in agents]


class DetailForm(QueueForm):
    unit = forms.ChoiceField(
        label=_("Group by"),
        choices=[("hour", _("hour")), ("day", _("day")), ("month", _("month"))],
        initial="day",
    )
    caller = forms.RegexField(
        label=_("Caller's number (or part of it)"),
        regex=r"^\+?[0-9*#]{0,30}$",
        required=False,
        error_messages={"invalid": _("Digits only, with an optional leading +.")},
    )

    @staticmethod
    def initial_data() -> dict[str, str]:
        return {**QueueForm.initial_data(), "unit": "day"}


class MixForm(PeriodForm):
    """The period of the call mix and of the automatic calls, and a number (or a part)."""

    number = forms.RegexField(
        label=_("Number (or part of it)"),
        regex=r"^\+?[0-9*#]{0,30}$",
        required=False,
        error_messages={"invalid": _("Digits only, with an optional leading +.")},
    )
