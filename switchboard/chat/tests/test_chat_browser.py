"""The staff chat in real browsers, on the portal served as in production (uvicorn).

Anne writes to Bob, then to everyone; Bob and Carol watch their header badge change without
reloading. With the in-memory channel layer all three use one web process; with Redis,
Anne's web process is not Bob's and Carol's, so the messages cross processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from switchboard.testing.portal import run_portal

pytestmark = pytest.mark.browser

PASSWORD = "Chat-Together-26"
REDIS_URL = "redis://127.0.0.1:6379/9"
CREATE_USERS = f"""
from switchboard.accounts.models import Role, User
for username, first in (("anne", "Anne"), ("bob", "Bob"), ("carol", "Carol")):
    user = User.objects.create_user(username, password="{PASSWORD}", first_name=first)
    user.groups.set(Role.objects.filter(code="user"))
    print("USER", username, user.pk)
"""


@pytest.fixture(params=["memory", "redis"])
def portals(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, dict]]:
    """(Anne's portal URL, Bob's and Carol's portal URL, user ids)."""
    data = tmp_path / "var"
    with ExitStack() as stack:
        if request.param == "memory":
            first = stack.enter_context(run_portal(data))
            second = first
        else:
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
            env = {"SWITCHBOARD_CHANNELS_REDIS_URL": REDIS_URL}
            first = stack.enter_context(run_portal(data, (), env))
            second = stack.enter_context(run_portal(data, (), env))
        output = first.manage("shell", "-c", CREATE_USERS)
        rows = [line.split() for line in output.splitlines() if line.startswith("USER ")]
        ids = {name: int(pk) for _user, name, pk in rows}
        yield first.url, second.url, ids


def signed_in(browser, url: str, username: str):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{url}/")
    return context, page


def wait_socket(page) -> None:
    """The badge's websocket is open once the server sent the first count."""
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('chat.js'))"
    )
    page.wait_for_timeout(500)


def test_two_people_chat_and_everyone_hears(browser, portals) -> None:
    anne_url, other_url, ids = portals
    contexts = []
    try:
        anne_context, anne = signed_in(browser, anne_url, "anne")
        bob_context, bob = signed_in(browser, other_url, "bob")
        carol_context, carol = signed_in(browser, other_url, "carol")
        contexts += [anne_context, bob_context, carol_context]
        for page in (bob, carol):
            assert page.locator("#chat-unread").is_hidden()
            page.evaluate("window.notReloaded = true")
            wait_socket(page)

        # Anne writes to Bob from the chat page.
        anne.click("#chat-link")
        anne.click(f"#chat-people a[data-with='{ids['bob']}']")
        anne.fill("#id_text", "Hello Bob, the meeting moved to 3 pm")
        anne.click("#chat-send")
        anne.wait_for_selector("#chat-messages li.mine")

        # Bob's badge shows it without a reload; Carol's does not.
        bob.wait_for_selector("#chat-unread:not([hidden])")
        assert bob.locator("#chat-unread").inner_text() == "1"
        assert bob.evaluate("window.notReloaded") is True
        assert carol.locator("#chat-unread").is_hidden()

        # Bob reads it: the badge clears; then Anne's next message arrives in his open
        # conversation, is marked read as seen, and the badge stays clear.
        bob.click("#chat-link")
        bob.click(f"#chat-people a[data-with='{ids['anne']}']")
        assert "the meeting moved to 3 pm" in bob.locator("#chat-messages").inner_text()
        assert bob.locator("#chat-unread").is_hidden()
        bob.evaluate("window.notReloaded = true")
        wait_socket(bob)
        anne.fill("#id_text", "Room B")
        anne.click("#chat-send")
        bob.wait_for_selector("#chat-messages li:has-text('Room B')")
        bob.wait_for_timeout(1000)
        assert bob.locator("#chat-unread").is_hidden()
        assert bob.evaluate("window.notReloaded") is True

        # An empty message is refused with a message, nothing sent.
        anne.fill("#id_text", "   ")
        anne.click("#chat-send")
        assert "Write a message before sending it." in anne.locator("#chat-form").inner_text()

        # To everyone: Carol (a third person) gets it live.
        anne.click("#chat-people a[data-with='everyone']")
        anne.fill("#id_text", "Fire drill at noon")
        anne.click("#chat-send")
        carol.wait_for_selector("#chat-unread:not([hidden])")
        assert carol.locator("#chat-unread").inner_text() == "1"
        assert carol.evaluate("window.notReloaded") is True
        carol.click("#chat-link")
        carol.click("#chat-people a[data-with='everyone']")
        assert "Fire drill at noon" in carol.locator("#chat-messages").inner_text()
        assert carol.locator("#chat-unread").is_hidden()
        # Bob, still in Anne's conversation, has the message to everyone unread.
        bob.wait_for_selector("#chat-unread:not([hidden])")
        assert bob.locator("#chat-unread").inner_text() == "1"
    finally:
        for context in contexts:
            context.close()
