"""Menu entries of the operator desk."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(_("My telephony"), _("Operator desk"), "desk:desk", icon="☎"),
    MenuEntry(_("Configuration"), _("Teams"), "desk:team_list", "desk.view_team", icon="👥"),
)
