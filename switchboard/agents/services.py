"""What agents and users do, carried out on Asterisk, and recorded.

* Queue membership and pauses go to the PBX as AMI actions (``QueueAdd``, ``QueueRemove``,
  ``QueuePause``) in one short AMI session per change, like ``switchboard.pbx.astdb``; the
  state shown is what Asterisk says: the live model's queue view (through the telephony
  worker), or Asterisk's own ``QueueStatus`` when no worker answers.
* Presence and hot desk are AstDB keys the dialplan reads at call time (see
  ``switchboard.pbx.render.forwards``).
* ``AgentSession`` / ``PauseInterval`` rows record the intervals, including logins made from
  the phone (``*45``), which are noticed the next time the agent's page reads the state.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from switchboard.agents.models import AgentSession, HotDesk, PauseInterval, Presence
from switchboard.pbx import astdb
from switchboard.pbx.models import Phone, Queue
from switchboard.pbx.render.forwards import HOTDESK_FAMILY, PRESENCE_FAMILY
from switchboard.pbx.render.routing import member_name
from switchboard.pbx.render.spec import QueueMemberSpec
from switchboard.telephony import bus
from switchboard.telephony.access import queue_role_code
from switchboard.telephony.ami.client import AmiClient
from switchboard.telephony.ami.errors import AmiActionError
from switchboard.telephony.models import PbxServer

T = TypeVar("T")

# The pause reasons every installation starts with (translated when shown).
DEFAULT_PAUSE_REASONS = (
    gettext_noop("Lunch"),
    gettext_noop("Break"),
    gettext_noop("Training"),
    gettext_noop("Back office"),
    gettext_noop("Meeting"),
)
SNAPSHOT_TIMEOUT = 2.0


# --------------------------------------------------------------------------------------------
# Who is an agent of what, and with which phone
# --------------------------------------------------------------------------------------------


def agent_queues(user: Any) -> list[Queue]:
    """The queues whose agent role the user holds."""
    if not user.is_authenticated:
        return []
    codes = set(user.roles.values_list("code", flat=True))
    return [
        queue
        for queue in Queue.objects.select_related("server").order_by("server__name", "name")
        if queue_role_code(queue.name, "agent") in codes
    ]


def own_phone(user: Any, server: PbxServer) -> Phone | None:
    return (
        Phone.objects.filter(user=user, server=server, enabled=True).order_by("extension").first()
    )


def today() -> datetime.date:
    return timezone.localdate()


def current_desk(user: Any, server: PbxServer) -> HotDesk | None:
    return (
        HotDesk.objects.filter(user=user, phone__server=server, day=today(), ended__isnull=True)
        .select_related("phone")
        .first()
    )


def agent_phone(user: Any, server: PbxServer) -> Phone | None:
    """The phone the agent takes calls on: today's hot desk, else their own phone."""
    desk = current_desk(user, server)
    return desk.phone if desk is not None else own_phone(user, server)


def interface(phone: Phone) -> str:
    return f"PJSIP/{phone.extension}"


def agent_member_specs(queue: Queue) -> tuple[QueueMemberSpec, ...]:
    """Phones of the users holding the queue's agent role that are not configured members:
    dynamic members, so they may log in with ``*45`` (used by ``pbx.services.queue_spec``)."""
    members = set(queue.members.values_list("phone_id", flat=True))
    phones = Phone.objects.filter(
        server_id=queue.server_id,
        enabled=True,
        user__groups__role__code=queue_role_code(queue.name, "agent"),
    ).exclude(pk__in=members)
    return tuple(
        QueueMemberSpec(p.extension, 0, p.display_name or str(p.user), dynamic=True)
        for p in phones.select_related("user").order_by("extension").distinct()
    )


# --------------------------------------------------------------------------------------------
# AMI
# --------------------------------------------------------------------------------------------


def _ami(server: PbxServer, work: Callable[[AmiClient], Awaitable[T]]) -> T:
    async def session() -> T:
        client = AmiClient(
            server.host, server.ami_port, server.ami_user, server.ami_secret,
            name=server.name, events=False, reconnect=False,
        )  # fmt: skip
        await client.connect_once()
        try:
            return await work(client)
        finally:
            await client.close()

    return async_to_sync(session)()


def _actions(server: PbxServer, actions: Iterable[tuple[str, dict[str, str]]]) -> None:
    todo = list(actions)

    async def work(client: AmiClient) -> None:
        for name, fields in todo:
            await client.action(name, **fields)

    if todo:
        _ami(server, work)


