"""The colleagues list's websocket: every phone's state, pushed from the live model.

It watches the ``presence`` view of every enabled PBX (published by the telephony worker) and
sends each change on. Who a phone talks with (and its channel, address) stays with
supervisors and administrators: for everyone else those fields are removed here.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from switchboard.telephony import bus

PRIVATE_FIELDS = ("with", "channel", "address")


def reduce(data: dict[str, Any], sees_peers: bool) -> dict[str, Any]:
    """The presence view as this user may see it."""
    if sees_peers:
        return data
    devices = [
        {key: value for key, value in device.items() if key not in PRIVATE_FIELDS}
        for device in data.get("devices", [])
    ]
    return {**data, "devices": devices}


@functools.lru_cache(maxsize=16)
def reduced_text(text: str) -> str:
    """The JSON of a published presence view, reduced once per process and update: every
    non-supervisor tab gets the same text, so it is computed once, not once per tab."""
    return json.dumps(reduce(json.loads(text), False), separators=(",", ":"))


class ColleaguesConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        from switchboard.agents.views import sees_peers
        from switchboard.telephony.models import PbxServer

        self.sees_peers = await database_sync_to_async(sees_peers)(user)
        self.servers = await database_sync_to_async(
            lambda: list(PbxServer.objects.filter(enabled=True).values_list("pk", flat=True))
        )()
        self.groups_joined: list[str] = []
        await self.accept()
        for server in self.servers:
            group = bus.view_group(server, "presence")
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        for server in self.servers:
            try:
                answer = await bus.request("snapshot", server=server, view="presence")
            except bus.WorkerUnavailable:
                answer = {"ok": False, "error": "worker unavailable"}
            if answer.get("ok"):
                await self.send_presence(server, answer["data"])
            else:
                await self.send_json({"server": server, "error": answer.get("error", "")})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def send_presence(self, server: int, data: dict[str, Any]) -> None:
        await self.send_json(
            {"server": server, "view": "presence", "data": reduce(data, self.sees_peers)}
        )

    async def live_view(self, event: dict[str, Any]) -> None:
        if event.get("view") != "presence":
            return
        server, text = int(event["server"]), event["json"]
        data = text if self.sees_peers else reduced_text(text)
        await self.send(text_data=f'{{"server":{server},"view":"presence","data":{data}}}')
