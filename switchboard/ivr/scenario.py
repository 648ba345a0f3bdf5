"""The scenario of an IVR application: blocks of actions, validated in pure Python.

A scenario is JSON: ``{"blocks": [{"name": "incoming", "actions": [{"type": ...}, ...]}]}``.
The call enters the block ``incoming`` and runs its actions in order. Conditions (time,
holiday, incident) jump to their target block when true and otherwise go on with the next
action; a menu, a jump, a transfer and a hang-up end the block (nothing may follow them); a
block whose actions run out hangs up.

Every value that reaches the dialplan is checked here against a strict pattern, so the
renderer never sees text that could break extensions.conf. Errors are tied to their block and
action, so the editor shows each next to what caused it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

ENTRY_BLOCK = "incoming"
BLOCK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
SOUND = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_/-]{0,119}$")
NUMBER = re.compile(r"^[0-9]{2,10}$")
EXTERNAL_NUMBER = re.compile(r"^\+?[0-9]{2,20}$")
VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")
INCIDENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Za-z]{2})?$")
MENU_KEYS = frozenset("0123456789*")
PORTAL_SOUNDS = "switchboard/"  # where the media app deploys the sounds uploaded in the web
# What a digit-sequence pattern may contain: POSIX ERE over digits (Asterisk's REGEX() and
# Python's re agree on this subset). No quote, backslash, semicolon or ${ / $[.
PATTERN_CHARS = re.compile(r"^[0-9*#\[\]^${}()|?+.,-]{1,80}$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRANSFER_KINDS = ("phone", "queue", "external", "voicemail")
# Speech text is spoken, never written into the dialplan; still: one line, bounded.
SPEECH_MAX = 500

TERMINAL = frozenset({"menu", "goto", "transfer", "hangup"})
ACTION_TYPES = (
    "play",
    "speech",
    "read",
    "menu",
    "goto",
    "time",
    "holiday",
    "incident",
    "transfer",
    "hangup",
    "callback",
)
CALLBACK_SOUND = "auth-thankyou"  # Asterisk's own "thank you" when none is chosen


@dataclass(frozen=True)
class ScenarioError:
    """One problem, tied to a block (and an action index in it) when it has one."""

    message: str
    block: str = ""
    action: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "block": self.block, "action": self.action}


@dataclass
class Context:
    """What the scenario may refer to on its PBX."""

    phones: frozenset[str] = frozenset()
    queues: frozenset[str] = frozenset()
    incidents: frozenset[str] = frozenset()
    speech_available: bool = False
    # Sounds uploaded in the portal (switchboard/...); other names are Asterisk's own.
    sounds: frozenset[str] = frozenset()


def default_scenario() -> dict[str, Any]:
    return {"blocks": [{"name": ENTRY_BLOCK, "actions": [{"type": "hangup"}]}]}


@dataclass
class _Checker:
    context: Context
    errors: list[ScenarioError] = field(default_factory=list)
    block: str = ""
    index: int | None = None

    def error(self, message: str) -> None:
        self.errors.append(ScenarioError(message, self.block, self.index))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def validate(data: Any, context: Context) -> tuple[dict[str, Any], list[ScenarioError]]:
    """The cleaned scenario and its errors (the scenario is only to be saved without any)."""
    check = _Checker(context)
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        check.error(_("The scenario must be a list of blocks."))
        return default_scenario(), check.errors
    blocks: list[dict[str, Any]] = []
    names: list[str] = []
    for raw in data["blocks"][:200]:
        name = _text(raw.get("name")) if isinstance(raw, dict) else ""
        check.block, check.index = name, None
        if not BLOCK_NAME.match(name):
            check.error(
                _(
                    "A block name is 1 to 30 lower-case letters, digits or _, "
                    "starting with a letter."
                )
            )
        elif name in names:
            check.error(_("Two blocks are named “%(name)s”.") % {"name": name})
        names.append(name)
        actions = raw.get("actions") if isinstance(raw, dict) else None
        if not isinstance(actions, list):
            actions = []
        blocks.append({"name": name, "actions": actions})
    if ENTRY_BLOCK not in names:
        check.block, check.index = "", None
        check.error(_("The scenario needs a block named “incoming”: calls start there."))
    known = set(names)
    cleaned_blocks = []
    for block in blocks:
        check.block = block["name"]
        cleaned = []
        if not block["actions"]:
            check.index = None
            check.error(_("This block has no action."))
        for index, action in enumerate(block["actions"][:100]):
            check.index = index
            if cleaned and cleaned[-1]["type"] in TERMINAL:
                check.error(_("This action is never reached: the one before it ends the block."))
            cleaned.append(_action(check, action, known))
        cleaned_blocks.append({"name": block["name"], "actions": cleaned})
    scenario = {"blocks": cleaned_blocks}
    check.index = None
    for name in sorted(known - reachable(scenario) - {ENTRY_BLOCK}):
        check.block = name
        check.error(_("No call can reach this block: link it from another block or delete it."))
    return scenario, check.errors


def targets(action: dict[str, Any]) -> list[str]:
    """The blocks an action may jump to."""
    found = [action.get(key, "") for key in ("target", "on_timeout", "on_invalid")]
    found += [target for _key, target in action.get("keys", [])]
    found += [target for _regex, target in action.get("patterns", [])]
    return [name for name in found if name]


def reachable(scenario: dict[str, Any]) -> set[str]:
    by_name = {block["name"]: block for block in scenario["blocks"]}
    seen: set[str] = set()
    todo = [ENTRY_BLOCK]
    while todo:
        name = todo.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        for action in by_name[name]["actions"]:
            todo += targets(action)
    return seen


def _target(check: _Checker, value: Any, known: set[str], *, required: bool = True) -> str:
    name = _text(value)
    if not name:
        if required:
            check.error(_("Choose the block to go to."))
        return ""
    if name not in known:
        check.error(_("There is no block named “%(name)s”.") % {"name": name})
    return name


def _sound(check: _Checker, value: Any, *, required: bool = True) -> str:
    sound = _text(value)
    if not sound:
        if required:
            check.error(_("Choose a sound."))
        return ""
    if not SOUND.match(sound) or ".." in sound:
        check.error(_("A sound name has only letters, digits, / - and _ (e.g. digits/1)."))
    elif sound.startswith(PORTAL_SOUNDS) and sound not in check.context.sounds:
        check.error(_("There is no sound “%(name)s” in the portal.") % {"name": sound})
    return sound


def _digits_pattern(check: _Checker, value: Any) -> str:
    regex = _text(value)
    braces = re.sub(r"\{[0-9]+(,[0-9]*)?\}", "", regex)
    if not PATTERN_CHARS.match(regex) or re.search(r"\$[{\[]|[{}]", braces):
        check.error(
            _(
                "A digit pattern uses only digits, * # and the signs [ ] ^ $ { } ( ) | ? + . , -"
                " (e.g. ^12[0-9]{2}$)."
            )
        )
        return regex
    try:
        re.compile(regex)
    except re.error as error:
        check.error(_("Not a valid regular expression: %(error)s") % {"error": error})
    return regex


def _play(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {"sound": _sound(check, action.get("sound"))}


def _speech(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    text = _text(action.get("text"))
    language = _text(action.get("language")) or "en"
    if not text:
        check.error(_("Write the text to speak."))
    elif len(text) > SPEECH_MAX or "\n" in text or "\r" in text:
        check.error(_("The text to speak is one line of at most 500 characters."))
    if not LANGUAGE.match(language):
        check.error(_("A language code such as en, fr or ru."))
    if not check.context.speech_available:
        check.error(_("Text-to-speech is not available on this portal."))
    return {"text": text, "language": language}


def _read(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    variable = _text(action.get("variable")).upper()
    if not VARIABLE.match(variable):
        check.error(_("A variable name is upper-case letters, digits and _ (e.g. ACCOUNT)."))
    max_digits = _int(action.get("max_digits", 4), 1, 20)
    timeout = _int(action.get("timeout", 5), 1, 60)
    if max_digits is None:
        check.error(_("Read 1 to 20 digits."))
    if timeout is None:
        check.error(_("Wait 1 to 60 seconds."))
    return {
        "variable": variable,
        "sound": _sound(check, action.get("sound"), required=False),
        "max_digits": max_digits or 4,
        "timeout": timeout or 5,
    }


def _menu(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    keys: list[list[str]] = []
    raw_keys = action.get("keys") or []
    if isinstance(raw_keys, dict):
        raw_keys = list(raw_keys.items())
    for pair in raw_keys if isinstance(raw_keys, list) else []:
        key, target = ([*pair, "", ""])[:2] if isinstance(pair, list) else ("", "")
        key = _text(key)
        if key not in MENU_KEYS:
            check.error(_("A menu key is one of 0-9 or *."))
        elif key in (k for k, _t in keys):
            check.error(_("The key %(key)s is used twice.") % {"key": key})
        keys.append([key, _target(check, target, known)])
    patterns: list[list[str]] = []
    raw_patterns = action.get("patterns") or []
    for pair in raw_patterns if isinstance(raw_patterns, list) else []:
        regex, target = ([*pair, "", ""])[:2] if isinstance(pair, list) else ("", "")
        patterns.append([_digits_pattern(check, regex), _target(check, target, known)])
    if not keys and not patterns:
        check.error(_("A menu needs at least one key or digit pattern."))
    max_digits = _int(action.get("max_digits", 1), 1, 20)
    timeout = _int(action.get("timeout", 5), 1, 60)
    if max_digits is None:
        check.error(_("Read 1 to 20 digits."))
    elif patterns and max_digits < 2:
        check.error(_("A menu with digit patterns reads at least 2 digits."))
    if timeout is None:
        check.error(_("Wait 1 to 60 seconds."))
    return {
        "sound": _sound(check, action.get("sound"), required=False),
        "keys": keys,
        "patterns": patterns,
        "max_digits": max_digits or 1,
        "timeout": timeout or 5,
        "on_timeout": _target(check, action.get("on_timeout"), known, required=False),
        "on_invalid": _target(check, action.get("on_invalid"), known, required=False),
    }


def _goto(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {"target": _target(check, action.get("target"), known)}


def _time(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    days = action.get("days") or []
    days = [d for d in days if isinstance(d, str)] if isinstance(days, list) else []
    if not days or any(day not in WEEKDAYS for day in days):
        check.error(_("Choose at least one day of the week."))
    ranges: list[list[str]] = []
    raw_ranges = action.get("ranges") or []
    for pair in raw_ranges if isinstance(raw_ranges, list) else []:
        start, end = ([*pair, "", ""])[:2] if isinstance(pair, list) else ("", "")
        start, end = _text(start), _text(end)
        if not (TIME.match(start) and TIME.match(end)) or start >= end:
            check.error(_("A time range is HH:MM-HH:MM, the start before the end."))
        ranges.append([start, end])
    return {
        "days": [day for day in WEEKDAYS if day in days],
        "ranges": ranges,
        "target": _target(check, action.get("target"), known),
    }


def _holiday(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {"target": _target(check, action.get("target"), known)}


def _incident(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    name = _text(action.get("incident"))
    if not INCIDENT_NAME.match(name):
        check.error(_("Choose an incident."))
    elif name not in check.context.incidents:
        check.error(_("There is no incident named “%(name)s”.") % {"name": name})
    return {"incident": name, "target": _target(check, action.get("target"), known)}


def _transfer(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    kind = _text(action.get("kind"))
    number = _text(action.get("number"))
    if kind not in TRANSFER_KINDS:
        check.error(_("Choose where to transfer: phone, queue, external number or voicemail."))
    elif kind == "external":
        if not EXTERNAL_NUMBER.match(number):
            check.error(_("An external number is 2 to 20 digits, optionally after a +."))
    elif not NUMBER.match(number):
        check.error(_("A number is 2 to 10 digits."))
    elif kind in ("phone", "voicemail") and number not in check.context.phones:
        check.error(_("This PBX has no phone %(number)s.") % {"number": number})
    elif kind == "queue" and number not in check.context.queues:
        check.error(_("This PBX has no queue with the number %(number)s.") % {"number": number})
    return {"kind": kind, "number": number}


def _callback(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """A callback request: the caller's number (and the queue, if any) is stored for the
    operators, then the confirmation sound plays; the scenario goes on after it."""
    queue = _text(action.get("queue"))
    if queue and not NUMBER.match(queue):
        check.error(_("A number is 2 to 10 digits."))
    elif queue and queue not in check.context.queues:
        check.error(_("This PBX has no queue with the number %(number)s.") % {"number": queue})
    sound = _sound(check, action.get("sound"), required=False) or CALLBACK_SOUND
    return {"queue": queue, "sound": sound}


def _hangup(check: _Checker, action: dict[str, Any], known: set[str]) -> dict[str, Any]:
    return {}


_ACTIONS: dict[str, Callable[[_Checker, dict[str, Any], set[str]], dict[str, Any]]] = {
    "play": _play,
    "speech": _speech,
    "read": _read,
    "menu": _menu,
    "goto": _goto,
    "time": _time,
    "holiday": _holiday,
    "incident": _incident,
    "transfer": _transfer,
    "hangup": _hangup,
    "callback": _callback,
}


def _action(check: _Checker, action: Any, known: set[str]) -> dict[str, Any]:
    kind = action.get("type") if isinstance(action, dict) else None
    if kind not in _ACTIONS:
        check.error(_("Unknown action."))
        return {"type": "hangup"}
    return {"type": kind, **_ACTIONS[kind](check, action, known)}


def messages(errors: Iterable[ScenarioError]) -> list[str]:
    """Errors as lines for a page or a log: ``block #n: message``."""
    lines = []
    for error in errors:
        where = error.block or ""
        if error.action is not None:
            where += f" #{error.action + 1}"
        lines.append(f"{where}: {error.message}" if where else error.message)
    return lines
