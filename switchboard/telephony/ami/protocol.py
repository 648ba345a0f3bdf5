"""AMI wire format as pure functions: bytes in, typed messages out; actions to bytes.

Nothing here does input/output, so tests feed it recorded transcripts and benchmarks time it.

The format, as Asterisk 22 speaks it on a manager connection:

* on connect, one banner line, ``Asterisk Call Manager/11.0.0`` (the AMI protocol version,
  not Asterisk's own);
* then messages, each a run of ``Key: value`` lines ended by CRLF, a message ended by an
  empty line (so ``\\r\\n\\r\\n`` separates messages); a message is a response to an action
  (first key ``Response``) or an event (first key ``Event``);
* keys may repeat (``Output`` lines of a ``Command`` response, ``ChanVariable``...), values
  may contain ``:`` (``sip:alice@host:5060``), only the first ``:`` separates;
* list actions (``CoreShowChannels``, ``QueueStatus``...) answer ``EventList: start``, then
  send events carrying the action's ``ActionID``, then a closing event with
  ``EventList: Complete``.

The parser is written for throughput (the live model of a busy PBX applies tens of thousands
of events per second) and no Python code runs per character: it cuts complete messages out of
the stream with ``bytes.rfind`` and ``str.split`` on the separator, and decodes a message's
keys only when asked (see :class:`Message`), with substring searches for single look-ups and
one compiled regular expression for the whole ``headers`` tuple. ``bench/ami_parse.py``
measures it. It is also bounded: a peer that never ends a message cannot make it buffer more
than ``max_message_size`` bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from switchboard.telephony.ami.errors import ProtocolError

SEPARATOR = b"\r\n\r\n"
EOL = "\r\n"
MAX_MESSAGE_SIZE = 1024 * 1024  # 1 MiB: far above any real message (a big Command output)
BANNER_PREFIX = "Asterisk Call Manager/"
# Pre-13 Asterisk answered Command with ``Response: Follows`` and raw text ended by this.
_END_COMMAND = "--END COMMAND--"

# One ``Key: value`` line. Anchored at both ends so a line that is not of that shape makes
# the fast path's count differ and the careful path take over (see _parse_block).
_HEADER_LINE = re.compile(r"^([^:\r\n]+): ?([^\r\n]*)\r?$", re.MULTILINE)
_FORBIDDEN_IN_HEADER = re.compile(r"[\r\n\x00]")  # NUL would cut the value short in Asterisk
_KEY = re.compile(r"[A-Za-z0-9_()-]+")  # Asterisk's keys: letters, digits, -, _, (n) suffixes


class Message:
    """One AMI message (a response or an event): its ``Key: value`` lines in order.

    Keys keep their case and their repetitions (``Output``, ``ChanVariable``); look-ups are
    case-insensitive, as Asterisk's own are. Messages are immutable and compare by headers.

    Messages made by :class:`Parser` are decoded lazily, because most events of a busy PBX
    are looked at once or not at all (a call sends dozens of ``VarSet`` that the live model
    ignores): the parser only cuts the stream into messages; :attr:`event` and
    :attr:`response` read the first line; :meth:`get` finds ``Key: value`` in the text; the
    ``headers`` tuple and the case-insensitive index are built on first need and kept.
    """

    __slots__ = ("_folded", "_headers", "_text")

    def __init__(self, headers: Iterable[tuple[str, str]]) -> None:
        self._headers: tuple[tuple[str, str], ...] | None = tuple(headers)
        self._text: str | None = None
        self._folded: dict[str, str] | None = None

    @classmethod
    def from_text(cls, text: str) -> Message:
        """A message over one block of AMI text (without its ending empty line), decoded lazily."""
        return _message_from_text(text)

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """Every ``(key, value)`` pair, in order."""
        headers = self._headers
        if headers is None:
            headers = self._headers = _parse_block(self._text or "")
        return headers

    @property
    def text(self) -> str:
        """The message as AMI text: its lines joined by CRLF, without the empty line after them."""
        if self._text is not None:
            return self._text
        return EOL.join(f"{name}: {value}" for name, value in self.headers)

    def _index(self) -> dict[str, str]:
        folded = self._folded
        if folded is None:
            # Reversed, so that the first occurrence of a repeated key is the one kept.
            folded = self._folded = {name.lower(): value for name, value in reversed(self.headers)}
        return folded

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of ``key`` (case-insensitive), or ``default``.

        (Should a message spell one key two ways, the first line spelled like ``key`` wins
        until the message is fully decoded. Asterisk never does that.)
        """
        text = self._text
        if text is None or self._folded is not None or ":" in key:
            return self._index().get(key.lower(), default)
        # Not decoded yet: look for the line ``Key: `` as spelled (callers spell keys the way
        # Asterisk does), straight in the text; that costs a substring search, not a decode.
        if text.startswith(key + ": "):
            start = len(key) + 2
        else:
            start = text.find("\r\n" + key + ": ")
            if start < 0:
                return self._get_slowly(text, key, default)
            start += len(key) + 4
        end = text.find("\r\n", start)
        return text[start:end] if end >= 0 else text[start:]

    def _get_slowly(self, text: str, key: str, default: str | None) -> str | None:
        """``key`` is not in the text as spelled: absent (cheap to tell), or spelled otherwise."""
        folded_text, folded_key = text.lower(), key.lower()
        if not folded_text.startswith(folded_key + ":") and "\r\n" + folded_key + ":" not in (
            folded_text
        ):
            return default
        return self._index().get(folded_key, default)

    def get_all(self, key: str) -> list[str]:
        """Every value of a repeated key, in order."""
        wanted = key.lower()
        return [value for name, value in self.headers if name.lower() == wanted]

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    @property
    def event(self) -> str | None:
        """The event name, or None for a response."""
        return self._kind("Event", "Response")

    @property
    def response(self) -> str | None:
        """``Success``, ``Error``, ``Follows``, ``Goodbye``... for a response; None for an event.

        (An ``OriginateResponse`` event carries a ``Response`` key: read it with :meth:`get`.)
        """
        return self._kind("Response", "Event")

    def _kind(self, key: str, other: str) -> str | None:
        # Asterisk always writes Event or Response as the first line: answer from it without
        # decoding anything.
        text = self._text
        if text is not None:
            if text.startswith(key + ": "):
                end = text.find("\r\n")
                return text[len(key) + 2 : end] if end >= 0 else text[len(key) + 2 :]
            if text.startswith(other + ": "):
                return None
        else:
            headers = self._headers or ()
            if headers and headers[0][0] == key:
                return headers[0][1]
            if headers and headers[0][0] == other:
                return None
        return self.get(key)

    @property
    def action_id(self) -> str | None:
        """The ``ActionID`` that ties a response, or a list's events, to its action."""
        return self.get("ActionID")

    def as_dict(self) -> dict[str, str]:
        """The first value of every key (original case)."""
        result: dict[str, str] = {}
        for name, value in self.headers:
            result.setdefault(name, value)
        return result

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.headers == other.headers

    def __hash__(self) -> int:
        return hash(self.headers)

    def __repr__(self) -> str:
        return f"Message(headers={self.headers!r})"


