"""The inbound route's "account manager first" option: the form, and what sync writes."""

from __future__ import annotations

import pytest

from switchboard.directory import accountmanager
from switchboard.directory.models import Contact
from switchboard.pbx.models import InboundRoute, Phone
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db


def test_the_inbound_route_form_takes_the_ring_time(admin_client) -> None:
    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    phone = Phone.objects.create(server=server, extension="202")
    form = {"server": server.pk, "did": "0140000001", "kind": "phone", "phone": phone.pk}
    page = admin_client.get("/admin/inbound/add/").content.decode()
    assert 'name="account_manager_seconds"' in page
    response = admin_client.post("/admin/inbound/add/", {**form, "account_manager_seconds": "500"})
    assert response.status_code == 200 and not InboundRoute.objects.exists()
    response = admin_client.post("/admin/inbound/add/", {**form, "account_manager_seconds": "12"})
    assert response.status_code == 302
    assert InboundRoute.objects.get().account_manager_seconds == 12
    assert list(accountmanager.servers_in_use()) == [server]


def test_keys_for_a_pbx_use_the_managers_phone_there(make_user) -> None:
    here = PbxServer.objects.create(name="here", host="h", ami_user="u", ami_secret="s")
    there = PbxServer.objects.create(name="there", host="h", ami_user="u", ami_secret="s")
    anne, boris = make_user("anne"), make_user("boris")
    Phone.objects.create(server=here, extension="205", user=anne)
    Phone.objects.create(server=here, extension="201", user=anne)
    Phone.objects.create(server=here, extension="209", user=anne, enabled=False)
    Phone.objects.create(server=there, extension="301", user=boris)
    Contact.objects.create(owner=anne, company="ACME", number1="0611111111", account_manager=anne)
    Contact.objects.create(owner=anne, company="Bolt", number1="0622222222", account_manager=boris)
    Contact.objects.create(owner=anne, company="None", number1="0633333333")
    assert accountmanager.keys_for(here) == {"0611111111": "201"}
    assert accountmanager.keys_for(there) == {"0622222222": "301"}
    assert list(accountmanager.servers_in_use()) == []  # no route uses it: no AMI at all


def test_the_sync_command_names_a_pbx_it_cannot_reach() -> None:
    from django.core.management import CommandError, call_command

    from switchboard.testing.asterisk import free_port

    closed = PbxServer.objects.create(
        name="closed", host="127.0.0.1", ami_port=free_port("tcp"), ami_user="u", ami_secret="s"
    )
    phone = Phone.objects.create(server=closed, extension="202")
    InboundRoute.objects.create(server=closed, did="0140000001", phone=phone)
    call_command("sync_account_managers")  # no route uses the option: nothing to do
    InboundRoute.objects.update(account_manager_seconds=10)
    with pytest.raises(CommandError, match="1 PBX"):
        call_command("sync_account_managers")
