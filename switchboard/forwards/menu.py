"""Menu entries of the call forwards."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("My telephony"), _("Call forwards"), "forwards:mine", icon="↪"),
    MenuEntry(
        _("Configuration"),
        _("Active forwards"),
        "forwards:all",
        "pbx.change_phone",
        icon="↪",
    ),
)
