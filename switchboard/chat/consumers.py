"""The chat's websocket: new messages and the unread count, pushed to every open tab.

Server -> browser (JSON): ``{"message": {...}, "unread": n}`` for a new message the user
sends or receives, ``{"unread": n}`` when the count changes elsewhere. Browser -> server:
``{"read": "everyone" | <user id>, "up_to": <message id>}`` when a conversation's page shows
a message that arrived live, which marks it read.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from switchboard.accounts.models import User
from switchboard.chat import services


def _read(user: User, which: Any, up_to: Any) -> int:
    if not isinstance(up_to, int) or isinstance(up_to, bool):
        return 0
    if which == "everyone":
        return services.mark_read(user, None, up_to)
    if isinstance(which, int) and not isinstance(which, bool):
        other = User.objects.filter(pk=which).first()
        return services.mark_read(user, other, up_to) if other else 0
    return 0


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.groups_joined = [services.user_group(user.pk), services.EVERYONE_GROUP]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"unread": await self._unread()})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _unread(self) -> int:
        return await database_sync_to_async(services.unread_count)(self.user)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or "read" not in content:
            return
        changed = await database_sync_to_async(_read)(
            self.user, content.get("read"), content.get("up_to")
        )
        if changed:
            await database_sync_to_async(services.push_unread)(self.user)

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"message": event["message"], "unread": await self._unread()})

    async def chat_unread(self, event: dict[str, Any]) -> None:
        await self.send_json({"unread": event["unread"]})