def _message_from_text(text: str) -> Message:
    # Bypasses __init__: the parser makes one of these per message, so it must be cheap.
    message = _new_message(Message)
    message._text = text
    message._headers = None
    message._folded = None
    return message


_new_message = Message.__new__


class Parser:
    """Incremental AMI parser: feed it bytes as they arrive, get whole messages back.

    Chunks may be split anywhere (inside a key, inside CRLF, inside the empty line ending a
    message): only complete messages come out, the rest waits for the next :meth:`feed`.
    The banner line that opens a connection is taken off and kept in :attr:`banner`; give
    ``expect_banner=False`` when feeding a stream that starts with messages.

    One message, or the unfinished tail of the stream, longer than ``max_message_size`` bytes
    raises :class:`~switchboard.telephony.ami.errors.ProtocolError`; the parser is unusable
    afterwards (the connection it reads is not speaking AMI and must be dropped).
    """

    __slots__ = ("_banner_pending", "_buffer", "_scanned", "banner", "max_message_size")

    def __init__(
        self, *, max_message_size: int = MAX_MESSAGE_SIZE, expect_banner: bool = True
    ) -> None:
        self.max_message_size = max_message_size
        self.banner: str | None = None
        self._banner_pending = expect_banner
        self._buffer = bytearray()
        self._scanned = 0  # the buffer before this offset holds no separator

    @property
    def ami_version(self) -> str | None:
        """The protocol version from the banner (``11.0.0``), None before or without one."""
        if self.banner and "/" in self.banner:
            return self.banner.rsplit("/", 1)[1].strip()
        return None

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete message."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Message]:
        """Add received bytes; return the messages they complete, in order."""
        buffer = self._buffer
        buffer += data
        if self._banner_pending and not self._take_banner():
            return []
        end = buffer.rfind(SEPARATOR, self._scanned)
        if end < 0:
            if len(buffer) > self.max_message_size:
                raise ProtocolError(
                    f"AMI message longer than {self.max_message_size} bytes (no end in sight)"
                )
            # A separator may straddle this feed and the next: re-scan its first 3 bytes.
            self._scanned = max(0, len(buffer) - 3)
            return []
        complete = bytes(buffer[:end])
        del buffer[: end + 4]
        # What is left holds no whole separator (rfind found the last one), only maybe its start.
        self._scanned = max(0, len(buffer) - 3)
        if len(buffer) > self.max_message_size:
            raise ProtocolError(f"AMI message longer than {self.max_message_size} bytes")
        if len(complete) > self.max_message_size:
            self._check_sizes(complete)
        # Asterisk sends UTF-8; a stray byte (a caller name from an old phone) must not kill
        # the link, so it becomes U+FFFD.
        text = complete.decode("utf-8", "replace")
        return [_message_from_text(block) for block in text.split("\r\n\r\n") if block]

    def _take_banner(self) -> bool:
        """Consume the banner line once it is complete; False while it is still incomplete."""
        buffer = self._buffer
        while True:
            end = buffer.find(b"\r\n")
            if end < 0:
                if len(buffer) > self.max_message_size:
                    raise ProtocolError("no AMI banner line: this is not an Asterisk manager port")
                return False
            if end > 0:
                break
            del buffer[:2]  # stray empty lines before the banner
        line = bytes(buffer[:end]).decode("utf-8", "replace")
        # The banner is the one line without a colon; a stream that starts with a message
        # (a proxy that eats the banner) simply has none.
        if ":" not in line:
            self.banner = line.strip()
            del buffer[: end + 2]
        self._banner_pending = False
        self._scanned = 0
        return True

    def _check_sizes(self, complete: bytes) -> None:
        for block in complete.split(SEPARATOR):
            if len(block) > self.max_message_size:
                raise ProtocolError(f"AMI message longer than {self.max_message_size} bytes")


