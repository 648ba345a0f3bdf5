"""Core views: the home page and the health endpoint."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after sign-in."""
    return render(request, "core/home.html", {"servers": settings.SWITCHBOARD_ASTERISK_SERVERS})


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for monitoring: 200 when the database answers, 503 otherwise.

    It tells no secret and needs no sign-in, so a load balancer or a monitoring probe can use it.
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    body = {
        "status": "ok" if healthy else "error",
        "checks": checks,
        "asterisk_servers_configured": len(settings.SWITCHBOARD_ASTERISK_SERVERS),
    }
    return JsonResponse(body, status=200 if healthy else 503)
