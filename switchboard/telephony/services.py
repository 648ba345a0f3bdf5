"""Services of the telephony domain that the worker and the views share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from switchboard.config import AsteriskServer
from switchboard.telephony.models import PbxServer


@transaction.atomic
def sync_configured_servers(servers: Iterable[AsteriskServer]) -> list[PbxServer]:
    """Make the configuration file's ``[[asterisk]]`` servers exist, as given, in the database.

    Servers the file no longer lists are removed; servers added in the web are left alone
    (a name used by both is taken over by the file, which is where the operator looks first).
    """
    kept: list[PbxServer] = []
    for entry in servers:
        server, _created = PbxServer.objects.update_or_create(
            name=entry.name,
            defaults={
                "host": entry.host,
                "ami_port": entry.ami_port,
                "ami_user": entry.ami_user,
                "ami_secret": entry.ami_secret,
                "ari_url": entry.ari_url,
                "ari_user": entry.ari_user,
                "ari_password": entry.ari_password,
                "config_dir": entry.config_dir,
                "sounds_dir": entry.sounds_dir,
                "log_dir": entry.log_dir,
                "recordings_dir": entry.recordings_dir,
                "voicemail_dir": entry.voicemail_dir,
                "source": PbxServer.Source.CONFIG,
                "enabled": True,
            },
        )
        kept.append(server)
    PbxServer.objects.filter(source=PbxServer.Source.CONFIG).exclude(
        pk__in=[server.pk for server in kept]
    ).delete()
    return kept
