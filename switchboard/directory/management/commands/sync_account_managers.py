"""Write the account-manager keys of AstDB to every PBX that uses them (after an outage, a
change of phones or of the numbering plan)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from switchboard.directory import accountmanager
from switchboard.telephony.ami.errors import AmiError


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for server in accountmanager.servers_in_use():
            try:
                written, removed = accountmanager.sync_server(server)
            except AmiError as error:
                failed += 1
                self.stderr.write(f"{server.name}: {error}")
                continue
            self.stdout.write(f"{server.name}: {written} written, {removed} removed")
        if failed:
            raise CommandError(f"{failed} PBX(s) could not be reached")
