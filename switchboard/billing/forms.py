"""Forms of the billing pages: tariffs, zones, CSV import, re-rating, the report criteria."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from switchboard.billing import rating, report
from switchboard.billing.models import Tariff, Zone
from switchboard.core.forms import RequestModelForm
from switchboard.telephony.models import PbxServer

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class TariffForm(RequestModelForm):
    class Meta:
        model = Tariff
        fields = ("name", "server", "currency", "decimals", "tax_rate")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("server"):
            others = Tariff.objects.filter(server__isnull=True)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error(
                    "server",
                    _("There is already a default tariff (“%(name)s”); choose a PBX.")
                    % {"name": others.first()},
                )
        return data


class ZoneForm(RequestModelForm):
    class Meta:
        model = Zone
        fields = (
            "tariff",
            "name",
            "prefix",
            "lengths",
            "per_call",
            "per_minute",
            "first_period",
            "next_period",
        )

    def clean_lengths(self) -> str:
        """One spelling per set of lengths ("5,4" and "4-5" are "4,5"), for uniqueness."""
        text = self.cleaned_data["lengths"]
        try:
            return ",".join(str(n) for n in sorted(rating.parse_lengths(text)))
        except ValueError:
            return text  # the model's validator explains it


class ZoneImportForm(forms.Form):
    tariff = forms.ModelChoiceField(
        label=_("Tariff"),
        queryset=Tariff.objects.all(),
        help_text=_("Its zones are replaced by those of the file."),
    )
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is too large (2 MB at most)."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not text (UTF-8 or Windows-1252)."))


class RerateForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    server = forms.ModelChoiceField(
        label=_("PBX"),
        queryset=PbxServer.objects.all(),
        required=False,
        empty_label=_("Every PBX"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class ReportForm(forms.Form):
    """The criteria of the seed's billing form: month or dates, type, department or phones."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    date_from = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label=_("Report type"),
        choices=[
            (report.SUMMARY, _("summary per phone")),
            (report.DETAIL, _("detail of every call")),
        ],
        initial=report.SUMMARY,
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=report.Department.objects.none(),
        required=False,
        empty_label=_("Every department"),
    )
    phones = forms.ModelMultipleChoiceField(
        label=_("Phones"),
        queryset=report.Phone.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, scope: report.Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["department"].queryset = scope.departments()
        self.fields["phones"].queryset = scope.phones()
        if scope.kind != "all":
            self.fields["department"].widget = forms.HiddenInput()

    def clean_month(self) -> str:
        month = self.cleaned_data["month"].strip()
        if not month:
            return ""
        match = MONTH.match(month)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        month, start, end = data.get("month"), data.get("date_from"), data.get("date_to")
        if self.errors:
            return data
        if month:
            year, number = (int(p) for p in month.split("-"))
            data["date_from"] = dt.date(year, number, 1)
            data["date_to"] = dt.date(year, number, calendar.monthrange(year, number)[1])
        elif start and end:
            if start > end:
                raise forms.ValidationError(_("The start date is after the end date."))
        else:
            raise forms.ValidationError(_("Choose a month, or a start date and an end date."))
        return data

    def criteria(self) -> report.Criteria:
        data = self.cleaned_data
        department = data.get("department")
        return report.Criteria(
            date_from=data["date_from"],
            date_to=data["date_to"],
            kind=data["kind"],
            department_id=department.pk if department else None,
            phone_ids=tuple(phone.pk for phone in data.get("phones") or ()),
            month=data.get("month") or "",
        )
