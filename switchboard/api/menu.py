"""Menu entry of the API tokens (administrators)."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("Administration"), _("API tokens"), "api:token_list", "api.view_apitoken", icon="⚿")
)
