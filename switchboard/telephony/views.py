"""Views of the telephony domain: PBX connections, and the live pages."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from switchboard.accounts import audit
from switchboard.accounts.models import AuditEntry
from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.telephony import access, bus
from switchboard.telephony.forms import PbxServerForm
from switchboard.telephony.models import PbxServer


def _state(server: PbxServer) -> str:
    return str(server.get_state_display())


class PbxServerListView(ObjectListView):
    model = PbxServer
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("host", gettext_lazy("Host"), sort="host"),
        Column("ami_port", gettext_lazy("AMI port")),
        Column("state", gettext_lazy("State"), sort="state", value=_state),
        Column("state_since", gettext_lazy("Since"), sort="state_since"),
        Column("last_error", gettext_lazy("Last error")),
        Column("version", gettext_lazy("Asterisk version")),
        Column("source", gettext_lazy("Defined in"), value=lambda s: s.get_source_display()),
    )
    search_fields = ("name", "host")
    default_sort = "name"

    def edit_url(self, obj: PbxServer) -> str | None:
        return None if obj.is_protected else super().edit_url(obj)


class PbxServerEditView(ObjectEditView):
    model = PbxServer
    form_class = PbxServerForm

    def get_queryset(self):  # type: ignore[no-untyped-def]
        # Servers of the configuration file are edited there.
        return PbxServer.objects.filter(source=PbxServer.Source.WEB)


class PbxServerDeleteView(ObjectDeleteView):
    model = PbxServer


def _servers() -> list[PbxServer]:
    return list(PbxServer.objects.filter(enabled=True))


@login_required
def queues_page(request: HttpRequest) -> HttpResponse:
    """Real-time queue supervision (SPEC L1, L2)."""
    if not access.may_open_supervision(request.user):
        raise PermissionDenied
    return render(
        request,
        "telephony/live_queues.html",
        {
            "title": _("Queue supervision"),
            "servers": _servers(),
            "watch": ["status", "queues", "presence"],
        },
    )


@login_required
def calls_page(request: HttpRequest) -> HttpResponse:
    """Every live call (SPEC L3)."""
    if not access.may_see_live_calls(request.user):
        raise PermissionDenied
    return render(
        request,
        "telephony/live_calls.html",
        {
            "title": _("Active calls"),
            "servers": _servers(),
            "watch": ["status", "calls", "presence"],
        },
    )


@login_required
def presence_page(request: HttpRequest) -> HttpResponse:
    """Presence of every phone (SPEC L4)."""
    if not access.may_see_live_calls(request.user):
        raise PermissionDenied
    return render(
        request,
        "telephony/live_presence.html",
        {"title": _("Presence"), "servers": _servers(), "watch": ["status", "presence"]},
    )


SUPERVISOR_ACTIONS = frozenset(
    {"add", "remove", "pause", "unpause", "listen", "whisper", "barge", "record", "stop_record"}
)
CALL_ACTIONS = frozenset({"listen"})


@require_POST
async def live_action(request: HttpRequest) -> JsonResponse:
    """A supervisor's action on a queue or a call, carried out by the telephony worker."""
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"ok": False, "error": _("Sign in first.")}, status=401)
    action = request.POST.get("action", "")
    queue = request.POST.get("queue", "")
    params = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    if action not in SUPERVISOR_ACTIONS:
        return JsonResponse({"ok": False, "error": _("Unknown action.")}, status=400)
    if queue:
        allowed = await sync_to_async(access.may_supervise)(user, queue)
    else:
        # Joining a call outside any queue (active calls page): listen-only, for watchers.
        allowed = action in CALL_ACTIONS and await sync_to_async(access.may_see_live_calls)(user)
    if not allowed:
        return JsonResponse({"ok": False, "error": _("Your roles do not allow this.")}, status=403)
    try:
        server = int(request.POST.get("server", "0"))
    except ValueError:
        server = 0
    try:
        answer = await bus.request("action", server=server, action=action, params=params)
    except bus.WorkerUnavailable:
        return JsonResponse(
            {"ok": False, "error": _("The telephony worker does not answer.")}, status=503
        )
    if answer.get("code") == "not_in_queue":
        error = _("This call is not one of the queue's agents' calls.")
        return JsonResponse({"ok": False, "error": error}, status=403)
    if not answer.get("ok"):
        return JsonResponse({"ok": False, "error": answer.get("error", "")}, status=400)
    await sync_to_async(_audit_action)(request, user, server, action, params)
    return JsonResponse({"ok": True})


def _audit_action(
    request: HttpRequest, user: object, server_id: int, action: str, params: dict
) -> None:
    server = PbxServer.objects.filter(pk=server_id).first()
    if server is not None:
        audit.record(
            request, AuditEntry.Action.UPDATE, server, None, {"supervisor_action": action, **params}
        )
