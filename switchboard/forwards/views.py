"""Pages of the call forwards: a user's own phones, one phone's form, all active forwards."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from switchboard.accounts.audit import record
from switchboard.accounts.models import AuditEntry
from switchboard.forwards import services
from switchboard.forwards.forms import LABELS, ForwardsForm
from switchboard.forwards.rules import CONDITIONS, VOICEMAIL, PhoneForwards
from switchboard.pbx.models import Phone
from switchboard.telephony.ami.errors import AmiError
from switchboard.telephony.models import PbxServer

FEATURE_CODES = (
    ("*21", "unconditional"),
    ("*67", "busy"),
    ("*61", "noanswer"),
)


def _describe(forwards: PhoneForwards) -> list[dict[str, str]]:
    rows = []
    for condition in CONDITIONS:
        target = forwards.target(condition)
        if target:
            shown = _("voicemail") if target == VOICEMAIL else target
            rows.append({"condition": str(LABELS[condition]), "target": shown})
    return rows


def _unreachable(server: PbxServer, error: AmiError) -> str:
    return _("The PBX %(server)s could not be reached: %(error)s") % {
        "server": server,
        "error": error,
    }


@login_required
def my_forwards(request: HttpRequest) -> HttpResponse:
    """The signed-in user's phones and how each is forwarded."""
    phones = []
    for phone in Phone.objects.filter(user=request.user).select_related("server"):
        try:
            rows, error = _describe(services.read(phone)), ""
        except AmiError as failure:
            rows, error = [], _unreachable(phone.server, failure)
        phones.append({"phone": phone, "rows": rows, "error": error})
    return render(
        request,
        "forwards/mine.html",
        {"title": _("My call forwards"), "phones": phones, "codes": FEATURE_CODES},
    )


@login_required
def edit_forwards(request: HttpRequest, pk: int) -> HttpResponse:
    phone = get_object_or_404(Phone.objects.select_related("server", "user"), pk=pk)
    if not services.may_manage(request.user, phone):
        raise PermissionDenied
    title = _("Call forwards of %(phone)s") % {"phone": phone}
    try:
        current = services.read(phone)
    except AmiError as error:
        context = {"title": title, "phone": phone, "error": _unreachable(phone.server, error)}
        return render(request, "forwards/edit.html", context)
    if request.method == "POST":
        form = ForwardsForm(request.POST, phone=phone, user=request.user)
        if form.is_valid():
            wanted = form.forwards()
            try:
                services.write(phone, wanted)
            except AmiError as error:
                messages.error(request, _unreachable(phone.server, error))
            else:
                record(request, AuditEntry.Action.UPDATE, phone, asdict(current), asdict(wanted))
                messages.success(
                    request, _("The forwards of %(phone)s are live.") % {"phone": phone}
                )
                return redirect(
                    "forwards:mine" if phone.user_id == request.user.pk else "forwards:all"
                )
    else:
        form = ForwardsForm(
            initial=ForwardsForm.initial_for(current), phone=phone, user=request.user
        )
    return render(
        request,
        "forwards/edit.html",
        {
            "title": title,
            "form": form,
            "phone": phone,
        },
    )


@login_required
def all_forwards(request: HttpRequest) -> HttpResponse:
    """Every active forward of every PBX (administrators)."""
    if not request.user.has_perm("pbx.change_phone"):
        raise PermissionDenied
    servers = []
    for server in PbxServer.objects.filter(enabled=True).order_by("name"):
        phones = Phone.objects.filter(server=server).select_related("user")
        by_extension = {phone.extension: phone for phone in phones}
        try:
            found, error = services.all_forwards(server), ""
        except AmiError as failure:
            found, error = {}, _unreachable(server, failure)
        rows = [
            {
                "phone": by_extension.get(extension),
                "extension": extension,
                "rows": _describe(forwards),
            }
            for extension, forwards in found.items()
        ]
        servers.append({"server": server, "rows": rows, "error": error})
    return render(
        request, "forwards/all.html", {"title": _("Active call forwards"), "servers": servers}
    )
