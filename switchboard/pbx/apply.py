"""Apply (SPEC A15, DESIGN principle 4): make rendered files live on a PBX, or change nothing.

The portal owns one directory in Asterisk's configuration directory, reached through the
symbolic link ``switchboard`` (the administrator's own pjsip.conf and extensions.conf
``#tryinclude`` the files in it once). An apply:

1. **renders** every file (pure) and **compares** with the live generation: unchanged files
   need no reload, and nothing changed means nothing to do;
2. **checks** the texts (every line a section, a comment or ``key = value``/``=>``) and that
   the administrator's files include ours;
3. **stages** the files in a new directory ``switchboard.<generation>`` (written, synced);
4. **swaps** the link to it in one ``rename`` (atomic: Asterisk reads the old or the new set,
   never a mix);
5. **reloads** only the modules whose files changed, through the AMI;
6. **verifies** through the AMI that Asterisk loaded them (the dialplan's generation marker,
   every phone's endpoint);
7. on any failure in 4-6, **rolls back**: the link points to the previous directory again,
   the same modules reload, and the error is reported in plain words.

Calls in progress are not touched: reloading pjsip or the dialplan keeps live channels.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from switchboard.pbx.render import MODULE_OF_FILE
from switchboard.pbx.render.dialplan import GENERATION_CONTEXT
from switchboard.telephony.ami.client import AmiClient
from switchboard.telephony.ami.errors import AmiActionError, AmiError

LINK = "switchboard"
KEEP_GENERATIONS = 5
INCLUDE_LINE = "#tryinclude switchboard/{name}"

_LINE = re.compile(
    r"^(\s*(;.*)?|\[[^\]\[\r\n]+\](\(.*\))?\s*(;.*)?|#(try)?include\s+\S+|[A-Za-z0-9_][\w.-]*\s*=>?\s*.*"
    r"|\s+same\s*=>\s*.*)$"
)


class ApplyError(Exception):
    """The configuration did not go live; the previous one is (still) live."""


@dataclass
class ApplyResult:
    generation: str
    changed: list[str]
    seconds: float
    rolled_back: bool = False
    error: str = ""
    steps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error


def new_generation(now: float | None = None) -> str:
    stamp = datetime.fromtimestamp(now or time.time(), UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def check_text(name: str, text: str) -> list[str]:
    """Lines that are not configuration syntax (a renderer bug must not reach Asterisk)."""
    return [
        f"{name}:{number}: {line[:80]!r}"
        for number, line in enumerate(text.splitlines(), 1)
        if not _LINE.match(line)
    ]


def include_lines() -> dict[str, str]:
    """What each of Asterisk's own files must contain once to read the portal's file."""
    return {name: INCLUDE_LINE.format(name=name) + "\n" for name in MODULE_OF_FILE}


def missing_includes(config_dir: Path, files: Sequence[str]) -> list[str]:
    """The administrator's files that do not include ours yet (with the line to add)."""
    missing = []
    for name in files:
        main = config_dir / name
        text = main.read_text(errors="replace") if main.exists() else ""
        wanted = INCLUDE_LINE.format(name=name)
        if not any(line.strip().startswith(wanted) for line in text.splitlines()):
            missing.append(f"{name}: {wanted}")
    return missing


def live_files(config_dir: Path) -> dict[str, str]:
    """The files of the live generation (empty before the first apply)."""
    link = config_dir / LINK
    if not link.is_dir():
        return {}
    return {path.name: path.read_text() for path in link.iterdir() if path.is_file()}


def live_generation(config_dir: Path) -> str:
    link = config_dir / LINK
    return os.readlink(link).removeprefix(f"{LINK}.") if link.is_symlink() else ""


