"""A voicemail left by a real call, in a real browser: listed, played, moved and deleted.

Asterisk 22 and the SIPp caller of the harness; the portal is Django's live server on the
test database. AMI work of the test itself (apply, forwards) is done before the browser
starts: Playwright's event loop then owns this thread.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import PASSWORD
from switchboard.testing.asterisk import free_port
from switchboard.voicemail import mailbox
from switchboard.voicemail.tests.helpers import box_for, leave_message, spool_folder

pytestmark = [pytest.mark.browser, pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

PLAY = """async (selector) => {
  const audio = document.querySelector(selector);
  audio.preload = "auto";
  const ready = new Promise((resolve, reject) => {
    audio.addEventListener("loadedmetadata", resolve, {once: true});
    audio.addEventListener("error", () => reject(String(audio.error && audio.error.code)));
  });
  audio.load();
  await ready;
  audio.muted = true;
  await audio.play();
  return audio.duration;
}"""


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{url}/")


def summary(box) -> dict[str, str]:
    """msg_id -> folder as Asterisk lists it (AMI, in a thread: not on Playwright's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return {m.id: m.folder for m in pool.submit(mailbox.messages, box).result()}


def test_a_voicemail_is_played_moved_and_deleted_in_the_browser(
    request, portal_server, portal_pbx, caller_port, live_server, make_user
) -> None:
    anne = make_user("anne", "user", voicemail_pin="246810")
    make_user("bob", "user")
    box = box_for(portal_server, "201", free_port("udp"), user=anne, display_name="Anne")
    leave_message(portal_pbx, box, caller_port, "0145678901")
    (msg_id,) = spool_folder(portal_pbx, box, "INBOX")

    page = request.getfixturevalue("page")
    sign_in(page, live_server.url, "anne")
    page.click("#sidebar a[href='/voicemail/']")
    page.wait_for_url(f"{live_server.url}/voicemail/")
    row = page.locator(f"#voicemail-messages tr[data-message='{msg_id}']")
    assert row.locator(".caller").inner_text() == "0145678901"
    assert re.fullmatch(r"0:0[1-9]", row.locator(".duration").inner_text())
    assert page.locator("#folders a[data-folder='INBOX'] .count").inner_text() == "1"

    # Played in the page: the browser decodes it; it is now heard (Old), as on the phone.
    duration = page.evaluate(PLAY, f"tr[data-message='{msg_id}'] audio")
    assert duration > 0.5
    assert spool_folder(portal_pbx, box, "Old") == {msg_id: "msg0000"}
    assert summary(box) == {msg_id: "Old"}
    page.reload()
    assert page.locator("#folders a[data-folder='INBOX'] .count").inner_text() == "0"
    assert page.locator("#voicemail-messages tr[data-message]").count() == 0

    # Moved from Old to Work.
    page.click("#folders a[data-folder='Old']")
    row = page.locator(f"tr[data-message='{msg_id}']")
    row.locator("select[name=folder]").select_option("Work")
    row.locator("button.move").click()
    page.wait_for_load_state()
    assert "The message went to Work." in page.locator(".messages").inner_text()
    assert spool_folder(portal_pbx, box, "Work") == {msg_id: "msg0000"}
    assert spool_folder(portal_pbx, box, "Old") == {}
    assert summary(box) == {msg_id: "Work"}
    assert "201" in portal_pbx.cli("voicemail show users for switchboard")

    # Another user: no box of hers, her message's sound does not exist for him.
    other = page.context.browser.new_context(locale="en-US")
    try:
        bob = other.new_page()
        sign_in(bob, live_server.url, "bob")
        bob.goto(f"{live_server.url}/voicemail/")
        assert "You have no voicemail box." in bob.content()
        answer = bob.request.get(f"{live_server.url}/voicemail/{box.pk}/{msg_id}/audio/")
        assert answer.status == 404
        answer = bob.request.get(f"{live_server.url}/voicemail/?box={box.pk}&folder=Work")
        assert msg_id not in answer.text()
    finally:
        other.close()

    # Deleted.
    page.click("#folders a[data-folder='Work']")
    page.locator(f"tr[data-message='{msg_id}'] button.delete").click()
    page.wait_for_load_state()
    assert "The message was deleted." in page.locator(".messages").inner_text()
    assert page.locator("#voicemail-messages tr[data-message]").count() == 0
    assert spool_folder(portal_pbx, box, "Work") == {}
    assert summary(box) == {}
