"""Who sees which statistics: the global statistics role and administrators see everything;
a queue's supervisor sees the statistics of their queues only."""

from __future__ import annotations

from typing import Any

from switchboard.telephony.access import ALL, may_supervise, supervised_queues


def queue_scope(user: Any) -> set[str] | str:
    """``ALL`` or the slugs of the queues whose statistics this user may see."""
    if not user.is_authenticated:
        return set()
    if user.has_perm("stats.view_queues"):
        return ALL
    return supervised_queues(user)


def may_open_queue_statistics(user: Any) -> bool:
    return bool(queue_scope(user))


def visible(user: Any, names: list[str]) -> list[str]:
    scope = queue_scope(user)
    return [name for name in names if may_supervise(user, name, scope)]
