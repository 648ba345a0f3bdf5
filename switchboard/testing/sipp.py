"""SIPp as the phones of a test: callers (UAC) and answering agent phones (UAS).

SIPp comes from Debian's ``sip-tester`` package. Every SIPp process here runs without a tty
(``-nostdin``, screen output discarded), bound to 127.0.0.1 on ports picked free at start,
with its error log, message trace and statistics in a private temporary directory that is
read back into a Python result and then deleted. Processes are always reaped: context
managers stop them, an ``atexit`` hook stops forgotten ones, and a parent-death signal kills
them if the test process itself is killed.

Scenarios are XML files in ``sipp_scenarios/`` with ``{{ name }}`` placeholders filled by
:func:`render_scenario` before SIPp reads them (SIPp itself cannot template attributes such
as timeouts).

Endpoints played by SIPp need ``direct_media=no`` (both ends are on 127.0.0.1, Asterisk
would otherwise re-INVITE them to talk directly) and ``send_connected_line=no`` (a plain
SIPp scenario cannot answer the re-INVITE that carries connected-line updates).
:func:`phone_endpoint_config` and :func:`caller_endpoint_config` write them that way.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from switchboard.testing.asterisk import (
    LOOPBACK,
    HarnessError,
    free_port,
    orphan_guard,
    require_tool,
)

SCENARIO_DIR = Path(__file__).with_name("sipp_scenarios")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_SAFETY_TIMEOUT_S = 3600  # a forgotten SIPp never runs longer than this
LOOPBACK_HEX = "0100007F"  # 127.0.0.1 as /proc/net/udp writes it (little-endian hex)


def sipp_binary() -> str:
    """Path of ``sipp``, or a clear error naming the Debian package to install."""
    return require_tool("sipp", "sip-tester")


def render_scenario(name: str, values: Mapping[str, object]) -> str:
    """Fill the ``{{ placeholders }}`` of ``sipp_scenarios/<name>``; all must be given."""
    template = (SCENARIO_DIR / name).read_text()
    missing = set(_PLACEHOLDER.findall(template)) - set(values)
    if missing:
        raise HarnessError(f"scenario {name} needs values for {sorted(missing)}")

    def fill(match: re.Match[str]) -> str:
        text = str(values[match.group(1)])
        if "]]>" in text or "\r" in text:
            raise HarnessError(f"unsafe value for {match.group(1)}: {text!r}")
        return text

    return _PLACEHOLDER.sub(fill, template)


# --------------------------------------------------------------------------------------------
# Reading SIPp's output files
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SipMessage:
    """One SIP message from SIPp's ``-trace_msg`` log, as seen by SIPp."""

    received: bool
    first_line: str
    call_id: str
    cseq_method: str

    @property
    def status(self) -> int | None:
        """The status code of a response, None for a request."""
        match = re.match(r"SIP/2\.0 (\d{3})", self.first_line)
        return int(match.group(1)) if match else None

    @property
    def method(self) -> str | None:
        """The method of a request, None for a response."""
        return None if self.first_line.startswith("SIP/2.0") else self.first_line.split(" ")[0]


def parse_message_trace(text: str) -> list[SipMessage]:
    """Parse SIPp's message trace (blocks separated by a dashed line with a timestamp)."""
    messages: list[SipMessage] = []
    for block in re.split(r"^-{20,}.*$", text, flags=re.MULTILINE):
        lines = block.strip("\n").splitlines()
        if len(lines) < 3:
            continue
        direction = lines[0].lower()
        body = [line for line in lines[1:] if line.strip()]
        if not body:
            continue
        headers = {
            name.strip().lower(): value.strip()
            for name, sep, value in (line.partition(":") for line in body[1:])
            if sep
        }
        cseq = headers.get("cseq", "").split()
        messages.append(
            SipMessage(
                received="received" in direction,
                first_line=body[0].strip(),
                call_id=headers.get("call-id", headers.get("i", "")),
                cseq_method=cseq[1] if len(cseq) > 1 else "",
            )
        )
    return messages


