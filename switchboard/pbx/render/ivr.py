"""IVR applications as dialplan: one context per IVR, one extension per block.

``[sb-ivr-<number>]`` starts at ``start``: an inactive IVR, or a call outside its date
range, goes to ``closed`` (the fallback number, or busy). Otherwise the call is answered and
enters ``blk_incoming``. Each block is the extension ``blk_<name>``; its actions run in order
and a block whose actions run out hangs up.

Values were validated by ``switchboard.ivr.scenario`` already; this renderer still keeps to
the same strict patterns (``_safe``/``_word``) so nothing a spec holds can break the file.

Holidays are rendered into ``[sb-ivr-holidays]`` (a Gosub returning 1 on a holiday): adding
or removing one takes an apply, which the holiday pages run at once. Incidents are read from
AstDB at call time (``${DB(switchboard/incident/<name>)}`` = 1), so switching one needs no
reload at all.
"""

from __future__ import annotations

import re

from switchboard.pbx.render.forwards import VOICEMAIL_CONTEXT
from switchboard.pbx.render.spec import IvrActionSpec, IvrBlockSpec, IvrSpec, SiteSpec

HOLIDAYS_CONTEXT = "sb-ivr-holidays"
INTERNAL_CONTEXT = "sb-internal"  # as in dialplan.py (not imported: dialplan imports us)
OUTBOUND_CONTEXT = "sb-outbound"
INCIDENT_FAMILY = "switchboard/incident"
CALLBACK_FAMILY = "switchboard/callback"  # read by switchboard.callbacks.collector
DIGITS_VARIABLE = "SB_IVR_DIGITS"

_WORD = re.compile(r"[^A-Za-z0-9_/+*#-]")
_UNSAFE_TEXT = re.compile(r"[^\w .'-]", re.UNICODE)


def context_name(ivr: IvrSpec) -> str:
    return f"sb-ivr-{_word(ivr.number)}"


def _word(value: str) -> str:
    """A name, number or sound: anything outside the validated alphabet is dropped."""
    return _WORD.sub("", value)


def _safe(text: str) -> str:
    """Free text for a NoOp(): letters, digits, spaces and . ' - only."""
    return _UNSAFE_TEXT.sub(" ", text).strip()[:80]


def _pattern(regex: str) -> str:
    """A digit pattern inside REGEX("..."): no quote, backslash or variable expansion."""
    cleaned = re.sub(r"[^0-9*#\[\]^${}()|?+.,-]", "", regex)
    # Braces only as quantifiers ({2} or {2,4}): a stray one would end ${REGEX(...)} early.
    parts = re.split(r"(\{[0-9]+(?:,[0-9]*)?\})", cleaned)
    cleaned = "".join(p if i % 2 else re.sub(r"[{}]", "", p) for i, p in enumerate(parts))
    if cleaned.count("(") != cleaned.count(")"):
        cleaned = re.sub(r"[()]", "", cleaned)
    return re.sub(r"\$(?=[{\[])", "", cleaned)


def _block(name: str) -> str:
    return f"blk_{_word(name)}"


def _go(name: str) -> str:
    return f"{_block(name)},1"


def internal_lines(site: SiteSpec) -> list[str]:
    """Each IVR's internal number, in ``sb-internal`` (the DIDs route there too)."""
    ivrs = sorted(site.ivrs.ivrs, key=lambda i: i.number)
    if not ivrs:
        return []
    lines = [f"[{INTERNAL_CONTEXT}]"]
    for ivr in ivrs:
        lines += [
            f"exten => {_word(ivr.number)},1,NoOp(IVR {_safe(ivr.name)})",
            f" same => n,Goto({context_name(ivr)},start,1)",
        ]
    return lines


def render_ivrs(site: SiteSpec) -> list[str]:
    """The lines appended to extensions.conf: the IVR numbers and one context per IVR."""
    ivrs = sorted(site.ivrs.ivrs, key=lambda i: i.number)
    if not ivrs:
        return []
    lines = ["; IVR applications", *internal_lines(site), "", *holiday_lines(site), ""]
    for ivr in ivrs:
        lines += [*ivr_lines(ivr), ""]
    return lines


def holiday_lines(site: SiteSpec) -> list[str]:
    """A Gosub returning 1 when today (the PBX's local date) is a holiday, else 0."""
    lines = [
        f"[{HOLIDAYS_CONTEXT}]",
        "exten => s,1,Set(SB_DAY=${STRFTIME(${EPOCH},,%Y-%m-%d)})",
    ]
    for holiday in sorted(site.ivrs.holidays, key=lambda h: (h.day[5:], h.day, h.yearly)):
        day = re.sub(r"[^0-9-]", "", holiday.day)
        if holiday.yearly:
            lines.append(f' same => n,GotoIf($["${{SB_DAY:5}}" = "{day[5:]}"]?yes)')
        else:
            lines.append(f' same => n,GotoIf($["${{SB_DAY}}" = "{day}"]?yes)')
    lines += [" same => n,Return(0)", " same => n(yes),Return(1)"]
    return lines


