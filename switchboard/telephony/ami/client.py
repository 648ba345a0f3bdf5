"""An asyncio client for the Asterisk Manager Interface, typed end to end.

:class:`AmiClient` holds one manager connection to one PBX and keeps it up: it logs in, pings
Asterisk to notice a dead link, reconnects with exponential back-off and jitter after any loss,
and tells its owner about every state change. Over that link it sends actions and matches
their answers by ``ActionID`` (many actions may be in flight at once), collects the events of
list actions until ``EventList: Complete``, runs CLI commands, and hands all other events to
subscribers, in the order Asterisk sent them.

Inside, several tasks cooperate, so that no slow party can stall another:

* the **reader** (one per connection) parses what arrives and only routes it: responses to the
  futures of waiting actions, list items to their list, other events into a bounded queue;
* the **event dispatcher** (alive while events wait) takes them from that queue and calls the
  subscribers, one event at a time, awaiting asynchronous callbacks, so they see events in
  order;
* the **state dispatcher** (alive while changes wait) calls the ``on_state`` callbacks, also
  in order; it is separate
  from the events so that a callback may itself await actions (e.g. re-read the PBX's state
  with list actions after a reconnect) while events keep flowing;
* the **keep-alive** (one per connection) sends ``Ping`` and tears the link down when no
  answer comes; the **supervisor** (with ``reconnect=True``) reconnects after every loss.

The event queue is bounded (``event_queue_size``). When a slow subscriber lets it fill up, new
events are dropped and counted (:attr:`AmiClient.dropped_events`, with a rate-limited warning)
rather than stored without limit or pushed back onto the reader: blocking the reader would
also hold back action answers and pongs, turning one slow consumer into timeouts and a
reconnect storm, and memory must stay bounded whatever the PBX sends. Live state is rebuilt
from list actions on every reconnect, so an owner that sees the counter move can rebuild too.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import os
import random
import secrets
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Final, Literal, TypeAlias, TypeVar

from switchboard.telephony.ami.errors import (
    AmiActionError,
    AmiConnectionError,
    AmiError,
    AmiLoginError,
    AmiTimeout,
    ProtocolError,
)
from switchboard.telephony.ami.protocol import (
    MAX_MESSAGE_SIZE,
    Message,
    Parser,
    command_output,
    encode_action,
    is_error,
    is_list_complete,
    is_list_start,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")

State: TypeAlias = Literal["disconnected", "connecting", "connected"]
DISCONNECTED: Final = "disconnected"
CONNECTING: Final = "connecting"
CONNECTED: Final = "connected"

FieldValue: TypeAlias = str | Sequence[str]
EventCallback: TypeAlias = Callable[[Message], Awaitable[object] | None]
StateCallback: TypeAlias = Callable[[State, AmiError | None], Awaitable[object] | None]

READ_SIZE = 65536
CLOSE_TIMEOUT = 1.0  # seconds given to Logoff and to the socket's close at close()
STABLE_AFTER = 10.0  # seconds: a link that lived this long resets the back-off
DROP_WARNING_INTERVAL = 10.0  # seconds between two warnings about dropped events
FAIR_SHARE = 256  # events delivered in a row before the dispatcher lets other tasks run


class _ListCollector:
    """The events of one list action, gathered by the reader until ``EventList: Complete``."""

    __slots__ = ("done", "items")

    def __init__(self, done: asyncio.Future[None]) -> None:
        self.items: list[Message] = []
        self.done = done


class _Connection:
    """One TCP connection and everything that lives and dies with it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        self.reader = reader
        self.writer = writer
        self.parser = Parser()
        self.banner: asyncio.Future[str | None] = loop.create_future()
        self.pending: dict[str, asyncio.Future[Message]] = {}
        self.lists: dict[str, _ListCollector] = {}
        self.lost = asyncio.Event()
        self.closed = False
        self.opened_at = time.monotonic()
        self.reader_task: asyncio.Task[None] | None = None
        self.ping_task: asyncio.Task[None] | None = None


