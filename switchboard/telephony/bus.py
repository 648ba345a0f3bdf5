"""Messages between the telephony worker and the web side, over the Channels layer.

The same code works whether the worker runs inside the web process (in-memory layer) or as
its own process (Redis layer):

* **views**: the worker publishes each changed live view to a group named after it
  (``live.<server>.<view>[.<key>]``); browsers' websocket consumers are members of the groups
  they watch. A message carries the whole view, so a consumer never needs the model itself.
* **requests**: the web side sends a request (a view's snapshot, a supervisor action) to the
  worker's fixed channel with a reply channel of its own, and waits for the answer.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from channels.layers import get_channel_layer

WORKER_CHANNEL = "telephony-worker"
REQUEST_TIMEOUT = 10.0


class WorkerUnavailable(Exception):
    """No telephony worker answered in time."""


def view_group(server_id: int, view: str, key: str = "") -> str:
    """The group of one live view; group names allow only ASCII letters, digits, -, _ and ."""
    safe_key = re.sub(r"[^A-Za-z0-9_.-]", lambda m: f"-{ord(m.group()):x}-", key)
    return f"live.{server_id}.{view}" + (f".{safe_key}" if key else "")


async def publish(server_id: int, view: str, key: str, data: Any) -> None:
    """Send a view's new content to everyone watching it.

    The content travels encoded once, as JSON text: a layer copies (in memory) or serialises
    (Redis) a message per member, and a string costs little either way; most consumers then
    pass the text on to their browser as is.
    """
    layer = get_channel_layer()
    await layer.group_send(
        view_group(server_id, view, key),
        {
            "type": "live.view",
            "server": server_id,
            "view": view,
            "key": key,
            "json": json.dumps(data, separators=(",", ":")),
        },
    )


async def request(kind: str, timeout: float | None = None, **payload: Any) -> dict[str, Any]:
    """Ask the worker something and wait for its answer (``{"ok": bool, ...}``)."""
    import asyncio

    layer = get_channel_layer()
    # The default prefix: the Redis layer reads every process-specific channel of a process
    # from one list, so a reply channel of another prefix would wait behind the consumers'.
    reply_to = await layer.new_channel()
    await layer.send(
        WORKER_CHANNEL,
        {"type": "request", "kind": kind, "reply_to": reply_to, "id": uuid.uuid4().hex, **payload},
    )
    try:
        answer = await asyncio.wait_for(layer.receive(reply_to), timeout or REQUEST_TIMEOUT)
    except TimeoutError as error:
        raise WorkerUnavailable(kind) from error
    return answer["answer"]


async def reply(reply_to: str, answer: dict[str, Any]) -> None:
    layer = get_channel_layer()
    await layer.send(reply_to, {"type": "reply", "answer": answer})