@dataclass(frozen=True)
class MemberState:
    """One agent's membership of a queue, as Asterisk has it."""

    queue: str
    interface: str
    paused: bool
    reason: str
    state: str  # the live model's agent state (free, ringing, talking, paused...) or status


def _from_snapshot(server: PbxServer, queue: str) -> dict[str, MemberState] | None:
    async def ask() -> dict[str, Any]:
        return await bus.request(
            "snapshot", timeout=SNAPSHOT_TIMEOUT, server=server.pk, view="queues", key=queue
        )

    try:
        answer = async_to_sync(ask)()
    except bus.WorkerUnavailable:
        return None
    if not answer.get("ok"):
        return None
    members: dict[str, MemberState] = {}
    for data in answer["data"].get("queues", []):
        for member in data.get("members", []):
            members[member["interface"]] = MemberState(
                queue,
                member["interface"],
                bool(member.get("paused")),
                member.get("paused_reason") or "",
                str(member.get("state") or ""),
            )
    return members


def _from_queue_status(server: PbxServer, queue: str) -> dict[str, MemberState]:
    async def work(client: AmiClient) -> dict[str, MemberState]:
        try:
            _response, events = await client.list_action("QueueStatus", Queue=queue)
        except AmiActionError:
            return {}
        members = {}
        for event in events:
            if event.event == "QueueMember" and event.get("Queue") == queue:
                name = event.get("Location") or event.get("Interface") or ""
                paused = event.get("Paused") == "1"
                members[name] = MemberState(
                    queue,
                    name,
                    paused,
                    event.get("PausedReason") or "",
                    "paused" if paused else "logged in",
                )
        return members

    return _ami(server, work)


def queue_members(server: PbxServer, queue: str) -> dict[str, MemberState]:
    """Interface -> state of the queue's members, from the live model (else the AMI)."""
    members = _from_snapshot(server, queue)
    return members if members is not None else _from_queue_status(server, queue)


# --------------------------------------------------------------------------------------------
# Sessions and pauses
# --------------------------------------------------------------------------------------------


def open_session(user: Any, server: PbxServer, queue: str) -> AgentSession | None:
    return AgentSession.objects.filter(
        user=user, server=server, queue=queue, ended__isnull=True
    ).first()


def _close_pause(session: AgentSession) -> None:
    session.pauses.filter(ended__isnull=True).update(ended=timezone.now())


def reconcile(user: Any, server: PbxServer, queue: str, member: MemberState | None) -> None:
    """Make the recorded intervals agree with what Asterisk says (e.g. after ``*45``)."""
    with transaction.atomic():
        session = open_session(user, server, queue)
        if member is None:
            if session is not None:
                _close_pause(session)
                session.ended = timezone.now()
                session.save(update_fields=["ended"])
            return
        if session is None:
            session = AgentSession.objects.create(
                user=user,
                server=server,
                queue=queue,
                interface=member.interface,
                source=AgentSession.Source.PHONE,
            )
        pause = session.pauses.filter(ended__isnull=True).first()
        if member.paused and pause is None:
            PauseInterval.objects.create(session=session, reason=member.reason)
        elif not member.paused and pause is not None:
            _close_pause(session)


def log_in(user: Any, queue: Queue, phone: Phone) -> AgentSession:
    name = member_name(str(user), phone.extension)
    device = interface(phone)
    _actions(
        queue.server,
        [
            (
                "QueueAdd",
                {
                    "Queue": queue.name,
                    "Interface": device,
                    "Penalty": "0",
                    "MemberName": name,
                    "StateInterface": device,
                },
            )
        ],
    )
    with transaction.atomic():
        existing = open_session(user, queue.server, queue.name)
        if existing is not None:
            return existing
        return AgentSession.objects.create(
            user=user,
            server=queue.server,
            queue=queue.name,
            interface=device,
            source=AgentSession.Source.WEB,
        )


def log_out(user: Any, queue: Queue, member: str) -> None:
    try:
        _actions(queue.server, [("QueueRemove", {"Queue": queue.name, "Interface": member})])
    except AmiActionError as error:
        if "not" not in str(error).lower():  # "Unable to remove interface: Not there"
            raise
    reconcile(user, queue.server, queue.name, None)


def pause(user: Any, queue: Queue, member: str, reason: str) -> None:
    fields = {"Queue": queue.name, "Interface": member, "Paused": "true"}
    if reason:
        fields["Reason"] = reason
    _actions(queue.server, [("QueuePause", fields)])
    session = open_session(user, queue.server, queue.name)
    if session is not None:
        with transaction.atomic():
            _close_pause(session)
            PauseInterval.objects.create(session=session, reason=reason)


