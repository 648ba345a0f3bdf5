"""Free yesterday's hot desks: queue memberships go back to the agents' own phones."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from switchboard.agents.services import end_past_desks


class Command(BaseCommand):
    help = "Free the hot desks of past days (run after midnight, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{end_past_desks()} hot desk(s) freed")
