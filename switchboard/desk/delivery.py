"""From the worker's events to the operators' browsers (SPEC C1, C4).

``observe`` is called by the telephony worker for every AMI event its model applied. The few
events that matter (see ``pops``) become :class:`~switchboard.desk.pops.Pop` values, queued in
order; one task per event loop takes them, decides with the database who receives each (the
team rule), keeps the operator's :class:`~switchboard.desk.models.Interaction` and sends the
pop to the user's group ``desk.user.<pk>``, which the desk websocket of each of the user's
tabs is a member of.

The team rule: a call that came through a queue or a DID pops only for the members of a team
responsible for that queue or DID; a call straight to a phone pops for the phone's user.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from switchboard.desk import control
from switchboard.desk import pops as pop_rules

log = logging.getLogger(__name__)

MAX_SEEN = 20_000  # channels of phones whose hang-up is awaited
_queues: dict[int, asyncio.Queue[tuple[int, pop_rules.Pop, float]]] = {}
_tasks: dict[int, asyncio.Task[None]] = {}
_seen: dict[int, set[str]] = {}


def user_group(user_id: int) -> str:
    return f"desk.user.{user_id}"


def observe(link: Any, message: Any) -> None:
    """The worker's hook: detect pops in one event and queue them (cheap when nothing)."""
    event = message.event
    if event not in pop_rules.EVENTS:
        return
    seen = _seen.setdefault(link.server_id, set())
    if len(seen) > MAX_SEEN:  # hang-ups lost across a reconnect: forget, never grow for ever
        seen.clear()
    try:
        if event == "Hangup":
            control.peer_gone(link, message.get("Channel", "") or "")
        # The message itself: its few keys are looked up in the text, no full decode.
        found = pop_rules.detect(link.model.state, event, message, seen)
    except Exception:  # never let the desk break the worker's model
        log.exception("screen-pop detection failed")
        return
    if not found:
        return
    loop = asyncio.get_running_loop()
    key = id(loop)
    queue = _queues.get(key)
    task = _tasks.get(key)
    if queue is None or task is None or task.done():
        queue = _queues[key] = asyncio.Queue()
        _tasks[key] = loop.create_task(_deliver_loop(queue), name="desk-pops")
    now = timezone.now().timestamp()
    for pop in found:
        queue.put_nowait((link.server_id, pop, now))


async def _deliver_loop(queue: asyncio.Queue[tuple[int, pop_rules.Pop, float]]) -> None:
    layer = get_channel_layer()
    while True:
        server_id, pop, when = await queue.get()
        try:
            # Its own thread: a pop never waits behind the pages' database work.
            messages = await sync_to_async(_resolve_in_thread, thread_sensitive=False)(
                server_id, pop, when
            )
            for user_id, payload in messages:
                await layer.group_send(user_group(user_id), {"type": "desk.pop", "pop": payload})
        except Exception:
            log.exception("screen-pop delivery failed")


# --- the database side (sync) ---------------------------------------------------------------


def _resolve_in_thread(
    server_id: int, pop: pop_rules.Pop, when: float
) -> list[tuple[int, dict[str, Any]]]:
    from django.db import close_old_connections, connections

    close_old_connections()
    try:
        return resolve(server_id, pop, when)
    finally:
        connections.close_all()  # this pool thread's connection: none left open behind


def recipients(server_id: int, pop: pop_rules.Pop) -> tuple[Any, list[Any]]:
    """The phone rung and the users who receive its pop (the team rule)."""
    from switchboard.desk.models import Team
    from switchboard.pbx.models import InboundRoute, Phone

    phone = (
        Phone.objects.filter(server_id=server_id, extension=pop.extension)
        .select_related("user")
        .first()
    )
    if phone is None or phone.user is None or not phone.user.is_active:
        return phone, []
    if pop.kind in ("dial", "end"):
        return phone, [phone.user]
    teams = Team.objects.none()
    if pop.queue:
        teams = Team.objects.filter(queues__server_id=server_id, queues__name=pop.queue)
    elif pop.did and InboundRoute.objects.filter(server_id=server_id, did=pop.did).exists():
        teams = Team.objects.filter(numbers__server_id=server_id, numbers__did=pop.did)
    else:
        return phone, [phone.user]  # a direct call: for the phone's own user
    if teams.filter(members=phone.user).exists():
        return phone, [phone.user]
    return phone, []


