"""queues.conf of the portal's queues (SPEC A7)."""

from __future__ import annotations

from switchboard.pbx.render.spec import QueueSpec, SiteSpec
from switchboard.pbx.render.text import join_sections, section


def queue_section(queue: QueueSpec) -> str:
    empty = "unavailable,invalid,unknown" if queue.leave_when_empty else "no"
    lines = [
        ("strategy", queue.strategy),
        ("timeout", str(queue.ring_seconds)),
        ("retry", "2"),
        ("wrapuptime", str(queue.wrapup_seconds)),
        ("musicclass", queue.music_class or "default"),
        ("ringinuse", "no"),
        ("joinempty", empty if queue.leave_when_empty else "yes"),
        ("leavewhenempty", empty),
        ("announce-frequency", str(queue.announce_frequency)),
        ("announce-holdtime", queue.announce_holdtime),
        ("announce-position", "yes" if queue.announce_position else "no"),
        ("setinterfacevar", "yes"),
    ]
    if queue.agent_announcement:
        lines.append(("announce", queue.agent_announcement))
    for member in sorted(queue.members, key=lambda m: (m.penalty, m.extension)):
        device = f"PJSIP/{member.extension}"
        name = (member.name or member.extension).replace(",", " ")  # commas split the value
        lines.append(("member", f"{device},{member.penalty},{name},{device}"))
    return section(queue.name, lines, f"Queue {queue.name} ({queue.number})").replace(
        "member = ", "member => "
    )


def render_queues(site: SiteSpec) -> str:
    return join_sections([queue_section(q) for q in sorted(site.queues, key=lambda q: q.name)])
