"""Forwards set in the web and by feature codes, followed by real calls (Asterisk 22 + SIPp).

Phones are SIPp phones at fixed addresses; the ``desk`` SIPp caller dials them. A phone
without a SIPp process behind it places feature-code calls: a SIPp caller bound to the
phone's fixed address is recognised as that phone.
"""

from __future__ import annotations

import re
import time

import pytest

from switchboard.forwards import services
from switchboard.forwards.rules import FAMILY
from switchboard.pbx import astdb
from switchboard.pbx.models import Generation, Phone, Trunk
from switchboard.pbx.routing import load_default_patterns
from switchboard.pbx.services import apply_configuration
from switchboard.testing.asterisk import free_port
from switchboard.testing.sipp import place_call
from switchboard.voicemail.models import VoicemailBox

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

FORM_OFF = {
    "unconditional_to": "off",
    "busy_to": "off",
    "noanswer_to": "off",
    "ring_seconds": "20",
}


def add_phone(server, extension: str, port: int, **fields) -> Phone:
    return Phone.objects.create(
        server=server, extension=extension, fixed_address=f"127.0.0.1:{port}", **fields
    )


def applied(server) -> Generation:
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    return entry


def post_forwards(client, phone: Phone, **fields: str):
    return client.post(f"/forwards/{phone.pk}/", {**FORM_OFF, **fields})


def test_web_forwards_always_busy_and_no_answer(
    portal_server, portal_pbx, caller_port, answering_phone_factory, client, make_user
) -> None:
    silent = answering_phone_factory("201", answer_after_ms=None)  # rings, never answers
    target = answering_phone_factory("202", answer_after_ms=200)
    busy = answering_phone_factory("204", reject_with=486)
    anne = make_user("anne", "user", voicemail_pin="246810")
    anne_phone = add_phone(portal_server, "201", silent.port, user=anne, display_name="Anne")
    add_phone(portal_server, "202", target.port)
    busy_phone = add_phone(portal_server, "204", busy.port)
    applied(portal_server)

    # Not forwarded: the silent phone rings until the caller gives up.
    result = place_call(portal_pbx.sip_port, "201", local_port=caller_port, answer_timeout_ms=3000)
    assert not result.answered

    # No answer after 3 s -> 202, set by Anne on her own phone.
    client.force_login(anne)
    response = post_forwards(
        client, anne_phone, noanswer_to="number", noanswer_number="202", ring_seconds="5"
    )
    page = response.content.decode()
    assert response.status_code == 302, re.findall(r"role=.alert.>([^<]*)", page)
    assert astdb.get(portal_server, f"{FAMILY}/201", "noanswer") == "202"
    started = time.monotonic()
    result = place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300)
    assert result.answered, result.diagnostics
    assert time.monotonic() - started >= 5  # it rang 201 first, for the ring time
    assert target.stats().answered == 1

    # Always -> 202: answered at once by 202.
    post_forwards(client, anne_phone, unconditional_to="number", unconditional_number="202")
    started = time.monotonic()
    assert place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300).answered
    assert time.monotonic() - started < 4
    assert target.stats().answered == 2
    assert silent.stats().offered == 2  # the first two calls only

    # Anne has no external forward right: an outside number is refused, nothing changes.
    response = post_forwards(
        client, anne_phone, unconditional_to="number", unconditional_number="0612345678"
    )
    assert response.status_code == 200
    assert "external forward right" in response.content.decode()
    assert services.read(anne_phone).unconditional == "202"
    # Nor can she touch a phone that is not hers.
    assert post_forwards(client, busy_phone, busy_to="number", busy_number="202").status_code == 403

    # Busy -> 202, set by an administrator on a phone without a user.
    client.force_login(make_user("root", "administrator"))
    response = post_forwards(client, busy_phone, busy_to="number", busy_number="202")
    assert response.status_code == 302
    assert place_call(portal_pbx.sip_port, "204", local_port=caller_port, hold_ms=300).answered
    assert target.stats().answered == 3
    listing = client.get("/admin/forwards/").content.decode()
    assert 'data-phone="201"' in listing and 'data-phone="204"' in listing

    # Clearing every forward: 201 is not forwarded any more.
    client.force_login(anne)
    post_forwards(client, anne_phone)
    assert not services.read(anne_phone).active
    result = place_call(portal_pbx.sip_port, "201", local_port=caller_port, answer_timeout_ms=2000)
    assert not result.answered