def ivr_lines(ivr: IvrSpec) -> list[str]:
    lines = [
        f"[{context_name(ivr)}]",
        f"exten => start,1,NoOp(IVR {_safe(ivr.name)})",
    ]
    if not ivr.active:
        lines.append(" same => n,Goto(closed,1)")
    else:
        if ivr.start or ivr.end:
            lines.append(" same => n,Set(SB_TODAY=${STRFTIME(${EPOCH},,%Y%m%d)})")
        if ivr.start:
            start = re.sub(r"[^0-9]", "", ivr.start)
            lines.append(f" same => n,GotoIf($[${{SB_TODAY}} < {start}]?closed,1)")
        if ivr.end:
            end = re.sub(r"[^0-9]", "", ivr.end)
            lines.append(f" same => n,GotoIf($[${{SB_TODAY}} > {end}]?closed,1)")
        lines += [" same => n,Answer()", f" same => n,Goto({_go('incoming')})"]
    lines.append("exten => closed,1,NoOp(IVR closed)")
    if ivr.fallback:
        lines.append(f" same => n,Goto({INTERNAL_CONTEXT},{_word(ivr.fallback)},1)")
    else:
        lines += [" same => n,Busy(5)", " same => n,Hangup(17)"]
    for block in ivr.blocks:
        lines += block_lines(block, ivr.number)
    return lines


def block_lines(block: IvrBlockSpec, ivr_number: str = "") -> list[str]:
    lines = [f"exten => {_block(block.name)},1,NoOp(Block {_word(block.name)})"]
    for action in block.actions:
        for line in action_lines(action, ivr_number):
            # A line may carry its own label: "n(name),App()".
            lines.append(f" same => {line}" if line.startswith("n(") else f" same => n,{line}")
    if not block.actions or block.actions[-1].kind not in ("menu", "goto", "transfer", "hangup"):
        lines.append(" same => n,Hangup()")
    return lines


def action_lines(action: IvrActionSpec, ivr_number: str = "") -> list[str]:
    """The applications of one action (each becomes a ``same => n,`` line)."""
    kind = action.kind
    if kind == "callback":
        return callback_lines(action, ivr_number)
    if kind in ("play", "speech"):
        if not action.sound:  # speech whose synthesis failed at apply (logged there)
            return [f"NoOp(No sound for {_safe(action.text)})"]
        return [f"Playback({_word(action.sound)})"]
    if kind == "read":
        return [
            f"Read({_word(action.variable)},{_word(action.sound)},"
            f"{int(action.max_digits)},,1,{int(action.timeout)})"
        ]
    if kind == "menu":
        return menu_lines(action)
    if kind == "goto":
        return [f"Goto({_go(action.target)})"]
    if kind == "time":
        days = "&".join(_word(day) for day in action.days) or "*"
        ranges = [re.sub(r"[^0-9:-]", "", f"{a}-{b}") for a, b in action.ranges] or ["*"]
        return [f"GotoIfTime({r},{days},*,*?{_go(action.target)})" for r in ranges]
    if kind == "holiday":
        return [
            f"Gosub({HOLIDAYS_CONTEXT},s,1)",
            f"GotoIf($[${{GOSUB_RETVAL}} = 1]?{_go(action.target)})",
        ]
    if kind == "incident":
        key = f"{INCIDENT_FAMILY}/{_word(action.incident)}"
        return [f'GotoIf($["${{DB({key})}}" = "1"]?{_go(action.target)})']
    if kind == "transfer":
        number = _word(action.number)
        if action.transfer == "external":
            return [f"Goto({OUTBOUND_CONTEXT},{number},1)"]
        if action.transfer == "voicemail":
            return [f"VoiceMail({number}@{VOICEMAIL_CONTEXT},u)", "Hangup()"]
        return [f"Goto({INTERNAL_CONTEXT},{number},1)"]
    return ["Hangup()"]


def callback_lines(action: IvrActionSpec, ivr_number: str) -> list[str]:
    """Store the request in AstDB under the call's uniqueid (durable, idempotent: pressing
    again overwrites the same key), then confirm. The value is
    ``<epoch>|<ivr>|<queue>|<caller number>|<caller name>``; the number keeps only digits and
    +, the name is last so that whatever it holds cannot shift the other fields."""
    number = "${FILTER(0-9+,${CALLERID(num)})}"
    name = "${CALLERID(name)}"
    value = f"${{EPOCH}}|{_word(ivr_number)}|{_word(action.number)}|{number}|{name}"
    lines = [f"Set(DB({CALLBACK_FAMILY}/${{UNIQUEID}})={value})"]
    if action.sound:
        lines.append(f"Playback({_word(action.sound)})")
    return lines


def menu_lines(action: IvrActionSpec) -> list[str]:
    """Read the caller's digits, then the first key or pattern that matches wins."""
    digits = f"${{{DIGITS_VARIABLE}}}"
    lines = [
        f"Read({DIGITS_VARIABLE},{_word(action.sound)},{int(action.max_digits)},,1,"
        f"{int(action.timeout)})"
    ]
    timeout = f"?{_go(action.on_timeout)}" if action.on_timeout else "?hangup"
    lines.append(f'GotoIf($["{digits}" = ""]{timeout})')
    for key, target in action.keys:
        lines.append(f'GotoIf($["{digits}" = "{_word(key)}"]?{_go(target)})')
    for regex, target in action.patterns:
        lines += [
            f'Set(SB_MATCH=${{REGEX("{_pattern(regex)}" {digits})}})',
            f"GotoIf($[${{SB_MATCH}} = 1]?{_go(target)})",
        ]
    if action.on_invalid:
        lines.append(f"Goto({_go(action.on_invalid)})")
    lines.append("n(hangup),Hangup()")
    return lines
