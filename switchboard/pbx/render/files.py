"""Every file the portal owns on a PBX, and the module that reads each."""

from __future__ import annotations

from switchboard.pbx.render.desk import render_desk_dialplan, render_features, render_parking
from switchboard.pbx.render.dialplan import render_dialplan
from switchboard.pbx.render.moh import render_moh
from switchboard.pbx.render.pjsip import render_pjsip
from switchboard.pbx.render.queues import render_queues
from switchboard.pbx.render.routing import render_queue_rules
from switchboard.pbx.render.spec import SiteSpec
from switchboard.pbx.render.voicemail import render_voicemail

# File -> the CLI command that makes Asterisk read it again.
MODULE_OF_FILE = {
    "pjsip.conf": "module reload res_pjsip.so",
    "extensions.conf": "dialplan reload",
    "queues.conf": "module reload app_queue.so",
    "queuerules.conf": "module reload app_queue.so",
    "voicemail.conf": "module reload app_voicemail.so",
    "musiconhold.conf": "module reload res_musiconhold.so",
    "res_parking.conf": "module reload res_parking.so",  # the operator desk's parking lot
    "features.conf": "module reload features",  # the operator desk's transfer codes
}


def render_all(site: SiteSpec, generation: str) -> dict[str, str]:
    return {
        "pjsip.conf": render_pjsip(site),
        "extensions.conf": render_dialplan(site, generation) + "\n" + render_desk_dialplan(site),
        "queues.conf": render_queues(site),
        "queuerules.conf": render_queue_rules(site),
        "voicemail.conf": render_voicemail(site),
        "musiconhold.conf": render_moh(site),
        "res_parking.conf": render_parking(site),
        "features.conf": render_features(site),
    }
