"""Menu entry of the staff chat (every signed-in user)."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(MenuEntry(_("My telephony"), _("Chat"), "chat:index", icon="💬"))
