"""Menu entries of the voicemail domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register

register(MenuEntry(_("My telephony"), _("My voicemail"), "voicemail:mine", icon="✉"))
register(
    MenuEntry(
        _("Configuration"),
        _("Voicemail boxes"),
        "voicemail:voicemailbox_list",
        "voicemail.view_voicemailbox",
        icon="✉",
    ),
)
