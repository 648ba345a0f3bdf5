"""ASGI lifespan: in the default single-process run, the telephony worker lives in the
portal's own event loop, started and stopped with the server."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class WorkerLifespan:
    """Wraps the ASGI application; answers lifespan events by starting/stopping the worker."""

    def __init__(self, app: Any, embedded: bool) -> None:
        self.app = app
        self.embedded = embedded
        self.worker: Any = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self.embedded:
                        from switchboard.telephony.worker import TelephonyWorker

                        self.worker = TelephonyWorker()
                        await self.worker.start()
                except Exception as error:
                    log.exception("telephony worker failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.worker is not None:
                    await self.worker.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return
