"""Menu entries of the IVR domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("Configuration"), _("IVR applications"), "ivr:ivr_list", "ivr.view_ivr", icon="☎"),
    MenuEntry(_("Configuration"), _("Holidays"), "ivr:holiday_list", "ivr.view_holiday", icon="✱"),
    MenuEntry(
        _("Configuration"), _("Incidents"), "ivr:incident_list", "ivr.view_incident", icon="⚠"
    ),
)
