"""Menu entry of the call log (every signed-in user sees the calls of their scope)."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(MenuEntry(_("My telephony"), _("Call log"), "records:call_log", icon="☎"))
