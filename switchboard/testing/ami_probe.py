"""A tiny synchronous AMI reader for tests: log in, send actions, collect events.

This is test equipment, not the product's AMI client (that one is asyncio, typed end to end
and handles reconnects). The probe keeps every message it reads, so a test can start it
before placing a call, let the call happen, then look back at what Asterisk announced::

    with pbx.ami() as ami:
        place_call(...)
        hangup = ami.wait_for_event("Hangup", CallerIDNum="5551234")
        assert ami.events_named("DialBegin")
"""

from __future__ import annotations

import contextlib
import itertools
import select
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

EventPredicate = Callable[["AmiMessage"], bool]


class AmiError(RuntimeError):
    """The AMI refused something, or did not answer in time."""


@dataclass(frozen=True)
class AmiMessage:
    """One AMI message (response or event): its ``Key: value`` lines in order."""

    fields: tuple[tuple[str, str], ...]

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of ``key`` (case-insensitive), or ``default``."""
        wanted = key.lower()
        return next((value for name, value in self.fields if name.lower() == wanted), default)

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def get_all(self, key: str) -> list[str]:
        """Every value of a repeated key (e.g. ``ChanVariable`` or command ``Output``)."""
        wanted = key.lower()
        return [value for name, value in self.fields if name.lower() == wanted]

    @property
    def event(self) -> str | None:
        """The event name, or None for a response."""
        return self.get("Event")

    def matches(self, event: str | None = None, **fields: str) -> bool:
        """True if this is ``event`` (when given) and every field has the given value."""
        if event is not None and (self.event or "").lower() != event.lower():
            return False
        return all(self.get(key) == value for key, value in fields.items())

    def as_dict(self) -> dict[str, str]:
        """First value of every key, for readable assertion messages."""
        result: dict[str, str] = {}
        for name, value in self.fields:
            result.setdefault(name, value)
        return result


def parse_message(block: str) -> AmiMessage:
    """Parse one ``\\r\\n``-separated block (without its terminating blank line)."""
    pairs: list[tuple[str, str]] = []
    for line in block.split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            pairs.append((name.strip(), value.strip()))
    return AmiMessage(tuple(pairs))


class AmiProbe:
    """A blocking AMI connection that records every event it reads (see :attr:`events`)."""

    def __init__(self, host: str, port: int, *, timeout_s: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.timeout_s = timeout_s
        self.events: list[AmiMessage] = []
        self.banner = ""
        self._responses: dict[str, AmiMessage] = {}
        self._buffer = b""
        self._action_ids = itertools.count(1)
        self._sock = socket.create_connection((host, port), timeout=timeout_s)
        self.banner = self._read_line()

    # Connection -------------------------------------------------------------------------------

    def __enter__(self) -> AmiProbe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Log off (best effort) and close the socket."""
        with contextlib.suppress(OSError):
            self._send({"Action": "Logoff", "ActionID": "logoff"})
        self._sock.close()

    def login(self, username: str, secret: str, *, events: bool = True) -> None:
        """Log in; with ``events`` False Asterisk sends no events on this connection."""
        response = self.send_action(
            "Login", Username=username, Secret=secret, Events="on" if events else "off"
        )
        if response.get("Response") != "Success":
            raise AmiError(f"AMI login refused: {response.as_dict()}")

    # Actions ------------------------------------------------------------------------------------

    def send_action(
        self, action: str, *, timeout_s: float | None = None, **fields: str
    ) -> AmiMessage:
        """Send an action and return its response (events read meanwhile are kept)."""
        action_id = f"probe-{next(self._action_ids)}"
        self._send({"Action": action, "ActionID": action_id, **fields})
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while action_id not in self._responses:
            self._read_message(deadline)
        return self._responses.pop(action_id)

    def command(self, cli_command: str) -> str:
        """Run a CLI command through the AMI and return its output lines joined."""
        response = self.send_action("Command", Command=cli_command)
        return "\n".join(response.get_all("Output"))

    def list_action(
        self, action: str, *, timeout_s: float | None = None, **fields: str
    ) -> list[AmiMessage]:
        """Send a list action (``CoreShowChannels``, ``QueueStatus``...) and return its items.

        The items are the events carrying the action's ActionID, up to the one whose
        ``EventList`` is ``Complete`` (excluded).
        """
        response = self.send_action(action, timeout_s=timeout_s, **fields)
        if response.get("Response") != "Success":
            raise AmiError(f"{action} failed: {response.as_dict()}")
        action_id = response["ActionID"]
        start = len(self.events)
        done = self.wait_for(
            lambda m: m.get("ActionID") == action_id and m.get("EventList") == "Complete",
            timeout_s=timeout_s,
        )
        items = self.events[start:]
        return [m for m in items if m.get("ActionID") == action_id and m is not done]

    # Events -------------------------------------------------------------------------------------

    def wait_for(self, predicate: EventPredicate, *, timeout_s: float | None = None) -> AmiMessage:
        """Return the first recorded event matching ``predicate``, reading more if needed."""
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        checked = 0
        while True:
            for message in self.events[checked:]:
                if predicate(message):
                    return message
            checked = len(self.events)
            try:
                self._read_message(deadline)
            except AmiError as error:
                raise AmiError(f"no matching AMI event within the timeout: {error}") from None

    def wait_for_event(
        self, event: str, *, timeout_s: float | None = None, **fields: str
    ) -> AmiMessage:
        """Return the first ``event`` whose fields have the given values (see :meth:`wait_for`)."""
        return self.wait_for(lambda m: m.matches(event, **fields), timeout_s=timeout_s)

    def collect(self, *, seconds: float) -> list[AmiMessage]:
        """Read for ``seconds`` and return everything recorded so far."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self._read_message(deadline, quiet=True):
                break
        return list(self.events)

    def drain(self) -> list[AmiMessage]:
        """Read whatever is already waiting on the socket, without blocking."""
        while self._read_message(time.monotonic(), quiet=True):
            pass
        return list(self.events)

    def events_named(self, event: str, **fields: str) -> list[AmiMessage]:
        """Recorded events called ``event`` with the given field values."""
        return [m for m in self.events if m.matches(event, **fields)]

    def __iter__(self) -> Iterator[AmiMessage]:
        return iter(list(self.events))

    # Wire ---------------------------------------------------------------------------------------

    def _send(self, fields: Mapping[str, str]) -> None:
        lines = "".join(f"{key}: {value}\r\n" for key, value in fields.items())
        self._sock.sendall((lines + "\r\n").encode())

    def _read_line(self) -> str:
        deadline = time.monotonic() + self.timeout_s
        while b"\r\n" not in self._buffer:
            self._fill(deadline)
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line.decode(errors="replace")

    def _read_message(self, deadline: float, *, quiet: bool = False) -> bool:
        """Read one message into :attr:`events` or the responses; False if none came in time.

        Raises :class:`AmiError` on timeout unless ``quiet``.
        """
        while b"\r\n\r\n" not in self._buffer:
            try:
                self._fill(deadline)
            except AmiError:
                if quiet:
                    return False
                raise
        block, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        message = parse_message(block.decode(errors="replace"))
        if message.event is not None:
            self.events.append(message)
        elif (action_id := message.get("ActionID")) is not None:
            self._responses[action_id] = message
        return True

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([self._sock], [], [], max(0.0, remaining))
        if not ready:
            raise AmiError(f"AMI {self.host}:{self.port} sent nothing in time")
        chunk = self._sock.recv(65536)
        if not chunk:
            raise AmiError(f"AMI {self.host}:{self.port} closed the connection")
        self._buffer += chunk
