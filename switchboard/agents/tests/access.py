"""The agents and presence pages for the project's access table
(switchboard/accounts/tests/test_access.py).

Every signed-in user sets their presence and sees the colleagues list (``SIGNED_IN``); the
agent's console is for holders of a queue's agent role (none of the table's roles) and
administrators; its actions are POSTs (``POST_ONLY``); pause reasons and the sessions record
are for administrators.
"""

from __future__ import annotations

SIGNED_IN = {"agents:presence", "agents:colleagues"}
POST_ONLY = ("agents:action", "agents:hotdesk")


def agents_urls() -> dict[str, str]:
    from switchboard.agents.models import PauseReason

    reason, _ = PauseReason.objects.get_or_create(name="Access check")
    return {
        "agents:console": "/agent/",
        "agents:action": "/agent/action/",
        "agents:hotdesk": "/agent/desk/",
        "agents:presence": "/presence/",
        "agents:colleagues": "/colleagues/",
        "agents:pausereason_list": "/admin/pause-reasons/",
        "agents:pausereason_add": "/admin/pause-reasons/add/",
        "agents:pausereason_edit": f"/admin/pause-reasons/{reason.pk}/",
        "agents:pausereason_delete": f"/admin/pause-reasons/{reason.pk}/delete/",
        "agents:agentsession_list": "/admin/agent-sessions/",
    }