class AmiClient:
    """One AMI connection to one Asterisk, kept alive and re-established by itself.

    ``name`` labels log lines (default ``host:port``). Timeouts are in seconds:
    ``connect_timeout`` covers TCP connect, banner and login; ``action_timeout`` is the default
    wait for an answer (for a list action: the longest silence between two of its items);
    ``ping_interval`` is the keep-alive period (0 disables it). With ``reconnect`` the client
    retries after a failed start or a lost link, waiting ``backoff_initial`` seconds, doubling
    up to ``backoff_max``, each delay randomly shortened by up to half so that many portals
    do not hammer a restarted PBX in step. ``events=False`` logs in with ``Events: off``;
    ``max_message_size`` bounds one message (a larger one is a protocol error that drops the
    link); ``event_queue_size`` bounds the events waiting for subscribers (see the module).

    Use::

        client = AmiClient("10.0.0.5", 5038, "portal", secret, name="main PBX")
        client.subscribe(on_event)          # sync or async callables
        client.on_state(on_state_change)    # (state, error)
        await client.start()
        response = await client.action("QueueAdd", Queue="sales", Interface="PJSIP/101")
        _response, channels = await client.list_action("CoreShowChannels")
        await client.close()
    """

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        *,
        name: str = "",
        connect_timeout: float = 5.0,
        action_timeout: float = 10.0,
        ping_interval: float = 20.0,
        reconnect: bool = True,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        event_queue_size: int = 10000,
        events: bool = True,
        max_message_size: int = MAX_MESSAGE_SIZE,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self._secret = secret
        self.name = name or f"{host}:{port}"
        self.connect_timeout = connect_timeout
        self.action_timeout = action_timeout
        self.ping_interval = ping_interval
        self.reconnect = reconnect
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.events = events
        self.max_message_size = max_message_size

        self._state: State = DISCONNECTED
        self._state_since = time.time()
        self._last_error: AmiError | None = None
        self._asterisk_version: str | None = None
        self._ami_version: str | None = None
        self._connection: _Connection | None = None
        self._connect_lock = asyncio.Lock()
        self._closed = False

        self._subscribers: list[EventCallback] = []
        self._state_callbacks: list[StateCallback] = []
        self.event_queue_size = event_queue_size
        self._events: deque[Message] = deque()
        self._states: deque[tuple[State, AmiError | None]] = deque()
        self._event_task: asyncio.Task[None] | None = None
        self._state_task: asyncio.Task[None] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        # Tasks of dropped connections that may not have finished yet; close() awaits them.
        self._retired: set[asyncio.Task[None]] = set()

        self._dropped_events = 0
        self._dropped_since_warning = 0
        self._last_drop_warning = 0.0
        self._id_prefix = secrets.token_hex(4)
        self._ids = itertools.count(1)

    # --- what the owner reads ------------------------------------------------------------

    @property
    def state(self) -> State:
        """``disconnected``, ``connecting`` or ``connected``."""
        return self._state

    @property
    def state_since(self) -> float:
        """When the current state began (seconds since the epoch, like ``time.time()``)."""
        return self._state_since

    @property
    def last_error(self) -> AmiError | None:
        """Why the link is not up: the last failure; None once connected."""
        return self._last_error

    @property
    def asterisk_version(self) -> str | None:
        """Asterisk's version (``CoreSettings``), else the banner; None before a first login."""
        return self._asterisk_version

    @property
    def ami_version(self) -> str | None:
        """The manager protocol version from the banner (``11.0.0`` for Asterisk 22)."""
        return self._ami_version

    @property
    def dropped_events(self) -> int:
        """Events dropped because the event queue was full (a subscriber was too slow)."""
        return self._dropped_events

    @property
    def connected(self) -> bool:
        """True while logged in."""
        return self._state == CONNECTED

    # --- callbacks -----------------------------------------------------------------------

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Call ``callback(message)`` for every event; returns a function that unsubscribes.

        Events that answer a list action go to :meth:`list_action`, not here. Callbacks may
        be plain functions or return awaitables (then awaited before the next event). An
        exception in one is logged and does not stop the others or later events.
        """
        self._subscribers.append(callback)
        return lambda: self._remove(self._subscribers, callback)

    def on_state(self, callback: StateCallback) -> Callable[[], None]:
        """Call ``callback(state, error)`` on every state change; returns an unsubscriber.

        ``error`` is what caused a ``disconnected`` state (None for ``connected``, and for
        ``connecting`` unless it is a retry). Calls come in order, from their own task: a
        callback may await actions of this client (e.g. list actions after ``connected``).
        """
        self._state_callbacks.append(callback)
        return lambda: self._remove(self._state_callbacks, callback)

    @staticmethod
    def _remove(callbacks: list[_T], callback: _T) -> None:
        with contextlib.suppress(ValueError):
            callbacks.remove(callback)

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, and with ``reconnect`` keep connecting in the background for good.

        With ``reconnect`` a failed first attempt does not raise (see :attr:`last_error` and
        the state callbacks); without it, the first attempt's error is raised.
        """
        if self._closed:
            raise AmiConnectionError(f"AMI client {self.name} is closed")
        if self._supervisor is not None:
            return
        try:
            await self.connect_once()
        except AmiError:
            if not self.reconnect:
                raise
        if self.reconnect and not self._closed:
            self._supervisor = asyncio.create_task(self._supervise(), name=f"ami-{self.name}")

    async def connect_once(self) -> None:
        """One connection attempt: TCP connect, banner, login, version. No retry.

        Raises :class:`AmiLoginError` with Asterisk's reason when the login is refused,
        :class:`AmiConnectionError` when the PBX cannot be reached in ``connect_timeout``.
        Does nothing when already connected.
        """
        if self._closed:
            raise AmiConnectionError(f"AMI client {self.name} is closed")
        async with self._connect_lock:
            if self._connection is not None:
                return
            self._set_state(CONNECTING, self._last_error)
            try:
                connection = await self._open()
            except AmiError as error:
                self._last_error = error
                self._set_state(DISCONNECTED, error)
                raise
            if self._closed:  # close() ran while we were logging in
                self._drop(connection, AmiConnectionError(f"AMI client {self.name} closed"))
                raise AmiConnectionError(f"AMI client {self.name} is closed")
            self._connection = connection
            self._last_error = None
            self._set_state(CONNECTED, None)
            log.info("AMI %s: connected to Asterisk %s", self.name, self._asterisk_version)

    async def close(self) -> None:
        """Log off, close the connection, stop every task of this client. Idempotent.

        Actions still waiting fail with :class:`AmiConnectionError`; no state callback is
        called any more.
        """
        self._closed = True
        current = asyncio.current_task()
        if self._supervisor is not None and self._supervisor is not current:
            self._supervisor.cancel()  # first, so it cannot reconnect behind our back
        connection = self._connection
        if connection is not None and not connection.closed:
            with contextlib.suppress(AmiError):
                await self._request(connection, "Logoff", {}, CLOSE_TIMEOUT)
            connection.writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(connection.writer.wait_closed(), CLOSE_TIMEOUT)
            self._drop(connection, AmiConnectionError(f"AMI client {self.name} closed"))
        tasks = [task for task in self._tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _tasks(self) -> list[asyncio.Task[None]]:
        """Every task of this client that has not finished."""
        tasks = [self._supervisor, self._event_task, self._state_task, *self._retired]
        connection = self._connection
        if connection is not None:
            tasks += [connection.reader_task, connection.ping_task]
        return [task for task in tasks if task is not None and not task.done()]

    async def _supervise(self) -> None:
        """Reconnect after every loss (and after a failed start), backing off between tries."""
        attempt = 0
        while not self._closed:
            connection = self._connection
            if connection is not None:
                await connection.lost.wait()
                if time.monotonic() - connection.opened_at >= STABLE_AFTER:
                    attempt = 0  # a link that flaps right after login keeps backing off
            await asyncio.sleep(self._backoff(attempt))
            attempt += 1
            with contextlib.suppress(AmiError):  # recorded in last_error and the state
                await self.connect_once()

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** min(attempt, 30))
        # "Equal jitter": never below half the delay, so retries still back off.
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311  (timing jitter, not security)

    async def _open(self) -> _Connection:
        """Connect and log in; the returned connection is ready for actions."""
        where = f"{self.host}:{self.port}"
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self.connect_timeout
            )
        except TimeoutError:
            raise AmiConnectionError(
                f"cannot connect to the AMI at {where}: no answer within {self.connect_timeout:g} s"
            ) from None
        except OSError as error:
            reason = _describe(error)
            raise AmiConnectionError(f"cannot connect to the AMI at {where}: {reason}") from None
        connection = _Connection(reader, writer)
        connection.parser.max_message_size = self.max_message_size
        connection.reader_task = asyncio.create_task(
            self._read(connection), name=f"ami-{self.name}-reader"
        )
        try:
            await self._log_in(connection, where)
        except BaseException as error:
            failure = error if isinstance(error, AmiError) else AmiConnectionError("cancelled")
            self._drop(connection, failure)
            await asyncio.gather(connection.reader_task, return_exceptions=True)
            raise
        if self.ping_interval > 0:
            connection.ping_task = asyncio.create_task(
                self._keep_alive(connection), name=f"ami-{self.name}-ping"
            )
        return connection

    async def _log_in(self, connection: _Connection, where: str) -> None:
        """Greeting, login and version, all within one ``connect_timeout``."""
        try:
            async with asyncio.timeout(self.connect_timeout):
                banner = await asyncio.shield(connection.banner)
                self._check_banner(connection, banner, where)
                fields = {"Username": self.username, "Secret": self._secret}
                if not self.events:
                    fields["Events"] = "off"
                response = await self._request(connection, "Login", fields, self.connect_timeout)
                if is_error(response):
                    reason = response.get("Message") or "login refused"
                    raise AmiLoginError(f"{where} refused the login of {self.username!r}: {reason}")
                settings = await self._request(connection, "CoreSettings", {}, self.connect_timeout)
        except (TimeoutError, AmiTimeout):
            if not connection.banner.done():
                raise AmiConnectionError(
                    f"no AMI greeting from {where} within {self.connect_timeout:g} s: "
                    "is it an Asterisk manager port?"
                ) from None
            raise AmiConnectionError(
                f"{where} did not complete the AMI login within {self.connect_timeout:g} s"
            ) from None
        self._ami_version = connection.parser.ami_version
        # CoreSettings needs the "system" read right; without it the banner says what it can.
        version = None if is_error(settings) else settings.get("AsteriskVersion")
        self._asterisk_version = version or banner

    @staticmethod
    def _check_banner(connection: _Connection, banner: str | None, where: str) -> None:
        if banner is None and connection.closed:
            raise AmiConnectionError(f"{where} closed the connection before the AMI greeting")
        if banner is None or "Call Manager" not in banner:
            raise AmiConnectionError(
                f"{where} is not an Asterisk manager port (it said {banner!r})"
            )

    def _drop(self, connection: _Connection, error: AmiError) -> None:
        """Tear a connection down (once): fail what waits on it, stop its tasks, tell the owner."""
        if connection.closed:
            return
        connection.closed = True
        connection.writer.transport.abort()
        for future in connection.pending.values():
            if not future.done():
                future.set_exception(AmiConnectionError(error.message))
        connection.pending.clear()
        for collector in connection.lists.values():
            if not collector.done.done():
                collector.done.set_exception(AmiConnectionError(error.message))
        if not connection.banner.done():
            connection.banner.set_result(None)
        current = asyncio.current_task()
        for task in (connection.reader_task, connection.ping_task):
            if task is not None and not task.done():
                if task is not current:
                    task.cancel()
                self._retired.add(task)
                task.add_done_callback(self._retired.discard)
        connection.lost.set()
        if connection is self._connection:
            self._connection = None
            if not self._closed:
                self._last_error = error
                log.warning("AMI %s: connection lost: %s", self.name, error)
            self._set_state(DISCONNECTED, error)  # told to no one once closed

    # --- the reader and the keep-alive ---------------------------------------------------

    async def _read(self, connection: _Connection) -> None:
        """Read and route until the connection ends; a loss tears the connection down."""
        reader, parser = connection.reader, connection.parser
        where = f"{self.host}:{self.port}"
        try:
            while True:
                data = await reader.read(READ_SIZE)
                if not data:
                    error: AmiError = AmiConnectionError(f"{where} closed the AMI connection")
                    break
                messages = parser.feed(data)
                if not connection.banner.done() and (parser.banner is not None or messages):
                    connection.banner.set_result(parser.banner)
                for message in messages:
                    self._route(connection, message)
        except ProtocolError as failure:
            error = failure
        except OSError as failure:
            error = AmiConnectionError(f"AMI connection to {where} lost: {_describe(failure)}")
        except Exception as failure:  # a bug here must not leave a link that reads nothing
            log.exception("AMI %s: reader failed", self.name)
            error = AmiConnectionError(f"AMI client error: {failure!r}")
        self._drop(connection, error)

    def _route(self, connection: _Connection, message: Message) -> None:
        if message.event is None:
            action_id = message.action_id
            future = connection.pending.pop(action_id, None) if action_id else None
            if future is not None and not future.done():
                future.set_result(message)
            elif future is None:
                log.debug("AMI %s: answer to no waiting action: %r", self.name, message)
            return
        if connection.lists:
            action_id = message.action_id
            collector = connection.lists.get(action_id) if action_id else None
            if collector is not None:
                if is_list_complete(message):
                    if not collector.done.done():
                        collector.done.set_result(None)
                else:
                    collector.items.append(message)
                return
        if len(self._events) >= self.event_queue_size:
            self._count_drop()
            return
        self._events.append(message)
        task = self._event_task
        if task is None or task.done():
            self._event_task = asyncio.create_task(
                self._dispatch_events(), name=f"ami-{self.name}-events"
            )

    def _count_drop(self) -> None:
        self._dropped_events += 1
        self._dropped_since_warning += 1
        now = time.monotonic()
        if now - self._last_drop_warning >= DROP_WARNING_INTERVAL:
            log.warning(
                "AMI %s: event queue full (%d), dropped %d event(s) (%d in all): "
                "a subscriber is too slow",
                self.name,
                self.event_queue_size,
                self._dropped_since_warning,
                self._dropped_events,
            )
            self._last_drop_warning = now
            self._dropped_since_warning = 0

    async def _keep_alive(self, connection: _Connection) -> None:
        """Ping every ``ping_interval``; no pong in time means the link is dead."""
        timeout = min(self.action_timeout, max(self.ping_interval, 1.0))
        while not connection.closed:
            await asyncio.sleep(self.ping_interval)
            try:
                await self._request(connection, "Ping", {}, timeout)
            except AmiTimeout:
                where = f"{self.host}:{self.port}"
                error = AmiConnectionError(f"{where} did not answer Ping within {timeout:g} s")
                self._drop(connection, error)
                return
            except AmiConnectionError:
                return

    # --- dispatchers -------------------------------------------------------------------

    # A dispatcher task runs while its queue holds something and ends when it is empty, so
    # an idle client (or one whose start failed and that nobody closed) leaves no task behind.

    async def _dispatch_events(self) -> None:
        queue = self._events
        delivered = 0
        while queue and not self._closed:
            message = queue.popleft()
            for callback in tuple(self._subscribers):
                try:
                    result = callback(message)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("AMI %s: event subscriber %r failed", self.name, callback)
            delivered += 1
            if delivered % FAIR_SHARE == 0:
                await asyncio.sleep(0)  # sync subscribers must not starve the reader

    async def _dispatch_states(self) -> None:
        queue = self._states
        while queue and not self._closed:
            state, error = queue.popleft()
            for callback in tuple(self._state_callbacks):
                if self._closed:
                    return
                try:
                    result = callback(state, error)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("AMI %s: state callback %r failed", self.name, callback)

    def _set_state(self, state: State, error: AmiError | None) -> None:
        if state == self._state:
            return
        self._state = state
        self._state_since = time.time()
        if self._closed:
            return
        self._states.append((state, error))
        task = self._state_task
        if task is None or task.done():
            self._state_task = asyncio.create_task(
                self._dispatch_states(), name=f"ami-{self.name}-states"
            )

    # --- actions -----------------------------------------------------------------------

    def _next_id(self) -> str:
        return f"{self._id_prefix}-{next(self._ids)}"

    def _live_connection(self) -> _Connection:
        connection = self._connection
        if connection is None or self._state != CONNECTED:
            reason = f": {self._last_error}" if self._last_error else ""
            raise AmiConnectionError(f"not connected to the AMI of {self.name}{reason}")
        return connection

    async def _request(
        self,
        connection: _Connection,
        name: str,
        fields: Mapping[str, FieldValue],
        timeout: float,
        action_id: str | None = None,
    ) -> Message:
        """Send one action on ``connection`` and wait for its response (errors included)."""
        if connection.closed:
            raise AmiConnectionError(f"not connected to the AMI of {self.name}")
        action_id = action_id or self._next_id()
        data = encode_action(name, fields, action_id)
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        connection.pending[action_id] = future
        try:
            async with asyncio.timeout(timeout):
                connection.writer.write(data)
                await connection.writer.drain()
                return await future
        except TimeoutError:
            raise AmiTimeout(f"{name}: no answer from {self.name} within {timeout:g} s") from None
        except (ConnectionError, OSError) as error:
            raise AmiConnectionError(
                f"{name}: AMI connection to {self.name} lost: {error}"
            ) from None
        finally:
            connection.pending.pop(action_id, None)

    async def action(
        self, name: str, /, *, timeout: float | None = None, **fields: FieldValue
    ) -> Message:
        """Send action ``name`` with ``fields`` and return Asterisk's response.

        A list value repeats its key (``Variable=["A=1", "B=2"]``). Raises
        :class:`AmiActionError` on ``Response: Error``, :class:`AmiTimeout` after ``timeout``
        (default ``action_timeout``) seconds, :class:`AmiConnectionError` when not connected or
        when the link drops first; ``ValueError`` for a field holding a line break.
        """
        connection = self._live_connection()
        response = await self._request(connection, name, fields, timeout or self.action_timeout)
        if is_error(response):
            raise _action_error(name, response)
        return response

    async def list_action(
        self, name: str, /, *, timeout: float | None = None, **fields: FieldValue
    ) -> tuple[Message, list[Message]]:
        """Send a list action (``CoreShowChannels``, ``QueueStatus``...): response and items.

        Returns the response and the events that carry this action's ``ActionID``, in order,
        without the closing ``...Complete`` event. ``timeout`` bounds the wait for the response
        and then every silence between two items, so long lists are fine.
        """
        connection = self._live_connection()
        timeout = timeout or self.action_timeout
        action_id = self._next_id()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        collector = _ListCollector(done)
        connection.lists[action_id] = collector  # before sending: items follow the response
        try:
            response = await self._request(connection, name, fields, timeout, action_id)
            if is_error(response):
                raise _action_error(name, response)
            if not is_list_start(response):
                return response, []  # not a list after all: nothing will follow
            await self._wait_for_list(name, collector, timeout)
            return response, collector.items
        finally:
            connection.lists.pop(action_id, None)
            if done.done() and not done.cancelled():
                done.exception()  # retrieved: no "exception never retrieved" noise

    async def _wait_for_list(self, name: str, collector: _ListCollector, timeout: float) -> None:
        seen = len(collector.items)
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(collector.done), timeout)
                return
            except TimeoutError:
                if len(collector.items) == seen:
                    raise AmiTimeout(
                        f"{name}: list from {self.name} stalled after {seen} item(s) "
                        f"({timeout:g} s without news)"
                    ) from None
                seen = len(collector.items)

    async def command(self, cli: str, *, timeout: float | None = None) -> str:
        """Run a CLI command (``Action: Command``) and return its output text.

        An unknown or failing command raises :class:`AmiActionError` with the CLI's words.
        """
        response = await self.action("Command", Command=cli, timeout=timeout)
        return command_output(response)


def _describe(error: OSError) -> str:
    """A short English reason: "Connection refused", "Name or service not known"..."""
    if isinstance(error, socket.gaierror) and error.strerror:
        return error.strerror
    if error.errno and error.errno > 0:
        return os.strerror(error.errno)  # asyncio's own text repeats the address
    return str(error) or type(error).__name__


def _action_error(name: str, response: Message) -> AmiActionError:
    # A failed Command says only "Command output follows": the reason is in its Output lines.
    output = command_output(response)
    return AmiActionError(name, output or response.get("Message") or "")


async def check_login(
    host: str, port: int, username: str, secret: str, timeout: float = 5.0
) -> str:
    """Log in once, log off, and return the Asterisk version string.

    For checking settings before saving them: raises :class:`AmiLoginError` when the
    credentials are refused, :class:`AmiConnectionError` when the PBX cannot be reached.
    """
    client = AmiClient(
        host,
        port,
        username,
        secret,
        connect_timeout=timeout,
        action_timeout=timeout,
        ping_interval=0,
        reconnect=False,
        events=False,
    )
    try:
        await client.connect_once()
        return client.asterisk_version or ""
    finally:
        await client.close()