def unpause(user: Any, queue: Queue, member: str) -> None:
    _actions(
        queue.server,
        [("QueuePause", {"Queue": queue.name, "Interface": member, "Paused": "false"})],
    )
    session = open_session(user, queue.server, queue.name)
    if session is not None:
        _close_pause(session)


# --------------------------------------------------------------------------------------------
# Presence
# --------------------------------------------------------------------------------------------


def presence_of(user: Any) -> Presence:
    presence = Presence.objects.filter(user=user).first()
    return presence or Presence(user=user)


def presence_value(presence: Presence) -> str:
    """The AstDB value of a presence, empty for available."""
    if presence.status == Presence.Status.DND:
        return "dnd"
    if presence.status == Presence.Status.MOBILE:
        return f"mobile:{presence.mobile}"
    return ""


def write_presence(presence: Presence) -> None:
    """Put the presence on every phone of the user (raises AmiError if a PBX is down)."""
    value = presence_value(presence)
    for phone in Phone.objects.filter(user=presence.user).select_related("server"):
        if value:
            astdb.put(phone.server, PRESENCE_FAMILY, phone.extension, value)
        else:
            astdb.delete(phone.server, PRESENCE_FAMILY, phone.extension)


# --------------------------------------------------------------------------------------------
# Hot desking
# --------------------------------------------------------------------------------------------


def free_desks(server: PbxServer, user: Any) -> list[Phone]:
    """Phones of the site nobody has bound today and that belong to no one else."""
    taken = HotDesk.objects.filter(day=today(), ended__isnull=True).values_list(
        "phone_id", flat=True
    )
    phones = Phone.objects.filter(Q(user__isnull=True) | Q(user=user), server=server, enabled=True)
    return list(phones.exclude(pk__in=taken).order_by("extension"))


def _move_members(user: Any, server: PbxServer, old: str, new: str) -> None:
    """Queue memberships of the agent follow the phone: removed from ``old``, added on
    ``new`` with the same pause."""
    for queue in (q for q in agent_queues(user) if q.server_id == server.pk):
        member = queue_members(server, queue.name).get(old)
        if member is None:
            continue
        name = member_name(str(user), new.partition("/")[2])
        actions = [
            ("QueueRemove", {"Queue": queue.name, "Interface": old}),
            (
                "QueueAdd",
                {
                    "Queue": queue.name,
                    "Interface": new,
                    "Penalty": "0",
                    "MemberName": name,
                    "StateInterface": new,
                },
            ),
        ]
        if member.paused:
            fields = {"Queue": queue.name, "Interface": new, "Paused": "true"}
            actions.append(("QueuePause", {**fields, "Reason": member.reason or "-"}))
        _actions(server, actions)
        AgentSession.objects.filter(
            user=user, server=server, queue=queue.name, ended__isnull=True
        ).update(interface=new)


def bind_desk(user: Any, desk: Phone) -> HotDesk:
    """Calls to the agent's own phone and their queue memberships go to ``desk`` today."""
    server = desk.server
    own = own_phone(user, server)
    previous = current_desk(user, server)
    old = interface(previous.phone if previous else own) if (previous or own) else ""
    if own is not None:
        value = f"{today():%Y%m%d}@{desk.extension}"
        astdb.put(server, HOTDESK_FAMILY, own.extension, value)
    if old and old != interface(desk):
        _move_members(user, server, old, interface(desk))
    with transaction.atomic():
        if previous is not None:
            previous.ended = timezone.now()
            previous.save(update_fields=["ended"])
        return HotDesk.objects.create(user=user, phone=desk, day=today())


def free_desk(user: Any, server: PbxServer) -> None:
    desk = current_desk(user, server)
    if desk is not None:
        end_desk(desk)


def end_desk(desk: HotDesk) -> None:
    """Calls and queue memberships go back to the agent's own phone."""
    server, user = desk.phone.server, desk.user
    own = own_phone(user, server)
    if own is not None:
        astdb.delete(server, HOTDESK_FAMILY, own.extension)
        if own.pk != desk.phone_id:
            _move_members(user, server, interface(desk.phone), interface(own))
    desk.ended = timezone.now()
    desk.save(update_fields=["ended"])


def end_past_desks() -> int:
    """Free the bindings of past days (the dialplan already ignores them; this also moves
    queue memberships back). Run after midnight: ``manage.py agents_end_of_day``."""
    ended = 0
    for desk in HotDesk.objects.filter(day__lt=today(), ended__isnull=True).select_related(
        "phone__server", "user"
    ):
        end_desk(desk)
        ended += 1
    return ended
