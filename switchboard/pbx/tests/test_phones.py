"""Phones in the web: created, edited, deleted by administrators; bad input changes nothing."""

from __future__ import annotations

import pytest

from switchboard.accounts.models import AuditEntry
from switchboard.pbx.models import Phone
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def server() -> PbxServer:
    return PbxServer.objects.create(name="pbx", host="h", ami_user="u", ami_secret="s")


def data(server: PbxServer, **overrides: str) -> dict[str, str]:
    return {
        "server": str(server.pk),
        "extension": "201",
        "display_name": "Anne Martin",
        "sip_secret": "Abcdefgh12345678",
        "enabled": "on",
        **overrides,
    }


def test_administrator_creates_edits_and_deletes_a_phone(admin_client, server) -> None:
    assert admin_client.post("/admin/phones/add/", data(server)).status_code == 302
    phone = Phone.objects.get(extension="201")
    listing = admin_client.get("/admin/phones/").content.decode()
    assert "Anne Martin" in listing and phone.sip_secret not in listing
    entry = AuditEntry.objects.get(object_type="pbx.phone", action="create")
    assert phone.sip_secret not in str(entry.after)
    response = admin_client.post(f"/admin/phones/{phone.pk}/", data(server, display_name="Anne D"))
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.display_name == "Anne D"
    assert admin_client.post(f"/admin/phones/{phone.pk}/delete/").status_code == 302
    assert not Phone.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("extension", "20a", "2 to 10 digits."),
        ("display_name", 'Anne"\r\n[x]', 'no " < > ; [ ] or backslash'),
        ("sip_secret", "short", "12 to 64 letters and digits"),
        ("sip_secret", "has;semicolon1234", "12 to 64 letters and digits"),
        ("fixed_address", "10.0.0.1;x", "A host name or IP address"),
        ("mac", "00:11:22", "A MAC address"),
    ],
)
def test_values_that_would_break_the_configuration_are_refused(
    admin_client, server, field: str, value: str, message: str
) -> None:
    Phone.objects.create(server=server, extension="299", display_name="Keep me")
    response = admin_client.post("/admin/phones/add/", data(server, **{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert list(Phone.objects.values_list("extension", flat=True)) == ["299"]


def test_an_extension_is_unique_per_pbx(admin_client, server) -> None:
    Phone.objects.create(server=server, extension="201")
    response = admin_client.post("/admin/phones/add/", data(server))
    assert "already has a phone with this extension" in " ".join(
        response.context["form"].errors["extension"]
    )
    other = PbxServer.objects.create(name="pbx2", host="h2", ami_user="u", ami_secret="s")
    assert admin_client.post("/admin/phones/add/", data(other)).status_code == 302


def test_errors_are_translated(admin_client, admin_user, server) -> None:
    admin_user.language = "fr"
    admin_user.save()
    response = admin_client.post("/admin/phones/add/", data(server, extension="x"))
    assert "2 à 10 chiffres." in " ".join(response.context["form"].errors["extension"])


def test_a_phone_moves_from_one_user_to_another(admin_client, server, make_user) -> None:
    anne, boris = make_user("anne"), make_user("boris")
    phone = Phone.objects.create(server=server, extension="201", user=anne)
    response = admin_client.post(f"/admin/phones/{phone.pk}/", data(server, user=str(boris.pk)))
    assert response.status_code == 302
    assert list(boris.phones.all()) == [phone] and not anne.phones.exists()


def test_a_queue_brings_its_roles_and_takes_them_away(admin_client, server) -> None:
    from switchboard.accounts.models import Role
    from switchboard.pbx.models import Queue
    from switchboard.telephony.access import queue_role_code

    response = admin_client.post(
        "/admin/queues/add/",
        {
            "server": str(server.pk),
            "name": "sales",
            "number": "500",
            "strategy": "rrmemory",
            "ring_seconds": "15",
            "wrapup_seconds": "0",
            "music_class": "default",
            "announce_frequency": "0",
            "announce_holdtime": "no",
            "simultaneous_rings": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    queue = Queue.objects.get(name="sales")
    roles = Role.objects.filter(owner_id=queue.pk)
    assert set(roles.values_list("code", "kind")) == {
        (queue_role_code("sales", "agent"), Role.Kind.QUEUE_AGENT),
        (queue_role_code("sales", "supervisor"), Role.Kind.QUEUE_SUPERVISOR),
    }
    # A queue's roles are the system's: not deletable by hand.
    role = roles.first()
    admin_client.post(f"/admin/roles/{role.pk}/delete/")
    assert Role.objects.filter(pk=role.pk).exists()
    assert admin_client.post(f"/admin/queues/{queue.pk}/delete/").status_code == 302
    assert not Role.objects.filter(code__startswith="queue-").exists()


def test_a_queue_number_cannot_be_a_phones(admin_client, server) -> None:
    Phone.objects.create(server=server, extension="500")
    response = admin_client.post(
        "/admin/queues/add/",
        {"server": str(server.pk), "name": "sales", "number": "500", "strategy": "rrmemory",
         "ring_seconds": "15", "wrapup_seconds": "0", "music_class": "default",
         "announce_frequency": "0", "announce_holdtime": "no"},
    )  # fmt: skip
    assert "already has this number" in " ".join(response.context["form"].errors["number"])
