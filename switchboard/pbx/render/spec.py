"""What the renderers need to know, as plain frozen data (built from the database by
``switchboard.pbx.services.site_spec``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhoneSpec:
    extension: str
    display_name: str
    secret: str
    fixed_address: str = ""  # host[:port] of a phone that does not register


@dataclass(frozen=True)
class QueueMemberSpec:
    extension: str
    penalty: int
    name: str  # shown on the supervision page


@dataclass(frozen=True)
class QueueSpec:
    name: str
    number: str
    strategy: str = "rrmemory"
    ring_seconds: int = 15
    wrapup_seconds: int = 0
    music_class: str = "default"
    agent_announcement: str = ""
    announce_frequency: int = 0
    announce_holdtime: str = "no"
    announce_position: bool = False
    leave_when_empty: bool = False
    members: tuple[QueueMemberSpec, ...] = ()


@dataclass(frozen=True)
class TrunkSpec:
    name: str
    host: str  # host[:port]
    username: str = ""
    password: str = ""
    register: bool = False
    outbound_pattern: str = ""  # empty: no outbound calls over this line
    strip_digits: int = 0
    prefix: str = ""
    priority: int = 10


@dataclass(frozen=True)
class InboundSpec:
    did: str
    target: str  # an internal number: a phone's extension or a queue's number


@dataclass(frozen=True)
class SiteSpec:
    """Everything the portal configures on one PBX."""

    phones: tuple[PhoneSpec, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    trunks: tuple[TrunkSpec, ...] = ()
    inbound: tuple[InboundSpec, ...] = ()
