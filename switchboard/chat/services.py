"""Chat messages: conversations, unread counts, reading, and live delivery to websockets.

A conversation is either two people's messages to each other or the messages to everyone.
A direct message is read when its recipient sees it (``read_at``); messages to everyone are
read per user up to a message id (``ChatReadState``). Every new message and every change of
a user's unread count is pushed to the channel-layer groups of the users concerned
(``chat.user.<pk>``, ``chat.everyone``), which works with the in-memory layer (one process)
and the Redis layer (several processes) alike.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from switchboard.accounts.models import User
from switchboard.chat.models import ChatMessage, ChatReadState

EVERYONE_GROUP = "chat.everyone"
PAGE_SIZE = 30
# Unread counts stop here (the badge then shows "99+"): counting a long-unread "everyone"
# conversation to the end would cost a scan on every page.
UNREAD_CAP = 100


def user_group(user_pk: int) -> str:
    return f"chat.user.{user_pk}"


def conversation(user: User, other: User | None) -> QuerySet[ChatMessage]:
    """The messages between ``user`` and ``other`` (``None``: the messages to everyone)."""
    messages = ChatMessage.objects.select_related("sender", "recipient")
    if other is None:
        return messages.filter(recipient__isnull=True)
    return messages.filter(Q(sender=user, recipient=other) | Q(sender=other, recipient=user))


def everyone_read_up_to(user: User) -> int:
    state = ChatReadState.objects.filter(user=user).first()
    return state.everyone_read_up_to if state else 0


def unread_direct(user: User) -> QuerySet[ChatMessage]:
    return ChatMessage.objects.filter(recipient=user, read_at__isnull=True)


def unread_everyone(user: User) -> QuerySet[ChatMessage]:
    return ChatMessage.objects.filter(
        recipient__isnull=True, pk__gt=everyone_read_up_to(user)
    ).exclude(sender=user)


def capped(messages: QuerySet[ChatMessage]) -> int:
    """How many, counted up to ``UNREAD_CAP``."""
    return messages.order_by().values("pk")[:UNREAD_CAP].count()


def unread_count(user: User) -> int:
    """The header badge's number, at most ``UNREAD_CAP``."""
    return min(capped(unread_direct(user)) + capped(unread_everyone(user)), UNREAD_CAP)


def unread_by_sender(user: User) -> dict[int, int]:
    rows = unread_direct(user).order_by().values("sender_id").annotate(count=Count("pk"))
    return {row["sender_id"]: row["count"] for row in rows}


@transaction.atomic
def mark_read(user: User, other: User | None, up_to: int | None = None) -> int:
    """Mark the conversation with ``other`` read (up to message ``up_to``); 0 if nothing
    changed (for everyone: 1 when something did, for a person: how many)."""
    if other is None:
        newest = unread_everyone(user).order_by("-pk").values_list("pk", flat=True).first()
        if newest is None:
            return 0
        target = newest if up_to is None else min(up_to, newest)
        state, _created = ChatReadState.objects.select_for_update().get_or_create(user=user)
        if target <= state.everyone_read_up_to:
            return 0
        state.everyone_read_up_to = target
        state.save(update_fields=["everyone_read_up_to"])
        return 1
    unread = unread_direct(user).filter(sender=other)
    if up_to is not None:
        unread = unread.filter(pk__lte=up_to)
    return unread.update(read_at=timezone.now())


def as_json(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "sender": message.sender_id,
        "sender_name": message.sender.get_full_name() or message.sender.get_username(),
        "recipient": message.recipient_id,
        "text": message.text,
        "sent_at": message.sent_at.isoformat(),
    }


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def send(sender: User, recipient: User | None, text: str) -> ChatMessage:
    """Store a message and push it to the recipient(s) and the sender's other tabs."""
    message = ChatMessage.objects.create(sender=sender, recipient=recipient, text=text)
    event = {"type": "chat.message", "message": as_json(message)}
    if recipient is None:
        transaction.on_commit(lambda: _send(EVERYONE_GROUP, event))
    else:
        transaction.on_commit(lambda: _send(user_group(recipient.pk), event))
        transaction.on_commit(lambda: _send(user_group(sender.pk), event))
    return message


def push_unread(user: User) -> None:
    """Tell the user's open tabs their new unread count (after reading in one of them)."""
    _send(user_group(user.pk), {"type": "chat.unread", "unread": unread_count(user)})
