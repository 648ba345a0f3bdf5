"""Menu entries of agents and presence."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register


def _is_agent(user: object) -> bool:
    from switchboard.agents.views import may_open_console

    return may_open_console(user)


register(
    MenuEntry(_("My telephony"), _("My presence"), "agents:presence", icon="◐"),
    MenuEntry(_("My telephony"), _("Colleagues"), "agents:colleagues", icon="☺"),
    MenuEntry(_("My telephony"), _("My queues"), "agents:console", visible=_is_agent, icon="☎"),
    MenuEntry(
        _("Configuration"),
        _("Pause reasons"),
        "agents:pausereason_list",
        "agents.view_pausereason",
        icon="⏸",
    ),
    MenuEntry(
        _("Supervision"),
        _("Agent sessions"),
        "agents:agentsession_list",
        "agents.view_agentsession",
        icon="⏱",
    ),
)