def _final_invite_codes(messages: Sequence[SipMessage], *, received: bool) -> list[int]:
    """Final (>= 200) INVITE responses, one per call and code (retransmissions dropped)."""
    seen: set[tuple[str, int]] = set()
    codes: list[int] = []
    for message in messages:
        status = message.status
        if message.received != received or message.cseq_method != "INVITE" or status is None:
            continue
        if status >= 200 and (message.call_id, status) not in seen:
            seen.add((message.call_id, status))
            codes.append(status)
    return codes


def _calls_with(messages: Sequence[SipMessage], *, received: bool, method: str) -> int:
    """How many distinct calls saw ``method`` in the given direction."""
    return len({m.call_id for m in messages if m.received == received and m.method == method})


def _read_stat_counters(path: Path) -> dict[str, int]:
    """Cumulative counters (``...(C)`` columns) of the last line of SIPp's ``-trace_stat``."""
    try:
        rows = list(csv.reader(path.read_text().splitlines(), delimiter=";"))
    except OSError:
        return {}
    if len(rows) < 2:
        return {}
    counters: dict[str, int] = {}
    for name, value in zip(rows[0], rows[-1], strict=False):
        if name.endswith("(C)") and value.strip().isdigit():
            counters[name[: -len("(C)")]] = int(value)
    return counters


# --------------------------------------------------------------------------------------------
# One SIPp process
# --------------------------------------------------------------------------------------------

_live_processes: set[SippProcess] = set()


class SippProcess:
    """A SIPp process with its files in a private directory (base of callers and phones)."""

    def __init__(self, role: str, scenario_xml: str, arguments: Sequence[str], port: int) -> None:
        self.role = role
        self.port = port
        self.workdir = Path(tempfile.mkdtemp(prefix=f"sb-sipp-{role}-"))
        self.scenario = self.workdir / "scenario.xml"
        self.scenario.write_text(scenario_xml)
        self.error_log = self.workdir / "errors.log"
        self.message_log = self.workdir / "messages.log"
        self.stat_file = self.workdir / "stat.csv"
        self.screen_file = self.workdir / "screen.log"
        self.stderr_file = self.workdir / "stderr.log"
        self.argv = [*self._common_arguments(), *arguments]
        self.exit_code: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def _common_arguments(self) -> list[str]:
        return [
            sipp_binary(),
            "-sf", str(self.scenario),
            "-i", LOOPBACK,
            "-p", str(self.port),
            "-bind_local",
            # Control and media sockets default to fixed ports (8888, 6000): pick our own.
            "-ci", LOOPBACK,
            "-cp", str(free_port("udp")),
            "-mp", str(free_port("udp")),
            "-nostdin",
            "-aa",  # auto-answer INFO/NOTIFY/OPTIONS/UPDATE (qualify, MWI, connected line)
            "-trace_err", "-error_file", str(self.error_log),
            "-trace_msg", "-message_file", str(self.message_log),
            "-trace_stat", "-stf", str(self.stat_file), "-fd", "1",
            "-trace_screen", "-screen_file", str(self.screen_file),
        ]  # fmt: skip

    @property
    def running(self) -> bool:
        """True while the SIPp process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start SIPp (its screen output is discarded: it has no tty)."""
        with self.stderr_file.open("wb") as stderr:
            self._process = subprocess.Popen(
                [*orphan_guard(), *self.argv],
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        _live_processes.add(self)

    def wait(self, timeout_s: float) -> int:
        """Wait for SIPp to exit by itself; kill it after ``timeout_s``. Returns the exit code."""
        assert self._process is not None, "not started"
        try:
            self.exit_code = self._process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.terminate()
            raise HarnessError(
                f"SIPp {self.role} still running after {timeout_s} s, killed\n{self.diagnostics()}"
            ) from None
        _live_processes.discard(self)
        return self.exit_code

    def terminate(self) -> None:
        """Stop SIPp: soft quit (SIGUSR1) first so it writes its statistics, then force."""
        process = self._process
        if process is not None:
            for sig, grace_s in (
                (signal.SIGUSR1, 1.0),
                (signal.SIGTERM, 2.0),
                (signal.SIGKILL, 5.0),
            ):
                if process.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=grace_s)
            self.exit_code = process.poll()
        _live_processes.discard(self)

    def read(self, path: Path) -> str:
        """Text of one of SIPp's files ('' if it was not written)."""
        try:
            return path.read_text(errors="replace")
        except OSError:
            return ""

    def messages(self) -> list[SipMessage]:
        """The SIP messages SIPp traced so far."""
        return parse_message_trace(self.read(self.message_log))

    def diagnostics(self) -> str:
        """SIPp's stderr, error log and last screen, for failure messages."""
        parts = [
            f"SIPp {self.role}: {' '.join(self.argv)}",
            "stderr: " + self.read(self.stderr_file).strip(),
            "errors: " + self.read(self.error_log).strip()[-3000:],
            "screen: " + self.read(self.screen_file).strip()[-2000:],
        ]
        return "\n".join(parts)

    def cleanup(self) -> None:
        """Stop SIPp if needed and delete its directory."""
        self.terminate()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _stop_leftovers() -> None:
    """At exit, stop the SIPp processes a test forgot (no orphans)."""
    for process in list(_live_processes):
        with contextlib.suppress(Exception):
            process.cleanup()


