"""Bearer-token authentication of the JSON API, and its JSON error answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from switchboard.api.models import ApiToken, digest

LAST_USED_STEP = 60  # seconds: last_used is written at most once a minute per token


def error(status: int, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="switchboard"'
    return response


def authenticate(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    """The token's owner, or a 401 answer."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, error(401, _("Send an API token: Authorization: Bearer <token>."))
    found = (
        ApiToken.objects.select_related("owner")
        .filter(hashed_secret=digest(token.strip()), revoked__isnull=True)
        .first()
    )
    if found is None or not found.owner.is_active:
        return None, error(401, _("This API token is not valid or was revoked."))
    now = timezone.now()
    if found.last_used is None or (now - found.last_used).total_seconds() >= LAST_USED_STEP:
        ApiToken.objects.filter(pk=found.pk).update(last_used=now)
    return found.owner, None
