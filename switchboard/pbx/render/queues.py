"""queues.conf of the portal's queues (SPEC A7)."""

from __future__ import annotations

from switchboard.pbx.render.routing import effective_penalties, ring_groups, rule_name
from switchboard.pbx.render.spec import QueueSpec, SiteSpec
from switchboard.pbx.render.text import join_sections, section


def queue_section(queue: QueueSpec) -> str:
    empty = "unavailable,invalid,unknown" if queue.leave_when_empty else "no"
    windowed = bool(ring_groups(queue))  # simultaneous rings: see routing.effective_penalties
    lines = [
        ("strategy", "ringall" if windowed else queue.strategy),
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
    if windowed:
        lines.append(("defaultrule", rule_name(queue)))
    penalties = effective_penalties(queue)
    for member in sorted(queue.members, key=lambda m: (m.penalty, m.extension)):
        if member.dynamic:
            continue  # in the queue only once logged in (routing.routing_feature_lines)
        device = f"PJSIP/{member.extension}"
        name = (member.name or member.extension).replace(",", " ")  # commas split the value
        lines.append(("member", f"{device},{penalties[member.extension]},{name},{device}"))
    return section(queue.name, lines, f"Queue {queue.name} ({queue.number})").replace(
        "member = ", "member => "
    )


def render_queues(site: SiteSpec) -> str:
    return join_sections([queue_section(q) for q in sorted(site.queues, key=lambda q: q.name)])
