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
    # What the phone may dial (SPEC A2), already taken from its outgoing group if it has one.
    dial_classes: tuple[str, ...] = ("emergency", "internal", "services", "local", "mobile")
    call_groups: tuple[int, ...] = ()  # 0-63: its ringing calls can be picked up by these
    pickup_groups: tuple[int, ...] = ()  # 0-63: it may pick up calls ringing in these
    line: str = ""  # the external line its outgoing group must use; empty: by pattern


@dataclass(frozen=True)
class QueueMemberSpec:
    extension: str
    penalty: int
    name: str  # shown on the supervision page
    dynamic: bool = False  # logs in and out from its phone (*45 + queue number)


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
    simultaneous_rings: int = 0  # 0: as the strategy rings
    sticky_agent: bool = False


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
    kind: str = "internal"  # internal (sb-internal), voicemail (of phone target), external
    manager_seconds: int = 0  # ring the caller's account manager first (0: no)


@dataclass(frozen=True)
class DialPatternSpec:
    dial_class: str  # emergency, internal, services, local, mobile, international
    pattern: str  # an Asterisk extension pattern or number


@dataclass(frozen=True)
class OverrideRuleSpec:
    """A rule for calls to ``called``; the rules of one number are tried in their order."""

    called: str
    name: str
    callers: tuple[str, ...] = ()  # exact caller numbers
    caller_regexes: tuple[str, ...] = ()
    times: tuple[tuple[str, str], ...] = ()  # ("08:00", "12:00"); empty: all day
    weekdays: tuple[str, ...] = ()  # mon..sun; empty: every day
    redirect: str = ""  # empty: the call is refused


@dataclass(frozen=True)
class RoutingSpec:
    """Call permissions and override rules of a PBX (SPEC A2, A14)."""

    dial_patterns: tuple[DialPatternSpec, ...] = ()
    overrides: tuple[OverrideRuleSpec, ...] = ()  # in their order


@dataclass(frozen=True)
class IvrActionSpec:
    """One action of an IVR block (see switchboard.ivr.scenario); unused fields stay empty."""

    kind: str
    sound: str = ""
    text: str = ""
    variable: str = ""
    max_digits: int = 1
    timeout: int = 5
    target: str = ""
    on_timeout: str = ""
    on_invalid: str = ""
    keys: tuple[tuple[str, str], ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()
    days: tuple[str, ...] = ()
    ranges: tuple[tuple[str, str], ...] = ()
    incident: str = ""
    transfer: str = ""  # phone, queue, external, voicemail
    number: str = ""


@dataclass(frozen=True)
class IvrBlockSpec:
    name: str
    actions: tuple[IvrActionSpec, ...] = ()


@dataclass(frozen=True)
class HolidaySpec:
    day: str  # YYYY-MM-DD
    yearly: bool = False


@dataclass(frozen=True)
class IvrSpec:
    number: str
    name: str
    active: bool = True
    start: str = ""  # YYYY-MM-DD, empty: no limit
    end: str = ""
    fallback: str = ""  # internal number taking calls when closed; empty: busy
    blocks: tuple[IvrBlockSpec, ...] = ()


@dataclass(frozen=True)
class IvrSiteSpec:
    """The IVR applications of a PBX and the company's holidays they test."""

    ivrs: tuple[IvrSpec, ...] = ()
    holidays: tuple[HolidaySpec, ...] = ()


@dataclass(frozen=True)
class MailboxSpec:
    extension: str
    pin: str
    name: str = ""
    email: str = ""
    attach: bool = True
    max_messages: int = 100


@dataclass(frozen=True)
class MusicClassSpec:
    """A music-on-hold class made in the web (switchboard.media)."""

    name: str
    directory: str  # relative to Asterisk's astdatadir, e.g. sounds/switchboard/moh/<hash>
    random: bool = False
    description: str = ""


@dataclass(frozen=True)
class SiteSpec:
    """Everything the portal configures on one PBX."""

    phones: tuple[PhoneSpec, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    trunks: tuple[TrunkSpec, ...] = ()
    inbound: tuple[InboundSpec, ...] = ()
    routing: RoutingSpec = RoutingSpec()
    mailboxes: tuple[MailboxSpec, ...] = ()
    external_forwarders: tuple[str, ...] = ()  # phones whose user may forward outside
    ivrs: IvrSiteSpec = IvrSiteSpec()
    music_classes: tuple[MusicClassSpec, ...] = ()
