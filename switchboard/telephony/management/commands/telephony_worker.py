"""Run the telephony worker as its own process (larger sites).

The portal's web processes then run with ``telephony.worker = "external"`` and the same
``channels.redis_url``: the worker publishes the live views to Redis and answers the web's
requests there, so every web process sees the same events.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the telephony worker (AMI connections and live model) as its own process."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CONFIG["channels.redis_url"]:
            raise CommandError(
                "channels.redis_url is empty: a separate worker needs the Redis channel layer "
                "to reach the web processes."
            )
        if settings.TELEPHONY_WORKER != "external":
            self.stdout.write(
                self.style.WARNING(
                    'telephony.worker is "embedded": the web processes run their own worker '
                    'too. Set it to "external" for them.'
                )
            )
        asyncio.run(self.run())

    async def run(self) -> None:
        from switchboard.telephony.worker import TelephonyWorker

        worker = TelephonyWorker()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await worker.start()
        self.stdout.write(f"Telephony worker running with {len(worker.links)} PBX link(s).")
        await stop.wait()
        await worker.stop()
        self.stdout.write("Telephony worker stopped.")
