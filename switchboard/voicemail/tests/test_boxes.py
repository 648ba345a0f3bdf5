"""Voicemail boxes in the web: a box someone can open, PINs never shown, rendered specs."""

from __future__ import annotations

import pytest

from switchboard.pbx.models import Phone
from switchboard.pbx.services import site_spec
from switchboard.telephony.models import PbxServer
from switchboard.voicemail.models import VoicemailBox

pytestmark = pytest.mark.django_db


@pytest.fixture
def server() -> PbxServer:
    return PbxServer.objects.create(name="pbx", host="127.0.0.1", ami_user="u", ami_secret="s")


def test_a_box_needs_a_pin_someone_knows(admin_client, server, make_user) -> None:
    lonely = Phone.objects.create(server=server, extension="201", display_name="Hall")
    response = admin_client.post(
        "/admin/voicemail/add/", {"phone": lonely.pk, "enabled": "on", "max_messages": "100"}
    )
    assert response.status_code == 200
    assert "a box nobody can open is refused" in response.content.decode()
    assert not VoicemailBox.objects.exists()

    response = admin_client.post(
        "/admin/voicemail/add/",
        {"phone": lonely.pk, "enabled": "on", "max_messages": "100", "pin": "13579135"},
    )
    assert response.status_code == 302
    box = VoicemailBox.objects.get()
    assert box.effective_pin == "13579135"
    page = admin_client.get(f"/admin/voicemail/{box.pk}/").content.decode()
    assert "13579135" not in page  # set, never shown

    # A phone with a user opens with the user's own PIN.
    anne = make_user("anne", "user", voicemail_pin="246810")
    lonely.user = anne
    lonely.save()
    box.refresh_from_db()
    assert box.effective_pin == "246810"
    (mailbox,) = site_spec(server).mailboxes
    assert (mailbox.extension, mailbox.pin, mailbox.name) == ("201", "246810", "Hall")


def test_an_unsafe_email_is_refused(admin_client, server) -> None:
    phone = Phone.objects.create(server=server, extension="202")
    response = admin_client.post(
        "/admin/voicemail/add/",
        {
            "phone": phone.pk,
            "enabled": "on",
            "max_messages": "100",
            "pin": "13579135",
            "email": '"a,b|c"@example.org',
        },
    )
    assert response.status_code == 200
    assert not VoicemailBox.objects.exists()


def test_plain_users_cannot_manage_boxes(client, plain_user) -> None:
    client.force_login(plain_user)
    assert client.get("/admin/voicemail/").status_code == 403
    assert client.get("/admin/voicemail/add/").status_code == 403
