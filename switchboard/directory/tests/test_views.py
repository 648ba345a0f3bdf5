"""The directory page: search, sort, pages, private contacts, who edits what, click-to-call
refusals (the calls themselves: test_directory_asterisk.py)."""

from __future__ import annotations

import html
import re

import pytest

from switchboard.accounts.models import AuditEntry, Department
from switchboard.directory.models import Contact
from switchboard.pbx.models import Phone
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db


def rows(page: str) -> list[str]:
    """The names in the table's first column, in order."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip().removesuffix(" private")
        for cell in re.findall(r'<tr data-(?:contact|user)="\d+">\s*<td>(.*?)</td>', page, re.S)
    ]


@pytest.fixture
def anne(make_user):
    return make_user("anne", "user", first_name="Anne", last_name="Martin")


@pytest.fixture
def contacts(anne, make_user):
    editor = make_user("eve", "directory_editor")
    for first, last, company, number in [
        ("Paul", "Dupont", "ACME", "06 12 34 56 78"),
        ("Zoé", "Armand", "Bolt", "+33 1 40 00 00 01"),
        ("Ivan", "Kuznetsov", "Zeta", "8 (495) 123-45-67"),
    ]:
        Contact.objects.create(
            owner=editor, first_name=first, last_name=last, company=company, number1=number
        )
    Contact.objects.create(owner=editor, last_name="Eve's secret", number1="0699", private=True)
    Contact.objects.create(owner=anne, last_name="Anne's dentist", number2="0145", private=True)
    return editor


def test_list_search_and_sort(client, anne, contacts) -> None:
    client.force_login(anne)
    page = client.get("/directory/").content.decode()
    assert rows(page) == ["Anne's dentist", "Zoé Armand", "Paul Dupont", "Ivan Kuznetsov"]
    assert "Eve's secret" not in page  # someone else's private contact
    page = client.get("/directory/?sort=-company").content.decode()
    assert rows(page) == ["Ivan Kuznetsov", "Zoé Armand", "Paul Dupont", "Anne's dentist"]
    # Partial number, whatever the layout; several words must all match.
    assert rows(client.get("/directory/?q=5678").content.decode()) == ["Paul Dupont"]
    assert rows(client.get("/directory/?q=06.12").content.decode()) == ["Paul Dupont"]
    assert rows(client.get("/directory/?q=495-123").content.decode()) == ["Ivan Kuznetsov"]
    assert rows(client.get("/directory/?q=acme+paul").content.decode()) == ["Paul Dupont"]
    assert rows(client.get("/directory/?q=acme+ivan").content.decode()) == []
    assert rows(client.get("/directory/?q=0699").content.decode()) == []


def test_pages_of_25(client, anne) -> None:
    Contact.objects.bulk_create(
        [Contact(owner=anne, last_name=f"N{i:03}", search_digits="") for i in range(30)]
    )
    client.force_login(anne)
    first = client.get("/directory/").content.decode()
    assert len(rows(first)) == 25 and "Page 1 of 2" in first
    second = client.get("/directory/?page=2").content.decode()
    assert rows(second) == [f"N{i:03}" for i in range(25, 30)]


def test_colleagues_tab(client, anne, make_user) -> None:
    sales = Department.objects.create(short_name="S", name="Sales")
    boris = make_user("boris", "user", first_name="Boris", last_name="Petrov", department=sales)
    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    Phone.objects.create(server=server, extension="202", did="0140000202", user=boris)
    client.force_login(anne)
    page = client.get("/directory/?tab=users&q=0202").content.decode()
    assert rows(page) == ["Boris Petrov"] and "Sales" in page and "0140000202" in page
    page = client.get("/directory/?tab=users&sort=-name").content.decode()
    assert rows(page) == ["Boris Petrov", "Anne Martin"]


def test_a_user_makes_private_contacts_only(client, anne, contacts) -> None:
    client.force_login(anne)
    response = client.post(
        "/directory/add/",
        {"first_name": "Jo", "last_name": "Plumber", "number1": "06 00 00 00 01", "private": ""},
    )
    assert response.status_code == 302
    made = Contact.objects.get(last_name="Plumber")
    assert made.private and made.owner == anne and made.normalized == ["0600000001"]
    entry = AuditEntry.objects.get(object_type="directory.contact", object_id=str(made.pk))
    assert entry.action == AuditEntry.Action.CREATE and entry.username == "anne"
    # Shared contacts are not hers to change: 403; someone's private one does not exist: 404.
    shared = Contact.objects.get(last_name="Dupont")
    assert client.get(f"/directory/{shared.pk}/").status_code == 403
    assert client.post(f"/directory/{shared.pk}/delete/").status_code == 403
    secret = Contact.objects.get(last_name="Eve's secret")
    assert client.get(f"/directory/{secret.pk}/").status_code == 404
    assert Contact.objects.filter(pk=secret.pk).exists()
    # Her own private contact: edited and deleted.
    response = client.post(
        f"/directory/{made.pk}/",
        {"last_name": "Plumber", "company": "Pipes", "number1": "0600000002"},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.company == "Pipes" and made.private
    assert client.post(f"/directory/{made.pk}/delete/").status_code == 302
    assert not Contact.objects.filter(pk=made.pk).exists()


def test_bad_input_is_refused_and_changes_nothing(client, anne) -> None:
    client.force_login(anne)
    before = Contact.objects.count()
    for data, message in [
        ({"number1": "0612"}, "Give a name or a company."),
        ({"last_name": "X"}, "Give at least one number or an e-mail address."),
        ({"last_name": "X", "number1": "06 12 AB"}, "A phone number"),
        ({"last_name": "X", "number1": "0612;Dial"}, "A phone number"),
    ]:
        response = client.post("/directory/add/", data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert Contact.objects.count() == before


def test_the_editor_shares_contacts_and_changes_shared_ones(client, contacts, anne) -> None:
    client.force_login(contacts)  # eve, directory editor
    response = client.post(
        "/directory/add/",
        {"company": "Globex", "number1": "0140000099", "account_manager": str(anne.pk)},
    )
    assert response.status_code == 302
    globex = Contact.objects.get(company="Globex")
    assert not globex.private and globex.account_manager == anne
    shared = Contact.objects.get(last_name="Dupont")
    assert client.get(f"/directory/{shared.pk}/").status_code == 200
    # Anne's private contact stays invisible even to the editor.
    dentist = Contact.objects.get(last_name="Anne's dentist")
    assert client.get(f"/directory/{dentist.pk}/").status_code == 404


def test_click_to_call_refusals(client, anne, make_user) -> None:
    client.force_login(anne)
    json_accept = {"accept": "application/json"}
    response = client.post("/directory/call/", {"number": "0612"}, headers=json_accept)
    assert response.status_code == 400 and "No phone is given to you" in response.json()["error"]
    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    mine = Phone.objects.create(server=server, extension="201", user=anne)
    other = Phone.objects.create(server=server, extension="202", user=make_user("boris"))
    response = client.post(
        "/directory/call/", {"number": "0612", "phone": other.pk}, headers=json_accept
    )
    assert response.status_code == 400 and "not yours" in response.json()["error"]
    response = client.post(
        "/directory/call/", {"number": "06;12", "phone": mine.pk}, headers=json_accept
    )
    assert response.status_code == 400 and "cannot be dialled" in response.json()["error"]
    # Without JavaScript: back to the page with the message.
    response = client.post("/directory/call/", {"number": "06;12", "next": "/directory/?q=x"})
    assert response.status_code == 302 and response["Location"] == "/directory/?q=x"
    response = client.post("/directory/call/", {"number": "06;12", "next": "https://evil.example/"})
    assert response["Location"] == "/directory/"
    assert client.get("/directory/call/").status_code == 405


def test_the_screen_pop_prefills_a_new_contact_or_links_a_number(client, anne) -> None:
    client.force_login(anne)
    page = client.get("/directory/add/?number1=0612345678&company=ACME").content.decode()
    assert 'value="0612345678"' in page and 'value="ACME"' in page
    mine = Contact.objects.create(owner=anne, last_name="Known", number1="0140000000", private=True)
    page = client.get(f"/directory/{mine.pk}/?add_number=0699999999").content.decode()
    assert 'name="number2"' in page and 'value="0699999999"' in page
    mine.refresh_from_db()
    assert mine.number2 == ""  # nothing saved before the form is
