"""Agents' sessions and pauses, pause reasons, presence and hot desking (SPEC C3, U6, L4).

What Asterisk holds is the truth for what is live (queue membership and pauses: the live
model; presence and hot desk: AstDB keys, see ``switchboard.pbx.render.forwards``). The rows
here are the portal's record of it: who logged in / paused when, for later figures, and the
user's chosen presence and desk so the pages can show them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.pbx.models import Phone
from switchboard.telephony.models import PbxServer

MOBILE_NUMBER = RegexValidator(
    r"^\+?[0-9]{6,20}$", _("A phone number: 6 to 20 digits, optionally after a +.")
)


class PauseReason(models.Model):
    """A reason an agent may give for a pause (lunch, break...)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=10)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("pause reason")
        verbose_name_plural = _("pause reasons")

    def __str__(self) -> str:
        return self.name


class AgentSession(models.Model):
    """An agent's time logged in to one queue, from the web or from the phone."""

    class Source(models.TextChoices):
        WEB = "web", _("web")
        PHONE = "phone", _("phone")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_sessions",
        verbose_name=_("agent"),
    )
    server = models.ForeignKey(PbxServer, on_delete=models.CASCADE, verbose_name=_("PBX"))
    queue = models.CharField(_("queue"), max_length=40)
    interface = models.CharField(_("phone"), max_length=80)
    source = models.CharField(_("from"), max_length=8, choices=Source.choices)
    started = models.DateTimeField(_("logged in"), auto_now_add=True)
    ended = models.DateTimeField(_("logged out"), null=True, blank=True)

    class Meta:
        ordering = ["-started"]
        verbose_name = _("agent session")
        verbose_name_plural = _("agent sessions")
        indexes = [models.Index(fields=["user", "ended"])]

    def __str__(self) -> str:
        return f"{self.user} {self.queue} {self.started:%Y-%m-%d %H:%M}"


class PauseInterval(models.Model):
    """A pause within a session, with its reason."""

    session = models.ForeignKey(
        AgentSession, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("session")
    )
    reason = models.CharField(_("reason"), max_length=60, blank=True)
    started = models.DateTimeField(_("paused"), auto_now_add=True)
    ended = models.DateTimeField(_("resumed"), null=True, blank=True)

    class Meta:
        ordering = ["-started"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self) -> str:
        return f"{self.session} {self.reason}"


class Presence(models.Model):
    """A user's presence: available, on mobile (calls go to the mobile) or do not disturb."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        MOBILE = "mobile", _("on mobile")
        DND = "dnd", _("do not disturb")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="presence",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE
    )
    mobile = models.CharField(
        _("mobile number"), max_length=21, blank=True, validators=[MOBILE_NUMBER]
    )
    changed = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")

    def __str__(self) -> str:
        return f"{self.user} {self.status}"


class HotDesk(models.Model):
    """A desk's phone bound to an agent for one day (until the day ends or they free it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="hot_desks",
        verbose_name=_("agent"),
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.CASCADE, related_name="hot_desks", verbose_name=_("desk phone")
    )
    day = models.DateField(_("day"))
    started = models.DateTimeField(_("bound"), auto_now_add=True)
    ended = models.DateTimeField(_("freed"), null=True, blank=True)

    class Meta:
        ordering = ["-started"]
        verbose_name = _("hot desk")
        verbose_name_plural = _("hot desks")

    def __str__(self) -> str:
        return f"{self.user} {self.phone.extension} {self.day}"
