"""PBX connection settings: saved only when the PBX accepts the login; secrets stay hidden."""

from __future__ import annotations

import pytest

from switchboard.accounts.models import AuditEntry
from switchboard.telephony.models import PbxServer
from switchboard.testing.portal import asterisk_entry

pytestmark = pytest.mark.django_db


def form_data(pbx, **overrides: object) -> dict:
    data = {**asterisk_entry(pbx, name="pbx1"), "enabled": "on"}
    data.update(overrides)
    return data


def test_server_is_saved_after_a_successful_login(admin_client, asterisk) -> None:
    response = admin_client.post("/admin/pbx/add/", form_data(asterisk))
    assert response.status_code == 302, response.content.decode()[-2000:]
    server = PbxServer.objects.get(name="pbx1")
    assert server.version.startswith("22.") or "22." in server.version
    listing = admin_client.get("/admin/pbx/").content.decode()
    assert "pbx1" in listing
    assert asterisk.credentials.ami_secret not in listing
    edit = admin_client.get(f"/admin/pbx/{server.pk}/").content.decode()
    assert asterisk.credentials.ami_secret not in edit
    assert asterisk.credentials.ari_password not in edit
    entry = AuditEntry.objects.get(object_type="telephony.pbxserver")
    assert asterisk.credentials.ami_secret not in str(entry.after)


def test_wrong_secret_is_refused_with_the_servers_error(admin_client, asterisk) -> None:
    response = admin_client.post("/admin/pbx/add/", form_data(asterisk, ami_secret="wrong"))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "The AMI login failed" in errors
    assert not PbxServer.objects.exists()


def test_wrong_ari_password_is_refused(admin_client, asterisk) -> None:
    response = admin_client.post("/admin/pbx/add/", form_data(asterisk, ari_password="wrong"))
    assert "The ARI login failed" in " ".join(response.context["form"].non_field_errors())
    assert not PbxServer.objects.exists()


def test_unreachable_server_is_refused(admin_client) -> None:
    from switchboard.testing.asterisk import free_port

    data = {
        "name": "ghost",
        "host": "127.0.0.1",
        "ami_port": free_port(),
        "ami_user": "x",
        "ami_secret": "y",
        "enabled": "on",
    }
    response = admin_client.post("/admin/pbx/add/", data)
    assert "The AMI login failed" in " ".join(response.context["form"].non_field_errors())
    assert not PbxServer.objects.exists()


def test_empty_secret_keeps_the_stored_one(admin_client, asterisk) -> None:
    admin_client.post("/admin/pbx/add/", form_data(asterisk))
    server = PbxServer.objects.get(name="pbx1")
    response = admin_client.post(
        f"/admin/pbx/{server.pk}/",
        form_data(asterisk, ami_secret="", ari_password="", host="localhost"),
    )
    assert response.status_code == 302
    server.refresh_from_db()
    assert server.host == "localhost"
    assert server.ami_secret == asterisk.credentials.ami_secret


def test_servers_of_the_configuration_file_are_read_only(admin_client) -> None:
    server = PbxServer.objects.create(
        name="fromfile", host="h", ami_user="u", ami_secret="s", source=PbxServer.Source.CONFIG
    )
    assert admin_client.get(f"/admin/pbx/{server.pk}/").status_code == 404
    admin_client.post(f"/admin/pbx/{server.pk}/delete/")
    assert PbxServer.objects.filter(pk=server.pk).exists()


def test_configuration_file_servers_are_synced() -> None:
    from switchboard.config import AsteriskServer
    from switchboard.telephony.services import sync_configured_servers

    web = PbxServer.objects.create(name="web", host="h", ami_user="u", ami_secret="s")
    entry = AsteriskServer("file1", "10.0.0.1", 5038, "u", "s", "", "", "")
    sync_configured_servers([entry])
    assert PbxServer.objects.get(name="file1").source == PbxServer.Source.CONFIG
    sync_configured_servers([])
    assert list(PbxServer.objects.values_list("name", flat=True)) == [web.name]


def test_banner_says_no_pbx_until_one_is_entered(admin_client) -> None:
    assert 'id="pbx-banner"' in admin_client.get("/").content.decode()
    PbxServer.objects.create(name="web", host="h", ami_user="u", ami_secret="s")
    assert 'id="pbx-banner"' not in admin_client.get("/").content.decode()
