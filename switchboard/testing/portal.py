"""The portal as a real server process, for tests and the demo: migrate, first admin, serve.

:func:`run_portal` prepares a data directory and an SQLite database of its own, runs
``manage.py migrate`` and ``ensure_admin``, starts ``manage.py serve`` (uvicorn: pages,
static files, websockets, and the embedded telephony worker) and waits for ``/health/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from switchboard.testing.asterisk import AsteriskInstance, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
ADMIN_PASSWORD = "Served-Admin-2026"  # noqa: S105  (tests and demo only)


@dataclass(frozen=True)
class Portal:
    """A running portal: its base URL, environment and process."""

    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    @contextlib.contextmanager
    def session(
        self, username: str = "admin", password: str = ADMIN_PASSWORD
    ) -> Iterator[httpx.Client]:
        """An HTTP client signed in to the portal (CSRF token sent with every POST)."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            self._sign_in(client, username, password)
            yield client

    @staticmethod
    def _sign_in(client: httpx.Client, username: str, password: str) -> None:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("no CSRF token on the sign-in page")
        answer = client.post(
            "/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        )
        if "sessionid" not in client.cookies:
            raise RuntimeError(f"sign-in as {username} failed ({answer.status_code})")
        client.headers["X-CSRFToken"] = client.cookies.get("csrftoken", "")

    def manage(self, *arguments: str) -> str:
        """Run another manage.py command on the same database; returns its output."""
        done = subprocess.run(
            [*MANAGE, *arguments], env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout


def asterisk_entry(
    pbx: AsteriskInstance, name: str = "sandbox", *, config_dir: bool = False
) -> dict[str, object]:
    """The ``[[asterisk]]`` table that connects the portal to a harness Asterisk
    (``config_dir``: and lets it write the Asterisk's configuration)."""
    return {
        "name": name,
        "host": "127.0.0.1",
        "ami_port": pbx.ami_port,
        "ami_user": pbx.credentials.ami_username,
        "ami_secret": pbx.credentials.ami_secret,
        "ari_url": pbx.ari_url,
        "ari_user": pbx.credentials.ari_username,
        "ari_password": pbx.credentials.ari_password,
        "config_dir": str(pbx.etc_dir) if config_dir else "",
    }


def portal_env(
    data_dir: Path,
    servers: Sequence[Mapping[str, object]] = (),
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    env = {
        **os.environ,
        "SWITCHBOARD_PATHS_DATA_DIR": str(data_dir),
        "SWITCHBOARD_DATABASE_URL": f"sqlite:///{data_dir}/portal.sqlite3",
        "SWITCHBOARD_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SWITCHBOARD_ASTERISK": json.dumps(list(servers)),
    }
    env.update(extra or {})
    return env


@contextlib.contextmanager
def run_portal(
    data_dir: Path,
    servers: Sequence[Mapping[str, object]] = (),
    extra_env: Mapping[str, str] | None = None,
    *,
    command: Sequence[str] = ("serve",),
    port: int | None = None,
    start_timeout_s: float = 30.0,
) -> Iterator[Portal]:
    """Start the portal (``command`` is ``serve`` by default) and stop it afterwards."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = portal_env(data_dir, servers, extra_env)
    for step in (["migrate", "-v", "0"], ["ensure_admin"]):
        subprocess.run([*MANAGE, *step], env=env, check=True, capture_output=True)
    port = port or free_port()
    log_path = data_dir / f"server-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*MANAGE, *command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                urllib.request.urlopen(f"{url}/health/", timeout=1)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    output = log_path.read_text(errors="replace")
                    raise RuntimeError(f"the portal did not start:\n{output}") from None
                time.sleep(0.2)
        yield Portal(url, env, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