def parse_message(block: str) -> Message:
    """Parse one message's text (its lines, without the empty line that ends it) eagerly."""
    return Message(_parse_block(block))


def _parse_block(block: str) -> tuple[tuple[str, str], ...]:
    pairs = _HEADER_LINE.findall(block)
    # Every line matched: the common case, done in C. Otherwise (a value holding a lone CR or
    # LF, an empty line, raw legacy output) go line by line.
    if len(pairs) == block.count("\n") + 1:
        return tuple(pairs)
    return _parse_lines(block)


def _parse_lines(block: str) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for line in block.split(EOL):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name, value[1:] if value.startswith(" ") else value))
        else:
            # Raw text of a pre-13 ``Response: Follows`` Command answer: keep it as the
            # ``Output`` lines that Asterisk 14+ sends, so command() reads both alike.
            if line.endswith(_END_COMMAND):
                line = line[: -len(_END_COMMAND)]
                if not line:
                    continue
            headers.extend(("Output", text) for text in line.split("\n"))
    return tuple(headers)


def encode_action(name: str, fields: Mapping[str, str | Sequence[str]], action_id: str) -> bytes:
    """The bytes of one action: ``Action``, ``ActionID``, then ``fields`` in order.

    A sequence value repeats its key once per item (``Variable: a=1``, ``Variable: b=2``).
    Carriage returns and line feeds are refused anywhere: in a value they would let the text
    of, say, a caller name inject extra headers or a whole second action.
    """
    if not _KEY.fullmatch(name):
        raise ValueError(f"invalid AMI action name {name!r}")
    _check_value("ActionID", action_id)
    if not action_id:
        raise ValueError("an AMI action needs an ActionID")
    lines = [f"Action: {name}", f"ActionID: {action_id}"]
    for key, value in fields.items():
        if not _KEY.fullmatch(key):
            raise ValueError(f"invalid AMI field name {key!r}")
        if key.lower() in ("action", "actionid"):
            raise ValueError(f"{key} is set by the client, not given as a field")
        if isinstance(value, str):
            values: Sequence[object] = (value,)
        elif isinstance(value, Sequence):
            values = value
        else:
            raise TypeError(f"AMI field {key} must be text, not {type(value).__name__}")
        for item in values:
            if not isinstance(item, str):
                raise TypeError(f"AMI field {key} must be text, not {type(item).__name__}")
            _check_value(key, item)
            lines.append(f"{key}: {item}")
    lines.append(EOL)  # joined below: the last header's CRLF, then the empty line
    return EOL.join(lines).encode("utf-8")


def _check_value(key: str, value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"AMI field {key} must be text, not {type(value).__name__}")
    if _FORBIDDEN_IN_HEADER.search(value):
        raise ValueError(f"AMI field {key} contains a line break or NUL: {value!r}")


def is_list_start(message: Message) -> bool:
    """True for the response that opens a list (``EventList: start``)."""
    return (message.get("EventList") or "").lower() == "start"


def is_list_complete(message: Message) -> bool:
    """True for the event that closes a list (``EventList: Complete``)."""
    return (message.get("EventList") or "").lower() == "complete"


def is_error(message: Message) -> bool:
    """True for a ``Response: Error``."""
    return (message.response or "").lower() == "error"


def command_output(message: Message) -> str:
    """The CLI text of a ``Command`` response: its ``Output`` lines joined by newlines."""
    return "\n".join(message.get_all("Output"))
