"""Password rules beyond Django's own: a strong web password mixes kinds of characters."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Requires at least three of: lower-case, upper-case, digits, other characters."""

    CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")

    def validate(self, password: str, user: object = None) -> None:
        kinds = sum(1 for pattern in self.CLASSES if re.search(pattern, password))
        if kinds < 3:
            raise ValidationError(
                _(
                    "The password must mix at least three kinds of characters: lower-case "
                    "letters, capital letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least three kinds of characters: lower-case letters, "
            "capital letters, digits and symbols."
        )
