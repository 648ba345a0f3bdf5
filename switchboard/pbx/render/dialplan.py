"""extensions.conf of the portal: internal extensions and the generation marker."""

from __future__ import annotations

from switchboard.pbx.render.forwards import (
    FEATURES_CONTEXT,
    RING_CONTEXT,
    VOICEMAIL_CONTEXT,
    forwards_lines,
)
from switchboard.pbx.render.ivr import render_ivrs
from switchboard.pbx.render.pjsip import PHONES_CONTEXT, TRUNKS_CONTEXT, trunk_endpoint
from switchboard.pbx.render.routing import (
    ROUTING_FEATURES_CONTEXT,
    dialling_context,
    override_gosubs,
    override_lines,
    permission_lines,
    queue_entry_lines,
    regex_text,
    routing_feature_lines,
    sticky_lines,
)
from switchboard.pbx.render.spec import SiteSpec
from switchboard.pbx.render.text import HEADER

GENERATION_CONTEXT = "sb-generation"
INTERNAL_CONTEXT = "sb-internal"
OUTBOUND_CONTEXT = "sb-outbound"
ACCOUNT_MANAGER_CONTEXT = "sb-account-manager"
ACCOUNT_MANAGER_FAMILY = "switchboard/accountmanager"
RING_SECONDS = 30
# How Queue() ended when it refused the caller (QUEUESTATUS), logged as Asterisk does not.
REFUSED = " | ".join(f'"${{QUEUESTATUS}}" = "{s}"' for s in ("JOINEMPTY", "JOINUNAVAIL", "FULL"))


def render_dialplan(site: SiteSpec, generation: str) -> str:
    """``generation`` names this apply: the apply reads it back to know the file is live."""
    lines = [
        HEADER,
        f"[{GENERATION_CONTEXT}]",
        f"exten => s,1,NoOp({generation})",
        "",
        f"[{INTERNAL_CONTEXT}]",
    ]
    for phone in sorted(site.phones, key=lambda p: p.extension):
        lines += [
            f"exten => {phone.extension},1,NoOp(Phone {phone.extension})",
            f" same => n,Goto({RING_CONTEXT},{phone.extension},1)",
            " same => n,Hangup()",
        ]
    for queue in sorted(site.queues, key=lambda q: q.number):
        lines += [
            f"exten => {queue.number},1,NoOp(Queue {queue.name})",
            " same => n,Answer()",
            *queue_entry_lines(queue),
            f" same => n,Queue({queue.name},t)",
            # Asterisk writes nothing to queue_log for a caller refused at the door: log it,
            # or the statistics would never count the "closed" calls (SPEC S2).
            f" same => n,ExecIf($[{REFUSED}]?QueueLog({queue.name},${{UNIQUEID}},NONE,"
            "${QUEUESTATUS}))",
            " same => n,Hangup()",
        ]
    lines += ["", *outbound_lines(site), "", *inbound_lines(site), ""]
    lines += [*forwards_lines(site, INTERNAL_CONTEXT, OUTBOUND_CONTEXT), ""]
    lines += render_ivrs(site)  # IVR numbers (a second [sb-internal], merged) and contexts
    lines += routing_lines(site)  # permissions, override rules, pickup, agents, sticky
    # Phones of the portal dial from their permission context (routing.py); this one, with
    # every permission, is for the administrator's own endpoints that include the portal's.
    includes = [FEATURES_CONTEXT, ROUTING_FEATURES_CONTEXT, INTERNAL_CONTEXT, OUTBOUND_CONTEXT]
    lines += [*dialling_context(site, PHONES_CONTEXT, includes), ""]
    return "\n".join(lines)


def routing_lines(site: SiteSpec) -> list[str]:
    return [
        *permission_lines(site, FEATURES_CONTEXT, INTERNAL_CONTEXT, OUTBOUND_CONTEXT),
        "",
        *override_lines(site),
        "",
        *routing_feature_lines(site),
        "",
        *sticky_lines(),
        "",
    ]


