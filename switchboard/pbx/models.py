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
