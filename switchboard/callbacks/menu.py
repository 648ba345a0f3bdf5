"""Menu entries: the callback requests (operators) and their report."""

from django.utils.translation import gettext_lazy as _

from switchboard.callbacks.scoping import may_handle
from switchboard.core.menu import MenuEntry, register

register(
    MenuEntry(
        _("Contact centre"),
        _("Callback requests"),
        "callbacks:callback_list",
        visible=may_handle,
        icon="↩",
    ),
    MenuEntry(
        _("Contact centre"),
        _("Callbacks per operator"),
        "callbacks:report",
        permission="callbacks.view_callback_report",
        icon="▤",
    ),
)


def _may_open_report(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(  # type: ignore[attr-defined]
        "callbacks.view_callback_report"
    )


# The S5 reports page (stats:reports) lists the callbacks report too.
try:
    from switchboard.stats.reports import ReportEntry
    from switchboard.stats.reports import register as register_report
except ImportError:  # the statistics app without its reports registry
    pass
else:
    register_report(
        ReportEntry(
            "callbacks",
            _("Callbacks per operator"),
            "callbacks:report",
            (("callbacks", _("Excel")),),
            _may_open_report,
        )
    )
