"""The directory page in a real browser (Debian's Chromium driven by Playwright): search,
sort, a private contact invisible to another user, the click-to-call button posting."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from switchboard.directory.models import Contact
from switchboard.pbx.models import Phone
from switchboard.telephony.models import PbxServer
from switchboard.testing.asterisk import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{live_server.url}/")


def names(page) -> list[str]:
    return page.locator("#directory-table tbody tr td:first-child").evaluate_all(
        "cells => cells.map(c => c.firstChild ? c.firstChild.textContent.trim() : '')"
    )


def test_search_sort_privacy_and_click_to_call(page, live_server, make_user) -> None:
    anne = make_user("anne", "user", first_name="Anne", last_name="Martin")
    eve = make_user("eve", "directory_editor")
    Contact.objects.create(owner=eve, first_name="Paul", last_name="Dupont", company="Zeta",
                           number1="06 12 34 56 78")  # fmt: skip
    Contact.objects.create(owner=eve, first_name="Zoé", last_name="Armand", company="ACME",
                           number1="+33 1 40 00 00 01")  # fmt: skip
    Contact.objects.create(owner=eve, last_name="Secret", number1="0699999999", private=True)
    # Anne's phone is on a PBX whose AMI refuses connections: the call is tried and refused.
    closed = PbxServer.objects.create(
        name="closed", host="127.0.0.1", ami_port=free_port("tcp"), ami_user="u", ami_secret="s"
    )
    Phone.objects.create(server=closed, extension="201", user=anne)

    sign_in(page, live_server, "anne")
    page.click("#sidebar a[href='/directory/']")
    assert names(page) == ["Zoé Armand", "Paul Dupont"]  # not Eve's private contact
    assert "Secret" not in page.locator("#directory-table").inner_text()

    page.click("#directory-table th a[data-sort=company]")
    assert names(page) == ["Zoé Armand", "Paul Dupont"]
    page.click("#directory-table th a[data-sort=company]")  # descending
    assert names(page) == ["Paul Dupont", "Zoé Armand"]

    page.fill("#directory-search input[name=q]", "34 56")
    page.press("#directory-search input[name=q]", "Enter")
    page.wait_for_url("**q=34+56**")
    assert names(page) == ["Paul Dupont"]

    # Click-to-call: the button posts, the answer shows in place.
    with page.expect_response("**/directory/call/") as answer:
        page.click("tr[data-contact] button.call")
    assert answer.value.request.method == "POST"
    assert 'name="number"\r\n\r\n06 12 34 56 78\r\n' in (answer.value.request.post_data or "")
    page.wait_for_selector("#call-status.errors")
    assert "closed cannot be reached" in page.locator("#call-status").inner_text()

    # Eve sees her private contact; Anne added her own, which Eve does not see.
    page.click("#add-contact")
    page.fill("#id_last_name", "Anne's dentist")
    page.fill("#id_number1", "01 45 00 00 00")
    page.click("#save")
    page.wait_for_url(f"{live_server.url}/directory/")
    assert "Anne's dentist" in names(page)
    page.click("#logout")
    sign_in(page, live_server, "eve")
    page.goto(f"{live_server.url}/directory/")
    assert sorted(names(page)) == ["Paul Dupont", "Secret", "Zoé Armand"]
