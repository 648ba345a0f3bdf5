"""Menu entry of the directory."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(MenuEntry(_("My telephony"), _("Directory"), "directory:contact_list", icon="☎"))
