"""Call control from the desk (SPEC C2), on the worker's side: each request is checked
against the live model (the call must be on the operator's phone) before any AMI action.

Choices (documented in docs/ARCHITECTURE.md):

* answer: the caller's leg is redirected to ``sb-desk-answer`` which rings the phone again with
  ``Call-Info: ...;answer-after=0`` (phones that honour it pick up at once);
* hold: AMI Redirect of the other party to ``sb-hold`` (music on hold) and of the operator's
  leg to ``sb-held``; resume: AMI Bridge of the two legs;
* blind transfer: AMI BlindTransfer;
* attended transfer: the other party is put on hold (``sb-hold``) while the operator's leg is
  redirected to ``sb-desk-consult``, which dials the target; the operator hanging up (from
  the desk) completes it: AMI Bridge of the held party with the target. (AMI Atxfer works only
  on channels bridged with the DTMF transfer feature enabled, which direct calls are not.)
* park: AMI Park into the ``switchboard`` lot (the operator's phone hears the slot and hangs
  up); retrieve: ring the operator's phone and connect it to ``<slot>@sb-parked``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from switchboard.pbx.render import desk as plan
from switchboard.telephony.live.state import Channel, PbxState, device_of

ACTIONS = frozenset(
    {
        "hangup",
        "answer",
        "hold",
        "resume",
        "blind_transfer",
        "attended_transfer",
        "park",
        "retrieve",
        "dial",
    }
)
EXTENSION = re.compile(r"^[0-9A-Za-z_.-]{1,20}$")
NUMBER = re.compile(r"^[0-9*#+]{1,30}$")
TECH = "PJSIP"
log = logging.getLogger(__name__)


class Refused(ValueError):
    """The request does not match the live calls (code for the web, message for logs)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


def _phone_channel(state: PbxState, extension: str, channel: str) -> Channel:
    device = f"{TECH}/{extension}"
    for uniqueid in state.device_channels.get(device, ()):
        found = state.channels.get(uniqueid)
        if found is not None and (not channel or found.name == channel):
            return found
    raise Refused("not_your_call", f"{channel or 'no call'} is not on {device}")


def peer_of(state: PbxState, channel: Channel) -> Channel | None:
    """The other party: the other channel of its bridge, or (ringing) the call's first leg."""
    bridge = state.bridges.get(channel.bridge_id) if channel.bridge_id else None
    if bridge is not None:
        for uniqueid in sorted(bridge.channels):
            if uniqueid != channel.uniqueid and uniqueid in state.channels:
                return state.channels[uniqueid]
    for other in state.channels.values():
        same_call = other.linkedid == channel.linkedid and other.uniqueid != channel.uniqueid
        if same_call and device_of(other.name) != channel.device:
            return other
    return None


def requests_for(
    state: PbxState, action: str, params: dict[str, Any], held: dict[str, tuple[str, str]]
) -> list[tuple[str, dict[str, str]]]:
    """``held``: the operator's channel -> (the other party's channel, "hold" or "consult")."""
    """The AMI actions for one desk action, after checking it against the live state."""
    if action not in ACTIONS:
        raise Refused("unknown_action")
    extension = str(params.get("extension", ""))
    if not EXTENSION.match(extension):
        raise Refused("bad_extension")
    device = f"{TECH}/{extension}"
    if action == "dial":
        number = str(params.get("number", ""))
        if not NUMBER.match(number):
            raise Refused("bad_number")
        return [("Originate", _ring(device, plan.DIAL_CONTEXT, number, number))]
    if action == "retrieve":
        slot = str(params.get("slot", ""))
        if not any(p.space == slot for p in state.parked.values()):
            raise Refused("no_parked_call")
        return [("Originate", _ring(device, plan.PARKED_CONTEXT, slot, slot))]
    channel = _phone_channel(state, extension, str(params.get("channel", "")))
    consulting = held.get(channel.name, ("", ""))
    if action == "hangup" and consulting[1] == "consult" and _alive(state, consulting[0]):
        target = peer_of(state, channel)
        if target is not None and channel.bridge_id and target.bridge_id == channel.bridge_id:
            # The operator leaves the consultation: the held party and the target talk.
            return [("Bridge", {"Channel1": consulting[0], "Channel2": target.name, "Tone": "no"})]
    if action == "hangup":
        return [("Hangup", {"Channel": channel.name})]
    if action == "resume":
        peer_name = consulting[0]
        if not peer_name or not _alive(state, peer_name):
            raise Refused("not_on_hold")
        return [("Bridge", {"Channel1": channel.name, "Channel2": peer_name, "Tone": "no"})]
    peer = peer_of(state, channel)
    if peer is None:
        raise Refused("no_peer")
    if action == "answer":
        if channel.bridge_id or channel.state == "Up":
            raise Refused("already_answered")
        return [
            (
                "Redirect",
                {
                    "Channel": peer.name,
                    "Context": plan.ANSWER_CONTEXT,
                    "Exten": extension,
                    "Priority": "1",
                },
            )
        ]
    if not channel.bridge_id or peer.bridge_id != channel.bridge_id:
        raise Refused("not_connected")
    if action == "hold":
        return [
            (
                "Redirect",
                {
                    "Channel": peer.name,
                    "Context": plan.HOLD_CONTEXT,
                    "Exten": "s",
                    "Priority": "1",
                    "ExtraChannel": channel.name,
                    "ExtraContext": plan.HELD_CONTEXT,
                    "ExtraExten": "s",
                    "ExtraPriority": "1",
                },
            )
        ]
    if action in ("blind_transfer", "attended_transfer"):
        target = str(params.get("target", ""))
        if not NUMBER.match(target):
            raise Refused("bad_number")
        if action == "blind_transfer":
            fields = {"Channel": channel.name, "Context": plan.DIAL_CONTEXT, "Exten": target}
            return [("BlindTransfer", fields)]
        return [
            (
                "Redirect",
                {
                    "Channel": peer.name,
                    "Context": plan.HOLD_CONTEXT,
                    "Exten": "s",
                    "Priority": "1",
                    "ExtraChannel": channel.name,
                    "ExtraContext": plan.CONSULT_CONTEXT,
                    "ExtraExten": target,
                    "ExtraPriority": "1",
                },
            )
        ]
    # park
    return [
        (
            "Park",
            {"Channel": peer.name, "TimeoutChannel": channel.name, "Parkinglot": plan.PARKING_LOT},
        )
    ]


