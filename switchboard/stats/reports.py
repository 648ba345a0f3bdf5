"""The entries of the S5 reports page (``stats:reports``) that are not the queue call detail's
tables: each is a report page of its own, downloaded for a period.

Another app adds its report with :func:`register` (from its ``menu.py`` or ``apps.py``), e.g.
the callbacks per operator of the ``callbacks`` app; the page lists the entries the user may
open, each with its period (and extra text fields) and one button per table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ReportEntry:
    key: str  # unique, used in the page's ids
    title: Any  # lazy text
    url_name: str  # the report's page: reads start, end, the extra fields, export and table
    tables: tuple[tuple[str, Any], ...]  # (table key, button label)
    allowed: Callable[[Any], bool]  # may this user open it
    fields: tuple[tuple[str, Any], ...] = field(default=())  # extra text fields (name, label)


ENTRIES: list[ReportEntry] = []


def register(entry: ReportEntry) -> None:
    """Add (or replace, by key) an entry of the reports page."""
    ENTRIES[:] = [e for e in ENTRIES if e.key != entry.key] + [entry]


def entries_for(user: Any) -> list[ReportEntry]:
    return [e for e in ENTRIES if e.allowed(user)]


def may_open_call_mix(user: Any) -> bool:
    """The call mix counts every call of the site: the global or all-queues statistics."""
    return user.is_authenticated and (
        user.has_perm("stats.view_global") or user.has_perm("stats.view_queues")
    )


register(
    ReportEntry(
        "call_mix",
        _("Incoming calls, handled in the IVR, handled by operators, automatic outgoing calls"),
        "stats:mix",
        (("mix", _("Excel")),),
        may_open_call_mix,
    )
)
register(
    ReportEntry(
        "autodial",
        _("Automatic outgoing calls"),
        "stats:mix",
        (("autodial", _("Excel")),),
        may_open_call_mix,
        fields=(("number", _("Number (or part of it)")),),
    )
)
