"""Voicemail boxes (SPEC U2, U4): one per phone, opened with its user's voicemail PIN."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.accounts.models import pin_validator
from switchboard.pbx.models import Phone

# voicemail.conf separates a box's fields with commas and its options with |.
SAFE_EMAIL = RegexValidator(r"^[^,|;\s\"\\]*$", _("An e-mail address without , | ; or spaces."))


class VoicemailBox(models.Model):
    """The voicemail box of a phone; its number is the phone's extension."""

    phone = models.OneToOneField(
        Phone, on_delete=models.CASCADE, related_name="voicemail_box", verbose_name=_("phone")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    email = models.EmailField(_("e-mail for new messages"), blank=True, validators=[SAFE_EMAIL])
    attach = models.BooleanField(_("attach the recording to the e-mail"), default=True)
    pin = models.CharField(
        _("box PIN"),
        max_length=16,
        blank=True,
        validators=[pin_validator],
        help_text=_(
            "Only for a phone without a user: otherwise the user's voicemail PIN opens it."
        ),
    )
    max_messages = models.PositiveSmallIntegerField(_("messages kept at most"), default=100)

    class Meta:
        ordering = ["phone__server__name", "phone__extension"]
        verbose_name = _("voicemail box")
        verbose_name_plural = _("voicemail boxes")

    def __str__(self) -> str:
        return self.phone.extension

    @property
    def effective_pin(self) -> str:
        """The PIN Asterisk asks for: the phone user's own, else the box's."""
        user = self.phone.user
        return (user.voicemail_pin if user and user.voicemail_pin else "") or self.pin
