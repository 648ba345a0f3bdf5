"""voicemail.conf of the portal: one box per phone that has one (SPEC U2, U4)."""

from __future__ import annotations

from switchboard.pbx.render.forwards import VOICEMAIL_CONTEXT
from switchboard.pbx.render.spec import SiteSpec
from switchboard.pbx.render.text import HEADER


def _clean(value: str) -> str:
    """Commas separate a box's fields and | its options: neither may appear in a value."""
    return value.replace(",", " ").replace("|", " ").strip()


def render_voicemail(site: SiteSpec) -> str:
    lines = [HEADER, f"[{VOICEMAIL_CONTEXT}]"]
    for box in sorted(site.mailboxes, key=lambda b: b.extension):
        options = [f"attach={'yes' if box.attach else 'no'}", f"maxmsg={box.max_messages}"]
        lines.append(
            f"{box.extension} => {box.pin},{_clean(box.name)},{_clean(box.email)},,"
            + "|".join(options)
        )
    return "\n".join(lines) + "\n"
