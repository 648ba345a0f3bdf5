"""Serve the portal (HTTP and websockets) with uvicorn on the configured address and port."""

from __future__ import annotations

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the portal (HTTP and websockets) on the configured address and port."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=None, help="Override server.host")
        parser.add_argument("--port", type=int, default=None, help="Override server.port")

    def handle(self, *args: Any, **options: Any) -> None:
        host = options["host"] or settings.CONFIG["server.host"]
        port = options["port"] or settings.CONFIG["server.port"]
        if not settings.SWITCHBOARD_ASTERISK_SERVERS:
            self.stdout.write(
                self.style.WARNING(
                    "No PBX is connected yet: add an [[asterisk]] server to the configuration."
                )
            )
        self.stdout.write(
            f"Switchboard listens on http://{host}:{port}/  (logs: {settings.LOG_DIR})"
        )
        run_server(host, port)


def run_server(host: str, port: int) -> None:
    """Serve the ASGI application (pages, websockets, lifespan: the embedded worker)."""
    uvicorn.run(
        "switchboard.asgi:application",
        host=host,
        port=port,
        log_config=None,
        lifespan="on",
        proxy_headers=True,
    )
