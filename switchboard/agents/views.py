"""Pages of agents and presence: the agent's console (queues, pauses, hot desk), a user's
presence, the colleagues list, pause reasons and the sessions record (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from switchboard.accounts.audit import record, snapshot
from switchboard.accounts.models import AuditEntry
from switchboard.agents import services
from switchboard.agents.forms import PauseReasonForm, PresenceForm
from switchboard.agents.models import AgentSession, PauseReason, Presence
from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.forwards.services import may_forward_outside
from switchboard.pbx.models import Phone, Queue
from switchboard.telephony import access
from switchboard.telephony.ami.errors import AmiError
from switchboard.telephony.models import PbxServer

AGENT_ACTIONS = ("login", "logout", "pause", "unpause", "take_calls", "stop_calls")


def may_open_console(user: Any) -> bool:
    return bool(services.agent_queues(user)) or user.has_perm("agents.view_agentsession")


def _unreachable(server: PbxServer, error: Exception) -> str:
    return _("The PBX %(server)s could not be reached: %(error)s") % {
        "server": server,
        "error": error,
    }


def reason_label(name: str) -> str:
    """Built-in reasons are shown in the user's language."""
    return _(name) if name in services.DEFAULT_PAUSE_REASONS else name


def _console_rows(request: HttpRequest) -> tuple[list[dict[str, Any]], list[str]]:
    rows, errors = [], []
    for queue in services.agent_queues(request.user):
        phone = services.agent_phone(request.user, queue.server)
        row: dict[str, Any] = {"queue": queue, "phone": phone, "member": None, "error": ""}
        try:
            members = services.queue_members(queue.server, queue.name)
        except (AmiError, OSError) as error:
            row["error"] = _unreachable(queue.server, error)
            rows.append(row)
            continue
        own = [services.interface(p) for p in Phone.objects.filter(user=request.user)]
        desk = services.current_desk(request.user, queue.server)
        mine = [*own, *([services.interface(desk.phone)] if desk else [])]
        member = next((members[i] for i in mine if i in members), None)
        services.reconcile(request.user, queue.server, queue.name, member)
        row["member"] = member
        if member is not None:
            row["reason"] = reason_label(member.reason) if member.reason else ""
        rows.append(row)
    return rows, errors


@login_required
def console(request: HttpRequest) -> HttpResponse:
    """The agent's queues as Asterisk has them; log in / out, pause with a reason, hot desk."""
    if not may_open_console(request.user):
        raise PermissionDenied
    rows, _errors = _console_rows(request)
    servers = {row["queue"].server for row in rows}
    desks = [
        {
            "server": server,
            "current": services.current_desk(request.user, server),
            "free": services.free_desks(server, request.user),
        }
        for server in sorted(servers, key=lambda s: s.name)
    ]
    reasons = [
        {"value": r.name, "label": reason_label(r.name)}
        for r in PauseReason.objects.filter(enabled=True)
    ]
    sessions = AgentSession.objects.filter(user=request.user).prefetch_related("pauses")[:10]
    return render(
        request,
        "agents/console.html",
        {
            "title": _("My queues"),
            "rows": rows,
            "reasons": reasons,
            "desks": desks,
            "sessions": sessions,
            "taking_calls": any(r["member"] and not r["member"].paused for r in rows),
        },
    )


def _my_member(user: Any, queue: Queue) -> str | None:
    """The interface the user is a member with (Asterisk's answer), if any."""
    members = services.queue_members(queue.server, queue.name)
    own = [services.interface(p) for p in Phone.objects.filter(user=user, server=queue.server)]
    desk = services.current_desk(user, queue.server)
    candidates = [*([services.interface(desk.phone)] if desk else []), *own]
    return next((i for i in candidates if i in members), None)


@require_POST
@login_required
def agent_action(request: HttpRequest) -> HttpResponse:
    """Log in / out of a queue, pause / resume, or take / stop taking calls in all queues."""
    if not may_open_console(request.user):
        raise PermissionDenied
    action = request.POST.get("action", "")
    queues = services.agent_queues(request.user)
    if action not in AGENT_ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("agents:console")
    if action in ("take_calls", "stop_calls"):
        targets = queues
    else:
        try:
            wanted = int(request.POST.get("queue", "0"))
        except ValueError:
            wanted = 0
        targets = [q for q in queues if q.pk == wanted]
        if not targets:
            messages.error(request, _("You are not an agent of this queue."))
            return redirect("agents:console")
    reason = ""
    if action == "pause":
        reason = request.POST.get("reason", "")
        if not PauseReason.objects.filter(enabled=True, name=reason).exists():
            messages.error(request, _("Choose a pause reason from the list."))
            return redirect("agents:console")
    done = 0
    for queue in targets:
        try:
            member = _my_member(request.user, queue)
            if action == "login":
                phone = services.agent_phone(request.user, queue.server)
                if phone is None:
                    messages.error(request, _("You have no phone on this PBX."))
                    return redirect("agents:console")
                if member is None:
                    services.log_in(request.user, queue, phone)
                    done += 1
            elif member is None:
                continue  # not logged in to this queue: nothing to pause or log out
            elif action == "logout":
                services.log_out(request.user, queue, member)
                done += 1
            elif action == "pause":
                services.pause(request.user, queue, member, reason)
                done += 1
            elif action == "stop_calls":
                services.pause(request.user, queue, member, "")
                done += 1
            else:  # unpause, take_calls
                services.unpause(request.user, queue, member)
                done += 1
        except (AmiError, OSError) as error:
            messages.error(request, _unreachable(queue.server, error))
            return redirect("agents:console")
        record(
            request,
            AuditEntry.Action.UPDATE,
            queue,
            None,
            {"agent_action": action, "agent": request.user.username, "reason": reason},
        )
    if done:
        messages.success(request, _("Done."))
    else:
        messages.info(request, _("Nothing to change."))
    return redirect("agents:console")


