"""Staff chat (SPEC C9): messages from person to person and to everyone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 2000


class ChatMessage(models.Model):
    """One message; without a recipient it is for everyone."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_sent",
        verbose_name=_("sender"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_received",
        verbose_name=_("recipient"),
        help_text=_("Empty: everyone."),
    )
    text = models.TextField(_("message"), max_length=MAX_LENGTH)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="chat_unread"),
            models.Index(fields=["sender", "recipient", "id"], name="chat_pair"),
            models.Index(
                fields=["id", "sender"],
                name="chat_everyone",
                condition=models.Q(recipient__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient or '*'}: {self.text[:40]}"


class ChatReadState(models.Model):
    """How far a user has read the messages to everyone (they are shared, so read per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_state"
    )
    everyone_read_up_to = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("chat read state")
        verbose_name_plural = _("chat read states")

    def __str__(self) -> str:
        return f"{self.user}: {self.everyone_read_up_to}"
