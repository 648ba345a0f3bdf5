"""The PBX configuration made in the web: what becomes Asterisk configuration on apply.

Validators here are the first guard of DESIGN principle 4: a value that could break a
configuration file (a newline, a semicolon, a bracket) is refused with a clear message before
anything is rendered, so Asterisk never sees it.
"""

from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.core.validators import RegexValidator
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

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="inbound_routes", verbose_name=_("PBX")
    )
    did = models.CharField(_("DID"), max_length=20, validators=[DIAL_PREFIX])
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("phone")
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("queue")
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
        return self.phone.extension if self.phone else self.queue.number if self.queue else ""
