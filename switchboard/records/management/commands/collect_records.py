"""``manage.py collect_records [--follow]``: collect CDRs and queue_log of every PBX with a
log directory (SPEC R1); once, or every few seconds until stopped."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from switchboard.records.collector import PassResult, collect_all, follow
from switchboard.telephony.services import sync_configured_servers


class Command(BaseCommand):
    help = "Collect call records and queue events from every PBX with a log directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--follow", action="store_true", help="Keep collecting until stopped.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between passes (--follow)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # PBXs of the configuration file are known before the worker ever ran.
        sync_configured_servers(settings.SWITCHBOARD_ASTERISK_SERVERS)
        rate = _rating_pass()
        if not options["follow"]:
            self._report(collect_all())
            if rate is not None:
                rate()
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("collecting; stop with Ctrl-C", ending="\n")
        self.stdout.flush()
        rating = None
        if rate is not None:  # in its own thread: the collection never waits for it
            rating = threading.Thread(
                target=_every, args=(rate, options["interval"], stop), name="rating", daemon=True
            )
            rating.start()
        for results in follow(options["interval"], stop=stop):
            if any(result.rows for result in results.values()):
                self._report(results)
        if rating is not None:
            rating.join(timeout=60)

    def _report(self, results: dict[str, PassResult]) -> None:
        for name, result in results.items():
            self.stdout.write(
                f"{name}: {result.cdr.created} new CDR(s) of {result.cdr.read} read, "
                f"{result.queue_log.created} new queue event(s) of {result.queue_log.read} read, "
                f"{result.rejected} rejected line(s)"
            )
        self.stdout.flush()


def _rating_pass() -> Callable[[], object] | None:
    """Billing's pass over the newly collected calls, when billing is installed."""
    from django.apps import apps

    if not apps.is_installed("switchboard.billing"):
        return None
    from switchboard.billing.services import rate_new_calls_safely

    return rate_new_calls_safely


def _every(job: Callable[[], object], interval: float, stop: threading.Event) -> None:
    from django.db import connection

    try:
        while not stop.is_set():
            job()
            stop.wait(interval)
    finally:
        connection.close()
