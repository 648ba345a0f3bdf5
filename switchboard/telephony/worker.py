"""The telephony worker: holds one link per PBX (AMI client + live model) and serves the web.

In the default single-process run it lives in the portal's event loop (see ``lifespan``); for
larger sites ``manage.py telephony_worker`` runs it as its own process, with the Redis channel
layer so that every web process sees the same views. Either way the web side talks to it only
through ``bus``: published views and request/reply messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from switchboard.desk.delivery import observe as desk_observe
from switchboard.telephony import bus
from switchboard.telephony.ami.client import AmiClient
from switchboard.telephony.ami.errors import AmiActionError, AmiError, AmiTimeout
from switchboard.telephony.ami.protocol import Message
from switchboard.telephony.live import views as live_views
from switchboard.telephony.live.model import PbxModel
from switchboard.telephony.models import PbxServer
from switchboard.telephony.services import sync_configured_servers

log = logging.getLogger(__name__)

COALESCE_DELAY = 0.01  # seconds: the changes of a burst of events go out as one update per view
DROP_CHECK_INTERVAL = 1.0  # seconds between checks for events lost by a slow consumer
SERVER_POLL_INTERVAL = 5.0  # seconds between re-reads of the PBX server list
COLLECT_INTERVAL = 2.0  # seconds between passes of the call-record collector
BOOT_TIMEOUT = 60.0  # seconds to wait for a starting PBX to load its modules


@dataclass(frozen=True)
class LinkSettings:
    """The connection settings of a link; a change of any of them restarts the link."""

    host: str
    ami_port: int
    ami_user: str
    ami_secret: str

    @classmethod
    def of(cls, server: PbxServer) -> LinkSettings:
        return cls(server.host, server.ami_port, server.ami_user, server.ami_secret)


@dataclass
class PbxLink:
    """One PBX: its AMI client, its live model, and the views waiting to be published."""

    server_id: int
    name: str
    settings: LinkSettings
    client: AmiClient
    model: PbxModel = field(default_factory=PbxModel)
    dirty: set[tuple[str, str]] = field(default_factory=set)
    rebuilding: bool = False
    backlog: list[Message] = field(default_factory=list)
    state: str = "disconnected"
    drops_seen: int = 0
    # Set when views wait to be published (the worker's publisher waits on it).
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def mark(self, views: set[tuple[str, str]] | tuple[tuple[str, str], ...]) -> None:
        if views:
            self.dirty.update(views)
            self.wakeup.set()

    def on_event(self, message: Message) -> None:
        if self.rebuilding:
            self.backlog.append(message)  # applied once the rebuild is done, in order
            return
        self.mark(self.model.apply(message, time.time()))
        desk_observe(self, message)  # the operator desk's screen-pops (switchboard.desk)
        if self.model.stale:
            # A module reloaded its configuration (e.g. queues): only list actions tell how.
            self.model.stale = False
            self.request_rebuild()

    def request_rebuild(self) -> None:
        if not self.rebuilding and self.client.state == "connected":
            task = asyncio.get_running_loop().create_task(self.rebuild())
            task.add_done_callback(_log_failure)

    async def wait_fully_booted(self) -> None:
        """A PBX that is starting accepts AMI logins before its modules (queues...) have
        loaded: listing then would give an empty model. ``core waitfullybooted`` returns once
        it is ready (at once if it is). An AMI user without the ``command`` right cannot ask:
        then the lists are read at once."""
        try:
            await self.client.command("core waitfullybooted", timeout=BOOT_TIMEOUT)
        except (AmiActionError, AmiTimeout) as error:
            log.info("%s: could not wait for the PBX to boot (%s)", self.name, error)

    async def rebuild(self) -> None:
        """Read the whole state again with list actions (after every (re)connect)."""
        self.rebuilding = True
        self.backlog = []
        try:
            await self.wait_fully_booted()
            model = PbxModel()
            for action in model.LIST_ACTIONS:
                try:
                    _response, events = await self.client.list_action(action)
                except AmiActionError:
                    # Asterisk answers some list actions with an error when it has nothing to
                    # list (or the module is not loaded): that is an empty list.
                    events = []
                model.load(action, events, time.time())
            # The day's call counts come from events only: they outlive a rebuild.
            model.state.calls_today = self.model.state.calls_today
            for message in self.backlog:
                model.apply(message, time.time())
            self.model = model
        finally:
            self.rebuilding = False
            self.backlog = []
        self.mark(live_views.all_views(self.model))


class TelephonyWorker:
    """Keeps a link to every enabled PBX and answers the web's requests."""

    def __init__(self, client_factory: Callable[..., AmiClient] = AmiClient) -> None:
        self.client_factory = client_factory
        self.links: dict[int, PbxLink] = {}
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await sync_to_async(sync_configured_servers)(settings.SWITCHBOARD_ASTERISK_SERVERS)
        await self.refresh_links()
        jobs = (
            self._serve_requests,
            self._publish_loop,
            self._watch_servers,
            self._collect_records,
            self._rate_new_calls,
            self._collect_callbacks,
        )
        for job in jobs:
            self.tasks.append(asyncio.create_task(job(), name=f"telephony-{job.__name__}"))
        log.info("telephony worker started with %d PBX link(s)", len(self.links))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        for link in list(self.links.values()):
            await self._drop(link)

    # --- links -------------------------------------------------------------------------

    async def refresh_links(self) -> None:
        """Start links for new or changed servers, stop those for removed or disabled ones."""
        servers = await sync_to_async(list)(PbxServer.objects.filter(enabled=True))
        wanted = {server.pk: server for server in servers}
        for server_id, link in list(self.links.items()):
            server = wanted.get(server_id)
            if server is None or LinkSettings.of(server) != link.settings:
                await self._drop(link)
        for server in servers:
            if server.pk not in self.links:
                await self._open(server)

    async def _open(self, server: PbxServer) -> None:
        client = self.client_factory(
            server.host, server.ami_port, server.ami_user, server.ami_secret, name=server.name
        )
        link = PbxLink(server.pk, server.name, LinkSettings.of(server), client)
        self.links[server.pk] = link
        client.subscribe(link.on_event)
        client.on_state(lambda state, error, link=link: self._state_changed(link, state, error))
        await client.start()

    async def _drop(self, link: PbxLink) -> None:
        self.links.pop(link.server_id, None)
        await link.client.close()

    async def _state_changed(self, link: PbxLink, state: str, error: object) -> None:
        link.state = state
        version = link.client.asterisk_version or ""
        await sync_to_async(_save_state)(link.server_id, state, str(error or ""), version)
        await bus.publish(link.server_id, "status", "", self.status(link))
        if state == "connected":
            try:
                await link.rebuild()
            except AmiError as failure:
                log.warning("rebuild of %s failed: %s", link.name, failure)
        else:
            link.mark(live_views.all_views(link.model))

    def status(self, link: PbxLink) -> dict[str, Any]:
        return {
            "name": link.name,
            "state": link.state,
            "error": str(link.client.last_error or ""),
            "since": link.client.state_since,
        }

    async def _watch_servers(self) -> None:
        while True:
            await asyncio.sleep(SERVER_POLL_INTERVAL)
            try:
                await self.refresh_links()
            except Exception:
                log.exception("could not re-read the PBX servers")

    async def _collect_records(self) -> None:
        """Collect CDRs and queue_log of PBXs with a log directory (SPEC R1), in a thread."""
        from switchboard.records.collector import collect_all

        while True:
            await asyncio.sleep(COLLECT_INTERVAL)
            try:
                await sync_to_async(collect_all, thread_sensitive=False)()
            except Exception:
                log.exception("collection of call records failed")

    async def _rate_new_calls(self) -> None:
        """Rate the calls the collector queued (SPEC R2), in its own thread and loop: the
        collection never waits for the rating."""
        from django.apps import apps

        if not apps.is_installed("switchboard.billing"):
            return
        from switchboard.billing.services import rate_new_calls_safely

        while True:
            await asyncio.sleep(COLLECT_INTERVAL)
            await sync_to_async(rate_new_calls_safely, thread_sensitive=False)()

    async def _collect_callbacks(self) -> None:
        """Turn the IVR's callback requests (AstDB keys) into rows (SPEC C5), every 2 s."""
        from switchboard.callbacks.collector import collect

        while True:
            await asyncio.sleep(COLLECT_INTERVAL)
            for link in list(self.links.values()):
                if link.client.state != "connected":
                    continue
                try:
                    await collect(link.server_id, link.client)
                except Exception:
                    log.exception("collection of callback requests from %s failed", link.name)

    # --- publishing -------------------------------------------------------------------

    async def _publish_loop(self) -> None:
        """Publish changed views soon after a change: at most ``COALESCE_DELAY`` later."""
        while True:
            links = list(self.links.values())
            waits = [asyncio.ensure_future(link.wakeup.wait()) for link in links]
            if waits:
                await asyncio.wait(waits, timeout=DROP_CHECK_INTERVAL)
                for wait in waits:
                    wait.cancel()
                await asyncio.sleep(COALESCE_DELAY)
            else:
                await asyncio.sleep(DROP_CHECK_INTERVAL)
            for link in links:
                link.wakeup.clear()
                if link.client.dropped_events != link.drops_seen:
                    # Events were lost (a consumer too slow): the model may be wrong.
                    link.drops_seen = link.client.dropped_events
                    link.request_rebuild()
                if not link.dirty or link.rebuilding:
                    continue
                dirty, link.dirty = link.dirty, set()
                for view, key in sorted(dirty):
                    data = self.view(link, view, key)
                    await bus.publish(link.server_id, view, key, data)

    def view(self, link: PbxLink, view: str, key: str) -> dict[str, Any]:
        if view == "status":  # the connection itself, as _state_changed publishes it
            return self.status(link)
        data = live_views.render(link.model, view, key, time.time())
        data["connection"] = self.status(link)
        return data

    # --- requests -----------------------------------------------------------------------

    async def _serve_requests(self) -> None:
        layer = get_channel_layer()
        while True:
            message = await layer.receive(bus.WORKER_CHANNEL)
            asyncio.create_task(self._answer(message))  # noqa: RUF006  (answers are independent)

    async def _answer(self, message: dict[str, Any]) -> None:
        try:
            answer = await self.handle(message)
        except Exception as error:
            log.exception("request %s failed", message.get("kind"))
            answer = {"ok": False, "error": str(error)}
        await bus.reply(message["reply_to"], answer)

    async def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        kind = message["kind"]
        if kind == "servers":
            return {"ok": True, "servers": [self.status(link) for link in self.links.values()]}
        link = self.links.get(int(message.get("server", 0)))
        if link is None:
            return {"ok": False, "error": "unknown or disabled PBX"}
        if kind == "snapshot":
            return {"ok": True, "data": self.view(link, message["view"], message.get("key", ""))}
        if kind == "desk":  # the operator desk's call control (switchboard.desk)
            from switchboard.desk.control import handle as desk_handle

            return await desk_handle(link, message)
        if kind == "action":
            from switchboard.telephony.actions import perform

            params = message.get("params", {})
            queue, channel = params.get("queue"), params.get("channel")
            if queue and channel and not channel_in_queue(link.model, queue, channel):
                # A queue's supervisor acts on the calls of that queue's agents only.
                return {"ok": False, "code": "not_in_queue", "error": "not a call of the queue"}
            await perform(link.client, message["action"], params)
            return {"ok": True}
        return {"ok": False, "error": f"unknown request {kind}"}


def channel_in_queue(model: PbxModel, queue: str, channel: str) -> bool:
    """Is ``channel`` the current call of one of ``queue``'s agents?"""
    view = live_views.queue_view(model.state, queue)
    return view is not None and any(agent.channel == channel for agent in view.agents)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("live model rebuild failed: %s", task.exception())


def _save_state(server_id: int, state: str, error: str, version: str) -> None:
    fields: dict[str, Any] = {"state": state, "state_since": timezone.now()}
    if error:
        fields["last_error"] = error[:500]
    if version:
        fields["version"] = version[:100]
    PbxServer.objects.filter(pk=server_id).update(**fields)