@require_POST
@login_required
def hot_desk(request: HttpRequest) -> HttpResponse:
    """Bind a free phone of the site to the agent for today, or free it."""
    if not may_open_console(request.user):
        raise PermissionDenied
    server = get_object_or_404(PbxServer, pk=request.POST.get("server") or 0)
    try:
        if request.POST.get("free"):
            services.free_desk(request.user, server)
            messages.success(request, _("The desk phone is free again."))
            return redirect("agents:console")
        free = {p.pk: p for p in services.free_desks(server, request.user)}
        try:
            desk = free.get(int(request.POST.get("phone", "0")))
        except ValueError:
            desk = None
        if desk is None:
            messages.error(request, _("Choose a free phone of this site."))
            return redirect("agents:console")
        binding = services.bind_desk(request.user, desk)
    except (AmiError, OSError) as error:
        messages.error(request, _unreachable(server, error))
        return redirect("agents:console")
    record(request, AuditEntry.Action.CREATE, binding, None, snapshot(binding))
    messages.success(request, _("Your calls ring phone %(phone)s today.") % {"phone": desk})
    return redirect("agents:console")


@login_required
def presence(request: HttpRequest) -> HttpResponse:
    """The signed-in user's presence: available, on mobile or do not disturb."""
    current = services.presence_of(request.user)
    before = snapshot(current) if current.pk else None
    form = PresenceForm(
        request.POST or None,
        instance=current,
        may_forward_outside=may_forward_outside(request.user),
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.write_presence(changed)
        except (AmiError, OSError) as error:
            form.add_error(None, _("A PBX could not be reached: %(error)s") % {"error": error})
        else:
            changed.save()
            action = AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE
            record(request, action, changed, before, snapshot(changed))
            messages.success(request, _("Your presence is saved."))
            return redirect("agents:presence")
    return render(
        request,
        "agents/presence.html",
        {
            "title": _("My presence"),
            "form": form,
            "phones": Phone.objects.filter(user=request.user),
        },
    )


def sees_peers(user: Any) -> bool:
    """Who a colleague talks with is shown to supervisors and administrators only."""
    return access.may_see_live_calls(user) or access.may_open_supervision(user)


@login_required
def colleagues(request: HttpRequest) -> HttpResponse:
    """Every colleague with a phone: their presence and their phones' live state."""
    users = get_user_model().objects.filter(is_active=True, phones__isnull=False).distinct()
    statuses = dict(Presence.objects.values_list("user_id", "status"))
    labels = dict(Presence.Status.choices)
    rows = []
    for user in users.order_by("last_name", "first_name", "username").prefetch_related("phones"):
        status = statuses.get(user.pk, Presence.Status.AVAILABLE)
        rows.append(
            {
                "user": user,
                "status": status,
                "status_label": labels[status],
                "phones": [p for p in user.phones.all() if p.enabled],
            }
        )
    return render(
        request,
        "agents/colleagues.html",
        {
            "title": _("Colleagues"),
            "rows": rows,
            "servers": list(PbxServer.objects.filter(enabled=True)),
        },
    )


class PauseReasonListView(ObjectListView):
    model = PauseReason
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("shown", gettext_lazy("Shown as"), value=lambda r: reason_label(r.name)),
        Column("position", gettext_lazy("Position"), sort="position"),
        Column("enabled", gettext_lazy("Enabled"), sort="enabled"),
    )
    search_fields = ("name",)
    default_sort = "position"


class PauseReasonEditView(ObjectEditView):
    model = PauseReason
    form_class = PauseReasonForm


class PauseReasonDeleteView(ObjectDeleteView):
    model = PauseReason


def _duration(session: AgentSession) -> str:
    if session.ended is None:
        return "—"
    seconds = int((session.ended - session.started).total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class AgentSessionListView(ObjectListView):
    model = AgentSession
    columns = (
        Column("user", gettext_lazy("Agent"), sort="user__username"),
        Column("queue", gettext_lazy("Queue"), sort="queue"),
        Column("interface", gettext_lazy("Phone"), sort="interface"),
        Column("source", gettext_lazy("From"), value=lambda s: s.get_source_display()),
        Column("started", gettext_lazy("Logged in"), sort="started"),
        Column("ended", gettext_lazy("Logged out"), sort="ended"),
        Column("duration", gettext_lazy("Duration"), value=_duration),
        Column("pauses", gettext_lazy("Pauses"), value=lambda s: s.pauses.count()),
    )
    search_fields = ("user__username", "queue", "interface")
    default_sort = "-started"

    def get_queryset(self) -> QuerySet[AgentSession]:
        return super().get_queryset().select_related("user")

    def add_url(self) -> str | None:
        return None

    def edit_url(self, obj: AgentSession) -> str | None:
        return None

    def delete_url(self, obj: AgentSession) -> str | None:
        return None