def cards(number: str, user: Any) -> list[dict[str, Any]]:
    """The directory's cards for ``number`` as JSON (none if the directory is absent)."""
    if not number:
        return []
    try:
        from switchboard.directory.lookup import cards_for
    except ImportError:
        return []
    found = []
    for card in cards_for(number, user):
        found.append(
            {
                "kind": str(getattr(card, "kind", "")),
                "title": str(getattr(card, "title", "")),
                "subtitle": str(getattr(card, "subtitle", "") or ""),
                "numbers": [str(n) for n in (getattr(card, "numbers", None) or [])],
                "url": str(getattr(card, "url", "") or ""),
                "contact_id": getattr(card, "contact_id", None),
            }
        )
    return found


def contact_links(number: str) -> dict[str, str]:
    """Where "new contact" and "link to existing" go (the directory's pages, if any)."""
    links = {}
    with contextlib.suppress(NoReverseMatch):
        links["new_contact"] = reverse("desk:new_contact") + f"?number={number}"
    with contextlib.suppress(NoReverseMatch):
        links["link_contact"] = reverse("desk:link_number") + f"?number={number}"
    return links


def resolve(server_id: int, pop: pop_rules.Pop, when: float) -> list[tuple[int, dict[str, Any]]]:
    """Who receives ``pop``, with its JSON; keeps the operators' interactions."""
    from switchboard.desk.models import Interaction

    phone, users = recipients(server_id, pop)
    at = datetime.datetime.fromtimestamp(when, tz=datetime.UTC)
    out = []
    for user in users:
        interaction = _interaction(Interaction, server_id, pop, phone, user, at)
        if interaction is None and pop.kind in ("answer", "end"):
            continue  # a call this operator was never shown
        payload = {
            **pop.as_dict(),
            "server": server_id,
            "interaction": interaction.pk if interaction else None,
            "at": when,
        }
        if pop.kind in ("ring", "answer", "dial"):
            payload["cards"] = cards(
                pop.number or (interaction.number if interaction else ""), user
            )
            payload.update(contact_links(pop.number))
            if interaction is not None and not pop.number:
                payload["number"] = interaction.number
            if interaction is not None and not interaction.contact_id and payload["cards"]:
                first = next((c for c in payload["cards"] if c["contact_id"]), None)
                if first is not None:
                    Interaction.objects.filter(pk=interaction.pk).update(
                        contact_id=first["contact_id"], contact_label=first["title"][:200]
                    )
        out.append((user.pk, payload))
    return out


def _interaction(model: Any, server_id: int, pop: pop_rules.Pop, phone: Any, user: Any, at: Any):
    existing = model.objects.filter(server_id=server_id, uniqueid=pop.uniqueid, operator=user)
    if pop.kind in ("ring", "dial"):
        try:
            with transaction.atomic():
                return model.objects.create(
                    server_id=server_id,
                    uniqueid=pop.uniqueid,
                    linkedid=pop.linkedid,
                    channel=pop.channel,
                    number=pop.number[:80],
                    caller_name=pop.name[:80],
                    direction=model.Direction.OUTBOUND
                    if pop.kind == "dial"
                    else model.Direction.INBOUND,
                    queue=pop.queue[:80],
                    did=pop.did[:40],
                    operator=user,
                    phone=phone,
                    started=at,
                )
        except IntegrityError:
            return existing.first()
    interaction = existing.first()
    if interaction is None:
        return None
    if pop.kind == "answer" and interaction.answered is None:
        interaction.answered = at
        interaction.save(update_fields=["answered"])
    elif pop.kind == "end" and interaction.ended is None:
        interaction.ended = at
        fields = ["ended"]
        if interaction.answered is None and not interaction.outcome:
            interaction.outcome = model.Outcome.MISSED
            fields.append("outcome")
        interaction.save(update_fields=fields)
    return interaction
