"""Billing pages: tariffs and zones (core.generic), CSV import, re-rating, review, report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from switchboard.accounts import audit
from switchboard.accounts.models import AuditEntry
from switchboard.billing import report, services
from switchboard.billing.forms import ReportForm, RerateForm, TariffForm, ZoneForm, ZoneImportForm
from switchboard.billing.models import CallCharge, RatingRun, Tariff, Zone
from switchboard.core.exports import FORMATS, export_response, format_duration
from switchboard.core.generic import (
    Column,
    ObjectDeleteView,
    ObjectEditView,
    ObjectListView,
    RoleRequiredMixin,
)

DETAIL_ON_PAGE = 1000


class TariffListView(ObjectListView):
    model = Tariff
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column(
            "server",
            gettext_lazy("PBX"),
            value=lambda t: t.server or _("default (every other PBX)"),
        ),
        Column("currency", gettext_lazy("Currency"), sort="currency"),
        Column("tax_rate", gettext_lazy("Tax rate (%)"), sort="tax_rate"),
        Column("zones", gettext_lazy("Zones"), value=lambda t: t.zones.count()),
    )
    search_fields = ("name",)
    default_sort = "name"

    def get_queryset(self) -> QuerySet[Tariff]:
        return super().get_queryset().select_related("server")


class TariffEditView(ObjectEditView):
    model = Tariff
    form_class = TariffForm


class TariffDeleteView(ObjectDeleteView):
    model = Tariff


class ZoneListView(ObjectListView):
    model = Zone
    columns = (
        Column("tariff", gettext_lazy("Tariff"), sort="tariff__name"),
        Column("name", gettext_lazy("Zone"), sort="name", link=True),
        Column("prefix", gettext_lazy("Prefix"), sort="prefix"),
        Column("lengths", gettext_lazy("Number lengths"), sort="lengths"),
        Column("per_call", gettext_lazy("Price per call"), sort="per_call"),
        Column("per_minute", gettext_lazy("Price per minute"), sort="per_minute"),
        Column(
            "increments",
            gettext_lazy("Billing increments (s)"),
            value=lambda z: f"{z.first_period}/{z.next_period}",
        ),
    )
    search_fields = ("name", "prefix", "tariff__name")
    default_sort = "prefix"
    template_name = "billing/zone_list.html"

    def get_queryset(self) -> QuerySet[Zone]:
        return super().get_queryset().select_related("tariff")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("billing.add_zone") and user.has_perm("billing.delete_zone"):
            context["import_url"] = reverse("billing:zone_import")
        return context


class ZoneEditView(ObjectEditView):
    model = Zone
    form_class = ZoneForm


class ZoneDeleteView(ObjectDeleteView):
    model = Zone


class ZoneImportView(RoleRequiredMixin, View):
    """Replace a tariff's zones by those of a CSV file: all lines valid, or nothing changes."""

    permission_required = ("billing.add_zone", "billing.delete_zone")

    def page(self, request: HttpRequest, form: ZoneImportForm, errors: list[str]) -> HttpResponse:
        return render(
            request,
            "billing/zone_import.html",
            {
                "title": _("Import tariff zones"),
                "form": form,
                "errors": errors,
                "columns": services.CSV_COLUMNS,
                "example": services.CSV_HELP,
            },
            status=400 if errors or form.errors else 200,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, ZoneImportForm(), [])

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ZoneImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form, [])
        result = services.parse_zones_csv(form.cleaned_data["file"])
        if result.errors:
            return self.page(request, form, result.errors)
        tariff: Tariff = form.cleaned_data["tariff"]
        before = {"zones": [str(z) for z in tariff.zones.all()]}
        with transaction.atomic():
            services.replace_zones(tariff, result.zones)
            audit.record(
                request,
                AuditEntry.Action.UPDATE,
                tariff,
                before,
                {"zones": [str(z) for z in tariff.zones.all()]},
            )
        messages.success(
            request,
            _("%(count)d zones imported into “%(tariff)s”.")
            % {"count": len(result.zones), "tariff": tariff},
        )
        return HttpResponseRedirect(reverse("billing:zone_list"))


