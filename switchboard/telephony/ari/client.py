"""An asyncio client of the Asterisk REST Interface: REST calls and the events websocket.

REST calls go through one pooled :class:`httpx.AsyncClient` (HTTP basic auth); errors become
:class:`~switchboard.telephony.ari.errors.AriError` subclasses carrying Asterisk's message.
Events come from ``/ari/events?app=APP`` over a websocket that the client keeps open: it
reconnects by itself with exponential back-off, and because Asterisk never replays the
events missed while disconnected, it calls the owner's ``on_resync`` callbacks after every
(re)connection so the owner re-reads the state it needs (``channels()``, ``bridges()``...).

Typical use by the telephony worker::

    ari = AriClient("http://pbx:8088/ari", "switchboard", secret, "switchboard", name="hq")
    ari.subscribe(live_model.apply_event)          # sync or async, called in event order
    ari.on_resync(live_model.reload_from_ari)      # after every (re)connection
    ari.on_state(lambda status: print(status.state, status.error))
    await ari.start()
    ...
    await ari.close()

Proxies from the environment (``HTTP_PROXY``...) are ignored on purpose: a PBX sits on the
LAN, and a proxy between the portal and it would only break the websocket.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import inspect
import json
import logging
import random
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from switchboard.telephony.ari.errors import (
    AriAppReplaced,
    AriAuthError,
    AriConnectionError,
    AriError,
    AriHttpError,
    AriNotFound,
    error_for_status,
)
from switchboard.telephony.ari.models import (
    AriEvent,
    AsteriskInfo,
    Bridge,
    Channel,
    ConnectionStateName,
    Endpoint,
    LiveRecording,
    Playback,
)

__all__ = [
    "AriClient",
    "ConnectionState",
    "ConnectionStatus",
    "EventCallback",
    "ResyncCallback",
    "StateCallback",
    "check_login",
]

logger = logging.getLogger(__name__)

EventCallback = Callable[[AriEvent], Awaitable[None] | None]
"""Receives every event (a dict); may be a plain function or a coroutine function."""
StateCallback = Callable[["ConnectionStatus"], Awaitable[None] | None]
"""Receives the new :class:`ConnectionStatus` of the events websocket."""
ResyncCallback = Callable[[], Awaitable[None] | None]
"""Called with no argument after every (re)connection of the events websocket."""

QueryValue = str | int | float | bool | Sequence[str] | None

# A connection that stayed up this long was healthy: the next failure starts the back-off
# over. A shorter one (Asterisk accepts then drops us at once) keeps increasing the delay.
STABLE_CONNECTION_S = 10.0
# Events that arrive while the on_resync callbacks run wait in the websocket's buffer; keep
# it large enough that a slow resync does not stall the socket (and its ping/pong).
WS_MAX_QUEUE = 4096
WS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
# Asterisk answers websocket pings: a PBX that vanished without closing the TCP connection
# (power cut, network split) is noticed within interval + timeout seconds.
WS_PING_INTERVAL_S = 15.0
WS_PING_TIMEOUT_S = 10.0


class ConnectionState(enum.StrEnum):
    """State of the events websocket."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    """What ``on_state`` callbacks receive.

    ``error`` is why the last connection attempt failed or the connection was lost (None
    when connected or closed on purpose); ``retry_in`` is the delay before the next attempt
    when disconnected and reconnecting, None otherwise; ``since`` is the ``time.time()``
    at which this state was entered.
    """

    state: ConnectionState
    error: str | None = None
    retry_in: float | None = None
    since: float = 0.0

    @property
    def name(self) -> ConnectionStateName:
        """The state as a plain string (``"connected"``...), handy in templates and JSON."""
        return self.state.value


class AriClient:
    """A connection to one Asterisk's ARI: REST calls plus the events of one Stasis app.

    ``base_url`` is ARI's root, e.g. ``http://127.0.0.1:8088/ari`` (``https`` for TLS);
    ``username``/``password`` an ``ari.conf`` user; ``app`` the Stasis application whose
    events the websocket receives (calls reach it with ``Stasis(app)`` in the dialplan, and
    only while the websocket is connected). ``name`` labels log lines (e.g. the PBX name).
    ``timeout`` bounds every REST call and the websocket handshake, in seconds.
    With ``reconnect`` the websocket is reopened after any failure, waiting
    ``backoff_initial`` seconds at first, doubling up to ``backoff_max``.
    ``verify`` is httpx's TLS verification: True, False, or an :class:`ssl.SSLContext`.

    REST calls work without :meth:`start`; :meth:`start` opens the events websocket.
    :meth:`close` (or leaving ``async with``) ends both and leaves no task behind.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        app: str,
        *,
        name: str = "",
        timeout: float = 5.0,
        reconnect: bool = True,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"ARI URL must be http(s)://host:port/ari, not {base_url!r}")
        if backoff_initial <= 0 or backoff_max < backoff_initial:
            raise ValueError("need 0 < backoff_initial <= backoff_max")
        self.base_url = urlunsplit(parts._replace(path=parts.path.rstrip("/"), query=""))
        self.username = username
        self.app = app
        self.name = name
        self.timeout = timeout
        self.reconnect = reconnect
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self._password = password
        self._verify = verify
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            auth=httpx.BasicAuth(username, password),
            timeout=timeout,
            verify=verify,
            trust_env=False,
            headers={"Accept": "application/json"},
        )
        self._subscribers: list[tuple[EventCallback, frozenset[str] | None]] = []
        self._state_callbacks: list[StateCallback] = []
        self._resync_callbacks: list[ResyncCallback] = []
        self._status = ConnectionStatus(ConnectionState.DISCONNECTED, since=time.time())
        self._task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None
        self._closing = False
        self._closed = False
        self._ready = asyncio.Event()  # connected and resynced
        self._first_attempt_done = asyncio.Event()
        self._first_error: AriError | None = None
        self._connected_at: float | None = None  # monotonic time the websocket opened

    def __repr__(self) -> str:
        return f"<AriClient {self._label} app={self.app!r} {self._status.state.value}>"

    @property
    def _label(self) -> str:
        return self.name or self.base_url

    # ----------------------------------------------------------------------------------------
    # Context manager and life cycle
    # ----------------------------------------------------------------------------------------

    async def __aenter__(self) -> AriClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def status(self) -> ConnectionStatus:
        """The current state of the events websocket, with the last error."""
        return self._status

    @property
    def state(self) -> ConnectionState:
        """Shortcut for ``status.state``."""
        return self._status.state

    @property
    def connected(self) -> bool:
        """True while the events websocket is open and the last resync has run."""
        return self._status.state is ConnectionState.CONNECTED

    @property
    def last_error(self) -> str | None:
        """Why the websocket is (or last was) not connected; None if all went well."""
        return self._status.error

    async def start(self) -> None:
        """Open the events websocket and return once the first attempt has been decided.

        On success the ``on_resync`` callbacks have run and the state is ``connected``.
        If the first attempt fails, with ``reconnect`` the client keeps trying in the
        background (watch :attr:`status` or ``on_state``) and this returns normally; without
        ``reconnect`` the error is raised (:class:`AriAuthError`, :class:`AriConnectionError`).
        Calling it again while running does nothing.
        """
        if not self.app:
            raise ValueError("an ARI app name is needed to receive events")
        if self._closed:
            raise RuntimeError("this AriClient is closed")
        if self._task is not None and not self._task.done():
            return
        self._closing = False
        self._first_error = None
        self._first_attempt_done = asyncio.Event()
        self._task = asyncio.create_task(
            self._run_events(), name=f"ari-events:{self._label}:{self.app}"
        )
        await self._first_attempt_done.wait()
        if not self.reconnect and self._first_error is not None:
            raise self._first_error

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until the websocket is connected and resynced (TimeoutError after ``timeout``)."""
        async with asyncio.timeout(timeout):
            await self._ready.wait()

    async def close(self) -> None:
        """Close the websocket and the HTTP pool; no task of this client survives it.

        Safe to call twice, and from inside an event, state or resync callback (then the
        events loop ends as soon as that callback returns).
        """
        if self._closed:
            return
        self._closed = True
        self._closing = True
        task = self._task
        if task is not None and task is asyncio.current_task():
            # Called from one of our callbacks: the loop sees _closing and stops by itself.
            if self._ws is not None:
                await self._ws.close()
            await self._http.aclose()
            return
        if task is not None and not task.done():
            task.cancel()
            # wait() does not re-raise the task's CancelledError, but a cancellation of
            # close() itself still propagates.
            await asyncio.wait({task})
        self._task = None
        await self._http.aclose()
        if self._status.state is not ConnectionState.DISCONNECTED or self._status.error:
            await self._set_status(ConnectionState.DISCONNECTED)

    # ----------------------------------------------------------------------------------------
    # Callbacks
    # ----------------------------------------------------------------------------------------

    def subscribe(
        self, callback: EventCallback, types: Iterable[str] | None = None
    ) -> Callable[[], None]:
        """Deliver events to ``callback`` (only those whose ``type`` is in ``types``, if given).

        Events are the JSON objects Asterisk sends (see
        :class:`~switchboard.telephony.ari.models.AriEvent`), ``ApplicationReplaced``
        included: after it the client stops (see :class:`AriAppReplaced`).

        Callbacks run one after the other in subscription order, each event fully delivered
        before the next, so every subscriber sees events in Asterisk's order. An exception in
        one callback is logged and does not stop the others. A slow callback delays later
        events: hand long work to a task. Returns a function that unsubscribes.
        """
        if isinstance(types, str):  # subscribe(cb, "StasisStart") means that one type
            types = (types,)
        entry = (callback, frozenset(types) if types is not None else None)
        self._subscribers.append(entry)
        return lambda: _remove(self._subscribers, entry)

    def on_state(self, callback: StateCallback) -> Callable[[], None]:
        """Call ``callback(status)`` on every change of the websocket's state.

        Returns a function that unregisters it.
        """
        self._state_callbacks.append(callback)
        return lambda: _remove(self._state_callbacks, callback)

    def on_resync(self, callback: ResyncCallback) -> Callable[[], None]:
        """Call ``callback()`` after every (re)connection, before any event of that connection.

        Asterisk does not replay the events missed while disconnected, so this is where the
        owner re-reads the state it keeps (e.g. ``await ari.channels()``). Events that arrive
        meanwhile are delivered right after, so an event may repeat what the re-read showed:
        applying events must be idempotent. If the callback raises an :class:`AriError`, the
        connection is dropped and retried (with back-off); other exceptions are logged.
        Returns a function that unregisters it.
        """
        self._resync_callbacks.append(callback)
        return lambda: _remove(self._resync_callbacks, callback)

    # ----------------------------------------------------------------------------------------
    # REST: generic calls
    # ----------------------------------------------------------------------------------------

    async def get(self, path: str, **params: QueryValue) -> Any:
        """``GET path`` (relative to the ARI root, e.g. ``/channels``); the parsed JSON."""
        return await self.request("GET", path, params=params)

    async def post(
        self, path: str, *, body: Mapping[str, Any] | None = None, **params: QueryValue
    ) -> Any:
        """``POST path`` with query ``params`` and an optional JSON ``body``; the parsed JSON.

        Parameters use ARI's own names (``appArgs``, ``callerId``...); None values are left
        out, booleans become ``true``/``false``, sequences are joined with commas.
        """
        return await self.request("POST", path, params=params, body=body)

    async def put(
        self, path: str, *, body: Mapping[str, Any] | None = None, **params: QueryValue
    ) -> Any:
        """``PUT path`` (device states, mailboxes, dynamic config); the parsed JSON."""
        return await self.request("PUT", path, params=params, body=body)

    async def delete(self, path: str, **params: QueryValue) -> Any:
        """``DELETE path``; the parsed JSON (None for ARI's usual 204 No Content)."""
        return await self.request("DELETE", path, params=params)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send one REST request; return its JSON (None when empty, bytes when not JSON).

        Raises :class:`AriConnectionError` when Asterisk cannot be reached or does not answer
        within ``timeout``, and an :class:`AriHttpError` subclass for an error status.
        """
        if self._closed:
            raise RuntimeError("this AriClient is closed")
        relative = "/" + path.lstrip("/")
        try:
            response = await self._http.request(
                method,
                relative.lstrip("/"),
                params=_query_params(params or {}),
                json=dict(body) if body is not None else None,
            )
        except httpx.TimeoutException as exc:
            raise AriConnectionError(
                f"ARI at {self.base_url} did not answer within {self.timeout:g} s",
                method=method,
                path=relative,
            ) from exc
        except httpx.TransportError as exc:
            raise AriConnectionError(
                f"cannot reach ARI at {self.base_url}: {_describe(exc)}",
                method=method,
                path=relative,
            ) from exc
        return _parse_response(response, method, relative)

    # ----------------------------------------------------------------------------------------
    # REST: what the product uses
    # ----------------------------------------------------------------------------------------

    async def asterisk_info(self) -> AsteriskInfo:
        """``GET /asterisk/info``: build, system (``system.version``), config and status."""
        return cast(AsteriskInfo, await self.get("/asterisk/info"))

    async def channels(self) -> list[Channel]:
        """Every channel of the PBX (not only those in our Stasis app)."""
        return cast(list[Channel], await self.get("/channels"))

    async def channel(self, channel_id: str) -> Channel:
        """One channel by its id (:class:`AriNotFound` if it is gone)."""
        return cast(Channel, await self.get(f"/channels/{_seg(channel_id)}"))

    async def bridges(self) -> list[Bridge]:
        """Every bridge of the PBX."""
        return cast(list[Bridge], await self.get("/bridges"))

    async def endpoints(self) -> list[Endpoint]:
        """Every endpoint (``PJSIP/agent1``...) with its state and channel ids."""
        return cast(list[Endpoint], await self.get("/endpoints"))

    async def originate(
        self,
        endpoint: str,
        *,
        extension: str | None = None,
        context: str | None = None,
        priority: int = 1,
        app: str | None = None,
        app_args: str | Sequence[str] | None = None,
        caller_id: str | None = None,
        timeout: int = 30,
        variables: Mapping[str, str] | None = None,
        channel_id: str | None = None,
        other_channel_id: str | None = None,
        originator: str | None = None,
        formats: str | None = None,
    ) -> Channel:
        """Call ``endpoint`` (e.g. ``PJSIP/agent1``); return the new channel at once.

        When it answers, the channel goes to ``extension``@``context`` (priority
        ``priority``) if an extension is given, else into Stasis ``app`` with ``app_args``
        (``app`` defaults to this client's app). ``caller_id`` is ``"Name" <number>`` or a
        number; ``timeout`` is the ring time in seconds; ``variables`` are channel variables
        set on creation (``CALLERID(name)`` and other functions work too).
        """
        params: dict[str, QueryValue] = {
            "endpoint": endpoint,
            "callerId": caller_id,
            "timeout": timeout,
            "channelId": channel_id,
            "otherChannelId": other_channel_id,
            "originator": originator,
            "formats": formats,
        }
        if extension is not None:
            if app is not None:
                raise ValueError("originate to an extension or to an app, not both")
            params.update(extension=extension, context=context, priority=priority)
        else:
            params.update(app=app or self.app, appArgs=_join(app_args))
            if not params["app"]:
                raise ValueError("originate needs an extension or an app")
        body = {"variables": dict(variables)} if variables else None
        return cast(Channel, await self.post("/channels", body=body, **params))

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        """Hang a channel up; ``reason`` is ARI's (normal, busy, congestion, no_answer...)."""
        await self.delete(f"/channels/{_seg(channel_id)}", reason=reason)

    async def answer(self, channel_id: str) -> None:
        """Answer a channel that is in our Stasis app (:class:`AriConflict` otherwise)."""
        await self.post(f"/channels/{_seg(channel_id)}/answer")

    async def play(
        self,
        channel_id: str,
        media: str | Sequence[str],
        *,
        lang: str | None = None,
        playback_id: str | None = None,
    ) -> Playback:
        """Play ``media`` (``sound:beep``, ``tone:ring``, ``recording:NAME``...) to a channel.

        Several media play one after the other. Returns the playback at once; the
        ``PlaybackStarted``/``PlaybackFinished`` events tell the rest.
        """
        return cast(
            Playback,
            await self.post(
                f"/channels/{_seg(channel_id)}/play",
                media=_join(media),
                lang=lang,
                playbackId=playback_id,
            ),
        )

    async def stop_playback(self, playback_id: str) -> None:
        """Stop a playback (its ``PlaybackFinished`` follows)."""
        await self.delete(f"/playbacks/{_seg(playback_id)}")

    async def create_bridge(
        self, type: str = "mixing", *, name: str | None = None, bridge_id: str | None = None
    ) -> Bridge:
        """Create a bridge; ``type`` is ARI's comma list (mixing, holding, dtmf_events...)."""
        return cast(Bridge, await self.post("/bridges", type=type, name=name, bridgeId=bridge_id))

    async def destroy_bridge(self, bridge_id: str) -> None:
        """Destroy a bridge (its channels stay, out of it)."""
        await self.delete(f"/bridges/{_seg(bridge_id)}")

    async def add_to_bridge(
        self,
        bridge_id: str,
        channel_id: str | Sequence[str],
        *,
        role: str | None = None,
        mute: bool | None = None,
    ) -> None:
        """Put channel(s) of our Stasis app into a bridge."""
        await self.post(
            f"/bridges/{_seg(bridge_id)}/addChannel",
            channel=_join(channel_id),
            role=role,
            mute=mute,
        )

    async def remove_from_bridge(self, bridge_id: str, channel_id: str | Sequence[str]) -> None:
        """Take channel(s) out of a bridge (they stay in Stasis)."""
        await self.post(f"/bridges/{_seg(bridge_id)}/removeChannel", channel=_join(channel_id))

    async def snoop(
        self,
        channel_id: str,
        spy: Literal["none", "both", "out", "in"] = "both",
        whisper: Literal["none", "both", "out", "in"] = "none",
        app: str | None = None,
        snoop_id: str | None = None,
        app_args: str | Sequence[str] | None = None,
    ) -> Channel:
        """Create a snoop channel on ``channel_id`` (supervisor listen / whisper / barge).

        ``spy`` is the audio the snoop channel hears, ``whisper`` what it speaks into
        (``in``: towards Asterisk, ``out``: towards the far end). The snoop channel enters
        Stasis ``app`` (this client's by default): bridge it with a supervisor's channel.
        """
        return cast(
            Channel,
            await self.post(
                f"/channels/{_seg(channel_id)}/snoop",
                spy=spy,
                whisper=whisper,
                app=app or self.app,
                appArgs=_join(app_args),
                snoopId=snoop_id,
            ),
        )

    async def record_channel(
        self,
        channel_id: str,
        name: str,
        *,
        format: str = "wav",
        max_duration_s: int = 0,
        max_silence_s: int = 0,
        if_exists: Literal["fail", "overwrite", "append"] = "fail",
        beep: bool = False,
        terminate_on: Literal["none", "any", "*", "#"] = "none",
    ) -> LiveRecording:
        """Record a channel of our Stasis app into the spool's ``recording/NAME.FORMAT``.

        ``0`` means no limit. ``RecordingStarted``/``RecordingFinished`` events follow;
        :meth:`stop_recording` ends it early.
        """
        return await self._record(
            f"/channels/{_seg(channel_id)}/record",
            name,
            format,
            max_duration_s,
            max_silence_s,
            if_exists,
            beep,
            terminate_on,
        )

    async def record_bridge(
        self,
        bridge_id: str,
        name: str,
        *,
        format: str = "wav",
        max_duration_s: int = 0,
        max_silence_s: int = 0,
        if_exists: Literal["fail", "overwrite", "append"] = "fail",
        beep: bool = False,
        terminate_on: Literal["none", "any", "*", "#"] = "none",
    ) -> LiveRecording:
        """Record the mixed audio of a bridge (same options as :meth:`record_channel`)."""
        return await self._record(
            f"/bridges/{_seg(bridge_id)}/record",
            name,
            format,
            max_duration_s,
            max_silence_s,
            if_exists,
            beep,
            terminate_on,
        )

    async def _record(
        self,
        path: str,
        name: str,
        format: str,
        max_duration_s: int,
        max_silence_s: int,
        if_exists: str,
        beep: bool,
        terminate_on: str,
    ) -> LiveRecording:
        return cast(
            LiveRecording,
            await self.post(
                path,
                name=name,
                format=format,
                maxDurationSeconds=max_duration_s,
                maxSilenceSeconds=max_silence_s,
                ifExists=if_exists,
                beep=beep,
                terminateOn=terminate_on,
            ),
        )

    async def stop_recording(self, name: str) -> None:
        """Stop a live recording and keep what was recorded."""
        await self.post(f"/recordings/live/{_seg(name)}/stop")

    async def set_variable(self, channel_id: str, name: str, value: str) -> None:
        """Set a channel variable (or function, e.g. ``CALLERID(name)``)."""
        await self.post(f"/channels/{_seg(channel_id)}/variable", variable=name, value=value)

    async def get_variable(self, channel_id: str, name: str) -> str:
        """Read a channel variable (:class:`AriNotFound` if the variable is not set)."""
        result = await self.get(f"/channels/{_seg(channel_id)}/variable", variable=name)
        return str(result.get("value", "")) if isinstance(result, dict) else ""

    # ----------------------------------------------------------------------------------------
    # Events websocket
    # ----------------------------------------------------------------------------------------

    @property
    def events_url(self) -> str:
        """The websocket URL of our app's events (credentials go in a header, not here)."""
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        query = urlencode({"app": self.app, "subscribeAll": "false"})
        return urlunsplit((scheme, parts.netloc, parts.path + "/events", query, ""))

    def _ws_ssl(self) -> ssl.SSLContext | None:
        if not self.events_url.startswith("wss:"):
            return None
        if isinstance(self._verify, ssl.SSLContext):
            return self._verify
        context = ssl.create_default_context()
        if not self._verify:  # the operator chose to accept the PBX's self-signed cert
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def _run_events(self) -> None:
        """Connect, resync, deliver events; on any failure wait and start over."""
        failures = 0
        try:
            while not self._closing:
                await self._set_status(ConnectionState.CONNECTING, self._status.error)
                self._connected_at = None
                give_up = not self.reconnect
                try:
                    await self._connect_and_listen()
                    error: AriError = AriConnectionError(self._closed_reason())
                except AriAppReplaced as exc:
                    # Reconnecting would take the app back and start a tug of war in which
                    # both clients lose events: stop, and say why.
                    error, give_up = exc, True
                except AriError as exc:
                    error = exc
                except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as exc:
                    error = AriConnectionError(
                        f"events websocket to {self.base_url} failed: {_describe(exc)}"
                    )
                except Exception as exc:  # a bug must not end the reconnect loop
                    logger.exception("ARI %s: unexpected error in the events loop", self._label)
                    error = AriConnectionError(f"unexpected error: {_describe(exc)}")
                finally:
                    self._ws = None
                    self._ready.clear()
                if self._closing:
                    break
                if not self._first_attempt_done.is_set():
                    self._first_error = error
                    self._first_attempt_done.set()
                if give_up:
                    logger.warning("ARI %s: events websocket ended: %s", self._label, error)
                    await self._set_status(ConnectionState.DISCONNECTED, str(error))
                    break
                stable = self._connected_at is not None and (
                    time.monotonic() - self._connected_at >= STABLE_CONNECTION_S
                )
                failures = 1 if stable else failures + 1
                delay = self._backoff_delay(failures)
                logger.warning(
                    "ARI %s: events websocket down (%s); retrying in %.1f s",
                    self._label,
                    error,
                    delay,
                )
                await self._set_status(ConnectionState.DISCONNECTED, str(error), delay)
                await asyncio.sleep(delay)
            if self._closing:  # close() called from one of our callbacks
                await self._set_status(ConnectionState.DISCONNECTED)
        finally:
            self._first_attempt_done.set()

    async def _connect_and_listen(self) -> None:
        """One connection: open, resync, then deliver events until it closes."""
        token = base64.b64encode(f"{self.username}:{self._password}".encode()).decode()
        try:
            websocket = await connect(
                self.events_url,
                additional_headers={"Authorization": f"Basic {token}"},
                open_timeout=self.timeout,
                close_timeout=2.0,
                ping_interval=WS_PING_INTERVAL_S,
                ping_timeout=WS_PING_TIMEOUT_S,
                proxy=None,
                compression=None,
                ssl=self._ws_ssl(),
                max_queue=WS_MAX_QUEUE,
                max_size=WS_MAX_MESSAGE_BYTES,
                user_agent_header="Switchboard ARI client",
            )
        except InvalidStatus as exc:
            raise _handshake_error(exc, self.base_url, self.username, self.app) from exc
        self._connected_at = time.monotonic()
        self._ws = websocket
        async with websocket:
            logger.info("ARI %s: events websocket connected (app %s)", self._label, self.app)
            await self._resync()
            if self._closing:
                return
            await self._set_status(ConnectionState.CONNECTED)
            self._ready.set()
            self._first_attempt_done.set()
            async for message in websocket:
                event_type = await self._deliver(message)
                if self._closing:
                    break
                if event_type == "ApplicationReplaced":
                    raise AriAppReplaced(
                        f"another client connected to Stasis app {self.app!r} on this PBX "
                        "and now receives its events (each portal needs its own app name)"
                    )

    def _closed_reason(self) -> str:
        websocket = self._ws
        if websocket is not None and websocket.close_code is not None:
            reason = f": {websocket.close_reason}" if websocket.close_reason else ""
            return f"Asterisk closed the events websocket (code {websocket.close_code}{reason})"
        return "Asterisk closed the events websocket"

    def _backoff_delay(self, failures: int) -> float:
        """Exponential back-off with jitter, so many portals do not reconnect in step."""
        delay = min(self.backoff_max, self.backoff_initial * 2.0 ** max(0, failures - 1))
        return delay * random.uniform(0.8, 1.0)  # noqa: S311  (jitter, not cryptography)

    async def _resync(self) -> None:
        """Run the on_resync callbacks; an ARI failure in one makes this connection fail.

        Reporting "connected" while the owner could not re-read its state would leave it
        applying events to stale state, so an :class:`AriError` (Asterisk went away again,
        timed out...) drops the connection and the usual back-off retries it. Any other
        exception is a bug in the callback: it is logged and does not block connecting.
        """
        for callback in list(self._resync_callbacks):
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except AriError as exc:
                raise AriConnectionError(
                    f"re-reading state after connecting failed: {exc}"
                ) from exc
            except Exception:
                logger.exception("ARI %s: resync callback %r failed", self._label, callback)

    async def _deliver(self, message: str | bytes) -> str | None:
        """Parse one websocket message and dispatch it; its event type (None if ignored)."""
        try:
            event = json.loads(message)
        except ValueError:
            logger.warning("ARI %s: ignoring a non-JSON event: %.200r", self._label, message)
            return None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            logger.warning("ARI %s: ignoring a malformed event: %.200r", self._label, message)
            return None
        await self.dispatch(cast(AriEvent, event))
        return str(event["type"])

    async def dispatch(self, event: AriEvent) -> None:
        """Hand one event to the subscribers, in order (also how tests inject events)."""
        event_type = event.get("type", "")
        for callback, types in list(self._subscribers):
            if types is None or event_type in types:
                await self._call_safely(callback, (event,), f"event {event_type}")

    async def _set_status(
        self,
        state: ConnectionState,
        error: str | None = None,
        retry_in: float | None = None,
    ) -> None:
        status = ConnectionStatus(state, error, retry_in, time.time())
        if (status.state, status.error, status.retry_in) == (
            self._status.state,
            self._status.error,
            self._status.retry_in,
        ):
            return
        self._status = status
        for callback in list(self._state_callbacks):
            await self._call_safely(callback, (status,), "state")

    async def _call_safely(
        self, callback: Callable[..., Any], args: tuple[Any, ...], what: str
    ) -> None:
        """Run a sync or async callback; log (never raise) what it raises."""
        try:
            result = callback(*args)
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("ARI %s: %s callback %r failed", self._label, what, callback)


# --------------------------------------------------------------------------------------------
# Checking an account (the PBX form's "test connection" button)
# --------------------------------------------------------------------------------------------


async def check_login(base_url: str, username: str, password: str, timeout: float = 5.0) -> str:
    """Log in to ARI with ``GET /asterisk/info`` and return Asterisk's version.

    Raises :class:`AriAuthError` for a wrong user name or password and
    :class:`AriConnectionError` when nothing usable answers at ``base_url`` (bad URL,
    connection refused, timeout, an HTTP server that is not ARI), each with a message meant
    for the person who typed the settings.
    """
    try:
        client = AriClient(base_url, username, password, app="", timeout=timeout)
    except ValueError as exc:
        raise AriConnectionError(str(exc)) from exc
    async with client:
        try:
            info = await client.get("/asterisk/info")
        except AriAuthError as exc:
            if exc.status == 403:
                raise
            raise AriAuthError(
                f"ARI refused user {username!r}: wrong user name or password "
                "(see the users of ari.conf)",
                status=exc.status,
            ) from exc
        except AriNotFound as exc:
            raise AriConnectionError(
                f"{client.base_url} answers but is not ARI (HTTP 404): the URL should end "
                "with /ari, and ARI must be enabled in ari.conf",
                status=404,
            ) from exc
        except AriHttpError as exc:
            raise AriConnectionError(
                f"{client.base_url} answered HTTP {exc.status} ({exc.message}): not a working ARI",
                status=exc.status,
            ) from exc
    system = info.get("system") if isinstance(info, dict) else None
    version = system.get("version") if isinstance(system, dict) else None
    if not isinstance(version, str) or not version:
        raise AriConnectionError(f"{client.base_url} answers but does not look like ARI")
    return version


# --------------------------------------------------------------------------------------------
# Helpers (pure)
# --------------------------------------------------------------------------------------------


def _remove(items: list[Any], item: Any) -> None:
    with contextlib.suppress(ValueError):
        items.remove(item)


def _seg(value: str) -> str:
    """One path segment, escaped (ids are safe, but a name from a user may not be)."""
    return quote(value, safe="")


def _join(value: str | Sequence[str] | None) -> str | None:
    """ARI's multi-valued parameters are comma-separated lists."""
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


def _query_params(params: Mapping[str, QueryValue]) -> dict[str, str]:
    """ARI query parameters: None left out, booleans as true/false, lists comma-joined."""
    query: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            query[key] = str(value)
        else:
            query[key] = ",".join(str(item) for item in value)
    return query


def _parse_response(response: httpx.Response, method: str, path: str) -> Any:
    """The body of a successful response, or the matching :class:`AriHttpError`."""
    is_json = "json" in response.headers.get("content-type", "")
    if response.is_success:
        if response.status_code == 204 or not response.content:
            return None
        if not is_json:
            return response.content
        try:
            return response.json()
        except ValueError as exc:
            raise AriConnectionError(
                f"ARI sent invalid JSON ({exc})", status=response.status_code
            ) from exc
    message = ""
    if is_json:
        with contextlib.suppress(ValueError):
            body = response.json()
            if isinstance(body, dict):
                message = str(body.get("message") or body.get("error") or "")
    if not message:
        message = response.reason_phrase or f"HTTP {response.status_code}"
    raise error_for_status(response.status_code, message, method=method, path=path)


def _handshake_error(exc: InvalidStatus, base_url: str, username: str, app: str) -> AriError:
    """Turn a refused websocket upgrade into the matching :class:`AriError`."""
    status = exc.response.status_code
    message = ""
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        body = json.loads(bytes(exc.response.body or b""))
        if isinstance(body, dict):
            message = str(body.get("message") or body.get("error") or "")
    if status == 401:
        return AriAuthError(
            f"ARI refused user {username!r} on the events websocket: wrong user name or password",
            status=status,
        )
    return error_for_status(
        status,
        f"events websocket for app {app!r} refused by {base_url}: {message or 'no reason'}",
    )


def _describe(exc: BaseException) -> str:
    """A short reason from a network exception, found down its chain of causes.

    httpx (through anyio) reports a refused connection as "All connection attempts failed"
    with the real ``ConnectionRefusedError`` as its cause: dig it out for the user.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return (
                "connection refused (is Asterisk's HTTP server enabled in http.conf, "
                "on this address and port?)"
            )
        if isinstance(current, socket.gaierror):
            return f"unknown host ({current.strerror or current})"
        current = current.__cause__ or current.__context__
    text = str(exc).strip()
    return text or type(exc).__name__
