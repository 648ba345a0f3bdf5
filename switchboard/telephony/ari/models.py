"""Shapes of the JSON objects ARI sends, as ``TypedDict`` s.

ARI resources and events stay plain dicts (what ``json.loads`` returns: cheap, and nothing is
lost when a newer Asterisk adds fields); these types only tell the type checker and the
reader which keys to expect. Every type is ``total=False``: Asterisk omits keys freely
(``channel`` is absent from a ``PlaybackStarted`` on a bridge, ``args`` from some
``StasisStart`` s...). Field names are Asterisk's, in its own snake_case.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

ConnectionStateName = Literal["disconnected", "connecting", "connected"]


class CallerId(TypedDict, total=False):
    """A caller ID: ``{"name": "Alice", "number": "5551234"}``."""

    name: str
    number: str


class DialplanCep(TypedDict, total=False):
    """Where a channel is in the dialplan (context, extension, priority)."""

    context: str
    exten: str
    priority: int
    app_name: str
    app_data: str


class Channel(TypedDict, total=False):
    """A channel (``GET /channels``, ``POST /channels``, ``channel`` of events)."""

    id: str
    name: str
    state: str  # Down, Rsrved, OffHook, Dialing, Ring, Ringing, Up, Busy...
    protocol_id: str
    caller: CallerId
    connected: CallerId
    accountcode: str
    dialplan: DialplanCep
    creationtime: str
    language: str
    channelvars: dict[str, str]
    caller_rdnis: str
    tenantid: str


class Bridge(TypedDict, total=False):
    """A bridge (``GET /bridges``, ``POST /bridges``, ``bridge`` of events)."""

    id: str
    technology: str
    bridge_type: str
    bridge_class: str
    creator: str
    name: str
    channels: list[str]
    video_mode: str
    video_source_id: str
    creationtime: str


class Endpoint(TypedDict, total=False):
    """An endpoint (``GET /endpoints``): ``PJSIP/agent1`` is technology + resource."""

    technology: str
    resource: str
    state: str  # unknown, offline, online
    channel_ids: list[str]


class Playback(TypedDict, total=False):
    """A playback of media on a channel or bridge."""

    id: str
    media_uri: str
    next_media_uri: str
    target_uri: str  # channel:ID or bridge:ID
    language: str
    state: str  # queued, playing, continuing, done, failed


class LiveRecording(TypedDict, total=False):
    """A recording in progress (``POST .../record``, ``Recording*`` events)."""

    name: str
    format: str
    target_uri: str
    state: str  # queued, recording, paused, done, failed, canceled
    duration: int
    talking_duration: int
    silence_duration: int
    cause: str


class AsteriskSystem(TypedDict, total=False):
    """``system`` of ``GET /asterisk/info``."""

    version: str
    entity_id: str


class AsteriskInfo(TypedDict, total=False):
    """``GET /asterisk/info``: build, system (version), config and status."""

    build: dict[str, Any]
    system: AsteriskSystem
    config: dict[str, Any]
    status: dict[str, Any]


class AriEvent(TypedDict, total=False):
    """One event of the events websocket.

    Every event has ``type``, ``application``, ``timestamp`` and ``asterisk_id``; the others
    depend on the type (``StasisStart``: channel, args; ``PlaybackFinished``: playback;
    ``ChannelVarset``: variable, value...).
    """

    type: str
    application: str
    timestamp: str
    asterisk_id: str
    channel: Channel
    replace_channel: Channel
    bridge: Bridge
    playback: Playback
    recording: LiveRecording
    endpoint: Endpoint
    args: list[str]
    variable: str
    value: str
    digit: str
    duration_ms: int
    cause: int
    cause_txt: str
    peer: Channel
    dialstring: str
    dialstatus: str