class RerateView(RoleRequiredMixin, View):
    """Rate again the calls of a period (after a tariff change); each run is kept and audited."""

    permission_required = ("billing.rerate_calls",)

    def page(self, request: HttpRequest, form: RerateForm) -> HttpResponse:
        return render(
            request,
            "billing/rerate.html",
            {
                "title": _("Re-rate calls"),
                "form": form,
                "runs": RatingRun.objects.select_related("user", "server")[:20],
            },
            status=400 if form.errors else 200,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, RerateForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RerateForm(request.POST)
        if not form.is_valid():
            return self.page(request, form)
        data = form.cleaned_data
        server = data.get("server")
        result, seconds = services.rerate_period(
            data["date_from"], data["date_to"], server.pk if server else None
        )
        with transaction.atomic():
            run = RatingRun.objects.create(
                user=request.user,
                server=server,
                date_from=data["date_from"],
                date_to=data["date_to"],
                calls=result.calls,
                unmatched=result.unmatched + result.no_tariff,
                seconds=round(seconds, 3),
            )
            audit.record(request, AuditEntry.Action.CREATE, run, None, audit.snapshot(run))
        messages.success(
            request,
            _("%(calls)d calls rated again, %(unmatched)d of them match no rule.")
            % {"calls": result.calls, "unmatched": result.unmatched + result.no_tariff},
        )
        return HttpResponseRedirect(reverse("billing:rerate"))


class ReviewView(ObjectListView):
    """Billable calls that matched no rule (or had no tariff): to fix the tariffs, then re-rate."""

    model = CallCharge
    title = gettext_lazy("Calls to review")
    columns = (
        Column("record__start", gettext_lazy("Date"), sort="record__start"),
        Column("record__server", gettext_lazy("PBX")),
        Column("record__src", gettext_lazy("Source"), sort="record__src"),
        Column("number", gettext_lazy("Called number"), sort="number"),
        Column(
            "talk",
            gettext_lazy("Duration"),
            value=lambda c: format_duration(c.record.billsec),
        ),
        Column("status", gettext_lazy("Reason"), value=lambda c: c.get_status_display()),
        Column("tariff", gettext_lazy("Tariff")),
    )
    search_fields = ("number", "record__src")
    default_sort = "-record__start"

    def get_queryset(self) -> QuerySet[CallCharge]:
        return (
            super()
            .get_queryset()
            .exclude(status=CallCharge.Status.RATED)
            .select_related("record__server", "tariff")
        )


class ReportView(RoleRequiredMixin, View):
    """The billing report (seed 000 "Facturation"), on screen, printable, or exported."""

    permission_required = ("billing.view_billing_report",)

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = report.scope_for(request.user)
        asked = any(k in request.GET for k in ("month", "date_from", "date_to", "kind"))
        form = ReportForm(request.GET if asked else None, scope=scope)
        context: dict[str, Any] = {"title": _("Billing"), "form": form, "scope": scope.kind}
        if not asked or not form.is_valid():
            return render(
                request, "billing/report.html", context, status=400 if form.errors else 200
            )
        criteria = form.criteria()
        charges = report.charges(scope, criteria)
        fmt = request.GET.get("format", "")
        masked = report.numbers_masked_for(request.user)
        report_type = (
            _("summary per phone") if criteria.kind == report.SUMMARY else _("detail per phone")
        )
        if fmt in FORMATS:
            if criteria.kind == report.SUMMARY:
                columns, rows = (
                    report.summary_columns(),
                    report.summary_rows(report.summary(charges)),
                )
            else:
                columns, rows = report.detail_columns(), report.detail_rows(charges, masked)
            return export_response(
                fmt,
                title=_("Telephone consumption"),
                report_type=report_type,
                period=criteria.period,
                columns=columns,
                rows=rows,
                filename=f"billing-{criteria.kind}-{criteria.period}",
            )
        query = request.GET.copy()
        query.pop("format", None)
        context.update(criteria=criteria, report_type=report_type, query=query.urlencode())
        if criteria.kind == report.SUMMARY:
            context["summary"] = report.summary(charges)
        else:
            rows = []
            for row in report.detail_rows(charges, masked):
                if len(rows) == DETAIL_ON_PAGE:
                    context["truncated"] = True
                    break
                rows.append(row)
            context["detail"] = rows
            context["summary"] = report.summary(charges)
        return render(request, "billing/report.html", context)
