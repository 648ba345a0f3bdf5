"""The live pages' websocket: a browser says which views it watches and gets every change.

Protocol (JSON): the browser sends ``{"watch": [{"server": 1, "view": "queues"}, ...]}``;
the consumer answers each allowed view with its current content, then forwards every update
the worker publishes. Views a user may not see are refused one by one (``{"refused": ...}``);
queue views are cut down to the queues the user supervises.
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from switchboard.telephony import access, bus

VIEWS = ("queues", "calls", "presence", "status")
MAX_WATCHED = 20


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One browser tab of a live page."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.queue_scope = await database_sync_to_async(access.supervised_queues)(user)
        self.sees_calls = await database_sync_to_async(access.may_see_live_calls)(user)
        self.groups_joined: set[str] = set()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", set()):
            await self.channel_layer.group_discard(group, self.channel_name)

    def allowed(self, view: str) -> bool:
        if view == "queues":
            return bool(self.queue_scope)
        if view in ("calls", "presence"):
            return self.sees_calls
        return view == "status" and (bool(self.queue_scope) or self.sees_calls)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        for item in list(content.get("watch", []))[:MAX_WATCHED]:
            view, server = str(item.get("view", "")), int(item.get("server", 0))
            if view not in VIEWS or not self.allowed(view):
                await self.send_json({"refused": {"server": server, "view": view}})
                continue
            group = bus.view_group(server, view)
            if group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.add(group)
            try:
                answer = await bus.request("snapshot", server=server, view=view)
            except bus.WorkerUnavailable:
                answer = {"ok": False, "error": "worker unavailable"}
            if answer.get("ok"):
                await self.send_view(server, view, answer["data"])
            else:
                await self.send_json({"server": server, "view": view, "error": answer["error"]})

    async def live_view(self, event: dict[str, Any]) -> None:
        """A view changed (sent by the worker to the view's group, as JSON text)."""
        server, view, text = int(event["server"]), event["view"], event["json"]
        if view == "queues" and self.queue_scope != access.ALL:
            await self.send_view(server, view, json.loads(text))  # cut to the user's queues
        elif view in VIEWS:
            await self.send(text_data=f'{{"server":{server},"view":"{view}","data":{text}}}')

    async def send_view(self, server: int, view: str, data: dict[str, Any]) -> None:
        if view == "queues" and self.queue_scope != access.ALL:
            data = {
                **data,
                "queues": [
                    q
                    for q in data.get("queues", [])
                    if access.may_supervise(None, q["name"], self.queue_scope)
                ],
            }
        await self.send_json({"server": server, "view": view, "data": data})
