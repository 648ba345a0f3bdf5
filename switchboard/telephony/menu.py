"""Menu entries of the telephony domain."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register
from switchboard.telephony import access

register(
    MenuEntry(
        _("Supervision"),
        _("Queues"),
        "telephony:live_queues",
        visible=access.may_open_supervision,
        icon="☰",
    ),
    MenuEntry(
        _("Supervision"),
        _("Active calls"),
        "telephony:live_calls",
        "telephony.view_live_calls",
        icon="☏",
    ),
    MenuEntry(
        _("Supervision"),
        _("Presence"),
        "telephony:live_presence",
        "telephony.view_live_calls",
        icon="◉",
    ),
    MenuEntry(
        _("Administration"),
        _("PBX servers"),
        "telephony:pbxserver_list",
        "telephony.view_pbxserver",
        icon="☎",
    ),
)