def _alive(state: PbxState, name: str) -> bool:
    return any(c.name == name for c in state.channels.values())


def _ring(device: str, context: str, exten: str, shown: str) -> dict[str, str]:
    return {
        "Channel": device,
        "Context": context,
        "Exten": exten,
        "Priority": "1",
        "CallerID": f"<{shown}>",
        "Timeout": "30000",
        "Async": "true",
    }


def parked_list(state: PbxState) -> list[dict[str, Any]]:
    """The parked calls (every lot), by slot."""
    return [
        {
            "slot": p.space,
            "lot": p.lot,
            "number": p.caller_num,
            "name": p.caller_name,
            "since": p.since,
            "channel": p.channel,
        }
        for p in sorted(state.parked.values(), key=lambda p: (p.lot, p.space))
    ]


def phone_calls(state: PbxState, extension: str) -> list[dict[str, Any]]:
    """The channels of one phone with their other party (for the desk after a reload)."""
    calls = []
    for uniqueid in sorted(state.device_channels.get(f"{TECH}/{extension}", ())):
        channel = state.channels.get(uniqueid)
        if channel is None:
            continue
        peer = peer_of(state, channel)
        calls.append(
            {
                "channel": channel.name,
                "uniqueid": channel.uniqueid,
                "linkedid": channel.linkedid,
                "state": channel.state,
                "bridged": bool(channel.bridge_id),
                "number": (peer.caller_num if peer else "") or channel.connected_num,
                "name": (peer.caller_name if peer else "") or channel.connected_name,
                "peer": peer.name if peer else "",
            }
        )
    return calls


# --- the worker's request handler ---------------------------------------------------------

_held: dict[int, dict[str, tuple[str, str]]] = {}


async def handle(link: Any, message: dict[str, Any]) -> dict[str, Any]:
    """A ``desk`` request to the worker: ``op`` = action, parked or calls."""
    state = link.model.state
    op = message.get("op")
    if op == "parked":
        return {"ok": True, "parked": parked_list(state)}
    if op == "calls":
        return {"ok": True, "calls": phone_calls(state, str(message.get("extension", "")))}
    if op != "action":
        return {"ok": False, "error": "unknown desk request"}
    params = dict(message.get("params", {}))
    action = str(message.get("action", ""))
    held = _held.setdefault(link.server_id, {})
    queue = str(params.get("queue", ""))
    if queue:
        # A supervisor acting on an agent's phone: only on that queue's agents' calls.
        from switchboard.telephony.worker import channel_in_queue

        channel = str(params.get("channel", ""))
        if not channel or not channel_in_queue(link.model, queue, channel):
            return {"ok": False, "code": "not_in_queue", "error": "not a call of the queue"}
    try:
        requests = requests_for(state, action, params, held)
    except Refused as refusal:
        return {"ok": False, "code": refusal.code, "error": str(refusal)}
    for name, fields in requests:
        await link.client.action(name, **fields)
    first = requests[0][1]
    if action in ("hold", "attended_transfer"):
        kind = "hold" if action == "hold" else "consult"
        held[first["ExtraChannel"]] = (first["Channel"], kind)
    elif action in ("resume", "hangup"):
        held.pop(str(params.get("channel", "")), None)
    for name in [n for n in held if not _alive(state, n)]:
        del held[name]  # calls gone meanwhile
    return {"ok": True, "ami": [name for name, _ in requests]}


def peer_gone(link: Any, channel_name: str) -> None:
    """A channel hung up (called by ``delivery.observe``): if it was the other party of a
    call on hold, the operator's leg waiting in ``sb-held`` is hung up too."""
    held = _held.get(link.server_id)
    if not held:
        return
    for mine, (peer, kind) in list(held.items()):
        if peer != channel_name:
            continue
        del held[mine]
        if kind == "hold":
            task = asyncio.get_running_loop().create_task(_hang_up(link, mine))
            _pending.add(task)
            task.add_done_callback(_pending.discard)


_pending: set[asyncio.Task[None]] = set()


async def _hang_up(link: Any, channel_name: str) -> None:
    try:
        await link.client.action("Hangup", Channel=channel_name)
    except Exception as error:  # gone already: nothing to do
        log.info("could not hang up %s: %s", channel_name, error)
