"""Menu entries of the statistics."""

from django.utils.translation import gettext_lazy as _

from switchboard.core.menu import MenuEntry, register
from switchboard.stats.reports import may_open_call_mix
from switchboard.stats.scope import may_open_queue_statistics

register(
    MenuEntry(
        _("Statistics"), _("Global statistics"), "stats:global", "stats.view_global", icon="▤"
    ),
    MenuEntry(
        _("Statistics"),
        _("Queue statistics"),
        "stats:queues",
        visible=may_open_queue_statistics,
        icon="▤",
    ),
    MenuEntry(
        _("Statistics"),
        _("Queue call detail"),
        "stats:calls",
        visible=may_open_queue_statistics,
        icon="▤",
    ),
    MenuEntry(
        _("Statistics"),
        _("Excel reports"),
        "stats:reports",
        visible=may_open_queue_statistics,
        icon="▤",
    ),
    MenuEntry(
        _("Statistics"),
        _("Call mix and automatic calls"),
        "stats:mix",
        visible=may_open_call_mix,
        icon="▤",
    ),
)
