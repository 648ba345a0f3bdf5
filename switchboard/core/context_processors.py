"""Template context shared by every page: the menu (the PBX banner is telephony's)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from switchboard.core.menu import menu_for


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user, request.path) if user is not None else [],
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
    }
