"""An administrator uploads a sound in a real browser and plays it in the page."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from switchboard.media.models import Sound

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_then_listen_in_the_browser(page, live_server, admin_user, make_tone) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{live_server.url}/")
    page.click("#sidebar >> text=Sounds")
    page.goto(f"{live_server.url}/admin/sounds/add/")
    page.fill("#id_name", "Welcome")
    page.set_input_files("#id_upload", str(make_tone("welcome.mp3", seconds=2)))
    page.click("#save")
    page.wait_for_url(f"{live_server.url}/admin/sounds/")
    sound = Sound.objects.get(name="Welcome")
    page.goto(f"{live_server.url}/admin/sounds/{sound.pk}/")
    # The browser fetches the converted WAV through the role-checked view and decodes it.
    seconds = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const audio = document.querySelector('#sound-files audio');
            audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
            audio.addEventListener('error', () => reject(new Error('cannot play')));
            audio.load();
        })"""
    )
    assert 1.9 <= seconds <= 2.2
    # A file that is not audio is refused in the page, with the reason.
    page.goto(f"{live_server.url}/admin/sounds/add/")
    page.fill("#id_name", "Broken")
    page.set_input_files(
        "#id_upload",
        files=[{"name": "broken.mp3", "mimeType": "audio/mpeg", "buffer": b"junk" * 50}],
    )
    page.click("#save")
    assert "could not be read as audio" in page.locator(".error").inner_text()
    assert not Sound.objects.filter(name="Broken").exists()
