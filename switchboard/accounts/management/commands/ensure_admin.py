"""Create the first administrator if the installation has none.

The password comes from ``SWITCHBOARD_ADMIN_PASSWORD``; without it a strong one is generated
and printed once (it is stored hashed and can never be shown again).
"""

from __future__ import annotations

import os
import secrets
import string
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from switchboard.accounts.models import Role, User
from switchboard.accounts.roles import ADMINISTRATOR


def generate_password(length: int = 16) -> str:
    """A random password that meets the portal's own password rules."""
    alphabet = string.ascii_letters + string.digits + "-_.!"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        try:
            password_validation.validate_password(candidate)
        except ValidationError:
            continue
        return candidate


class Command(BaseCommand):
    help = "Create the first administrator account if no administrator exists."

    def handle(self, *args: Any, **options: Any) -> None:
        role = Role.objects.get(code=ADMINISTRATOR)
        if User.objects.filter(groups=role, is_active=True).exists():
            return
        username = os.environ.get("SWITCHBOARD_ADMIN_USERNAME", "admin")
        password = os.environ.get("SWITCHBOARD_ADMIN_PASSWORD", "")
        generated = not password
        if generated:
            password = generate_password()
        else:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                raise CommandError(
                    "SWITCHBOARD_ADMIN_PASSWORD is too weak: " + " ".join(error.messages)
                ) from error
        with transaction.atomic():
            user, _created = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_active = True
            user.save()
            user.groups.add(role)
        self.stdout.write(self.style.SUCCESS(f"Administrator account created: {username}"))
        if generated:
            self.stdout.write(
                f"Its password, shown this once only: {password}\n"
                "Change it after signing in (My account)."
            )
