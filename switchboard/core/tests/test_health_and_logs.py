"""The health endpoint, the structured log file and the websocket route."""

import json
import logging

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from switchboard.core.logging import JsonFormatter


@pytest.mark.django_db
def test_health_answers_without_sign_in(client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_json_formatter_writes_one_object_per_line() -> None:
    record = logging.makeLogRecord(
        {
            "name": "switchboard.test",
            "levelname": "INFO",
            "msg": "hello %s",
            "args": ("you",),
            "server": "pbx1",
        }
    )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "hello you"
    assert entry["server"] == "pbx1"
    assert entry["level"] == "INFO"


def test_application_log_goes_to_the_data_directory() -> None:
    logging.getLogger("switchboard.test").warning("written to the file")
    for handler in logging.getLogger().handlers:
        handler.flush()
    log_file = settings.LOG_DIR / "switchboard.log"
    assert log_file.exists()
    assert "written to the file" in log_file.read_text(encoding="utf-8")


@pytest.mark.django_db(transaction=True)
async def test_websocket_answers_signed_in_users_only(admin_user) -> None:
    from asgiref.sync import sync_to_async
    from django.test import Client

    from switchboard.asgi import application

    anonymous = WebsocketCommunicator(application, "/ws/ping/", headers=[(b"host", b"localhost")])
    connected, _code = await anonymous.connect()
    assert not connected

    client = Client()
    await sync_to_async(client.force_login)(admin_user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    signed_in = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"host", b"localhost"), (b"cookie", cookie.encode())]
    )
    connected, _ = await signed_in.connect()
    assert connected
    await signed_in.send_json_to({"type": "ping"})
    assert await signed_in.receive_json_from() == {"type": "pong", "user": "root"}
    await signed_in.disconnect()


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_given() -> None:
    """`make test` runs the suite twice; this proves the second run really is on PostgreSQL."""
    import os

    from django.db import connection

    url = os.environ.get("SWITCHBOARD_DATABASE_URL", "sqlite")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")
