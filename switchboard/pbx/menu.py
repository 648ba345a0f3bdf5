"""Menu entries of the PBX configuration domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("Configuration"), _("Phones"), "pbx:phone_list", "pbx.view_phone", icon="☏"),
    MenuEntry(
        _("Configuration"),
        _("Apply to the PBX"),
        "pbx:apply",
        "pbx.apply_configuration",
        icon="⟳",
    ),
)
