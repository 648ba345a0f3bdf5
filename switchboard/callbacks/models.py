"""Callback requests (SPEC C5, seed 002 "Заявки на обратные вызовы") and their attempts.

A request comes from the API, the IVR action "callback request" (the dialplan writes AstDB,
the telephony worker turns the keys into rows) or the web. Operators see the open requests
whose not-before time has passed, call the number from their own phone (each call is an
attempt), reschedule or close them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CALLBACK_NUMBER = RegexValidator(
    r"^\+?[0-9]{2,20}$", _("A phone number is 2 to 20 digits, optionally after a +.")
)


class Callback(models.Model):
    """One request to call someone back."""

    class Source(models.TextChoices):
        API = "api", _("API")
        IVR = "ivr", _("IVR")
        WEB = "web", _("web")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CLOSED = "closed", _("closed")

    number = models.CharField(_("number"), max_length=21, validators=[CALLBACK_NUMBER])
    name = models.CharField(_("name"), max_length=120, blank=True)
    queue = models.ForeignKey(
        "pbx.Queue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("queue"),
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # The request's own key where it has one (IVR: "<server id>:<uniqueid>"), so that a
    # request read twice from the PBX is stored once.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True, editable=False)
    server = models.ForeignKey(
        "telephony.PbxServer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("PBX"),
    )
    ivr = models.CharField(_("IVR"), max_length=80, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    not_before = models.DateTimeField(_("call not before"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        indexes = [
            models.Index(fields=["status", "not_before"], name="callback_status_due"),
            models.Index(fields=["status", "requested_at", "id"], name="callback_status_requested"),
            models.Index(fields=["closed_at"], name="callback_closed_at"),
        ]
        permissions = [
            ("handle_callback", _("Handle the callback requests of their queues")),
            ("handle_all_callbacks", _("Handle every callback request")),
            ("view_callback_report", _("See the callbacks report")),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.requested_at:%Y-%m-%d %H:%M})"

    @property
    def is_due(self) -> bool:
        return self.not_before is None or self.not_before <= timezone.now()


class CallbackAttempt(models.Model):
    """One call made for a request: who called, from which phone, when, and how it went."""

    class Outcome(models.TextChoices):
        DIALLED = "dialled", _("dialled")
        FAILED = "failed", _("could not call")
        ANSWERED = "answered", _("answered")
        NO_ANSWER = "no_answer", _("no answer")
        BUSY = "busy", _("busy")
        WRONG_NUMBER = "wrong_number", _("wrong number")

    callback = models.ForeignKey(
        Callback, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("request")
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callback_attempts",
        verbose_name=_("operator"),
    )
    phone = models.CharField(_("phone"), max_length=10, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.DIALLED
    )
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        indexes = [models.Index(fields=["at"], name="callback_attempt_at")]

    def __str__(self) -> str:
        return f"{self.callback} {self.at:%Y-%m-%d %H:%M} {self.outcome}"
