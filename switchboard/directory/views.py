"""The directory page (contacts and colleagues), the contact forms and click-to-call."""

from __future__ import annotations

from functools import reduce
from operator import and_, or_
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from switchboard.accounts import audit
from switchboard.accounts.models import AuditEntry
from switchboard.directory.forms import CallForm, ContactForm
from switchboard.directory.models import NUMBER_FIELDS, Contact, visible_contacts
from switchboard.directory.numbers import digits
from switchboard.pbx.models import Phone
from switchboard.telephony.originate import OriginateError, click_to_call

PAGE_SIZE = 25
CONTACT_SORTS = {
    "name": ("last_name", "first_name"),
    "company": ("company", "last_name"),
    "email": ("email",),
    "manager": ("account_manager__last_name", "account_manager__username"),
}
USER_SORTS = {
    "name": ("last_name", "first_name", "username"),
    "department": ("department__name", "last_name"),
    "extension": ("first_extension", "last_name"),
}
CONTACT_COLUMNS = (
    ("name", gettext_lazy("Name")),
    ("company", gettext_lazy("Company")),
    ("numbers", gettext_lazy("Numbers")),
    ("email", gettext_lazy("E-mail")),
    ("manager", gettext_lazy("Account manager")),
)
USER_COLUMNS = (
    ("name", gettext_lazy("Name")),
    ("department", gettext_lazy("Department")),
    ("extension", gettext_lazy("Extensions")),
    ("dids", gettext_lazy("Direct numbers")),
)


def _words(request: HttpRequest) -> list[str]:
    return request.GET.get("q", "").split()[:10]


def _word_filter(word: str, text_fields: tuple[str, ...], digit_fields: tuple[str, ...]) -> Q:
    """One word of the search: any text field contains it, or (for a word with digits) any
    number contains its digits — partial, whatever the layout of the number."""
    found = [Q(**{f"{field}__icontains": word}) for field in text_fields]
    number = digits(word)
    if number and len(number) >= max(1, len(word.strip("+()-. ")) - 2):
        found += [Q(**{f"{field}__contains": number}) for field in digit_fields]
    return reduce(or_, found)


def search_contacts(user: Any, words: list[str]) -> models.QuerySet[Contact]:
    queryset = visible_contacts(user)
    if words:
        text = ("first_name", "last_name", "company", "email")
        queryset = queryset.filter(
            reduce(and_, (_word_filter(w, text, ("search_digits",)) for w in words))
        )
    return queryset


def search_users(words: list[str]) -> models.QuerySet:
    users = get_user_model().objects.filter(is_active=True)
    if words:
        text = ("first_name", "last_name", "username", "department__name")
        digit_fields = ("phones__extension", "phones__did")
        users = users.filter(reduce(and_, (_word_filter(w, text, digit_fields) for w in words)))
    return users.distinct()


def _sort(request: HttpRequest, allowed: dict[str, tuple[str, ...]]) -> tuple[str, list[str]]:
    wanted = request.GET.get("sort", "name")
    name = wanted.removeprefix("-")
    if name not in allowed:
        wanted, name = "name", "name"
    sign = "-" if wanted.startswith("-") else ""
    return wanted, [sign + field for field in allowed[name]] + ["pk"]


def _callable_phones(user: Any) -> list[Phone]:
    return list(Phone.objects.filter(user=user, enabled=True).order_by("extension"))


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """/directory/: the contacts tab (shared and own private) or the colleagues tab."""
    tab = "users" if request.GET.get("tab") == "users" else "contacts"
    words = _words(request)
    contacts = search_contacts(request.user, words)
    users = search_users(words)
    if tab == "contacts":
        sort, order = _sort(request, CONTACT_SORTS)
        queryset = contacts.select_related("account_manager", "owner").order_by(*order)
        columns = CONTACT_COLUMNS
    else:
        sort, order = _sort(request, USER_SORTS)
        queryset = (
            users.select_related("department")
            .annotate(first_extension=models.Min("phones__extension"))
            .prefetch_related(Prefetch("phones", queryset=Phone.objects.order_by("extension")))
            .order_by(*order)
        )
        columns = USER_COLUMNS
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for obj in page.object_list:
        if tab == "contacts":
            rows.append(
                {
                    "contact": obj,
                    "numbers": obj.numbers,
                    "may_edit": obj.may_edit(request.user),
                }
            )
        else:
            phones = list(obj.phones.all())
            rows.append(
                {
                    "person": obj,
                    "extensions": [p.extension for p in phones],
                    "dids": [p.did for p in phones if p.did],
                }
            )
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "directory/list.html",
        {
            "title": _("Directory"),
            "tab": tab,
            "columns": columns,
            "sortable": CONTACT_SORTS if tab == "contacts" else USER_SORTS,
            "rows": rows,
            "page_obj": page,
            "sort": sort,
            "search": request.GET.get("q", ""),
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "contact_count": contacts.count() if tab == "users" else page.paginator.count,
            "user_count": users.count() if tab == "contacts" else page.paginator.count,
            "phones": _callable_phones(request.user),
        },
    )


