"""The desk's websocket: every tab of a signed-in user receives that user's screen-pops,
and, on /desk/, the header figures and the parked calls it asks for.

Protocol (JSON, server to browser): ``{"pop": {...}}`` (see ``delivery``),
``{"figures": {...}}``, ``{"parked": [...]}``. The browser may send ``{"figures": true}``
to get the figures now (and every few seconds after while connected)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from switchboard.desk import delivery

log = logging.getLogger(__name__)

FIGURES_INTERVAL = 1.0  # seconds between looks at the worker's figures (sent on change)


class DeskConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.group = delivery.user_group(user.pk)
        self.figures_task: asyncio.Task[None] | None = None
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        task = getattr(self, "figures_task", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content.get("figures") and self.figures_task is None:
            self.figures_task = asyncio.create_task(self._figures_loop())

    async def _figures_loop(self) -> None:
        from switchboard.desk import figures

        last = last_parked = None
        try:
            for pop in await figures.current_calls(self.user):
                await self.send_json({"pop": pop})
        except Exception:  # the worker may be away: the next pops will come anyway
            log.warning("could not read the current calls of %s", self.user, exc_info=True)
        while True:
            try:
                data = await figures.live_figures(self.user)
                parked = await figures.live_parked(self.user)
            except Exception:  # the worker may be away: try again later
                data = parked = None
            if data is not None and data != last:
                await self.send_json({"figures": data})
                last = data
            if parked is not None and parked != last_parked:
                await self.send_json({"parked": parked})
                last_parked = parked
            await asyncio.sleep(FIGURES_INTERVAL)

    async def desk_pop(self, event: dict[str, Any]) -> None:
        await self.send_json({"pop": event["pop"]})