def test_forward_to_voicemail_records_a_message(
    portal_server, portal_pbx, caller_port, answering_phone_factory, client, make_user
) -> None:
    silent = answering_phone_factory("201", answer_after_ms=None)
    anne = make_user("anne", "user", voicemail_pin="246810")
    phone = add_phone(portal_server, "201", silent.port, user=anne, display_name="Anne Martin")
    client.force_login(anne)
    # No box yet: voicemail is not offered as a target.
    response = post_forwards(client, phone, unconditional_to="voicemail")
    assert "no voicemail box" in response.content.decode()
    VoicemailBox.objects.create(phone=phone, email="anne@example.org")
    entry = applied(portal_server)
    assert "voicemail.conf" in entry.changed_files
    users = portal_pbx.cli("voicemail show users for switchboard")
    assert "201" in users and "Anne Martin" in users
    assert post_forwards(client, phone, unconditional_to="voicemail").status_code == 302
    result = place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=15000)
    assert result.answered, result.diagnostics  # the voicemail answered
    assert silent.stats().offered == 0
    inbox = portal_pbx.layout.host("spool/voicemail/switchboard/201/INBOX")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not list(inbox.glob("msg*.txt")):
        time.sleep(0.2)
    messages = list(inbox.glob("msg*.txt"))
    assert messages, portal_pbx.cli("voicemail show users for switchboard")
    assert "callerid=" in messages[0].read_text()


def test_feature_codes_set_and_clear_forwards_from_the_phone(
    portal_server, portal_pbx, caller_port, answering_phone_factory, make_user
) -> None:
    target = answering_phone_factory("202", answer_after_ms=200)
    provider = answering_phone_factory("provider", answer_after_ms=200)
    desk_phone_port = free_port("udp")  # phone 205 places calls from here
    add_phone(portal_server, "202", target.port)
    carol_phone = add_phone(portal_server, "205", desk_phone_port)
    load_default_patterns(portal_server, "fr")  # 06... is a mobile number
    Trunk.objects.create(
        server=portal_server,
        name="provider",
        host=f"127.0.0.1:{provider.port}",
        outbound_pattern=r"^0[1-9][0-9]{8}$",
    )
    applied(portal_server)

    def dial_from_205(number: str) -> None:
        result = place_call(portal_pbx.sip_port, number, local_port=desk_phone_port, hold_ms=3000)
        assert result.answered, result.diagnostics

    dial_from_205("*21202")
    assert astdb.get(portal_server, f"{FAMILY}/205", "unconditional") == "202"
    assert place_call(portal_pbx.sip_port, "205", local_port=caller_port, hold_ms=300).answered
    assert target.stats().answered == 1

    dial_from_205("*21")  # cancel
    assert astdb.get(portal_server, f"{FAMILY}/205", "unconditional") is None

    # An outside number needs the external forward right: refused, nothing stored.
    place_call(portal_pbx.sip_port, "*210612345678", local_port=desk_phone_port, hold_ms=500)
    assert astdb.get(portal_server, f"{FAMILY}/205", "unconditional") is None

    # Carol gets the right and the phone: after an apply the code is accepted, and calls go
    # out through the provider's line, with the phone's own permissions (mobile: allowed).
    carol = make_user("carol", "user", "external_forward")
    carol_phone.user = carol
    carol_phone.save()
    applied(portal_server)
    dial_from_205("*670612345678")
    assert astdb.get(portal_server, f"{FAMILY}/205", "busy") == "0612345678"
    dial_from_205("*210612345678")
    assert place_call(portal_pbx.sip_port, "205", local_port=caller_port, hold_ms=300).answered
    assert provider.stats().answered == 1
    invites = [m.first_line for m in provider._process.messages() if m.method == "INVITE"]
    assert invites and invites[0].startswith("INVITE sip:0612345678@"), invites
