"""A living demo: a sandbox Asterisk with phones and queues, a stream of callers, the portal.

``make demo`` runs this with a data directory of its own (``var/demo``), so the demo never
touches the real portal's database. The sandbox is the test harness's Asterisk chroot (built
on first use, a few minutes); agents are SIPp phones that answer, callers are SIPp calls.
"""

from __future__ import annotations

import os
import random
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from switchboard.core.management.commands.serve import run_server
from switchboard.telephony.access import queue_role_code

DEMO_PASSWORD = "Sandbox-Demo-2026"  # noqa: S105  (a local sandbox, printed on start)
CALLER_NAMES = (
    "Mme Durand", "M. Martin", "Ivan Petrov", "Olga Smirnova", "Anna Weber", "John Smith",
    "Sophie Bernard", "Dmitri Volkov", "", "",
)  # fmt: skip


class CallerStream:
    """Callers dialing the sandbox's queues at random, until stopped."""

    def __init__(self, center: Any, mean_interval_s: float, seed: int | None = None) -> None:
        self.center = center
        self.mean_interval_s = mean_interval_s
        self.random = random.Random(seed)  # noqa: S311  (not for security)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="demo-callers", daemon=True)
        self.placed = 0

    def start(self) -> CallerStream:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def run(self) -> None:
        from switchboard.testing.sandbox import QUEUE_NUMBERS, iter_caller_ids

        numbers = iter_caller_ids(self.random.randint(33140000, 33190000))
        while not self.stopped.wait(self.random.expovariate(1 / self.mean_interval_s)):
            queue = self.random.choice(sorted(QUEUE_NUMBERS))
            try:
                call = self.center.call(
                    queue,
                    next(numbers),
                    caller_name=self.random.choice(CALLER_NAMES) or None,
                    # Patience plus talk: some are answered, some give up while waiting.
                    hold_ms=self.random.randint(8_000, 45_000),
                )
            except RuntimeError:
                continue  # every caller line is busy: skip this one
            self.placed += 1
            threading.Thread(target=call.wait, daemon=True).start()


class Command(BaseCommand):
    help = "Start a sandbox Asterisk with agents and a stream of callers, and serve the portal."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=None, help="Override server.host")
        parser.add_argument("--port", type=int, default=None, help="Override server.port")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Mean seconds between two callers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from switchboard.testing.asterisk import (
            HarnessError,
            chroot_is_ready,
            chroot_path,
            ensure_chroot,
        )
        from switchboard.testing.sandbox import start_call_center

        host = options["host"] or settings.CONFIG["server.host"]
        port = options["port"] or settings.CONFIG["server.port"]
        call_command("migrate", interactive=False, verbosity=0)
        os.environ.setdefault("SWITCHBOARD_ADMIN_PASSWORD", DEMO_PASSWORD)
        call_command("ensure_admin")
        if not chroot_is_ready(chroot_path()):
            self.stdout.write("Building the sandbox Asterisk (first time only, a few minutes)…")
        try:
            center = start_call_center(ensure_chroot())
        except HarnessError as error:
            raise CommandError(f"The sandbox Asterisk could not start: {error}") from error
        stream = None
        try:
            self.prepare(center)
            stream = CallerStream(center, options["interval"]).start()
            self.stdout.write(
                self.style.SUCCESS(f"Demo running: http://{host}:{port}/live/queues/")
                + f"\n  administrator: {os.environ.get('SWITCHBOARD_ADMIN_USERNAME', 'admin')}"
                f" (password {os.environ['SWITCHBOARD_ADMIN_PASSWORD']})"
                f"\n  supervisor of both queues: sophie (password {DEMO_PASSWORD})"
                "\n  queues sales (agents 201, 202) and support (203, 204); "
                "supervisor's phone for listen/whisper/barge: PJSIP/299"
                "\n  Ctrl-C stops the portal, the callers and the sandbox."
            )
            run_server(host, port)
        finally:
            if stream is not None:
                stream.stop()
            center.stop()

    def prepare(self, center: Any) -> None:
        """Point the portal at the sandbox; a supervisor of both queues."""
        from switchboard.accounts.models import Role, User
        from switchboard.telephony.models import PbxServer
        from switchboard.testing.portal import asterisk_entry

        entry = asterisk_entry(center.pbx)
        PbxServer.objects.update_or_create(
            name=entry.pop("name"), defaults={**entry, "enabled": True}
        )
        sophie, created = User.objects.get_or_create(
            username="sophie", defaults={"first_name": "Sophie", "last_name": "Demo"}
        )
        if created:
            sophie.set_password(DEMO_PASSWORD)
            sophie.save()
        for queue in ("sales", "support"):
            role, _ = Role.objects.get_or_create(
                code=queue_role_code(queue),
                defaults={"name": f"Supervisors of {queue}", "kind": Role.Kind.QUEUE_SUPERVISOR},
            )
            sophie.groups.add(role)
