"""Caller look-up for the screen-pop: local cards, and a real local HTTP hook that answers
fast, slowly (past the timeout), with bad JSON or an error: local cards stay either way."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from switchboard.directory.lookup import Card, HookSettings, cards_for
from switchboard.directory.models import Contact
from switchboard.pbx.models import Phone
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db


class Hook(BaseHTTPRequestHandler):
    """/fast/<n>, /slow/<n> (2 s late), /bad/<n> (not JSON), /error/<n> (500)."""

    seen: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        Hook.seen.append((self.path, self.headers.get("Authorization", "")))
        kind = self.path.split("/")[1]
        if kind == "slow":
            time.sleep(2)
        if kind == "error":
            self.send_response(500)
            self.end_headers()
            return
        body = (
            b"<html>not json"
            if kind == "bad"
            else json.dumps(
                {
                    "cards": [
                        {
                            "title": "Ticket #42 (ACME)",
                            "subtitle": "open",
                            "numbers": ["+33612345678"],
                            "url": "https://crm.example/t/42",
                            "extra": {"priority": "high"},
                        },
                        {"title": "Evil", "url": "javascript:alert(1)"},
                        {"subtitle": "no title: ignored"},
                    ]
                }
            ).encode()
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook_base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Hook.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def people(make_user):
    anne = make_user("anne", "user", first_name="Anne", last_name="Martin")
    boris = make_user("boris", "user", first_name="Boris", last_name="Petrov")
    Contact.objects.create(
        owner=anne, first_name="Paul", last_name="Dupont", company="ACME",
        number1="06 12 34 56 78", account_manager=boris, email="paul@acme.example",
    )  # fmt: skip
    Contact.objects.create(
        owner=boris, last_name="Secret", number2="0612345678", private=True
    )  # Boris's own: Anne never sees it
    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    Phone.objects.create(server=server, extension="202", did="0140000202", user=boris)
    return anne, boris


def test_local_cards_contacts_the_user_sees_and_colleagues(people) -> None:
    anne, boris = people
    cards = cards_for("0612345678", anne, hook=HookSettings())
    assert [(c.kind, c.title, c.subtitle) for c in cards] == [("contact", "Paul Dupont", "ACME")]
    assert cards[0].extra == {"account_manager": "Boris Petrov", "email": "paul@acme.example"}
    assert cards[0].url.startswith("/directory/") and cards[0].contact_id
    assert {c.title for c in cards_for("06.12.34.56.78", boris, hook=HookSettings())} == {
        "Paul Dupont",
        "Secret",
    }
    colleague = cards_for("0140000202", anne, hook=HookSettings())
    assert colleague == [
        Card(
            "user",
            "Boris Petrov",
            "",
            ("202", "0140000202"),
            "/directory/?q=202",
            None,
            {"extension": "202"},
        )
    ]
    assert cards_for("202", anne, hook=HookSettings())[0].title == "Boris Petrov"
    assert cards_for("0699999999", anne, hook=HookSettings()) == []
    assert cards_for("anonymous", anne, hook=HookSettings()) == []


def test_a_fast_hook_adds_its_cards_with_the_auth_header(people, hook_base) -> None:
    anne, _boris = people
    hook = HookSettings(f"{hook_base}/fast/{{number}}", 0.8, "Authorization: Bearer t0k")
    started = time.monotonic()
    cards = cards_for("06 12 34 56 78", anne, hook=hook)
    assert time.monotonic() - started < 0.8
    assert [c.kind for c in cards] == ["contact", "external", "external"]
    ticket, evil = cards[1], cards[2]
    assert ticket.title == "Ticket #42 (ACME)" and ticket.url == "https://crm.example/t/42"
    assert ticket.numbers == ("+33612345678",) and ticket.extra == {"priority": "high"}
    assert evil.url == ""  # never a javascript: link
    assert Hook.seen == [("/fast/0612345678", "Bearer t0k")]


@pytest.mark.parametrize("kind", ["slow", "bad", "error"])
def test_a_slow_broken_or_failing_hook_leaves_the_local_cards(
    people, hook_base, kind, caplog
) -> None:
    anne, _boris = people
    hook = HookSettings(f"{hook_base}/{kind}/{{number}}", 0.3, "")
    started = time.monotonic()
    cards = cards_for("0612345678", anne, hook=hook)
    assert time.monotonic() - started < 1.5
    assert [c.kind for c in cards] == ["contact"]
    assert "directory look-up" in caplog.text


def test_an_unreachable_hook_leaves_the_local_cards(people, caplog) -> None:
    from switchboard.testing.asterisk import free_port

    anne, _boris = people
    hook = HookSettings(f"http://127.0.0.1:{free_port('tcp')}/{{number}}", 0.5, "")
    assert [c.kind for c in cards_for("0612345678", anne, hook=hook)] == ["contact"]
    assert "failed" in caplog.text


def test_the_configuration_checks_the_hook_keys(tmp_path) -> None:
    from switchboard import config

    path = tmp_path / "sb.toml"
    path.write_text('[directory]\nlookup_url = "ftp://x"\n')
    with pytest.raises(config.ConfigError, match=r"directory\.lookup_url"):
        config.load(path, environ={})
    path.write_text('[directory]\nlookup_url = "https://crm/{number}"\nlookup_timeout_ms = 500\n')
    loaded = config.load(path, environ={})
    assert loaded["directory.lookup_url"] == "https://crm/{number}"
    assert loaded["directory.lookup_timeout_ms"] == 500