atexit.register(_stop_leftovers)


def _wait_until_bound(process: SippProcess, timeout_s: float = 5.0) -> None:
    """Wait until SIPp listens on its UDP port (read from /proc: probing would steal it)."""
    wanted = f"{LOOPBACK_HEX}:{process.port:04X}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process.running:
            raise HarnessError(f"SIPp {process.role} exited at start\n{process.diagnostics()}")
        with contextlib.suppress(OSError):
            table = Path("/proc/net/udp").read_text()
            if any(line.split()[1] == wanted for line in table.splitlines()[1:]):
                return
        time.sleep(0.02)
    raise HarnessError(f"SIPp {process.role} did not bind port {process.port}")


# --------------------------------------------------------------------------------------------
# Callers (UAC)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallResult:
    """What happened to the call(s) a SIPp caller placed.

    ``successful``/``failed`` are SIPp's own counters (a call the caller gave up on after
    ``answer_timeout_ms`` plays its scenario to the end and counts as successful);
    ``final_codes`` are the final responses to the INVITEs, one per call: 200 when
    answered, 487 when the caller gave up, 486 busy, 404...
    """

    calls: int
    exit_code: int
    successful: int
    failed: int
    final_codes: tuple[int, ...]
    remote_hangups: int
    errors: str
    diagnostics: str

    @property
    def answered_calls(self) -> int:
        """How many calls got a 200 OK."""
        return self.final_codes.count(200)

    @property
    def answered(self) -> bool:
        """At least one call got a 200 OK."""
        return self.answered_calls > 0

    @property
    def ok(self) -> bool:
        """Every call was answered and ended cleanly."""
        return self.exit_code == 0 and self.failed == 0 and self.answered_calls == self.calls


def _meaningful_errors(text: str) -> str:
    """SIPp's error log without the notes it writes for every planned timeout jump.

    Entries start with a date; SIPp sometimes omits the newline between two of them.
    """
    text = text.replace("The following events occurred:", "")
    entries = re.split(r"(?=\d{4}-\d{2}-\d{2}\t)", text)
    return "\n".join(e.strip() for e in entries if e.strip() and "jumping to label" not in e)


