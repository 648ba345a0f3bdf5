"""The desk header's figures (SPEC L5): calls waiting in each queue of the operator (their
teams' queues and the queues their phones belong to), and today's answered and lost calls of
those queues (the queue log collected from the PBX)."""

from __future__ import annotations

import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.utils import timezone

from switchboard.telephony import bus

ANSWERED_EVENTS = ("CONNECT",)
LOST_EVENTS = ("ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY")


def operator_queues(user: Any) -> dict[int, set[str]]:
    """server id -> names of the queues this operator answers for."""
    from switchboard.pbx.models import Queue

    found: dict[int, set[str]] = {}
    rows = Queue.objects.filter(desk_teams__members=user).values_list("server_id", "name")
    member_rows = Queue.objects.filter(members__phone__user=user).values_list("server_id", "name")
    for server_id, name in [*rows, *member_rows]:
        found.setdefault(server_id, set()).add(name)
    return found


def today_counts(queues: dict[int, set[str]]) -> dict[tuple[int, str], tuple[int, int]]:
    """(server, queue) -> (answered, lost) today, from the collected queue log."""
    from django.db.models import Count, Q

    from switchboard.records.models import QueueLogEntry

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    counts: dict[tuple[int, str], tuple[int, int]] = {}
    for server_id, names in queues.items():
        rows = (
            QueueLogEntry.objects.filter(server_id=server_id, queue__in=names, time__gte=start)
            .values("queue")
            .annotate(
                answered=Count("pk", filter=Q(event__in=ANSWERED_EVENTS)),
                lost=Count("pk", filter=Q(event__in=LOST_EVENTS)),
            )
        )
        for row in rows:
            counts[server_id, row["queue"]] = (row["answered"], row["lost"])
    return counts


def figures_of(
    queues: dict[int, set[str]],
    views: dict[int, dict[str, Any]],
    counts: dict[tuple[int, str], tuple[int, int]],
) -> dict[str, Any]:
    """The header's JSON from the live queue views and the day's counts. Pure."""
    rows = []
    for server_id, names in sorted(queues.items()):
        live = {q["name"]: q for q in views.get(server_id, {}).get("queues", [])}
        for name in sorted(names):
            answered, lost = counts.get((server_id, name), (0, 0))
            waiting = len(live.get(name, {}).get("callers", []))
            rows.append(
                {
                    "server": server_id,
                    "queue": name,
                    "waiting": waiting,
                    "answered": answered,
                    "lost": lost,
                }
            )
    return {
        "queues": rows,
        "waiting": sum(r["waiting"] for r in rows),
        "answered": sum(r["answered"] for r in rows),
        "lost": sum(r["lost"] for r in rows),
        "day": datetime.date.today().isoformat(),
    }


async def live_figures(user: Any) -> dict[str, Any]:
    queues = await sync_to_async(operator_queues)(user)
    views = {}
    for server_id in queues:
        try:
            answer = await bus.request("snapshot", server=server_id, view="queues", timeout=3)
        except bus.WorkerUnavailable:
            continue
        if answer.get("ok"):
            views[server_id] = answer["data"]
    counts = await sync_to_async(today_counts)(queues)
    return figures_of(queues, views, counts)


def user_servers(user: Any) -> list[int]:
    from switchboard.pbx.models import Phone

    return sorted(set(Phone.objects.filter(user=user).values_list("server_id", flat=True)))


async def live_parked(user: Any) -> list[dict[str, Any]]:
    """The parked calls of the PBXs of the user's phones."""
    rows = []
    for server_id in await sync_to_async(user_servers)(user):
        try:
            answer = await bus.request("desk", server=server_id, op="parked", timeout=3)
        except bus.WorkerUnavailable:
            continue
        rows += [{**row, "server": server_id} for row in answer.get("parked", [])]
    return rows


def _phones_and_interactions(user: Any, uniqueids: list[str] | None = None) -> Any:
    from switchboard.desk.models import Interaction
    from switchboard.pbx.models import Phone

    if uniqueids is None:
        return list(Phone.objects.filter(user=user).values_list("server_id", "extension"))
    return dict(
        Interaction.objects.filter(operator=user, uniqueid__in=uniqueids).values_list(
            "uniqueid", "pk"
        )
    )


async def current_calls(user: Any) -> list[dict[str, Any]]:
    """The calls on the user's phones now, as pops (a page opened during a call shows it)."""
    from switchboard.desk.delivery import cards, contact_links

    pops = []
    for server_id, extension in await sync_to_async(_phones_and_interactions)(user):
        try:
            answer = await bus.request(
                "desk", server=server_id, op="calls", extension=extension, timeout=3
            )
        except bus.WorkerUnavailable:
            continue
        for call in answer.get("calls", []):
            pops.append(
                {
                    **call,
                    "kind": "answer" if call["bridged"] else "ring",
                    "server": server_id,
                    "extension": extension,
                    "queue": "",
                    "did": "",
                }
            )
    if pops:
        known = await sync_to_async(_phones_and_interactions)(user, [p["uniqueid"] for p in pops])
        for item in pops:
            item["interaction"] = known.get(item["uniqueid"])
            item["cards"] = await sync_to_async(cards)(item["number"], user)
            item.update(contact_links(item["number"]))
    return pops
