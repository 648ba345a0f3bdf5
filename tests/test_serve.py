"""The run command's server: one uvicorn process serves pages, static files and websockets."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import websockets

from switchboard.testing.portal import run_portal

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with run_portal(tmp_path / "var") as portal:
        yield portal.url


def test_serves_pages_static_files_and_websockets(server: str, tmp_path: Path) -> None:
    health = json.load(urllib.request.urlopen(f"{server}/health/"))  # noqa: S310
    assert health["status"] == "ok" and health["asterisk_servers_configured"] == 0
    login = urllib.request.urlopen(f"{server}/login/").read().decode()  # noqa: S310
    assert 'id="login-form"' in login
    css = urllib.request.urlopen(f"{server}/static/core/switchboard.css")  # noqa: S310
    assert css.status == 200
    htmx = urllib.request.urlopen(f"{server}/static/vendor/htmx/htmx.min.js")  # noqa: S310
    assert b"htmx" in htmx.read(2000)
    assert (tmp_path / "var" / "log" / "switchboard.log").exists()

    async def anonymous_websocket() -> int | None:
        url = server.replace("http", "ws") + "/ws/ping/"
        try:
            async with websockets.connect(url, origin=server) as socket_:
                await socket_.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        except websockets.InvalidStatus as refused:
            return refused.response.status_code
        return None

    # The websocket endpoint is served by the same process and refuses anonymous users.
    # (in a thread of its own: Playwright's sync API may hold this thread's event loop)
    with ThreadPoolExecutor(1) as pool:
        code = pool.submit(asyncio.run, anonymous_websocket()).result(timeout=20)
    assert code in (403, 4401)
