"""The portal in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import pytest

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#sign-in")


def menu_links(page) -> list[str]:
    return page.locator("#sidebar a").evaluate_all("links => links.map(a => a.pathname)")


def test_administrator_sees_the_administration_menu(page, live_server, admin_user) -> None:
    sign_in(page, live_server, "root")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#current-user").inner_text() == "Ada Admin"
    assert page.locator("#pbx-banner").is_visible()
    links = menu_links(page)
    for url in ("/admin/users/", "/admin/roles/", "/admin/departments/", "/admin/audit/"):
        assert url in links
    page.click("text=Users")
    assert page.locator("table.table").inner_text().count("root") >= 1
    # The menu collapses and stays collapsed on the next page.
    page.click("#menu-toggle")
    assert not page.locator("#sidebar").is_visible()
    page.reload()
    assert not page.locator("#sidebar").is_visible()


def test_plain_user_sees_only_their_own_menu(page, live_server, plain_user) -> None:
    sign_in(page, live_server, "bob")
    page.wait_for_url(f"{live_server.url}/")
    links = menu_links(page)
    assert links == [
        "/",
        "/account/",
        "/voicemail/",
        "/forwards/",
        "/calls/",
        "/billing/",
        "/presence/",
        "/colleagues/",
        "/directory/",
        "/desk/",
        "/chat/",
    ]
    response = page.goto(f"{live_server.url}/admin/users/")
    assert response.status == 403
    assert page.locator("#forbidden").is_visible()


def test_wrong_password_shows_the_error(page, live_server, plain_user) -> None:
    sign_in(page, live_server, "bob", "not-the-password")
    assert page.locator(".errors").inner_text().strip() == "Wrong account name or password."
    assert "/login/" in page.url


def test_language_switch_on_the_login_page(page, live_server, plain_user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.click("button[value=fr]")
    assert page.locator("#sign-in").inner_text() == "Se connecter"
    assert page.locator("html").get_attribute("lang") == "fr"
    page.click("button[value=ru]")
    assert page.locator("#sign-in").inner_text() == "Войти"
    # The choice stays for the session: the pages after signing in are in Russian too.
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#logout").inner_text() == "Выйти"


def test_user_language_is_used_after_sign_in(page, live_server, make_user) -> None:
    make_user("claire", "user", language="fr")
    sign_in(page, live_server, "claire")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#logout").inner_text() == "Se déconnecter"


def test_idle_session_signs_the_user_out(page, live_server, plain_user, settings) -> None:
    settings.SESSION_COOKIE_AGE = settings.SESSION_IDLE_SECONDS = 2
    # The test server speaks plain HTTP: the header's websockets (desk, chat) would reach it
    # as HTTP requests that renew the session, which a real ASGI server never does. Here they
    # are answered in the browser and never reach the server.
    page.route_web_socket("**/ws/**", lambda ws: None)
    sign_in(page, live_server, "bob")
    page.wait_for_url(f"{live_server.url}/")
    # Without any activity the page reloads after the idle time and lands on the login page.
    page.wait_for_url("**/login/?next=/", timeout=10_000)
    assert page.locator("#login-form").is_visible()


def test_sign_out(page, live_server, plain_user) -> None:
    sign_in(page, live_server, "bob")
    page.wait_for_url(f"{live_server.url}/")
    page.click("#logout")
    page.wait_for_url("**/login/")
    page.goto(f"{live_server.url}/account/")
    assert "/login/" in page.url
