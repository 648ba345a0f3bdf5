"""IVR steps between the database and the PBX: validation context, spec, incidents in AstDB.

``ivr_site_spec`` and ``ivr_inbound`` are called by ``switchboard.pbx.services.site_spec``;
``switch_incident`` writes AstDB through the AMI of every enabled PBX at once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from switchboard.accounts.audit import record, snapshot
from switchboard.accounts.models import AuditEntry
from switchboard.ivr.models import Holiday, Incident, Ivr
from switchboard.ivr.scenario import Context, ScenarioError
from switchboard.pbx import astdb
from switchboard.pbx.models import Phone, Queue
from switchboard.pbx.render.spec import (
    HolidaySpec,
    InboundSpec,
    IvrActionSpec,
    IvrBlockSpec,
    IvrSiteSpec,
    IvrSpec,
)
from switchboard.telephony.ami.errors import AmiError
from switchboard.telephony.models import PbxServer

INCIDENT_FAMILY = astdb.family("incident")
log = logging.getLogger(__name__)


def _media(name: str) -> Any:
    """A function of the media app (sounds, text-to-speech), or None while it has none."""
    try:
        from switchboard.media import services
    except ImportError:
        return None
    return getattr(services, name, None)


def sound_choices() -> list[tuple[str, str]]:
    choices = _media("sound_choices")
    if choices is None:
        return []
    try:
        return [(str(name), str(label)) for name, label in choices()]
    except Exception:  # the media app's own failure must not close the editor
        return []


def speak(text: str, language: str) -> str:
    """The Asterisk sound name of ``text`` spoken (the media app's text-to-speech)."""
    speech_sound = _media("speech_sound")
    if speech_sound is None:
        raise LookupError(_("Text-to-speech is not available on this portal."))
    return str(speech_sound(text, language))


def speech_errors(scenario: dict[str, Any]) -> list[ScenarioError]:
    """Synthesise every text of the scenario now: an error is shown next to its action."""
    errors = []
    for block in scenario["blocks"]:
        for index, action in enumerate(block["actions"]):
            if action["type"] != "speech":
                continue
            try:
                speak(action["text"], action["language"])
            except Exception as error:  # the engine's own message, shown to the editor
                message = _("The text could not be spoken: %(error)s") % {"error": error}
                errors.append(ScenarioError(message, block["name"], index))
    return errors


def scenario_context(server: PbxServer) -> Context:
    return Context(
        phones=frozenset(Phone.objects.filter(server=server).values_list("extension", flat=True)),
        queues=frozenset(Queue.objects.filter(server=server).values_list("number", flat=True)),
        incidents=frozenset(Incident.objects.values_list("code", flat=True)),
        speech_available=_media("speech_sound") is not None,
        sounds=frozenset(name for name, _label in sound_choices()),
    )


def _action_spec(action: dict[str, Any]) -> IvrActionSpec:
    kind = action["type"]
    sound = action.get("sound", "")
    if kind == "speech":
        # Synthesised (and checked) when the scenario was saved; here it comes from the cache.
        try:
            sound = speak(action["text"], action["language"])
        except Exception as error:  # never break a whole apply: the action is left silent
            log.error("IVR speech %r could not be synthesised: %s", action.get("text"), error)
            sound = ""
    return IvrActionSpec(
        kind=kind,
        sound=sound or "",
        text=action.get("text", ""),
        variable=action.get("variable", ""),
        max_digits=int(action.get("max_digits", 1)),
        timeout=int(action.get("timeout", 5)),
        target=action.get("target", ""),
        on_timeout=action.get("on_timeout", ""),
        on_invalid=action.get("on_invalid", ""),
        keys=tuple((k, t) for k, t in action.get("keys", [])),
        patterns=tuple((r, t) for r, t in action.get("patterns", [])),
        days=tuple(action.get("days", [])),
        ranges=tuple((a, b) for a, b in action.get("ranges", [])),
        incident=action.get("incident", ""),
        transfer=action.get("kind", ""),
        number=action.get("number", "") or action.get("queue", ""),
    )


def ivr_spec(ivr: Ivr) -> IvrSpec:
    blocks = tuple(
        IvrBlockSpec(block["name"], tuple(_action_spec(a) for a in block["actions"]))
        for block in ivr.scenario.get("blocks", [])
    )
    return IvrSpec(
        number=ivr.number,
        name=ivr.name,
        active=ivr.active,
        start=f"{ivr.start_date:%Y-%m-%d}" if ivr.start_date else "",
        end=f"{ivr.end_date:%Y-%m-%d}" if ivr.end_date else "",
        fallback=ivr.fallback,
        blocks=blocks,
    )


def ivr_site_spec(server: PbxServer) -> IvrSiteSpec:
    ivrs = Ivr.objects.filter(server=server).order_by("number")
    if not ivrs:
        return IvrSiteSpec()
    return IvrSiteSpec(
        ivrs=tuple(ivr_spec(ivr) for ivr in ivrs),
        holidays=tuple(HolidaySpec(f"{h.day:%Y-%m-%d}", h.yearly) for h in Holiday.objects.all()),
    )


def ivr_inbound(server: PbxServer) -> list[InboundSpec]:
    """Each IVR's DID, routed to its internal number."""
    return [
        InboundSpec(ivr.did, ivr.number)
        for ivr in Ivr.objects.filter(server=server).exclude(did="").order_by("did")
    ]


def switch_incident(incident: Incident, on: bool, request: Any = None) -> list[str]:
    """Set the incident on every enabled PBX at once; returns the PBXs that failed (with why).

    The new state is recorded even when a PBX is unreachable: it is what the company
    declared, and the page says which PBX did not take it.
    """
    failures = []
    for server in PbxServer.objects.filter(enabled=True).order_by("name"):
        try:
            if on:
                astdb.put(server, INCIDENT_FAMILY, incident.code, "1")
            else:
                astdb.delete(server, INCIDENT_FAMILY, incident.code)
        except (AmiError, OSError) as error:
            failures.append(f"{server.name}: {error}")
    before = snapshot(incident)
    with transaction.atomic():
        incident.active = on
        incident.switched_at = timezone.now()
        incident.switched_by = getattr(getattr(request, "user", None), "username", "") or ""
        incident.save(update_fields=["active", "switched_at", "switched_by"])
        record(request, AuditEntry.Action.UPDATE, incident, before, snapshot(incident))
    return failures


def apply_servers() -> list[PbxServer]:
    """The PBXs a holiday change concerns: every enabled PBX that has IVRs."""
    servers = PbxServer.objects.filter(enabled=True, ivrs__isnull=False).distinct()
    return list(servers.order_by("name"))