def outbound_lines(site: SiteSpec) -> list[str]:
    """Numbers that no internal extension takes: the first line whose pattern matches."""
    lines = [
        f"[{OUTBOUND_CONTEXT}]",
        "exten => _[+0-9].,1,NoOp(Outbound ${EXTEN})",
    ]
    trunks = [t for t in sorted(site.trunks, key=lambda t: (t.priority, t.name))]
    # A phone of an outgoing group bound to a line (its endpoint sets SB_LINE) uses only it.
    forced = sorted({p.line for p in site.phones if p.line} & {t.name for t in trunks})
    for name in forced:
        lines.append(f' same => n,GotoIf($["${{SB_LINE}}" = "{name}"]?{name})')
    trunks = [t for t in trunks if t.outbound_pattern or t.name in forced]
    for trunk in (t for t in trunks if t.outbound_pattern):
        pattern = regex_text(trunk.outbound_pattern)
        lines += [
            f' same => n,Set(SB_MATCH=${{REGEX("{pattern}" ${{EXTEN}})}})',
            f" same => n,GotoIf($[${{SB_MATCH}} = 1]?{trunk.name})",
        ]
    lines += [" same => n,Congestion(5)", " same => n,Hangup(1)"]
    for trunk in trunks:
        number = (
            f"{trunk.prefix}${{EXTEN:{trunk.strip_digits}}}"
            if trunk.strip_digits
            else (f"{trunk.prefix}${{EXTEN}}")
        )
        lines += [
            f" same => n({trunk.name}),Dial(PJSIP/{number}@{trunk_endpoint(trunk)},60)",
            " same => n,Hangup()",
        ]
    return lines


def inbound_lines(site: SiteSpec) -> list[str]:
    """Calls from the external lines: each DID to an internal number (a phone, a queue, an
    IVR...), a phone's voicemail or an external number (through the external lines); the
    override rules of the DID and of its target first."""
    lines = [f"[{TRUNKS_CONTEXT}]"]
    for route in sorted(site.inbound, key=lambda r: r.did):
        lines += [
            f"exten => {route.did},1,NoOp(DID {route.did})",
            # The DID's rules, then those of the internal number it leads to.
            *override_gosubs(
                site, route.did, *([route.target] if route.kind == "internal" else [])
            ),
        ]
        if route.manager_seconds:
            lines.append(
                f" same => n,Gosub({ACCOUNT_MANAGER_CONTEXT},s,1({route.manager_seconds}))"
            )
        if route.kind == "voicemail":
            lines += [
                f" same => n,VoiceMail({route.target}@{VOICEMAIL_CONTEXT},u)",
                " same => n,Hangup()",
            ]
        elif route.kind == "external":
            lines.append(f" same => n,Goto({OUTBOUND_CONTEXT},{route.target},1)")
        else:
            lines.append(f" same => n,Goto({INTERNAL_CONTEXT},{route.target},1)")
    lines += ["exten => _[+0-9].,1,NoOp(Unknown DID ${EXTEN})", " same => n,Hangup(1)"]
    if any(route.manager_seconds for route in site.inbound):
        lines += ["", *account_manager_lines()]
    return lines


def account_manager_lines() -> list[str]:
    """Gosub(sb-account-manager,s,1(seconds)): when the caller's number has an account manager
    in AstDB (``switchboard/accountmanager/<number>`` = the manager's extension, written by the
    directory), ring the manager's phone for ``seconds``; an answered call ends there, any other
    outcome returns to the route's own destination (the fallback)."""
    return [
        f"[{ACCOUNT_MANAGER_CONTEXT}]",
        "exten => s,1,Set(SB_AM_CALLER=${FILTER(0-9+,${CALLERID(num)})})",
        ' same => n,GotoIf($["${SB_AM_CALLER}" = ""]?done)',
        f" same => n,Set(SB_AM_KEY={ACCOUNT_MANAGER_FAMILY}/${{SB_AM_CALLER}})",
        " same => n,Set(SB_AM=${FILTER(0-9,${DB(${SB_AM_KEY})})})",
        ' same => n,GotoIf($["${SB_AM}" = ""]?done)',
        " same => n,NoOp(Account manager ${SB_AM} for ${SB_AM_CALLER})",
        " same => n,Dial(PJSIP/${SB_AM},${ARG1})",
        ' same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?answered)',
        " same => n(done),Return()",
        " same => n(answered),Hangup()",
    ]