class SippCall:
    """A running SIPp caller; :meth:`wait` returns its :class:`CallResult`.

    Use :func:`start_call` to create one and act while the call is up (check queue state,
    send AMI actions...), or :func:`place_call` to just place it and wait.
    """

    def __init__(self, process: SippProcess, calls: int, timeout_s: float) -> None:
        self.process = process
        self.calls = calls
        self.timeout_s = timeout_s
        self.result: CallResult | None = None

    def __enter__(self) -> SippCall:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.result is None:
            self.process.cleanup()

    @property
    def local_port(self) -> int:
        """The caller's SIP port on 127.0.0.1 (what an identify ``match`` would check)."""
        return self.process.port

    def wait(self) -> CallResult:
        """Wait for SIPp to finish the call(s), read its files, delete them."""
        if self.result is not None:
            return self.result
        try:
            exit_code = self.process.wait(self.timeout_s)
            messages = self.process.messages()
            counters = _read_stat_counters(self.process.stat_file)
            self.result = CallResult(
                calls=self.calls,
                exit_code=exit_code,
                successful=counters.get("SuccessfulCall", 0),
                failed=counters.get("FailedCall", 0),
                final_codes=tuple(_final_invite_codes(messages, received=True)),
                remote_hangups=_calls_with(messages, received=True, method="BYE"),
                errors=_meaningful_errors(self.process.read(self.process.error_log)),
                diagnostics=self.process.diagnostics(),
            )
        finally:
            self.process.cleanup()
        return self.result


def start_call(
    sip_port: int,
    number: str,
    *,
    caller_id: str = "5550100",
    caller_name: str | None = None,
    hold_ms: int = 2000,
    answer_timeout_ms: int = 30000,
    calls: int = 1,
    rate_per_s: float = 10.0,
    local_port: int | None = None,
    extra_headers: Sequence[str] = (),
    host: str = LOOPBACK,
) -> SippCall:
    """Start calling ``number`` at ``host:sip_port``; returns without waiting.

    ``caller_id``/``caller_name`` go into the From header. The caller hangs up ``hold_ms``
    after the answer (sooner if the far end hangs up), and gives up with CANCEL if no answer
    comes within ``answer_timeout_ms``. ``local_port`` fixes the caller's port so an
    ``identify`` section can recognise it (see :func:`caller_endpoint_config`).
    """
    if not re.fullmatch(r"[A-Za-z0-9+*#._-]+", caller_id):
        raise HarnessError(f"bad caller ID {caller_id!r}")
    if caller_name is not None and not re.fullmatch(r"[^\r\n\"<>]*", caller_name):
        raise HarnessError(f"bad caller name {caller_name!r}")
    if any("\n" in header or "\r" in header for header in extra_headers):
        raise HarnessError("extra_headers must be single lines")
    display = f'"{caller_name}" ' if caller_name else ""
    headers = "".join(f"\n      {header}" for header in extra_headers)
    xml = render_scenario(
        "caller.xml",
        {
            "from_user": caller_id,
            "from_display": display,
            "hold_ms": max(1, hold_ms),
            "answer_timeout_ms": max(1, answer_timeout_ms),
            "extra_headers": headers,
        },
    )
    per_call_s = (answer_timeout_ms + hold_ms) / 1000 + 5
    timeout_s = per_call_s + calls / rate_per_s + 5
    arguments = [
        f"{host}:{sip_port}",
        "-s", number,
        "-m", str(calls),
        "-r", str(rate_per_s),
        "-l", str(calls),
        # SIPp's own clock, so a stuck call fails with a non-zero exit instead of hanging.
        "-timeout", f"{int(timeout_s)}s",
        "-timeout_error",
    ]  # fmt: skip
    process = SippProcess("caller", xml, arguments, local_port or free_port("udp"))
    process.start()
    return SippCall(process, calls, timeout_s + 10)


def place_call(sip_port: int, number: str, **options: Any) -> CallResult:
    """Place call(s) like :func:`start_call` (same options) and wait for the result."""
    with start_call(sip_port, number, **options) as call:
        return call.wait()


