"""Supervisor actions turned into AMI actions (SPEC L2): queue membership, pause, listening,
whispering, barging and recording. Each checks its parameters before anything reaches the
PBX; the AMI's own error, if any, is raised to the caller in plain words."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchboard.telephony.ami.client import AmiClient

DEVICE = re.compile(r"^[A-Za-z0-9_]+/[A-Za-z0-9_.@:+-]+$")
CHANNEL = re.compile(r"^[A-Za-z0-9_]+/[A-Za-z0-9_.@:+;-]+$")
QUEUE = re.compile(r"^[A-Za-z0-9_.+-]+$")

# ChanSpy options: q = no beep for the supervisor, E = end when the spied channel hangs up,
# w = whisper to the spied channel only, B = barge: talk to both parties.
SPY_OPTIONS = {"listen": "qE", "whisper": "qEw", "barge": "qEB"}


class ActionRefused(ValueError):
    """The action's parameters are not acceptable."""


def _need(params: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = str(params.get(name, "")).strip()
    if not pattern.match(value):
        raise ActionRefused(f"invalid {name}: {value!r}")
    return value


def _penalty(params: dict[str, Any]) -> str:
    raw = str(params.get("penalty", "0") or "0")
    if not raw.isdigit() or int(raw) > 999:
        raise ActionRefused(f"invalid penalty: {raw!r}")
    return raw


def ami_request(action: str, params: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The AMI action (name and fields) that carries out a supervisor action. Pure."""
    if action == "add":
        fields = {
            "Queue": _need(params, "queue", QUEUE),
            "Interface": _need(params, "interface", DEVICE),
            "Penalty": _penalty(params),
        }
        name = str(params.get("member_name", "")).strip()
        if name:
            fields["MemberName"] = re.sub(r"[\r\n,|]", " ", name)[:80]
        return "QueueAdd", fields
    if action == "remove":
        return "QueueRemove", {
            "Queue": _need(params, "queue", QUEUE),
            "Interface": _need(params, "interface", DEVICE),
        }
    if action in ("pause", "unpause"):
        fields = {
            "Queue": _need(params, "queue", QUEUE),
            "Interface": _need(params, "interface", DEVICE),
            "Paused": "true" if action == "pause" else "false",
        }
        reason = re.sub(r"[\r\n]", " ", str(params.get("reason", ""))).strip()[:80]
        if reason and action == "pause":
            fields["Reason"] = reason
        return "QueuePause", fields
    if action in SPY_OPTIONS:
        spied = _need(params, "channel", CHANNEL)
        return "Originate", {
            "Channel": _need(params, "supervisor_device", DEVICE),
            "Application": "ChanSpy",
            "Data": f"{spied},{SPY_OPTIONS[action]}",
            "CallerID": f'"{action.capitalize()}" <{spied.split("/", 1)[1].split("-", 1)[0]}>',
            "Async": "true",
            "Timeout": "30000",
        }
    if action == "record":
        channel = _need(params, "channel", CHANNEL)
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", channel)
        return "MixMonitor", {
            "Channel": channel,
            "File": f"supervisor-{safe}-{int(time.time())}.wav",
        }
    if action == "stop_record":
        return "StopMixMonitor", {"Channel": _need(params, "channel", CHANNEL)}
    raise ActionRefused(f"unknown action {action!r}")


async def perform(client: AmiClient, action: str, params: dict[str, Any]) -> None:
    """Send the AMI action; an AMI error is raised as is (its message is shown)."""
    name, fields = ami_request(action, params)
    await client.action(name, **fields)
