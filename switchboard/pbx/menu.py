"""Menu entries of the PBX configuration domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("Configuration"), _("Phones"), "pbx:phone_list", "pbx.view_phone", icon="☏"),
    MenuEntry(_("Configuration"), _("Queues"), "pbx:queue_list", "pbx.view_queue", icon="☰"),
    MenuEntry(
        _("Configuration"),
        _("Queue members"),
        "pbx:queuemember_list",
        "pbx.view_queuemember",
        icon="☷",
    ),
    MenuEntry(
        _("Configuration"), _("External lines"), "pbx:trunk_list", "pbx.view_trunk", icon="⇄"
    ),
    MenuEntry(
        _("Configuration"),
        _("Inbound routes"),
        "pbx:inboundroute_list",
        "pbx.view_inboundroute",
        icon="↘",
    ),
    MenuEntry(
        _("Configuration"),
        _("Dialling patterns"),
        "pbx:dialpattern_list",
        "pbx.view_dialpattern",
        icon="#",
    ),
    MenuEntry(
        _("Configuration"),
        _("Outgoing call groups"),
        "pbx:outgoinggroup_list",
        "pbx.view_outgoinggroup",
        icon="↗",
    ),
    MenuEntry(
        _("Configuration"),
        _("Pickup groups"),
        "pbx:pickupgroup_list",
        "pbx.view_pickupgroup",
        icon="⤴",
    ),
    MenuEntry(
        _("Configuration"),
        _("Override rules"),
        "pbx:overriderule_list",
        "pbx.view_overriderule",
        icon="⇢",
    ),
    MenuEntry(
        _("Configuration"),
        _("Apply to the PBX"),
        "pbx:apply",
        "pbx.apply_configuration",
        icon="⟳",
    ),
)
