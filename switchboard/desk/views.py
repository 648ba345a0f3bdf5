"""Pages of the operator desk (SPEC C1, C2, C4, C8, C10, L5).

The desk (/desk/) is open to every signed-in user: it shows only the user's own phones,
calls and interactions. Call control is checked here (the call is on one of the user's phones,
or the user supervises its queue, or is an administrator) and again by the worker against the
live calls; every action is audited. Teams are configured by administrators.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from switchboard.accounts import audit
from switchboard.accounts.models import AuditEntry
from switchboard.core.generic import Column, ObjectDeleteView, ObjectEditView, ObjectListView
from switchboard.desk import control
from switchboard.desk.forms import LinkNumberForm, TeamForm
from switchboard.desk.models import Interaction, Team
from switchboard.pbx.models import Phone
from switchboard.telephony import access, bus

# --- teams (administrators) ----------------------------------------------------------------


def _names(items: Any) -> str:
    return ", ".join(str(item) for item in items.all())


class TeamListView(ObjectListView):
    model = Team
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("members", gettext_lazy("Members"), value=lambda t: _names(t.members)),
        Column("queues", gettext_lazy("Queues"), value=lambda t: _names(t.queues)),
        Column("numbers", gettext_lazy("Numbers (DIDs)"), value=lambda t: _names(t.numbers)),
    )
    search_fields = ("name", "description")
    default_sort = "name"

    def get_queryset(self) -> QuerySet[Team]:
        return super().get_queryset().prefetch_related("members", "queues", "numbers")


class TeamEditView(ObjectEditView):
    model = Team
    form_class = TeamForm


class TeamDeleteView(ObjectDeleteView):
    model = Team


# --- the desk -------------------------------------------------------------------------------


def my_phones(user: Any) -> list[Phone]:
    return list(
        Phone.objects.filter(user=user, enabled=True)
        .select_related("server", "outgoing_group")
        .order_by("server__name", "extension")
    )


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    """An operator's own interactions; administrators see everyone's."""
    queryset = Interaction.objects.select_related("operator", "phone")
    if user.has_perm("desk.view_interaction"):
        return queryset
    return queryset.filter(operator=user)


def _contact_ids_for(user: Any, number: str) -> list[int]:
    try:
        from switchboard.desk.delivery import cards

        return [c["contact_id"] for c in cards(number, user) if c.get("contact_id")]
    except Exception:
        return []


@login_required
def desk_page(request: HttpRequest) -> HttpResponse:
    phones = my_phones(request.user)
    recent = visible_interactions(request.user).filter(operator=request.user)[:20]
    return render(
        request,
        "desk/desk.html",
        {
            "title": _("Operator desk"),
            "phones": phones,
            "recent": recent,
            "servers": sorted({p.server_id for p in phones}),
            "outcomes": Interaction.Outcome.choices,
        },
    )


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """The interactions of one number or one contact (``?number=`` / ``?contact=``)."""
    number = request.GET.get("number", "").strip()[:80]
    contact = request.GET.get("contact", "")
    rows = visible_interactions(request.user)
    contact_obj = None
    if contact.isdigit():
        contact_obj = _visible_contact(request.user, int(contact))
        if contact_obj is None:
            raise Http404
        numbers = [n for n in contact_obj.numbers if n]
        rows = rows.filter(Q(contact_id=contact_obj.pk) | Q(number__in=numbers))
    elif number:
        rows = rows.filter(number=number)
    else:
        rows = rows.none()
    return render(
        request,
        "desk/history.html",
        {
            "title": _("Interaction history"),
            "rows": rows[:200],
            "number": number,
            "contact": contact_obj,
        },
    )


def _visible_contact(user: Any, pk: int) -> Any:
    try:
        from switchboard.directory.models import visible_contacts
    except ImportError:
        return None
    return visible_contacts(user).filter(pk=pk).first()


@login_required
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The operator completes a call's interaction: subject, answer / notes, outcome."""
    from switchboard.desk.forms import InteractionForm

    interaction = visible_interactions(request.user).filter(pk=pk).first()
    if interaction is None:
        raise Http404
    editable = interaction.operator_id == request.user.pk or request.user.has_perm(
        "desk.change_interaction"
    )
    form = InteractionForm(request.POST or None, instance=interaction)
    if request.method == "POST":
        if not editable:
            raise Http404
        if form.is_valid():
            before = audit.snapshot(Interaction.objects.get(pk=pk))
            with transaction.atomic():
                saved = form.save()
                audit.record(
                    request, AuditEntry.Action.UPDATE, saved, before, audit.snapshot(saved)
                )
            if request.headers.get("X-Requested-With") == "fetch":
                return JsonResponse({"ok": True})
            messages.success(request, _("Interaction saved."))
            return redirect("desk:interaction_edit", pk=pk)
        if request.headers.get("X-Requested-With") == "fetch":
            return JsonResponse({"ok": False, "errors": form.errors}, status=400)
    return render(
        request,
        "desk/interaction.html",
        {
            "title": _("Call of %(number)s") % {"number": interaction.number or "?"},
            "interaction": interaction,
            "form": form,
            "editable": editable,
        },
    )


