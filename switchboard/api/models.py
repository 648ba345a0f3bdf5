"""API tokens: a random secret shown once at creation, stored only as its SHA-256 hash.

A request carries ``Authorization: Bearer <token>`` and acts as the token's owner (their
permissions decide what it may do). A revoked token, or one of an inactive owner, is refused.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def digest(token: str) -> str:
    # The token is 256 random bits: a plain hash is enough (nothing to brute-force).
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "sb_" + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("owner"),
        help_text=_("The token acts as this user, with their rights."),
    )
    prefix = models.CharField(_("beginning"), max_length=PREFIX_LENGTH + 3, editable=False)
    # Ends with "secret" so that the audit log records only a fingerprint of it.
    hashed_secret = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def set_token(self) -> str:
        """A new secret for this token; returns it (the only time it is seen)."""
        token = new_token()
        self.prefix = token[: PREFIX_LENGTH + 3]
        self.hashed_secret = digest(token)
        return token
