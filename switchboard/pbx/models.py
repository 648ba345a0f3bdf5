"""The PBX configuration made in the web: what becomes Asterisk configuration on apply.

Validators here are the first guard of DESIGN principle 4: a value that could break a
configuration file (a newline, a semicolon, a bracket) is refused with a clear message before
anything is rendered, so Asterisk never sees it.
"""

from __future__ import annotations

import re
import secrets
import string

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.accounts.models import Department
from switchboard.telephony.models import PbxServer

EXTENSION = RegexValidator(r"^[0-9]{2,10}$", _("2 to 10 digits."))
SIP_SECRET = RegexValidator(
    r"^[A-Za-z0-9]{12,64}$", _("12 to 64 letters and digits (no spaces or symbols).")
)
# Caller ID names go between double quotes in pjsip.conf: nothing that could end the value.
DISPLAY_NAME = RegexValidator(
    r'^[^"<>;\[\]\\\r\n]*$', _('Letters, digits and spaces; no " < > ; [ ] or backslash.')
)
MAC = RegexValidator(
    r"^([0-9A-Fa-f]{2}[:-]?){5}[0-9A-Fa-f]{2}$", _("A MAC address, e.g. 00:15:65:12:34:56.")
)
HOST_PORT = RegexValidator(
    r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", _("A host name or IP address, optionally :port.")
)


def new_sip_secret() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(24))


class DialClass(models.TextChoices):
    """The call permission classes (SPEC A2): what a phone may dial."""

    EMERGENCY = "emergency", _("emergency")
    INTERNAL = "internal", _("internal")
    SERVICES = "services", _("services")
    LOCAL = "local", _("local")
    MOBILE = "mobile", _("mobile")
    INTERNATIONAL = "international", _("international")


DEFAULT_DIAL_CLASSES = ("emergency", "internal", "services", "local", "mobile")


def default_dial_classes() -> list[str]:
    return list(DEFAULT_DIAL_CLASSES)


def validate_dial_classes(value: object) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or any(v not in DialClass.values for v in value):
        raise ValidationError(_("Unknown call class."))