@login_required
def new_contact(request: HttpRequest) -> HttpResponse:
    """The directory's "new contact" form, its work number prefilled with the caller's
    (``?number=``); the POST is the directory's own (same checks, audit and messages)."""
    from switchboard.directory import views as directory_views
    from switchboard.directory.forms import ContactForm

    if request.method == "POST":
        return directory_views.contact_add(request)
    number = request.GET.get("number", "").strip()[:30]
    form = ContactForm(initial={"number1": number}, user=request.user)
    return render(
        request,
        "directory/edit.html",
        {
            "title": _("New contact"),
            "form": form,
            "cancel_url": reverse("directory:contact_list"),
        },
    )


@login_required
def link_number(request: HttpRequest) -> HttpResponse:
    """Add a number to a contact (SPEC C10): the contact's first free slot, or the one chosen;
    refused, changing nothing, when the slot (or every slot) is taken."""
    try:
        from switchboard.directory.models import NUMBER_FIELDS, Contact, visible_contacts
    except ImportError:
        raise Http404 from None
    number = (request.POST.get("number") or request.GET.get("number", "")).strip()[:30]
    query = request.GET.get("q", "").strip()
    contacts = visible_contacts(request.user)
    candidates = contacts
    if query:
        for word in query.split()[:5]:
            candidates = candidates.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(company__icontains=word)
            )
    form = LinkNumberForm(request.POST or None, initial={"number": number}, contacts=contacts)
    error = ""
    if request.method == "POST" and form.is_valid():
        contact: Contact = form.cleaned_data["contact"]
        slot = form.cleaned_data.get("slot") or ""
        if not contact.may_edit(request.user):
            error = _("You may not change this contact.")
        else:
            free = [f for f in NUMBER_FIELDS if not getattr(contact, f)]
            if number in contact.numbers:
                error = _("This contact already has this number.")
            elif slot and slot not in free:
                error = _("This number slot of the contact is already taken.")
            elif not free:
                error = _("All three numbers of this contact are taken: nothing was changed.")
            else:
                field = slot or free[0]
                before = audit.snapshot(Contact.objects.get(pk=contact.pk))
                with transaction.atomic():
                    setattr(contact, field, number)
                    try:
                        contact.full_clean()
                    except Exception:
                        error = _("This is not a valid phone number.")
                    else:
                        contact.save()
                        audit.record(
                            request,
                            AuditEntry.Action.UPDATE,
                            contact,
                            before,
                            audit.snapshot(contact),
                        )
                        Interaction.objects.filter(number=number, contact_id__isnull=True).filter(
                            operator=request.user
                        ).update(contact_id=contact.pk, contact_label=str(contact)[:200])
                if not error:
                    messages.success(
                        request,
                        _("%(number)s added to %(contact)s.")
                        % {"number": number, "contact": contact},
                    )
                    return redirect(reverse("desk:history") + f"?contact={contact.pk}")
        if error:
            messages.error(request, error)
    return render(
        request,
        "desk/link_number.html",
        {
            "title": _("Add a number to a contact"),
            "form": form,
            "number": number,
            "candidates": candidates[:50],
            "query": query,
            "error": error,
        },
    )


# --- call control ---------------------------------------------------------------------------

