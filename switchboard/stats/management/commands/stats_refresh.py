"""Bring the statistics' per-day aggregates up to date (after a large import, so that the
first report does not do it)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from switchboard.stats import aggregates


class Command(BaseCommand):
    help = "Aggregate the call records and queue events not yet aggregated."

    def handle(self, *args: object, **options: object) -> None:
        for label, refresh in (
            ("CDR", aggregates.refresh_cdr),
            ("queue_log", aggregates.refresh_queue_log),
        ):
            began = time.perf_counter()
            refresh()
            self.stdout.write(f"{label}: up to date in {time.perf_counter() - began:.1f} s")