def _editable(request: HttpRequest, pk: int) -> Contact:
    """The contact, 404 when the user does not see it, 403 when they may not change it."""
    try:
        contact = visible_contacts(request.user).get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404 from None
    if not contact.may_edit(request.user):
        raise PermissionDenied
    return contact


PREFILL = ("first_name", "last_name", "company", "number1", "email")


def _prefill(request: HttpRequest, contact: Contact | None) -> dict[str, str]:
    """From the screen-pop: ``/directory/add/?number1=...`` makes a new contact of a caller;
    ``/directory/<pk>/?add_number=...`` links the caller's number to an existing contact (in
    its first free number field). Only initial values: nothing is saved before the form is."""
    if request.method != "GET":
        return {}
    if contact is None:
        return {k: request.GET[k][:80] for k in PREFILL if request.GET.get(k)}
    extra = request.GET.get("add_number", "")[:30]
    if extra and extra not in contact.numbers:
        free = next((f for f in NUMBER_FIELDS if not getattr(contact, f)), None)
        if free:
            return {free: extra}
    return {}


def _edit(request: HttpRequest, contact: Contact | None) -> HttpResponse:
    creating = contact is None
    form = ContactForm(
        request.POST or None,
        instance=contact,
        user=request.user,
        initial=_prefill(request, contact),
    )
    if request.method == "POST" and form.is_valid():
        before = None if creating else audit.snapshot(Contact.objects.get(pk=contact.pk))
        with transaction.atomic():
            saved = form.save()
            audit.record(
                request,
                AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
                saved,
                before,
                audit.snapshot(saved),
            )
        template = _("Contact “%(name)s” created.") if creating else _("Contact “%(name)s” saved.")
        messages.success(request, template % {"name": saved})
        return redirect("directory:contact_list")
    title = _("New contact") if creating else _("Edit contact %(name)s") % {"name": contact}
    return render(
        request,
        "directory/edit.html",
        {"title": title, "form": form, "cancel_url": reverse("directory:contact_list")},
    )


@login_required
def contact_add(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _editable(request, pk))


@login_required
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _editable(request, pk)
    if request.method == "POST":
        name = str(contact)
        with transaction.atomic():
            audit.record(request, AuditEntry.Action.DELETE, contact, audit.snapshot(contact), None)
            contact.delete()
        messages.success(request, _("“%(name)s” deleted.") % {"name": name})
        return redirect("directory:contact_list")
    return render(
        request,
        "core/object_confirm_delete.html",
        {
            "title": _("Delete contact %(name)s") % {"name": contact},
            "object": contact,
            "cancel_url": reverse("directory:contact_list"),
        },
    )


def _back(request: HttpRequest) -> str:
    wanted = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure())
    return wanted if wanted and allowed else reverse("directory:contact_list")


@require_POST
@login_required
def call(request: HttpRequest) -> HttpResponse:
    """Click-to-call: ring the user's phone, then dial the number from it (JSON or redirect)."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = CallForm(request.POST)
    phones = _callable_phones(request.user)
    error, action_id, number = "", "", ""
    if not form.is_valid():
        error = _("Give a number to call.")
    elif not phones:
        error = _("No phone is given to you: ask an administrator.")
    else:
        number = form.cleaned_data["number"]
        chosen = form.cleaned_data.get("phone")
        phone = next((p for p in phones if p.pk == chosen), None) if chosen else phones[0]
        if phone is None:
            error = _("This phone is not yours.")
        else:
            try:
                action_id = click_to_call(phone, number)
            except OriginateError as failure:
                error = failure.message
    message = (
        "" if error else _("Your phone rings: pick it up to call %(number)s.") % {"number": number}
    )
    if wants_json:
        return JsonResponse(
            {"ok": not error, "error": error, "message": message, "action_id": action_id},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(_back(request))
