"""extensions.conf of the portal: internal extensions and the generation marker."""

from __future__ import annotations

from switchboard.pbx.render.pjsip import PHONES_CONTEXT
from switchboard.pbx.render.spec import SiteSpec
from switchboard.pbx.render.text import HEADER

GENERATION_CONTEXT = "sb-generation"
INTERNAL_CONTEXT = "sb-internal"
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
    lines += ["", f"[{PHONES_CONTEXT}]", f"include => {INTERNAL_CONTEXT}", ""]
    return "\n".join(lines)
