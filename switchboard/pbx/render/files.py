"""Every file the portal owns on a PBX, and the module that reads each."""

from __future__ import annotations

from switchboard.pbx.render.dialplan import render_dialplan
from switchboard.pbx.render.pjsip import render_pjsip
from switchboard.pbx.render.queues import render_queues
from switchboard.pbx.render.spec import SiteSpec

# File -> the CLI command that makes Asterisk read it again.
MODULE_OF_FILE = {
    "pjsip.conf": "module reload res_pjsip.so",
    "extensions.conf": "dialplan reload",
    "queues.conf": "module reload app_queue.so",
}


def render_all(site: SiteSpec, generation: str) -> dict[str, str]:
    return {
        "pjsip.conf": render_pjsip(site),
        "extensions.conf": render_dialplan(site, generation),
        "queues.conf": render_queues(site),
    }
