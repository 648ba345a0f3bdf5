"""The one-command demo: a sandbox call center whose queues come alive on the live pages."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from switchboard.telephony.management.commands.demo import DEMO_PASSWORD
from switchboard.testing.asterisk import free_port
from switchboard.testing.portal import MANAGE, portal_env

pytestmark = [pytest.mark.browser, pytest.mark.asterisk]


def test_demo_shows_live_queues_within_a_minute(page, asterisk_chroot: Path, tmp_path) -> None:
    port = free_port()
    env = portal_env(tmp_path / "var")
    del env["SWITCHBOARD_ADMIN_PASSWORD"], env["SWITCHBOARD_ASTERISK"]
    log = tmp_path / "demo.log"
    process = subprocess.Popen(
        [*MANAGE, "demo", "--host", "127.0.0.1", "--port", str(port), "--interval", "1.5"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/health/", timeout=1)  # noqa: S310
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert f"sophie (password {DEMO_PASSWORD})" in log.read_text()
        page.goto(f"{url}/login/")
        page.fill("#id_username", "sophie")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("#sign-in")
        page.goto(f"{url}/live/queues/")
        page.wait_for_selector('[data-role="link-state"].connected', timeout=20_000)
        page.wait_for_selector('article[data-queue="sales"]')
        page.wait_for_selector('article[data-queue="support"]')
        # Callers arrive by themselves: someone waits or an agent talks, without any action.
        page.wait_for_selector(
            'tr[data-caller], tr[data-agent][data-state="on_call"]', timeout=40_000
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0, log.read_text()
