"""Larger sites: the telephony worker in its own process, two web processes, Redis between.

Both web processes run with ``telephony.worker = "external"``; ``manage.py telephony_worker``
holds the AMI connection. A browser on each web process sees the same live change.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import redis

from switchboard.testing.portal import ADMIN_PASSWORD, MANAGE, asterisk_entry, run_portal
from switchboard.testing.sandbox import CallCenter

pytestmark = [pytest.mark.browser, pytest.mark.asterisk]

REDIS_URL = "redis://127.0.0.1:6379/7"


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{url}/")


def test_two_web_processes_share_one_external_worker(
    browser, call_center: CallCenter, tmp_path: Path
) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    servers = [asterisk_entry(call_center.pbx)]
    env = {"SWITCHBOARD_CHANNELS_REDIS_URL": REDIS_URL, "SWITCHBOARD_TELEPHONY_WORKER": "external"}
    data = tmp_path / "var"
    with run_portal(data, servers, env) as first, run_portal(data, servers, env) as second:
        worker = subprocess.Popen(
            [*MANAGE, "telephony_worker"],
            env=first.env,
            stdout=(data / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        # The worker enters the configured PBX into the database, then connects to it.
        deadline = time.monotonic() + 30
        while "Telephony worker running" not in (data / "worker.log").read_text():
            assert worker.poll() is None and time.monotonic() < deadline, "worker not started"
            time.sleep(0.2)
        contexts = [browser.new_context(locale="en-US") for _ in range(2)]
        try:
            pages = []
            for context, portal in zip(contexts, (first, second), strict=True):
                page = context.new_page()
                page.set_default_timeout(15_000)
                sign_in(page, portal.url)
                page.goto(f"{portal.url}/live/presence/")
                page.wait_for_selector('[data-role="link-state"].connected')
                page.wait_for_selector('[data-device="PJSIP/201"][data-state="free"]')
                pages.append(page)
            call = call_center.call("sales", "0188801", hold_ms=6000)
            try:
                for page in pages:
                    page.wait_for_selector('[data-device="PJSIP/201"][data-state="talking"]')
            finally:
                call.wait()
            for page in pages:
                page.wait_for_selector('[data-device="PJSIP/201"][data-state="free"]')
        finally:
            for context in contexts:
                context.close()
            worker.terminate()
            worker.wait(timeout=10)
    output = (data / "worker.log").read_text()
    assert "Telephony worker running with 1 PBX link(s)." in output
    assert "Telephony worker stopped." in output


def test_worker_command_refuses_to_run_without_redis(tmp_path: Path) -> None:
    from switchboard.testing.portal import portal_env

    done = subprocess.run(
        [*MANAGE, "telephony_worker"],
        env=portal_env(tmp_path, extra={"SWITCHBOARD_CHANNELS_REDIS_URL": ""}),
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "channels.redis_url" in done.stderr
