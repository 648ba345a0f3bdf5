"""Template context of every page: is any PBX configured (else a banner says so)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from switchboard.telephony.models import PbxServer


def pbx(request: HttpRequest) -> dict:
    def configured() -> bool:
        return bool(settings.SWITCHBOARD_ASTERISK_SERVERS) or (
            PbxServer.objects.filter(enabled=True).exists()
        )

    return {"pbx_configured": SimpleLazyObject(configured)}
