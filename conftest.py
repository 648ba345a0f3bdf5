"""Fixtures shared by the whole test suite: users with given roles and a real browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's synchronous API runs its own event loop in the test thread; Django's guard
# against sync database calls from async contexts would misfire on it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if Path(__file__).with_name("switchboard").joinpath("testing", "pytest_plugin.py").exists():
    pytest_plugins = ["switchboard.testing.pytest_plugin"]

PASSWORD = "Correct-Horse-42"  # noqa: S105  (the test users' password)


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test starts in the site's language, whatever an earlier request activated (a
    Russian page leaves Russian active in the thread)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """The default hasher is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    """Create a user holding the roles named by code; the password is ``PASSWORD``."""
    from switchboard.accounts.models import Role, User

    def make(username: str = "alice", *roles: str, **fields: object) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, **fields)
        user.groups.set(Role.objects.filter(code__in=roles))
        return user

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., object]) -> object:
    return make_user("root", "administrator", first_name="Ada", last_name="Admin")


@pytest.fixture
def plain_user(make_user: Callable[..., object]) -> object:
    return make_user("bob", "user", first_name="Bob", last_name="Plain")


@pytest.fixture
def admin_client(client: object, admin_user: object) -> object:
    client.force_login(admin_user)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def user_client(client: object, plain_user: object) -> object:
    client.force_login(plain_user)  # type: ignore[attr-defined]
    return client


CHROMIUM = os.environ.get("SWITCHBOARD_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a browser downloaded by Playwright).

    Module-scoped: Playwright's sync API holds an event loop in this thread while it runs,
    which the asyncio tests of other modules must not find there.
    """
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="en-US")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
