"""The operator desk's data: teams (SPEC C8) and interactions (SPEC C4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.pbx.models import InboundRoute, Phone, Queue
from switchboard.telephony.models import PbxServer


class Team(models.Model):
    """Operators who answer the calls of some queues and DIDs: only they get their pops."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="desk_teams", verbose_name=_("members")
    )
    queues = models.ManyToManyField(
        Queue, blank=True, related_name="desk_teams", verbose_name=_("queues")
    )
    numbers = models.ManyToManyField(
        InboundRoute, blank=True, related_name="desk_teams", verbose_name=_("numbers (DIDs)")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Interaction(models.Model):
    """One call on an operator's phone, completed by the operator on the call screen."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("incoming")
        OUTBOUND = "out", _("outgoing")

    class Outcome(models.TextChoices):
        OPEN = "", _("open")
        RESOLVED = "resolved", _("resolved")
        FOLLOW_UP = "follow_up", _("follow-up needed")
        NOT_RESOLVED = "not_resolved", _("not resolved")
        MISSED = "missed", _("missed")

    server = models.ForeignKey(
        PbxServer, on_delete=models.CASCADE, related_name="+", verbose_name=_("PBX")
    )
    uniqueid = models.CharField(max_length=150, db_index=True)  # the operator's channel
    linkedid = models.CharField(max_length=150, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=150, blank=True)
    number = models.CharField(_("number"), max_length=80, blank=True, db_index=True)
    caller_name = models.CharField(_("caller name"), max_length=80, blank=True)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.INBOUND
    )
    queue = models.CharField(_("queue"), max_length=80, blank=True)
    did = models.CharField(_("DID"), max_length=40, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="desk_interactions",
        verbose_name=_("operator"),
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("phone")
    )
    started = models.DateTimeField(_("started"))
    answered = models.DateTimeField(_("answered"), null=True, blank=True)
    ended = models.DateTimeField(_("ended"), null=True, blank=True)
    contact_id = models.IntegerField(_("contact"), null=True, blank=True, db_index=True)
    contact_label = models.CharField(_("contact"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    notes = models.TextField(_("answer / notes"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN, blank=True
    )

    class Meta:
        ordering = ["-started", "-pk"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["server", "uniqueid", "operator"], name="desk_interaction_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or '?'} {self.started:%Y-%m-%d %H:%M}"
