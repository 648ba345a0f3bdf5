"""The left menu: each domain app registers its entries; a user sees only what they may open.

An entry is shown when the user holds its Django permission (or, for entries with a
``visible`` predicate, when the predicate says so). Entries are grouped under translated
section titles, in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuEntry:
    """One link of the left menu."""

    section: Promise
    label: Promise
    url_name: str
    permission: str | None = None
    visible: Callable[[object], bool] | None = None
    icon: str = "•"

    def allowed(self, user: object) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if self.visible is not None and not self.visible(user):
            return False
        return self.permission is None or user.has_perm(self.permission)  # type: ignore[attr-defined]


REGISTRY: list[MenuEntry] = []


def register(*entries: MenuEntry) -> None:
    """Add entries to the menu (called from each app's ``menu`` module at start-up)."""
    REGISTRY.extend(entries)


def menu_for(user: object, current_path: str = "") -> list[dict]:
    """The sections and links this user may see, with the current link marked."""
    sections: dict[str, dict] = {}
    for entry in REGISTRY:
        if not entry.allowed(user):
            continue
        url = reverse(entry.url_name)
        section = sections.setdefault(str(entry.section), {"title": entry.section, "links": []})
        active = current_path == url or (url != "/" and current_path.startswith(url))
        section["links"].append(
            {"label": entry.label, "url": url, "icon": entry.icon, "active": active}
        )
    return list(sections.values())
