"""Websocket consumers of the core app."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Answers "ping" with "pong" for signed-in users: proves websockets work end to end."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()

    async def receive_json(self, content: dict, **kwargs: object) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "user": self.scope["user"].get_username()})
