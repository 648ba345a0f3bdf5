"""The history import page (SPEC R1), for administrators: choose a source (an asteriskcdrdb
on MySQL / MariaDB, or a Master.csv file on the portal's host), a PBX and a first day; the
import runs in the background and its page shows a progress bar, then the summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from switchboard.accounts.audit import record, snapshot
from switchboard.accounts.models import AuditEntry
from switchboard.core.menu import MenuEntry, register
from switchboard.records.import_cdr import MysqlSource, check_mysql, start_in_background
from switchboard.records.models import ImportRun
from switchboard.telephony.models import PbxServer

PERMISSION = "records.add_importrun"

register(
    MenuEntry(
        gettext_lazy("Administration"),
        gettext_lazy("Call history import"),
        "records_import:run_list",
        permission=PERMISSION,
        icon="⇪",
    )
)


class ImportForm(forms.Form):
    server = forms.ModelChoiceField(
        label=gettext_lazy("PBX"), queryset=PbxServer.objects.order_by("name")
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=ImportRun.Source.choices)
    since = forms.DateField(
        label=gettext_lazy("Calls from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: the whole history."),
    )
    path = forms.CharField(
        label=gettext_lazy("Master.csv file"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Its path on the portal's host, e.g. /var/log/asterisk/cdr-csv/Master.csv."
        ),
    )
    host = forms.CharField(label=gettext_lazy("Database host"), required=False, initial="127.0.0.1")
    port = forms.IntegerField(
        label=gettext_lazy("Port"), required=False, initial=3306, min_value=1, max_value=65535
    )
    user = forms.CharField(label=gettext_lazy("User"), required=False, initial="root")
    password = forms.CharField(
        label=gettext_lazy("Password"), required=False, widget=forms.PasswordInput
    )
    database = forms.CharField(
        label=gettext_lazy("Database"), required=False, initial="asteriskcdrdb", max_length=64
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned["source"] == ImportRun.Source.CSV:
            path = Path(cleaned.get("path") or "")
            if not cleaned.get("path") or not path.is_absolute():
                self.add_error("path", _("Give the absolute path of the file."))
            elif not path.is_file():
                self.add_error("path", _("This file does not exist on the portal's host."))
            else:
                cleaned["path"] = path
            return cleaned
        if not cleaned.get("database"):
            self.add_error("database", _("Give the database name."))
            return cleaned
        source = MysqlSource(
            host=cleaned.get("host") or "127.0.0.1",
            port=cleaned.get("port") or 3306,
            user=cleaned.get("user") or "root",
            password=cleaned.get("password") or "",
            database=cleaned["database"],
        )
        problem = check_mysql(source)
        if problem:
            raise forms.ValidationError(problem)
        cleaned["mysql"] = source
        return cleaned


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    """The form that starts an import, and the imports so far."""
    _require(request)
    form = ImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mysql = data.get("mysql")
        run = ImportRun.objects.create(
            server=data["server"],
            source=data["source"],
            location=mysql.location if mysql else str(data["path"]),
            since=data.get("since"),
            started_by=request.user,
        )
        record(request, AuditEntry.Action.CREATE, run, None, snapshot(run))
        start_in_background(run, mysql=mysql, path=None if mysql else data["path"])
        messages.success(request, _("The import has started."))
        return redirect("records_import:run_detail", pk=run.pk)
    runs = ImportRun.objects.select_related("server")[:20]
    return render(
        request,
        "records_import/run_list.html",
        {"title": _("Call history import"), "form": form, "runs": runs},
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: a progress bar while it runs (the page reloads itself), then the summary."""
    _require(request)
    run = get_object_or_404(ImportRun.objects.select_related("server"), pk=pk)
    return render(
        request,
        "records_import/run_detail.html",
        {"title": _("Call history import"), "run": run, "running": run.state == run.State.RUNNING},
    )
