"""Dialplan of call permissions, override rules, pickup and agent log-in (SPEC A2, A13, A14, A7).

**Call permissions.** Every phone's endpoint lands in the context of its set of allowed call
classes, ``sb-perm-<classes>`` (one per set in use, so a thousand phones share a handful of
contexts). That context includes the feature codes, ``sb-internal`` when the internal class
is allowed, one ``sb-class-<class>`` context per allowed class (the site's patterns of that
class, each sending the number on to ``sb-outbound``), and last ``sb-refused``, which answers
every other number with an announcement and a refusal (SIP 403). Asterisk itself enforces the
permissions: a number of a class the phone lacks never reaches ``sb-outbound``.

**Override rules.** A called number with rules gets its own extension in every dialling
context (ahead of the includes, so ahead of its normal routing): it calls the subroutine
``sb-override,<number>`` that tries the rules in their order (caller numbers or expressions,
then time ranges and weekdays with ``GotoIfTime``); the first that matches redirects the call
(``sb-redirect``: internal numbers, then external lines) or refuses it; when none matches the
subroutine returns and the call goes on through the context's includes (``<context>-next``).

**Pickup** (``*8``: a call ringing in one of the phone's pickup groups; ``**`` + extension:
that phone's ringing call) and **dynamic queue members** live in ``sb-routing-features``.
``*45`` + queue number logs an agent's phone in, the same code logs it out. Only the
phones listed for the queue may (its dynamic members: phones marked dynamic, and phones of
users holding the queue's agent role); the caller must first key the PIN of the phone's
voicemail box (``VMAuthenticate``, so the user's voicemail PIN): three wrong PINs hang up
with nothing changed. The agent hears "agent logged in" or "agent logged off".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from switchboard.pbx.render.spec import OverrideRuleSpec, QueueSpec, SiteSpec

CLASS_ORDER = ("emergency", "internal", "services", "local", "mobile", "international")
REFUSED_CONTEXT = "sb-refused"
OVERRIDE_CONTEXT = "sb-override"
REDIRECT_CONTEXT = "sb-redirect"
ROUTING_FEATURES_CONTEXT = "sb-routing-features"
STICKY_CONTEXT = "sb-sticky"
STICKY_FAMILY = "switchboard/sticky"
AGENT_CODE = "*45"
AGENT_PIN_CONTEXT = "switchboard"  # the voicemail.conf context of the portal's boxes
PICKUP_CODE = "*8"
DIRECTED_PICKUP_CODE = "**"


def ordered_classes(classes: Iterable[str]) -> tuple[str, ...]:
    wanted = set(classes)
    return tuple(c for c in CLASS_ORDER if c in wanted)


def permission_context(classes: Iterable[str]) -> str:
    """The dialplan context of phones allowed ``classes`` (the endpoint's ``context``)."""
    return "sb-perm-" + ("-".join(ordered_classes(classes)) or "none")


def class_context(dial_class: str) -> str:
    return f"sb-class-{dial_class}"


def overridden_numbers(site: SiteSpec) -> list[str]:
    return sorted({rule.called for rule in site.routing.overrides})


def dialling_context(
    site: SiteSpec, name: str, includes: list[str], override: bool = True
) -> list[str]:
    """A context phones dial from: override rules first, then ``includes`` in order."""
    numbers = overridden_numbers(site) if override else []
    if not numbers:
        return [f"[{name}]", *(f"include => {context}" for context in includes)]
    following = f"{name}-next"
    lines = [f"[{name}]"]
    for number in numbers:
        lines += [
            f"exten => {number},1,Gosub({OVERRIDE_CONTEXT},{number},1)",
            f" same => n,Goto({following},{number},1)",
        ]
    lines += [f"include => {following}", "", f"[{following}]"]
    return lines + [f"include => {context}" for context in includes]


def permission_lines(
    site: SiteSpec, features_context: str, internal_context: str, outbound_context: str
) -> list[str]:
    """The class contexts, each permission context in use, and the refusal."""
    lines: list[str] = []
    patterns: dict[str, list[str]] = {c: [] for c in CLASS_ORDER}
    for spec in site.routing.dial_patterns:
        if spec.dial_class in patterns and spec.pattern not in patterns[spec.dial_class]:
            patterns[spec.dial_class].append(spec.pattern)
    for dial_class in CLASS_ORDER:
        lines.append(f"[{class_context(dial_class)}]")
        for pattern in sorted(patterns[dial_class]):
            lines.append(f"exten => {pattern},1,Goto({outbound_context},${{EXTEN}},1)")
        lines.append("")
    for classes in sorted({ordered_classes(p.dial_classes) for p in site.phones}):
        includes = [features_context, ROUTING_FEATURES_CONTEXT]
        if "internal" in classes:
            includes.append(internal_context)
        includes += [class_context(c) for c in classes]
        includes.append(REFUSED_CONTEXT)
        lines += [*dialling_context(site, permission_context(classes), includes), ""]
    lines += [
        f"[{REFUSED_CONTEXT}]",
        "; A number the phone may not call: an announcement, then 403 Forbidden.",
        "exten => _[+0-9*#].,1,Set(SB_DIALLED=${EXTEN})",
        " same => n,Goto(refuse,1)",
        "exten => _[+0-9*#],1,Set(SB_DIALLED=${EXTEN})",
        " same => n,Goto(refuse,1)",
        "exten => refuse,1,NoOp(Not allowed: ${CALLERID(num)} to ${SB_DIALLED})",
        " same => n,Progress()",
        " same => n,Playback(ss-noservice,noanswer)",
        " same => n,Hangup(21)",
        "",
        f"[{REDIRECT_CONTEXT}]",
        "; Where override rules send calls: internal numbers, else the external lines.",
        f"include => {internal_context}",
        f"include => {outbound_context}",
    ]
    return lines


def override_lines(site: SiteSpec) -> list[str]:
    """The subroutine of every called number with rules: first matching rule wins."""
    lines = [f"[{OVERRIDE_CONTEXT}]"]
    by_number: dict[str, list[OverrideRuleSpec]] = {}
    for rule in site.routing.overrides:  # already in their order
        by_number.setdefault(rule.called, []).append(rule)
    for number in sorted(by_number):
        lines.append(f"exten => {number},1,NoOp(Override rules of {number})")
        rules = by_number[number]
        for index, rule in enumerate(rules, 1):
            label, following = f"r{index}", f"r{index + 1}" if index < len(rules) else "none"
            lines.append(f"; rule {index}: {safe_comment(rule.name)}")
            lines.append(f" same => n({label}),NoOp(Rule {index})")
            if rule.callers or rule.caller_regexes:
                for caller in rule.callers:
                    condition = f'$["${{CALLERID(num)}}" = "{caller}"]'
                    lines.append(f" same => n,GotoIf({condition}?{label}time)")
                for regex in rule.caller_regexes:
                    condition = f'${{REGEX("{regex_text(regex)}" ${{CALLERID(num)}})}}'
                    lines.append(f" same => n,GotoIf({condition}?{label}time)")
                lines.append(f" same => n,Goto({following})")
            lines.append(f" same => n({label}time),NoOp()")
            days = "&".join(rule.weekdays) or "*"
            if rule.times:
                for start, end in rule.times:
                    times = f"{start}-{'23:59' if end == '24:00' else end}"  # 24:00: day's end
                    lines.append(f" same => n,GotoIfTime({times},{days},*,*?{label}act)")
                lines.append(f" same => n,Goto({following})")
            elif rule.weekdays:
                lines.append(f" same => n,GotoIfTime(*,{days},*,*?{label}act)")
                lines.append(f" same => n,Goto({following})")
            if rule.redirect:
                lines.append(f" same => n({label}act),Goto({REDIRECT_CONTEXT},{rule.redirect},1)")
            else:
                lines += [
                    f" same => n({label}act),Set(SB_DIALLED={number})",
                    f" same => n,Goto({REFUSED_CONTEXT},refuse,1)",
                ]
        lines.append(" same => n(none),Return()")
    return lines


def regex_text(regex: str) -> str:
    """A regular expression as extensions.conf must spell it: the file's parser takes a
    backslash as an escape, so each is doubled to reach REGEX() intact."""
    return regex.replace("\\", "\\\\")


def safe_comment(text: str) -> str:
    return re.sub(r"[\r\n]", " ", text)


def override_gosubs(site: SiteSpec, *numbers: str) -> list[str]:
    """Lines running the rules of ``numbers`` (a DID, then its target) from another route."""
    wanted = set(overridden_numbers(site))
    return [
        f" same => n,Gosub({OVERRIDE_CONTEXT},{number},1)"
        for number in dict.fromkeys(numbers)
        if number in wanted
    ]


def member_name(name: str, extension: str) -> str:
    """A member name safe inside AddQueueMember's comma-separated arguments."""
    return re.sub(r"[^A-Za-z0-9 ._-]", "", name).strip() or extension


def effective_penalties(queue: QueueSpec) -> dict[str, int]:
    """Extension -> the penalty rendered for a member.

    Asterisk rings one member at a time (or all with ``ringall``); it has no setting for
    "N at once". With ``simultaneous_rings`` N, the queue rings all members of one penalty
    window (strategy ``ringall`` limited by ``QUEUE_MIN/MAX_PENALTY``), the members taken in
    the order of their penalties and grouped N by N: group k gets penalty k, and the queue's
    rule (queuerules.conf) moves the window to the next group after each ring time.
    """
    members = sorted(queue.members, key=lambda m: (m.penalty, m.extension))
    if not queue.simultaneous_rings:
        return {m.extension: m.penalty for m in members}
    size = queue.simultaneous_rings
    return {m.extension: index // size for index, m in enumerate(members)}


def ring_groups(queue: QueueSpec) -> int:
    if not queue.simultaneous_rings or not queue.members:
        return 0
    return max(effective_penalties(queue).values()) + 1


def routing_feature_lines(site: SiteSpec) -> list[str]:
    lines = [
        f"[{ROUTING_FEATURES_CONTEXT}]",
        f"exten => {PICKUP_CODE},1,NoOp(Pickup of a call ringing in the phone's pickup groups)",
        " same => n,Pickup()",
        " same => n,Hangup()",
        f"exten => _{DIRECTED_PICKUP_CODE}X.,1,NoOp(Pickup of the call ringing ${{EXTEN:2}})",
        " same => n,PickupChan(PJSIP/${EXTEN:2})",
        " same => n,Hangup()",
    ]
    for queue in sorted(site.queues, key=lambda q: q.number):
        dynamic = sorted((m for m in queue.members if m.dynamic), key=lambda m: m.extension)
        if not dynamic:
            continue
        penalties = effective_penalties(queue)
        lines += [
            f"exten => {AGENT_CODE}{queue.number},1,NoOp(Agent log-in / log-out {queue.name})",
            " same => n,Set(SB_AGENT=${CHANNEL(endpoint)})",
            " same => n,Answer()",
        ]
        for member in dynamic:
            condition = f'$["${{SB_AGENT}}" = "{member.extension}"]'
            lines.append(f" same => n,GotoIf({condition}?m{member.extension})")
        lines += [" same => n,Playback(beeperr)", " same => n,Hangup(21)"]
        for member in dynamic:
            device = f"PJSIP/{member.extension}"
            name = member_name(member.name, member.extension)
            penalty = penalties[member.extension]
            lines += [
                # The PIN of the phone's voicemail box; wrong three times: hung up.
                f" same => n(m{member.extension}),VMAuthenticate("
                f"{member.extension}@{AGENT_PIN_CONTEXT},s)",
                f" same => n,AddQueueMember({queue.name},{device},{penalty},,{name},{device})",
                ' same => n,GotoIf($["${AQMSTATUS}" = "MEMBERALREADY"]?logout)',
                " same => n,Playback(agent-loginok)",
                " same => n,Hangup()",
            ]
        lines += [
            f" same => n(logout),RemoveQueueMember({queue.name},PJSIP/${{SB_AGENT}})",
            " same => n,Playback(agent-loggedoff)",
            " same => n,Hangup()",
        ]
    return lines


def queue_entry_lines(queue: QueueSpec) -> list[str]:
    """What a caller's channel does before ``Queue()`` (after ``Answer()``)."""
    lines = []
    if ring_groups(queue):
        lines += [" same => n,Set(QUEUE_MIN_PENALTY=0)", " same => n,Set(QUEUE_MAX_PENALTY=0)"]
    if queue.sticky_agent:
        args = f"{queue.name},{queue.ring_seconds},{queue.music_class or 'default'}"
        lines += [
            f" same => n,Set(CHANNEL(hangup_handler_push)={STICKY_CONTEXT},save,1({queue.name}))",
            f" same => n,Gosub({STICKY_CONTEXT},try,1({args}))",
        ]
    return lines


def sticky_lines() -> list[str]:
    """Sticky agent: the agent who answered a caller today is rung first, if free.

    The caller's last agent is kept in AstDB (``switchboard/sticky/<queue>/<caller>`` =
    ``<YYYYMMDD>@<interface>``), written by a hangup handler from ``MEMBERINTERFACE`` (set by
    the queue's ``setinterfacevar``). On the next call the same day, if that agent is still a
    member, not paused and free, it rings for the member ring time (with the queue's music)
    before the caller joins the queue as usual.
    """
    today = "${STRFTIME(${EPOCH},,%Y%m%d)}"
    key = f"{STICKY_FAMILY}/${{ARG1}}/${{CALLERID(num)}}"
    return [
        f"[{STICKY_CONTEXT}]",
        "; try: ARG1 queue, ARG2 ring seconds, ARG3 music class; save: ARG1 queue.",
        'exten => try,1,GotoIf($["${CALLERID(num)}" = ""]?done)',
        f" same => n,Set(SB_STICKY=${{DB({key})}})",
        f' same => n,GotoIf($["${{CUT(SB_STICKY,@,1)}}" != "{today}"]?done)',
        " same => n,Set(SB_AGENT=${CUT(SB_STICKY,@,2)})",
        ' same => n,GotoIf($["${QUEUE_MEMBER(${ARG1},paused,${SB_AGENT})}" != "0"]?done)',
        ' same => n,GotoIf($["${DEVICE_STATE(${SB_AGENT})}" != "NOT_INUSE"]?done)',
        " same => n,Dial(${SB_AGENT},${ARG2},m(${ARG3}))",
        ' same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?answered)',
        " same => n(done),Return()",
        " same => n(answered),Hangup()",
        'exten => save,1,GotoIf($["${MEMBERINTERFACE}" = "" | "${CALLERID(num)}" = ""]?end)',
        f" same => n,Set(DB({key})={today}@${{MEMBERINTERFACE}})",
        " same => n(end),Return()",
    ]


def render_queue_rules(site: SiteSpec) -> str:
    """queuerules.conf: the moving penalty window of queues with simultaneous rings."""
    from switchboard.pbx.render.text import HEADER

    lines = [HEADER.rstrip("\n")]
    for queue in sorted(site.queues, key=lambda q: q.name):
        groups = ring_groups(queue)
        if not groups:
            continue
        lines += ["", f"; Queue {queue.name}: {queue.simultaneous_rings} members ring at once."]
        lines.append(f"[{rule_name(queue)}]")
        # One step per ring attempt (ring time + the 2 s retry); a second early so the
        # change is seen at the start of the next attempt. Groups come round again.
        step = queue.ring_seconds + 2
        for index in range(1, min(RULE_STEPS, 1 + RULE_SECONDS // step)):
            window = index % groups
            lines.append(f"penaltychange => {index * step - 1},{window},{window}")
    return "\n".join(lines) + "\n"


RULE_STEPS = 60
RULE_SECONDS = 900


def rule_name(queue: QueueSpec) -> str:
    return f"sb-{queue.name}"
