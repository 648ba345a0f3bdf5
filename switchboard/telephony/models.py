"""PBX connections: the Asterisk servers the portal manages, and how their links are doing."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PbxServer(models.Model):
    """An Asterisk server: where its AMI and ARI are, and the state of the portal's link.

    Servers come from the web (editable there) or from the configuration file's
    ``[[asterisk]]`` tables (kept in sync at start-up, read-only in the web). The connection
    state is written by the telephony worker, which may run in another process.
    """

    class Source(models.TextChoices):
        WEB = "web", _("web")
        CONFIG = "config", _("configuration file")

    class State(models.TextChoices):
        DISCONNECTED = "disconnected", _("disconnected")
        CONNECTING = "connecting", _("connecting")
        CONNECTED = "connected", _("connected")

    name = models.CharField(
        _("name"),
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[\w.-]+$", _("Letters, digits, dots, dashes only."))],
    )
    host = models.CharField(_("host"), max_length=255)
    ami_port = models.PositiveIntegerField(
        _("AMI port"), default=5038, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    ami_user = models.CharField(_("AMI user"), max_length=80)
    ami_secret = models.CharField(_("AMI secret"), max_length=128)
    ari_url = models.URLField(_("ARI URL"), blank=True, help_text=_("e.g. http://pbx:8088/ari"))
    ari_user = models.CharField(_("ARI user"), max_length=80, blank=True)
    ari_password = models.CharField(_("ARI password"), max_length=128, blank=True)
    config_dir = models.CharField(
        _("configuration directory"),
        max_length=255,
        blank=True,
        help_text=_(
            "Asterisk's configuration directory as the portal sees it (e.g. /etc/asterisk), "
            "where the portal writes the configuration made in the web. Empty: none."
        ),
    )
    sounds_dir = models.CharField(
        _("sounds directory"),
        max_length=255,
        blank=True,
        help_text=_(
            "Asterisk's sounds directory as the portal sees it (e.g. /usr/share/asterisk/sounds), "
            "where the portal writes the sounds made in the web. Empty: none."
        ),
    )
    log_dir = models.CharField(
        _("log directory"),
        max_length=255,
        blank=True,
        help_text=_(
            "Asterisk's log directory as the portal sees it (e.g. /var/log/asterisk), where "
            "the portal reads cdr-csv/Master.csv and queue_log. Empty: no collection."
        ),
    )
    recordings_dir = models.CharField(
        _("recordings directory"),
        max_length=255,
        blank=True,
        help_text=_(
            "Asterisk's recordings directory as the portal sees it (e.g. "
            "/var/spool/asterisk/monitor), where the portal reads call recordings. Empty: none."
        ),
    )
    voicemail_dir = models.CharField(
        _("voicemail directory"),
        max_length=255,
        blank=True,
        help_text=_(
            "Asterisk's voicemail spool as the portal sees it (e.g. "
            "/var/spool/asterisk/voicemail), where the portal reads the messages users listen "
            "to in the web. Empty: none."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)

    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DISCONNECTED
    )
    state_since = models.DateTimeField(_("since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    version = models.CharField(_("Asterisk version"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("PBX server")
        verbose_name_plural = _("PBX servers")
        permissions = [
            ("supervise_all_queues", _("Supervise every queue")),
            ("view_live_calls", _("See active calls and presence")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_protected(self) -> bool:
        """A server from the configuration file is changed there, not in the web."""
        return self.source == self.Source.CONFIG