# --------------------------------------------------------------------------------------------
# Answering phones (UAS)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneStats:
    """What an answering phone went through, counted per call (Call-ID)."""

    offered: int
    answered: int
    cancelled: int
    hung_up_by_phone: int
    hung_up_by_caller: int
    rejected: int


class AnsweringPhone:
    """An agent's phone played by SIPp in server mode on its own loopback port.

    It rings ``answer_after_ms`` then answers (``None``: never answers, rings until
    cancelled), then talks until the other side hangs up, or hangs up itself after
    ``hangup_after_ms``. With ``reject_with`` (486, 603...) it refuses every call instead.
    Asterisk reaches it through a static contact: put :meth:`endpoint_config` in pjsip.conf
    and dial ``PJSIP/<name>``::

        with AnsweringPhone("agent1", answer_after_ms=1000) as phone:
            pbx = asterisk_factory(appends={"pjsip.conf": phone.endpoint_config()})
    """

    def __init__(
        self,
        name: str = "agent",
        *,
        answer_after_ms: int | None = 0,
        hangup_after_ms: int | None = None,
        reject_with: int | None = None,
        port: int | None = None,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise HarnessError(f"bad phone name {name!r}")
        self.name = name
        self.answer_after_ms = answer_after_ms
        self.hangup_after_ms = hangup_after_ms
        self.reject_with = reject_with
        self.port = port or free_port("udp")
        self._process: SippProcess | None = None
        self.final_stats: PhoneStats | None = None

    @property
    def contact(self) -> str:
        """The SIP URI Asterisk sends calls to."""
        return f"sip:{self.name}@{LOOPBACK}:{self.port}"

    @property
    def dial_string(self) -> str:
        """What Dial() or a queue member uses to ring this phone."""
        return f"PJSIP/{self.name}"

    def endpoint_config(self, context: str = "from-phones", **options: str) -> str:
        """pjsip.conf endpoint + AOR with a static contact for this phone."""
        return phone_endpoint_config(self.name, self.port, context=context, **options)

    def _scenario(self) -> str:
        if self.reject_with is not None:
            reason = _REASONS.get(self.reject_with, "Rejected")
            return render_scenario(
                "phone_reject.xml", {"status": self.reject_with, "reason": reason}
            )
        ring = (
            f'timeout="{max(1, self.answer_after_ms)}" ontimeout="answer"'
            if self.answer_after_ms is not None
            else ""
        )
        bye = (
            f'timeout="{max(1, self.hangup_after_ms)}" ontimeout="hang_up"'
            if self.hangup_after_ms is not None
            else ""
        )
        return render_scenario(
            "phone_answer.xml",
            {"user": self.name, "ring_attributes": ring, "bye_wait_attributes": bye},
        )

    def start(self) -> AnsweringPhone:
        """Start SIPp and wait until it listens."""
        if self._process is None:
            arguments = ["-timeout", f"{_SAFETY_TIMEOUT_S}s"]
            self._process = SippProcess(
                f"phone-{self.name}", self._scenario(), arguments, self.port
            )
            self._process.start()
            _wait_until_bound(self._process)
        return self

    def stats(self) -> PhoneStats:
        """Counts so far (after :meth:`stop`, the final counts)."""
        if self._process is None:
            return self.final_stats or PhoneStats(0, 0, 0, 0, 0, 0)
        messages = self._process.messages()
        return PhoneStats(
            offered=_calls_with(messages, received=True, method="INVITE"),
            answered=_final_invite_codes(messages, received=False).count(200),
            cancelled=_calls_with(messages, received=True, method="CANCEL"),
            hung_up_by_phone=_calls_with(messages, received=False, method="BYE"),
            hung_up_by_caller=_calls_with(messages, received=True, method="BYE"),
            rejected=sum(
                code >= 300 and code != 487
                for code in _final_invite_codes(messages, received=False)
            ),
        )

    def diagnostics(self) -> str:
        """SIPp's files, for a failure message."""
        return self._process.diagnostics() if self._process else f"phone {self.name} not started"

    def stop(self) -> PhoneStats:
        """Stop SIPp, keep the final counts, delete its files."""
        if self._process is not None:
            self._process.terminate()
            self.final_stats = self.stats()
            self._process.cleanup()
            self._process = None
        return self.final_stats or PhoneStats(0, 0, 0, 0, 0, 0)

    def __enter__(self) -> AnsweringPhone:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class TransferringPhone(AnsweringPhone):
    """An agent's phone that answers after ``answer_after_ms``, talks ``refer_after_ms``, then
    transfers the call blindly to ``refer_to`` (a number of the phone's dialplan context) with
    a SIP REFER, and hangs up ``bye_after_ms`` after Asterisk accepted it, as phones do
    (answering Asterisk's BYE if it comes first; see ``sipp_scenarios/phone_refer.xml``)."""

    def __init__(
        self,
        name: str = "agent",
        *,
        refer_to: str,
        answer_after_ms: int = 0,
        refer_after_ms: int = 1000,
        bye_after_ms: int = 1000,
        port: int | None = None,
    ) -> None:
        super().__init__(name, answer_after_ms=answer_after_ms, port=port)
        if not re.fullmatch(r"[0-9*#+]+", refer_to):
            raise HarnessError(f"bad transfer target {refer_to!r}")
        self.refer_to = refer_to
        self.refer_after_ms = refer_after_ms
        self.bye_after_ms = bye_after_ms

    def _scenario(self) -> str:
        return render_scenario(
            "phone_refer.xml",
            {
                "user": self.name,
                "refer_to": self.refer_to,
                "answer_after_ms": max(1, self.answer_after_ms or 0),
                "refer_after_ms": max(1, self.refer_after_ms),
                "bye_timeout_ms": max(1, self.bye_after_ms),
            },
        )


_REASONS = {
    403: "Forbidden",
    404: "Not Found",
    480: "Temporarily Unavailable",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    500: "Server Internal Error",
    503: "Service Unavailable",
    600: "Busy Everywhere",
    603: "Decline",
}


# --------------------------------------------------------------------------------------------
# pjsip.conf snippets for SIPp-played endpoints
# --------------------------------------------------------------------------------------------


def _endpoint_lines(name: str, context: str, options: Mapping[str, str]) -> list[str]:
    settings = {
        "context": context,
        "disallow": "all",
        "allow": "ulaw,alaw",
        "direct_media": "no",
        "send_connected_line": "no",
        "rtp_symmetric": "yes",
        # Keep the call's RTP sockets on loopback like everything else in a test.
        "media_address": LOOPBACK,
        "bind_rtp_to_media_address": "yes",
        **options,
    }
    return [
        f"[{name}]",
        "type = endpoint",
        *(f"{key} = {value}" for key, value in settings.items()),
    ]


def phone_endpoint_config(
    name: str, port: int, *, context: str = "from-phones", **options: str
) -> str:
    """An endpoint and an AOR whose static contact is SIPp on ``127.0.0.1:port``.

    ``options`` add or override endpoint settings (``callerid``, ``named_call_group``...).
    """
    lines = _endpoint_lines(name, context, {"aors": name, **options})
    lines += ["", f"[{name}]", "type = aor", f"contact = sip:{name}@{LOOPBACK}:{port}"]
    return "\n".join(lines) + "\n"


def caller_endpoint_config(
    name: str, port: int, *, context: str = "from-sipp", **options: str
) -> str:
    """An endpoint for calls coming from a SIPp caller on ``127.0.0.1:port`` (e.g. a trunk).

    It is matched by source address and port, so the caller's From user can be any caller
    ID; pass the same port as ``local_port`` to :func:`start_call`.
    """
    lines = _endpoint_lines(name, context, options)
    lines += ["", f"[{name}]", "type = identify", f"endpoint = {name}"]
    lines.append(f"match = {LOOPBACK}:{port}")
    return "\n".join(lines) + "\n"
