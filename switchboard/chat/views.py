"""Pages of the staff chat (SPEC C9): the conversations, one conversation with its history.

Every signed-in user chats; a conversation is with one active user or with everyone. Opening
a conversation marks what it shows as read. History goes back a page at a time
(``?before=<message id>``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from switchboard.accounts.models import User
from switchboard.chat import services
from switchboard.chat.forms import MessageForm
from switchboard.chat.models import MAX_LENGTH


def _people(user: User) -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name", "username")[:1000]
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The conversations: everyone, then each colleague, with unread counts."""
    return _page(request, None, everyone=False)


@login_required
def everyone(request: HttpRequest) -> HttpResponse:
    return _page(request, None, everyone=True)


@login_required
def with_user(request: HttpRequest, pk: int) -> HttpResponse:
    if pk == request.user.pk:
        raise Http404
    other = get_object_or_404(User, pk=pk, is_active=True)
    return _page(request, other, everyone=False)


def _page(request: HttpRequest, other: User | None, *, everyone: bool) -> HttpResponse:
    user = request.user
    opened = everyone or other is not None
    here = (
        reverse("chat:everyone")
        if everyone
        else reverse("chat:with_user", args=[other.pk])
        if other
        else reverse("chat:index")
    )
    form = MessageForm()
    if request.method == "POST":
        if not opened:
            return redirect(here)
        form = MessageForm(request.POST)
        if form.is_valid():
            services.send(user, other, form.cleaned_data["text"])
            return redirect(here)
    elif request.method != "GET":
        return HttpResponse(status=405)
    rows, older = [], None
    if opened:
        history = services.conversation(user, other)
        before = request.GET.get("before", "")
        if before.isdigit():
            history = history.filter(pk__lt=int(before))
        page = list(history.order_by("-pk")[: services.PAGE_SIZE + 1])
        if len(page) > services.PAGE_SIZE:
            page = page[: services.PAGE_SIZE]
            older = page[-1].pk
        rows = list(reversed(page))
        newest_page = not before.isdigit()  # what the user sees now: read
        if newest_page and rows and services.mark_read(user, other, rows[-1].pk):
            services.push_unread(user)
    unread = services.unread_by_sender(user)
    everyone_unread = services.capped(services.unread_everyone(user))
    base = reverse("chat:index")
    current = other.pk if other is not None else None
    people = [
        {
            "pk": person.pk,
            "url": f"{base}{person.pk}/",
            "name": _name(person),
            "unread": unread.get(person.pk, 0),
            "current": person.pk == current,
        }
        for person in _people(user)
    ]
    if everyone:
        title = _("Chat with everyone")
    elif other is not None:
        title = _("Chat with %(name)s") % {"name": _name(other)}
    else:
        title = _("Chat")
    return render(
        request,
        "chat/conversation.html",
        {
            "title": title,
            "people": people,
            "everyone_unread": everyone_unread,
            "opened": opened,
            "everyone": everyone,
            "other": other,
            "rows": rows,
            "older": older,
            "form": form,
            "max_length": MAX_LENGTH,
            "here": here,
            "conversation_key": "everyone" if everyone else (str(other.pk) if other else ""),
        },
    )
