"""extensions.conf of the portal: internal extensions and the generation marker."""

from __future__ import annotations

from switchboard.pbx.render.pjsip import PHONES_CONTEXT, TRUNKS_CONTEXT, trunk_endpoint
from switchboard.pbx.render.spec import SiteSpec
from switchboard.pbx.render.text import HEADER

GENERATION_CONTEXT = "sb-generation"
INTERNAL_CONTEXT = "sb-internal"
OUTBOUND_CONTEXT = "sb-outbound"
RING_SECONDS = 30


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
            f" same => n,Dial(PJSIP/{phone.extension},{RING_SECONDS})",
            " same => n,Hangup()",
        ]
    for queue in sorted(site.queues, key=lambda q: q.number):
        lines += [
            f"exten => {queue.number},1,NoOp(Queue {queue.name})",
            " same => n,Answer()",
            f" same => n,Queue({queue.name},t)",
            " same => n,Hangup()",
        ]
    lines += ["", *outbound_lines(site), "", *inbound_lines(site), ""]
    lines += [f"[{PHONES_CONTEXT}]", f"include => {INTERNAL_CONTEXT}"]
    lines += [f"include => {OUTBOUND_CONTEXT}", ""]
    return "\n".join(lines)


def outbound_lines(site: SiteSpec) -> list[str]:
    """Numbers that no internal extension takes: the first line whose pattern matches."""
    lines = [
        f"[{OUTBOUND_CONTEXT}]",
        "exten => _[+0-9].,1,NoOp(Outbound ${EXTEN})",
    ]
    trunks = [t for t in sorted(site.trunks, key=lambda t: (t.priority, t.name))]
    trunks = [t for t in trunks if t.outbound_pattern]
    for trunk in trunks:
        lines += [
            f' same => n,Set(SB_MATCH=${{REGEX("{trunk.outbound_pattern}" ${{EXTEN}})}})',
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
    """Calls from the external lines: each DID to its phone or queue."""
    lines = [f"[{TRUNKS_CONTEXT}]"]
    for route in sorted(site.inbound, key=lambda r: r.did):
        lines += [
            f"exten => {route.did},1,NoOp(DID {route.did})",
            f" same => n,Goto({INTERNAL_CONTEXT},{route.target},1)",
        ]
    lines += ["exten => _[+0-9].,1,NoOp(Unknown DID ${EXTEN})", " same => n,Hangup(1)"]
    return lines
