"""Who is calling: the cards of a caller's number for the screen-pop (SPEC C1).

:func:`cards_for` returns, for a number and the user who receives the call, the contacts of
the directory that user sees and the internal users whose phones match, then the cards of the
configured HTTP look-up hook (a CRM or a service desk): ``[directory] lookup_url`` with a
``{number}`` placeholder, answered within ``lookup_timeout_ms`` by JSON, either a list of
cards or ``{"cards": [...]}``, each ``{"title", "subtitle", "numbers", "url", "extra"}``
(only ``title`` is required). A hook that is slow, down or answers anything else is logged
and ignored: the local cards are returned alone, never an error.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from switchboard.directory.numbers import dialled_forms, normalize, plan

log = logging.getLogger(__name__)

MAX_HOOK_CARDS = 10
MAX_HOOK_BYTES = 256 * 1024
MAX_TEXT = 200


@dataclass(frozen=True)
class Card:
    """One answer to "who is calling": a contact, an internal user or a hook's record."""

    kind: str  # "contact", "user" or "external"
    title: str
    subtitle: str = ""
    numbers: tuple[str, ...] = ()
    url: str = ""
    contact_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HookSettings:
    url: str = ""
    timeout: float = 0.8
    auth_header: str = ""


def hook_settings() -> HookSettings:
    config = settings.CONFIG
    return HookSettings(
        config["directory.lookup_url"],
        config["directory.lookup_timeout_ms"] / 1000,
        config["directory.lookup_auth_header"],
    )


def cards_for(number: str, user: Any, *, hook: HookSettings | None = None) -> list[Card]:
    """The cards of ``number`` for ``user``: their visible contacts, internal users, the hook's.

    A number that normalizes to nothing (withheld, ``anonymous``) has no cards.
    """
    numbering = plan()
    canonical = normalize(number, numbering)
    if not canonical:
        return []
    cards = contact_cards(canonical, user) + user_cards(canonical)
    hook = hook if hook is not None else hook_settings()
    if hook.url:
        cards += hook_cards(canonical, hook)
    return cards


async def acards_for(number: str, user: Any, *, hook: HookSettings | None = None) -> list[Card]:
    """:func:`cards_for` for async code (a websocket consumer): run in a worker thread."""
    from asgiref.sync import sync_to_async

    return await sync_to_async(cards_for, thread_sensitive=False)(number, user, hook=hook)


def contact_cards(canonical: str, user: Any) -> list[Card]:
    from switchboard.directory.models import visible_contacts, with_number

    candidates = visible_contacts(user).filter(with_number(canonical)).order_by("pk")
    cards = []
    for contact in candidates.select_related("account_manager")[:20]:
        extra = {}
        if contact.account_manager is not None:
            manager = contact.account_manager
            extra["account_manager"] = manager.get_full_name() or manager.get_username()
        if contact.email:
            extra["email"] = contact.email
        if contact.notes:
            extra["notes"] = contact.notes[:MAX_TEXT]
        cards.append(
            Card(
                "contact",
                contact.name or contact.company or canonical,
                contact.company if contact.name else "",
                tuple(contact.numbers),
                reverse("directory:contact_edit", args=[contact.pk]),
                contact.pk,
                extra,
            )
        )
    return cards


def user_cards(canonical: str) -> list[Card]:
    from switchboard.pbx.models import Phone

    numbering = plan()
    forms = set(dialled_forms(canonical, numbering))
    wanted = Q(extension__in=forms) | Q(did__in=forms)
    cards: dict[int, Card] = {}
    phones = Phone.objects.filter(wanted, user__isnull=False).select_related(
        "user", "user__department"
    )
    for phone in phones.order_by("extension"):
        person = phone.user
        if person.pk in cards or not person.is_active:
            continue
        numbers = [
            n for p in person.phones.order_by("extension") for n in (p.extension, p.did) if n
        ]
        department = person.department.name if person.department else ""
        cards[person.pk] = Card(
            "user",
            person.get_full_name() or person.get_username(),
            department,
            tuple(numbers),
            reverse("directory:contact_list") + f"?q={quote(phone.extension)}",
            None,
            {"extension": phone.extension},
        )
    return list(cards.values())


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT] if isinstance(value, (str, int, float)) else ""


def _card_from_json(item: Any) -> Card | None:
    if not isinstance(item, dict) or not _text(item.get("title")).strip():
        return None
    url = _text(item.get("url"))
    if not url.startswith(("http://", "https://")):
        url = ""  # never a javascript: or relative link from outside
    numbers = item.get("numbers") or []
    extra = item.get("extra") or {}
    return Card(
        "external",
        _text(item["title"]).strip(),
        _text(item.get("subtitle")),
        tuple(_text(n) for n in numbers[:5]) if isinstance(numbers, list) else (),
        url,
        None,
        {_text(k)[:40]: _text(v) for k, v in list(extra.items())[:10]}
        if isinstance(extra, dict)
        else {},
    )


def hook_cards(canonical: str, hook: HookSettings) -> list[Card]:
    """The hook's cards; [] (logged) on timeout, error, or an answer that is not the JSON
    expected."""
    url = hook.url.replace("{number}", quote(canonical, safe=""))
    headers = {"Accept": "application/json"}
    if ":" in hook.auth_header:
        name, value = hook.auth_header.split(":", 1)
        headers[name.strip()] = value.strip()
    started = time.monotonic()
    try:
        # Each phase is bounded by httpx; the whole exchange by the deadline checked per chunk.
        with httpx.stream("GET", url, headers=headers, timeout=hook.timeout) as response:
            response.raise_for_status()
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if time.monotonic() - started > hook.timeout:
                    raise httpx.TimeoutException("answer later than the look-up timeout")
                if len(body) > MAX_HOOK_BYTES:
                    raise ValueError("answer too large")
        data = json.loads(body)
    except httpx.TimeoutException:
        log.warning("directory look-up %s: no answer within %.1f s", hook.url, hook.timeout)
        return []
    except (httpx.HTTPError, ValueError) as error:
        log.warning("directory look-up %s failed: %s", hook.url, error)
        return []
    items = data.get("cards") if isinstance(data, dict) else data
    if not isinstance(items, list):
        log.warning("directory look-up %s: answer is not a list of cards", hook.url)
        return []
    cards = [card for card in map(_card_from_json, items[:MAX_HOOK_CARDS]) if card]
    if items and not cards:
        log.warning("directory look-up %s: no usable card in the answer", hook.url)
    return cards


def describe(card: Card) -> str:
    """One line for a card (logs, plain-text screens)."""
    kinds = {"contact": _("contact"), "user": _("colleague"), "external": _("external")}
    return f"{card.title} ({kinds.get(card.kind, card.kind)})"
