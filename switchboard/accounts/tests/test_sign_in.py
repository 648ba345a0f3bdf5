"""Sign-in, slow-down and lock-out, idle sessions, sign-out, one's own account, first admin."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from conftest import PASSWORD
from switchboard.accounts import throttle
from switchboard.accounts.models import AuditEntry, LoginThrottle, User

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_sign_in_and_out(client, plain_user) -> None:
    response = sign_in(client, "bob", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_a_clear_error(client, plain_user) -> None:
    response = sign_in(client, "bob", "nope")
    assert response.status_code == 200
    assert "Wrong account name or password." in response.content.decode()


def test_failures_slow_down_then_lock(client, plain_user, settings) -> None:
    settings.LOGIN_SLOWDOWN_AFTER, settings.LOGIN_LOCKOUT_AFTER = 3, 5
    for _ in range(3):
        sign_in(client, "bob", "nope")
    # The fourth try comes too soon after the third failure: refused without checking.
    response = sign_in(client, "BOB", PASSWORD)
    assert "wait" in response.content.decode() and response.status_code == 200
    entry = LoginThrottle.objects.get(username="bob")
    assert entry.failures == 3 and throttle.delay_after(3) == 1
    # Once the delay has passed, tries are counted again, up to the lock.
    for _ in range(2):
        LoginThrottle.objects.filter(username="bob").update(
            last_failure=timezone.now() - datetime.timedelta(seconds=120)
        )
        sign_in(client, "bob", "nope")
    entry.refresh_from_db()
    assert entry.failures == 5 and entry.locked_until > timezone.now()
    LoginThrottle.objects.filter(username="bob").update(
        last_failure=timezone.now() - datetime.timedelta(seconds=120)
    )
    response = sign_in(client, "bob", PASSWORD)
    assert "locked" in response.content.decode()
    assert client.get("/").status_code == 302  # still not signed in


def test_lock_expires_and_success_clears(client, plain_user, settings) -> None:
    settings.LOGIN_LOCKOUT_AFTER = 2
    sign_in(client, "bob", "x")
    sign_in(client, "bob", "x")
    LoginThrottle.objects.filter(username="bob").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1),
        last_failure=timezone.now() - datetime.timedelta(minutes=20),
    )
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.exists()


def test_delay_doubles_and_is_capped(settings) -> None:
    settings.LOGIN_SLOWDOWN_AFTER = 3
    assert [throttle.delay_after(n) for n in (2, 3, 4, 5, 20)] == [0, 1, 2, 4, 60]


def test_idle_time_comes_from_the_configuration() -> None:
    assert settings.SESSION_COOKIE_AGE == 10 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_session_ends_after_idle_time(client, plain_user, settings) -> None:
    from django.contrib.sessions.models import Session

    sign_in(client, "bob", PASSWORD)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_change_own_password(user_client, plain_user) -> None:
    bad = user_client.post(
        "/account/",
        {
            "form": "password",
            "old_password": "wrong",
            "new_password1": "Blue-Kettle-93",
            "new_password2": "Blue-Kettle-93",
        },
    )
    assert bad.status_code == 400
    good = user_client.post(
        "/account/",
        {
            "form": "password",
            "old_password": PASSWORD,
            "new_password1": "Blue-Kettle-93",
            "new_password2": "Blue-Kettle-93",
        },
    )
    assert good.status_code == 302
    plain_user.refresh_from_db()
    assert plain_user.check_password("Blue-Kettle-93")
    assert user_client.get("/").status_code == 200  # still signed in after the change
    entry = AuditEntry.objects.get(object_type="accounts.user")
    assert "Blue-Kettle-93" not in str(entry.before) + str(entry.after)


def test_change_own_pin_needs_the_password_and_is_never_shown(user_client, plain_user) -> None:
    wrong = user_client.post(
        "/account/", {"form": "pin", "current_password": "no", "pin1": "246810", "pin2": "246810"}
    )
    assert "The current password is wrong." in wrong.content.decode()
    short = user_client.post(
        "/account/", {"form": "pin", "current_password": PASSWORD, "pin1": "12", "pin2": "12"}
    )
    assert "6 to 16 digits" in short.content.decode()
    user_client.post(
        "/account/",
        {"form": "pin", "current_password": PASSWORD, "pin1": "246810", "pin2": "246810"},
    )
    plain_user.refresh_from_db()
    assert plain_user.voicemail_pin == "246810"
    page = user_client.get("/account/").content.decode()
    assert "246810" not in page and "A PIN is set." in page


def test_language_choice_applies_to_every_page(user_client, plain_user) -> None:
    user_client.post(
        "/account/",
        {"form": "profile", "first_name": "Bob", "last_name": "P", "email": "", "language": "ru"},
    )
    plain_user.refresh_from_db()
    assert plain_user.language == "ru"
    assert '<html lang="ru">' in user_client.get("/").content.decode()


def test_ensure_admin_creates_one_administrator(monkeypatch) -> None:
    out = io.StringIO()
    monkeypatch.delenv("SWITCHBOARD_ADMIN_PASSWORD", raising=False)
    call_command("ensure_admin", stdout=out)
    admin = User.objects.get(username="admin")
    assert admin.has_role("administrator")
    shown = out.getvalue().split("shown this once only: ")[1].split()[0]
    assert admin.check_password(shown)
    again = io.StringIO()
    call_command("ensure_admin", stdout=again)
    assert again.getvalue() == "" and User.objects.count() == 1


def test_ensure_admin_takes_the_password_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_ADMIN_PASSWORD", "weak")
    with pytest.raises(CommandError, match="too weak"):
        call_command("ensure_admin", stdout=io.StringIO())
    monkeypatch.setenv("SWITCHBOARD_ADMIN_PASSWORD", "Strong-Enough-2026")
    monkeypatch.setenv("SWITCHBOARD_ADMIN_USERNAME", "chief")
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    assert User.objects.get(username="chief").check_password("Strong-Enough-2026")
    assert "Strong-Enough-2026" not in out.getvalue()
