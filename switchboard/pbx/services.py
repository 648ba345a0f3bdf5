"""The steps of a configuration change made visible: database -> spec -> files -> apply.

``site_spec`` reads the database; the renderers are pure; ``apply_configuration`` connects
to the PBX's AMI, runs :func:`switchboard.pbx.apply.apply_files` and records the outcome
(a ``Generation`` row and an audit entry).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from django.utils.translation import gettext as _

from switchboard.accounts.audit import record
from switchboard.accounts.models import AuditEntry
from switchboard.media import services as media
from switchboard.pbx import routing
from switchboard.pbx.apply import ApplyError, ApplyResult, apply_files, new_generation
from switchboard.pbx.models import Generation, InboundRoute, Phone, Queue, Trunk
from switchboard.pbx.render import render_all
from switchboard.pbx.render.spec import (
    InboundSpec,
    MailboxSpec,
    QueueMemberSpec,
    QueueSpec,
    SiteSpec,
    TrunkSpec,
)
from switchboard.telephony.ami.client import AmiClient
from switchboard.telephony.ami.errors import AmiError
from switchboard.telephony.models import PbxServer


def site_spec(server: PbxServer) -> SiteSpec:
    from switchboard.ivr.services import ivr_inbound, ivr_site_spec  # the IVR app's part

    phones = Phone.objects.filter(server=server, enabled=True).order_by("extension")
    phones = phones.select_related("outgoing_group__trunk").prefetch_related("call_groups")
    queues = Queue.objects.filter(server=server).prefetch_related("members__phone")
    return SiteSpec(
        phones=tuple(routing.phone_spec(p) for p in phones.prefetch_related("pickup_groups")),
        queues=tuple(media.with_playlist(queue_spec(queue), queue) for queue in queues),
        trunks=tuple(
            TrunkSpec(
                name=t.name,
                host=t.host,
                username=t.username,
                password=t.password,
                register=t.register,
                outbound_pattern=t.outbound_pattern,
                strip_digits=t.strip_digits,
                prefix=t.prefix,
                priority=t.priority,
            )
            for t in Trunk.objects.filter(server=server)
        ),
        inbound=tuple(
            InboundSpec(
                route.did,
                route.target_number,
                routing.inbound_kind(route),
                manager_seconds=route.account_manager_seconds,
            )
            for route in InboundRoute.objects.filter(server=server).select_related("phone", "queue")
            if route.target_number
        )
        + tuple(ivr_inbound(server)),
        routing=routing.routing_spec(server),
        ivrs=ivr_site_spec(server),
        mailboxes=mailbox_specs(server),
        external_forwarders=external_forwarders(server),
        music_classes=media.music_class_specs() if server.sounds_dir else (),
    )


def mailbox_specs(server: PbxServer) -> tuple[MailboxSpec, ...]:
    """Enabled boxes of enabled phones that someone can open (a PIN is known)."""
    from switchboard.voicemail.models import VoicemailBox

    boxes = VoicemailBox.objects.filter(
        phone__server=server, phone__enabled=True, enabled=True
    ).select_related("phone__user")
    return tuple(
        MailboxSpec(
            extension=box.phone.extension,
            pin=box.effective_pin,
            name=box.phone.display_name or str(box.phone.user or ""),
            email=box.email,
            attach=box.attach,
            max_messages=box.max_messages,
        )
        for box in boxes.order_by("phone__extension")
        if box.effective_pin
    )


def external_forwarders(server: PbxServer) -> tuple[str, ...]:
    """Phones whose user holds the external forward right (checked by the feature codes)."""
    from switchboard.forwards.services import may_forward_outside

    phones = Phone.objects.filter(server=server, enabled=True, user__isnull=False)
    return tuple(
        phone.extension
        for phone in phones.select_related("user").order_by("extension")
        if may_forward_outside(phone.user)
    )


def queue_spec(queue: Queue) -> QueueSpec:
    from switchboard.agents.services import agent_member_specs

    return QueueSpec(
        name=queue.name,
        number=queue.number,
        strategy=queue.strategy,
        ring_seconds=queue.ring_seconds,
        wrapup_seconds=queue.wrapup_seconds,
        music_class=queue.music_class,
        agent_announcement=queue.agent_announcement,
        announce_frequency=queue.announce_frequency,
        announce_holdtime=queue.announce_holdtime,
        announce_position=queue.announce_position,
        leave_when_empty=queue.leave_when_empty,
        members=tuple(
            QueueMemberSpec(m.phone.extension, m.penalty, m.phone.display_name, m.dynamic)
            for m in queue.members.all()
            if m.phone.enabled
        )
        + agent_member_specs(queue),  # the queue's agent role: *45 log-in (agents app)
        simultaneous_rings=queue.simultaneous_rings,
        sticky_agent=queue.sticky_agent,
    )


def apply_configuration(server: PbxServer, request: Any = None, **options: Any) -> Generation:
    """Render and apply everything the portal configures on ``server``; never raises for a
    PBX-side failure: the returned ``Generation`` says what happened."""
    generation = new_generation()
    spec = site_spec(server)
    files = render_all(spec, generation)
    endpoints = {phone.extension for phone in spec.phones}
    queues = {queue.name for queue in spec.queues}
    outcome = Generation.Outcome.LIVE
    if not server.config_dir:
        result = ApplyResult(generation, [], 0.0, error=_("No configuration directory is set."))
        outcome = Generation.Outcome.REFUSED
    else:
        try:
            options = {"endpoints": endpoints, "queues": queues, **options}
            media.deploy_sounds(server)  # before the swap: the new files may play them
            result = async_to_sync(_apply)(server, files, generation, options)
        except (ApplyError, media.DeployError) as error:
            result = ApplyResult(generation, [], 0.0, error=str(error))
            outcome = Generation.Outcome.REFUSED
        except AmiError as error:
            message = _("The PBX could not be reached: %(error)s") % {"error": error}
            result = ApplyResult(generation, [], 0.0, error=message)
            outcome = Generation.Outcome.REFUSED
    if result.rolled_back:
        outcome = Generation.Outcome.ROLLED_BACK
    entry = Generation.objects.create(
        server=server,
        name=result.generation or generation,
        user=getattr(getattr(request, "user", None), "username", "") or "",
        outcome=outcome,
        changed_files=result.changed,
        message=result.error or "; ".join(result.steps),
        seconds=round(result.seconds, 3),
    )
    record(request, AuditEntry.Action.APPLY, entry, before=None, after=entry_summary(entry))
    return entry


def entry_summary(entry: Generation) -> dict[str, Any]:
    return {
        "outcome": entry.outcome,
        "changed_files": entry.changed_files,
        "message": entry.message,
        "seconds": entry.seconds,
    }


async def _apply(
    server: PbxServer, files: dict[str, str], generation: str, options: dict[str, Any]
) -> ApplyResult:
    client = AmiClient(
        server.host, server.ami_port, server.ami_user, server.ami_secret, name=server.name,
        events=False,
    )  # fmt: skip
    await client.connect_once()
    try:
        return await apply_files(client, Path(server.config_dir), files, generation, **options)
    finally:
        await client.close()