def stage(config_dir: Path, generation: str, files: Mapping[str, str]) -> Path:
    """Write the files into a new generation directory, synced to disk."""
    target = config_dir / f"{LINK}.{generation}"
    target.mkdir()
    for name, text in files.items():
        path = target / name
        with path.open("w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        path.chmod(0o640)
    return target


def point_link(config_dir: Path, directory_name: str) -> None:
    """Make ``switchboard`` point to ``directory_name`` in one atomic rename."""
    temporary = config_dir / f".{LINK}.link-{secrets.token_hex(4)}"
    os.symlink(directory_name, temporary)  # relative: valid inside a chroot too
    os.replace(temporary, config_dir / LINK)


def prune(config_dir: Path, keep: Sequence[str]) -> None:
    """Delete old generation directories (the newest few are kept for inspection)."""
    generations = sorted(
        (p for p in config_dir.glob(f"{LINK}.*") if p.is_dir() and not p.is_symlink()),
        key=lambda p: p.name,
    )
    for path in generations[:-KEEP_GENERATIONS]:
        if path.name.removeprefix(f"{LINK}.") not in keep:
            shutil.rmtree(path, ignore_errors=True)


async def reload_modules(client: AmiClient, files: Sequence[str]) -> None:
    for command in dict.fromkeys(MODULE_OF_FILE[name] for name in files):
        output = await client.command(command, timeout=30)
        if "not found" in output.lower() or "failed" in output.lower():
            raise ApplyError(
                _("Asterisk answered “%(output)s” to “%(command)s”.")
                % {"output": output.strip(), "command": command}
            )


async def verify(
    client: AmiClient,
    files: Sequence[str],
    generation: str,
    endpoints: set[str],
    queues: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Asterisk runs what we wrote: read back the marker, the phones' endpoints, the queues."""
    if "extensions.conf" in files:
        try:
            output = await client.command(f"dialplan show s@{GENERATION_CONTEXT}", timeout=15)
        except AmiActionError:
            output = ""  # no such context at all
        if generation not in output:
            raise ApplyError(
                _(
                    "Asterisk did not load the new dialplan (its generation marker is not "
                    "there); the log of the PBX tells why."
                )
            )
    if "queues.conf" in files and queues:
        try:
            _response, events = await client.list_action("QueueStatus")
        except AmiError as error:
            raise ApplyError(
                _("Asterisk could not list its queues: %(error)s") % {"error": error}
            ) from error
        missing = sorted(queues - {e.get("Queue") for e in events if e.event == "QueueParams"})
        if missing:
            raise ApplyError(
                _("Asterisk did not load these queues: %(names)s") % {"names": ", ".join(missing)}
            )
    if "pjsip.conf" in files and endpoints:
        try:
            _response, events = await client.list_action("PJSIPShowEndpoints")
        except AmiError as error:
            raise ApplyError(
                _("Asterisk could not list its PJSIP endpoints: %(error)s") % {"error": error}
            ) from error
        loaded = {event.get("ObjectName") for event in events}
        missing = sorted(endpoints - loaded)
        if missing:
            raise ApplyError(
                "Asterisk did not load these phones: "
                + ", ".join(missing[:10])
                + (" …" if len(missing) > 10 else "")
            )


async def apply_files(
    client: AmiClient,
    config_dir: Path,
    files: Mapping[str, str],
    generation: str,
    *,
    endpoints: set[str] = frozenset(),  # type: ignore[assignment]
    queues: set[str] = frozenset(),  # type: ignore[assignment]
    after_swap: Callable[[], None] | None = None,
) -> ApplyResult:
    """Make ``files`` live (see the module's docstring). ``client`` is logged in."""
    started = time.monotonic()
    result = ApplyResult(generation, [], 0.0)
    problems = [line for name, text in files.items() for line in check_text(name, text)]
    if problems:
        raise ApplyError(
            _("The generated text is not valid configuration: %(lines)s")
            % {"lines": "; ".join(problems[:5])}
        )
    missing = missing_includes(config_dir, list(files))
    if missing:
        raise ApplyError(
            _(
                "Asterisk's own files do not include the portal's yet. "
                "Add these lines once: %(lines)s"
            )
            % {"lines": "; ".join(missing)}
        )
    current = live_files(config_dir)
    previous = live_generation(config_dir)
    # The generation marker differs every time: compare the dialplan without it.
    comparable = {n: _without_marker(t) for n, t in files.items()}
    result.changed = sorted(
        n for n in files if _without_marker(current.get(n, "")) != comparable[n]
    )
    if not result.changed:
        result.generation = previous
        result.seconds = time.monotonic() - started
        result.steps.append("nothing changed")
        return result
    staged_files = dict(files)
    if "extensions.conf" not in result.changed and "extensions.conf" in current:
        staged_files["extensions.conf"] = current["extensions.conf"]  # keep the live marker
    stage(config_dir, generation, staged_files)
    result.steps.append("staged")
    point_link(config_dir, f"{LINK}.{generation}")
    result.steps.append("swapped")
    try:
        if after_swap is not None:
            after_swap()
        await reload_modules(client, result.changed)
        result.steps.append("reloaded " + ", ".join(result.changed))
        await verify(client, result.changed, generation, endpoints, queues)
        result.steps.append("verified")
    except (ApplyError, AmiError, OSError) as error:
        result.error = str(error)
        await _roll_back(client, config_dir, previous, result)
    finally:
        result.seconds = time.monotonic() - started
    with contextlib.suppress(OSError):
        prune(config_dir, keep=[generation, previous])
    return result


async def _roll_back(
    client: AmiClient, config_dir: Path, previous: str, result: ApplyResult
) -> None:
    result.rolled_back = True
    if previous:
        point_link(config_dir, f"{LINK}.{previous}")
    else:
        (config_dir / LINK).unlink(missing_ok=True)
    result.steps.append("rolled back")
    try:
        await reload_modules(client, result.changed)
        result.steps.append("previous configuration reloaded")
    except (ApplyError, AmiError) as error:
        result.error += " — " + _(
            "and reloading the previous configuration failed too: %(error)s"
        ) % {"error": error}


def _without_marker(text: str) -> str:
    return re.sub(r"(exten => s,1,NoOp\()[^)]*(\))", r"\1\2", text, count=1)