class Generation(models.Model):
    """One apply to a PBX: which files went live (or why not)."""

    class Outcome(models.TextChoices):
        LIVE = "live", _("live")
        ROLLED_BACK = "rolled_back", _("rolled back")
        REFUSED = "refused", _("refused")

    server = models.ForeignKey(PbxServer, on_delete=models.CASCADE, related_name="generations")
    name = models.CharField(_("generation"), max_length=40)
    created = models.DateTimeField(_("applied at"), auto_now_add=True)
    user = models.CharField(_("by"), max_length=150, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    changed_files = models.JSONField(_("changed files"), default=list)
    message = models.TextField(_("message"), blank=True)
    seconds = models.FloatField(_("duration (s)"), default=0.0)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("configuration apply")
        verbose_name_plural = _("configuration applies")
        permissions = [("apply_configuration", _("Apply the configuration to a PBX"))]

    def __str__(self) -> str:
        return f"{self.server} {self.name}"


class Phone(models.Model):
    """A phone (SIP device) of a PBX; it exists on its own and may be given to a user."""

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="phones", verbose_name=_("PBX")
    )
    extension = models.CharField(_("extension"), max_length=10, validators=[EXTENSION])
    display_name = models.CharField(
        _("display name"), max_length=80, blank=True, validators=[DISPLAY_NAME]
    )
    model_name = models.CharField(_("model"), max_length=80, blank=True, validators=[DISPLAY_NAME])
    mac = models.CharField(_("MAC address"), max_length=17, blank=True, validators=[MAC])
    sip_secret = models.CharField(
        _("SIP password"), max_length=64, default=new_sip_secret, validators=[SIP_SECRET]
    )
    fixed_address = models.CharField(
        _("fixed address"),
        max_length=120,
        blank=True,
        validators=[HOST_PORT],
        help_text=_("For a phone that does not register: its host or IP and port."),
    )
    did = models.CharField(_("DID"), max_length=20, blank=True, validators=[EXTENSION])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phones",
        verbose_name=_("user"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phones",
        verbose_name=_("department"),
    )
    dial_classes = models.JSONField(
        _("allowed call classes"),
        default=default_dial_classes,
        blank=True,
        validators=[validate_dial_classes],
        help_text=_("Used unless the phone belongs to an outgoing call group."),
    )
    outgoing_group = models.ForeignKey(
        "OutgoingGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phones",
        verbose_name=_("outgoing call group"),
        help_text=_("The phone takes its allowed call classes from this group."),
    )
    call_groups = models.ManyToManyField(
        "PickupGroup",
        blank=True,
        related_name="ringing_phones",
        verbose_name=_("call groups"),
        help_text=_("Calls ringing this phone can be picked up by members of these groups."),
    )
    pickup_groups = models.ManyToManyField(
        "PickupGroup",
        blank=True,
        related_name="picking_phones",
        verbose_name=_("pickup groups"),
        help_text=_("This phone can pick up calls ringing in these groups (*8)."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["server__name", "extension"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        constraints = [
            models.UniqueConstraint(fields=["server", "extension"], name="phone_extension_unique")
        ]

    def __str__(self) -> str:
        return f"{self.extension} {self.display_name}".strip()


QUEUE_NAME = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,39}$", _("Lower-case letters, digits, - and _ (up to 40).")
)
SOUND_NAME = RegexValidator(r"^[A-Za-z0-9_/-]*$", _("A sound name: letters, digits, / - _."))


class Queue(models.Model):
    """A call queue (ACD group, SPEC A7). Creating one creates its agent and supervisor
    roles (owned by it); deleting it deletes them."""

    class Strategy(models.TextChoices):
        RINGALL = "ringall", _("ring all")
        RRMEMORY = "rrmemory", _("round robin")
        LEASTRECENT = "leastrecent", _("least recent")
        FEWESTCALLS = "fewestcalls", _("fewest calls")
        RANDOM = "random", _("random")
        LINEAR = "linear", _("linear (in order)")

    class Announce(models.TextChoices):
        NO = "no", _("no")
        YES = "yes", _("yes")
        ONCE = "once", _("once")

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="queues", verbose_name=_("PBX")
    )
    name = models.CharField(_("name"), max_length=40, validators=[QUEUE_NAME])
    description = models.CharField(_("description"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=10, validators=[EXTENSION])
    strategy = models.CharField(
        _("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.RRMEMORY
    )
    ring_seconds = models.PositiveSmallIntegerField(_("member ring time (s)"), default=15)
    wrapup_seconds = models.PositiveSmallIntegerField(_("wrap-up time (s)"), default=0)
    music_class = models.CharField(
        _("music on hold"), max_length=40, default="default", validators=[SOUND_NAME]
    )
    agent_announcement = models.CharField(
        _("agent announcement"), max_length=120, blank=True, validators=[SOUND_NAME]
    )
    announce_frequency = models.PositiveSmallIntegerField(
        _("announce every (s)"), default=0, help_text=_("0: never.")
    )
    announce_holdtime = models.CharField(
        _("announce hold time"), max_length=4, choices=Announce.choices, default=Announce.NO
    )
    announce_position = models.BooleanField(_("announce position"), default=False)
    leave_when_empty = models.BooleanField(
        _("stop when no member is online"),
        default=False,
        help_text=_("Callers do not wait in a queue whose agents are all offline."),
    )
    simultaneous_rings = models.PositiveSmallIntegerField(
        _("simultaneous rings"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "How many members ring at once for a caller, taken in the order of their "
            "penalties; 0: as the strategy does (all for ring all, else one)."
        ),
    )
    sticky_agent = models.BooleanField(
        _("sticky agent"),
        default=False,
        help_text=_(
            "A caller who called earlier the same day first rings the agent who answered "
            "him, if that agent is free."
        ),
    )

    class Meta:
        ordering = ["server__name", "name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        constraints = [
            models.UniqueConstraint(fields=["server", "name"], name="queue_name_unique"),
            models.UniqueConstraint(fields=["server", "number"], name="queue_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueMember(models.Model):
    """A phone that is a static member of a queue, with its penalty."""

    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="members", verbose_name=_("queue")
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, related_name="queue_memberships", verbose_name=_("phone")
    )
    penalty = models.PositiveSmallIntegerField(_("penalty"), default=0)
    dynamic = models.BooleanField(
        _("dynamic"),
        default=False,
        help_text=_(
            "A dynamic member is not in the queue until it logs in from its phone with *45 "
            "and the queue number (the same code logs it out)."
        ),
    )

    class Meta:
        ordering = ["queue__name", "penalty", "phone__extension"]
        verbose_name = _("queue member")
        verbose_name_plural = _("queue members")
        constraints = [
            models.UniqueConstraint(fields=["queue", "phone"], name="queue_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.queue} {self.phone.extension}"


SIP_USER = RegexValidator(r"^[A-Za-z0-9_.+-]*$", _("Letters, digits and . _ + - only."))
PROVIDER_SECRET = RegexValidator(
    r'^[^\s;#\[\]"\\]*$', _('No spaces and none of ; # [ ] " or backslash.')
)
DIAL_PREFIX = RegexValidator(r"^\+?[0-9]*$", _("Digits, optionally after a +."))
DIAL_NUMBER = RegexValidator(r"^\+?[0-9]{2,20}$", _("2 to 20 digits, optionally after a +."))


def validate_pattern(value: str) -> None:
    """An outbound pattern: a regular expression Asterisk's REGEX() and Python agree on."""
    import re

    from django.core.exceptions import ValidationError

    if any(bad in value for bad in ('"', "${", "$[", "\n", "\r", ";")):
        raise ValidationError(_('A pattern may not contain " ; ${ or $[.'))
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(
            _("Not a valid regular expression: %(error)s"), params={"error": error}
        ) from error


class Trunk(models.Model):
    """An external line (SPEC A4): a SIP provider or another PBX."""

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="trunks", verbose_name=_("PBX")
    )
    name = models.CharField(_("name"), max_length=40, validators=[QUEUE_NAME])
    host = models.CharField(
        _("host"), max_length=120, validators=[HOST_PORT], help_text=_("host or IP[:port]")
    )
    username = models.CharField(_("user name"), max_length=80, blank=True, validators=[SIP_USER])
    password = models.CharField(
        _("password"), max_length=80, blank=True, validators=[PROVIDER_SECRET]
    )
    register = models.BooleanField(_("register with the provider"), default=False)
    outbound_pattern = models.CharField(
        _("outbound pattern"),
        max_length=200,
        blank=True,
        validators=[validate_pattern],
        help_text=_("Dialled numbers matching this regular expression use this line."),
    )
    strip_digits = models.PositiveSmallIntegerField(_("digits to strip"), default=0)
    prefix = models.CharField(
        _("prefix to add"), max_length=10, blank=True, validators=[DIAL_PREFIX]
    )
    priority = models.PositiveSmallIntegerField(
        _("order"), default=10, help_text=_("Lines are tried in this order.")
    )
    inbound_number = models.CharField(
        _("number called on inbound"), max_length=20, blank=True, validators=[DIAL_PREFIX]
    )
    external = models.BooleanField(
        _("external"), default=True, help_text=_("Calls over it leave the organisation.")
    )

    class Meta:
        ordering = ["server__name", "priority", "name"]
        verbose_name = _("external line")
        verbose_name_plural = _("external lines")
        constraints = [models.UniqueConstraint(fields=["server", "name"], name="trunk_name_unique")]

    def __str__(self) -> str:
        return self.name


class InboundRoute(models.Model):
    """A DID and where its calls go (SPEC A5)."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("phone")
        QUEUE = "queue", _("queue")
        VOICEMAIL = "voicemail", _("voicemail of a phone")
        EXTERNAL = "external", _("external number")
        INTERNAL = "internal", _("internal number")

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="inbound_routes", verbose_name=_("PBX")
    )
    did = models.CharField(_("DID"), max_length=20, validators=[DIAL_PREFIX])
    kind = models.CharField(
        _("destination"), max_length=12, choices=Kind.choices, default=Kind.PHONE
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("phone")
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("queue")
    )
    number = models.CharField(
        _("number"),
        max_length=20,
        blank=True,
        validators=[DIAL_NUMBER],
        help_text=_("For an external or internal number: the number to call."),
    )
    account_manager_seconds = models.PositiveSmallIntegerField(
        _("account manager first (s)"),
        default=0,
        validators=[MaxValueValidator(120)],
        help_text=_(
            "When the caller is a contact of the directory with an account manager, ring the "
            "manager's phone this many seconds before the destination above; 0: never."
        ),
    )

    class Meta:
        ordering = ["server__name", "did"]
        verbose_name = _("inbound route")
        verbose_name_plural = _("inbound routes")
        constraints = [models.UniqueConstraint(fields=["server", "did"], name="inbound_did_unique")]

    def __str__(self) -> str:
        return self.did

    @property
    def target_number(self) -> str:
        """The number the call goes to (a phone's extension for its voicemail)."""
        if self.kind in (self.Kind.PHONE, self.Kind.VOICEMAIL):
            return self.phone.extension if self.phone else ""
        if self.kind == self.Kind.QUEUE:
            return self.queue.number if self.queue else ""
        return self.number

    @property
    def target_label(self) -> str:
        target = self.phone if self.kind in (self.Kind.PHONE, self.Kind.VOICEMAIL) else None
        target = self.queue if self.kind == self.Kind.QUEUE else target
        return f"{self.get_kind_display()}: {target or self.number}"


def validate_asterisk_pattern(value: str) -> None:
    """A dialplan extension pattern (``_0[67]XXXXXXXX``) or a plain number (``112``).

    Only the pattern characters Asterisk knows are allowed, brackets must pair, and ``.`` or
    ``!`` only at the end: nothing that could change the meaning of an ``exten =>`` line.
    """
    from django.core.exceptions import ValidationError

    error = ValidationError(
        _(
            "A number (digits, + * #) or an Asterisk pattern starting with _ "
            "(X Z N, [ranges], . or ! at the end), e.g. _0[67]XXXXXXXX."
        )
    )
    if not value or len(value) > 40:
        raise error
    if not value.startswith("_"):
        if not re.fullmatch(r"[0-9+*#]+", value):
            raise error
        return
    body = value[1:]
    if not re.fullmatch(r"(?:[0-9XZNxzn+*#]|\[[0-9+*#-]+\])+[.!]?", body):
        raise error


class DialPattern(models.Model):
    """One pattern of a call class on a PBX (e.g. mobile: ``_0[67]XXXXXXXX``)."""

    server = models.ForeignKey(
        PbxServer, on_delete=models.CASCADE, related_name="dial_patterns", verbose_name=_("PBX")
    )
    dial_class = models.CharField(_("call class"), max_length=16, choices=DialClass.choices)
    pattern = models.CharField(
        _("pattern"),
        max_length=40,
        validators=[validate_asterisk_pattern],
        help_text=_("A number, or an Asterisk pattern: _ then X (any digit), N (2-9), [1-5]..."),
    )
    description = models.CharField(_("description"), max_length=120, blank=True)

    class Meta:
        ordering = ["server__name", "dial_class", "pattern"]
        verbose_name = _("dialling pattern")
        verbose_name_plural = _("dialling patterns")
        constraints = [
            models.UniqueConstraint(fields=["server", "pattern"], name="dial_pattern_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_dial_class_display()} {self.pattern}"


class OutgoingGroup(models.Model):
    """Phones sharing the same allowed call classes (SPEC A2: outgoing call groups)."""

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="outgoing_groups", verbose_name=_("PBX")
    )
    name = models.CharField(_("name"), max_length=60, validators=[DISPLAY_NAME])
    description = models.CharField(_("description"), max_length=200, blank=True)
    dial_classes = models.JSONField(
        _("allowed call classes"),
        default=default_dial_classes,
        blank=True,
        validators=[validate_dial_classes],
    )
    trunk = models.ForeignKey(
        Trunk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outgoing_groups",
        verbose_name=_("external line"),
        help_text=_("External calls of the group's phones use only this line; empty: by pattern."),
    )

    class Meta:
        ordering = ["server__name", "name"]
        verbose_name = _("outgoing call group")
        verbose_name_plural = _("outgoing call groups")
        constraints = [
            models.UniqueConstraint(fields=["server", "name"], name="outgoing_group_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PickupGroup(models.Model):
    """One of Asterisk's 64 call / pickup groups (0-63), named (SPEC A13)."""

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="pickup_groups", verbose_name=_("PBX")
    )
    number = models.PositiveSmallIntegerField(
        _("group number"), validators=[MaxValueValidator(63)], help_text=_("0 to 63.")
    )
    name = models.CharField(_("name"), max_length=60, validators=[DISPLAY_NAME])
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["server__name", "number"]
        verbose_name = _("pickup group")
        verbose_name_plural = _("pickup groups")
        constraints = [
            models.UniqueConstraint(fields=["server", "number"], name="pickup_group_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


CALLED_NUMBER = RegexValidator(r"^\+?[0-9*#]{1,20}$", _("Digits (and * #), optionally after a +."))
TIME_RANGES = RegexValidator(
    r"^\s*([0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]\s*(,\s*|$))*$",
    _("Time ranges like 08:00-12:00, 14:00-18:30."),
)


class Weekday(models.TextChoices):
    MON = "mon", _("Monday")
    TUE = "tue", _("Tuesday")
    WED = "wed", _("Wednesday")
    THU = "thu", _("Thursday")
    FRI = "fri", _("Friday")
    SAT = "sat", _("Saturday")
    SUN = "sun", _("Sunday")


def validate_weekdays(value: object) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or any(v not in Weekday.values for v in value):
        raise ValidationError(_("Unknown weekday."))


def validate_caller_numbers(value: str) -> None:
    from django.core.exceptions import ValidationError

    for number in split_list(value):
        if not re.fullmatch(r"\+?[0-9*#]{1,20}", number):
            raise ValidationError(
                _("“%(number)s” is not a number (digits, optionally after a +)."),
                params={"number": number},
            )


def validate_caller_regexes(value: str) -> None:
    from django.core.exceptions import ValidationError

    for line in value.splitlines():
        if line.strip():
            validate_pattern(line.strip())
            if line.count("(") != line.count(")") or "\\(" in line or "\\)" in line:
                raise ValidationError(_("Parentheses must pair (and may not be escaped)."))


def split_list(value: str) -> list[str]:
    """Numbers separated by commas, spaces or new lines."""
    return [part for part in re.split(r"[\s,;]+", value or "") if part]


def time_ranges(value: str) -> list[tuple[str, str]]:
    return [
        (start.strip(), end.strip())
        for start, _sep, end in (part.partition("-") for part in value.split(",") if part.strip())
    ]


class OverrideRule(models.Model):
    """A rule for calls to one number (SPEC A14): when the caller and the time match, the
    call is redirected or refused. Rules are tried in order; the first that matches wins."""

    class Action(models.TextChoices):
        REDIRECT = "redirect", _("redirect")
        REFUSE = "refuse", _("refuse")

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="override_rules", verbose_name=_("PBX")
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=80, validators=[DISPLAY_NAME])
    enabled = models.BooleanField(_("enabled"), default=True)
    called_number = models.CharField(
        _("called number"),
        max_length=21,
        validators=[CALLED_NUMBER],
        help_text=_("An internal number, a DID or an external number."),
    )
    caller_numbers = models.TextField(
        _("caller numbers"),
        blank=True,
        validators=[validate_caller_numbers],
        help_text=_("Separated by commas or spaces; empty (and no expression): any caller."),
    )
    caller_regexes = models.TextField(
        _("caller regular expressions"),
        blank=True,
        validators=[validate_caller_regexes],
        help_text=_("One per line, e.g. ^06 for mobiles."),
    )
    time_ranges = models.CharField(
        _("time ranges"),
        max_length=200,
        blank=True,
        validators=[TIME_RANGES],
        help_text=_("e.g. 08:00-12:00, 14:00-18:00; empty: all day."),
    )
    weekdays = models.JSONField(
        _("weekdays"),
        default=list,
        blank=True,
        validators=[validate_weekdays],
        help_text=_("None ticked: every day."),
    )
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.REDIRECT
    )
    redirect_number = models.CharField(
        _("redirect to"),
        max_length=21,
        blank=True,
        validators=[CALLED_NUMBER],
        help_text=_("An internal or external number."),
    )

    class Meta:
        ordering = ["server__name", "position", "pk"]
        verbose_name = _("override rule")
        verbose_name_plural = _("override rules")

    def __str__(self) -> str:
        return self.name