ERRORS = {
    "not_your_call": gettext_lazy("This call is not on your phone."),
    "no_parked_call": gettext_lazy("No call is parked in this slot."),
    "not_on_hold": gettext_lazy("This call is not on hold."),
    "no_peer": gettext_lazy("The other party of this call is gone."),
    "already_answered": gettext_lazy("This call is already answered."),
    "not_connected": gettext_lazy("This call is not connected yet."),
    "bad_number": gettext_lazy("Give a number: digits, * # or +."),
    "bad_extension": gettext_lazy("Choose one of your phones."),
    "unknown_action": gettext_lazy("Unknown action."),
    "not_in_queue": gettext_lazy("This call is not one of the queue's agents' calls."),
}


def _allowed_phone(user: Any, server: int, extension: str, queue: str) -> str | None:
    """None: refused; "own": the user's phone; "queue": an agent's phone of a queue the user
    supervises (the worker then checks the call is one of that queue's)."""
    if Phone.objects.filter(user=user, server_id=server, extension=extension).exists():
        return "own"
    if queue and access.may_supervise(user, queue):
        return "queue"
    return None


@require_POST
async def desk_action(request: HttpRequest) -> JsonResponse:
    """One call-control action, carried out by the telephony worker."""
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"ok": False, "error": _("Sign in first.")}, status=401)
    action = request.POST.get("action", "")
    if action not in control.ACTIONS:
        return JsonResponse({"ok": False, "error": str(ERRORS["unknown_action"])}, status=400)
    try:
        server = int(request.POST.get("server", "0"))
    except ValueError:
        server = 0
    extension = request.POST.get("extension", "")
    queue = request.POST.get("queue", "")
    allowed = await sync_to_async(_allowed_phone)(user, server, extension, queue)
    if allowed is None:
        return JsonResponse({"ok": False, "error": _("Your roles do not allow this.")}, status=403)
    params = {
        key: request.POST.get(key, "")
        for key in ("extension", "channel", "target", "slot", "number")
    }
    if allowed == "queue":
        params["queue"] = queue  # the worker checks the call is one of this queue's
    if action == "dial":
        return await _dial(request, user, server, extension, params["number"])
    try:
        answer = await bus.request("desk", server=server, op="action", action=action, params=params)
    except bus.WorkerUnavailable:
        return JsonResponse(
            {"ok": False, "error": _("The telephony worker does not answer.")}, status=503
        )
    if not answer.get("ok"):
        code = answer.get("code", "")
        message = str(ERRORS.get(code, "")) or answer.get("error", "")
        status = 403 if code in ("not_your_call", "not_in_queue") else 400
        return JsonResponse({"ok": False, "error": message, "code": code}, status=status)
    await sync_to_async(_audit)(request, server, action, params)
    return JsonResponse({"ok": True})


async def _dial(request: HttpRequest, user: Any, server: int, extension: str, number: str):
    from switchboard.telephony.originate import OriginateError, aclick_to_call

    phone = await sync_to_async(
        lambda: (
            Phone.objects.select_related("server", "outgoing_group")
            .filter(user=user, server_id=server, extension=extension)
            .first()
        )
    )()
    if phone is None:
        return JsonResponse({"ok": False, "error": str(ERRORS["bad_extension"])}, status=403)
    try:
        await aclick_to_call(phone, number)
    except OriginateError as error:
        return JsonResponse({"ok": False, "error": error.message}, status=400)
    await sync_to_async(_audit)(request, server, "dial", {"extension": extension, "number": number})
    return JsonResponse({"ok": True})


def _audit(request: HttpRequest, server_id: int, action: str, params: dict[str, str]) -> None:
    from switchboard.telephony.models import PbxServer

    server = PbxServer.objects.filter(pk=server_id).first()
    if server is not None:
        details = {k: v for k, v in params.items() if v}
        audit.record(
            request, AuditEntry.Action.UPDATE, server, None, {"desk_action": action, **details}
        )


@login_required
async def parked(request: HttpRequest) -> JsonResponse:
    """The parked calls of the PBXs of the user's phones (the desk's table)."""
    user = await request.auser()
    phones = await sync_to_async(my_phones)(user)
    rows = []
    for server in sorted({p.server_id for p in phones}):
        try:
            answer = await bus.request("desk", server=server, op="parked", timeout=3)
        except bus.WorkerUnavailable:
            continue
        for row in answer.get("parked", []):
            rows.append({**row, "server": server})
    return JsonResponse({"ok": True, "parked": rows})
