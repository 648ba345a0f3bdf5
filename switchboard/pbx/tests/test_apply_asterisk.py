"""Applying the web's configuration to a real Asterisk 22: live, verified, or rolled back.

Asterisk's own pjsip.conf and extensions.conf include the portal's files once (as the
README asks administrators to do); phones are SIPp phones at fixed addresses; a SIPp caller
dials them from an endpoint in the phones' context.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from django.utils import translation

from switchboard.pbx.apply import LINK, live_generation
from switchboard.pbx.models import Generation, InboundRoute, Phone, Queue, QueueMember, Trunk
from switchboard.pbx.services import apply_configuration
from switchboard.telephony.models import PbxServer
from switchboard.testing.asterisk import AsteriskInstance, free_port
from switchboard.testing.sipp import AnsweringPhone, place_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phones(answering_phone_factory) -> dict[str, AnsweringPhone]:
    return {name: answering_phone_factory(name, answer_after_ms=300) for name in ("201", "202")}


@pytest.fixture
def pbx(portal_pbx: AsteriskInstance) -> AsteriskInstance:
    return portal_pbx


@pytest.fixture
def server(portal_server: PbxServer) -> PbxServer:
    return portal_server


def add_phone(server: PbxServer, phone: AnsweringPhone, **fields: str) -> Phone:
    return Phone.objects.create(
        server=server,
        extension=phone.name,
        fixed_address=f"127.0.0.1:{phone.port}",
        **fields,
    )


def test_phones_go_live_and_take_calls(server, pbx, phones, caller_port) -> None:
    add_phone(server, phones["201"], display_name="Anne Martin")
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    assert entry.changed_files == [
        "extensions.conf",
        "features.conf",  # the operator desk's transfer codes (switchboard.desk)
        "musiconhold.conf",
        "pjsip.conf",
        "queuerules.conf",
        "queues.conf",
        "res_parking.conf",  # the operator desk's parking lot
        "voicemail.conf",
    ]
    assert live_generation(pbx.etc_dir) == entry.name
    assert "Anne Martin" in pbx.cli("pjsip show endpoint 201")
    result = place_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=500)
    assert result.answered, result.diagnostics
    assert phones["201"].stats().answered == 1

    # Nothing changed: nothing reloaded, the same generation stays live.
    again = apply_configuration(server)
    assert again.outcome == Generation.Outcome.LIVE and again.changed_files == []
    assert live_generation(pbx.etc_dir) == entry.name

    # A new phone changes both files; a new name only pjsip.conf.
    add_phone(server, phones["202"])
    assert apply_configuration(server).changed_files == ["extensions.conf", "pjsip.conf"]
    assert place_call(pbx.sip_port, "202", local_port=caller_port, hold_ms=500).answered
    Phone.objects.filter(extension="201").update(display_name="Anne Dupont")
    renamed = apply_configuration(server)
    assert renamed.changed_files == ["pjsip.conf"], renamed.message
    assert "Anne Dupont" in pbx.cli("pjsip show endpoint 201")
    # Old generations are pruned, the live one is kept.
    generations = [p.name for p in pbx.etc_dir.glob(f"{LINK}.*") if p.is_dir()]
    assert f"{LINK}.{renamed.name}" in generations


def test_a_queue_distributes_calls_to_its_members_by_penalty(
    server, pbx, phones, caller_port
) -> None:
    anne = add_phone(server, phones["201"], display_name="Anne Martin")
    boris = add_phone(server, phones["202"], display_name="Boris Ivanov")
    queue = Queue.objects.create(
        server=server, name="sales", number="500", strategy="linear", ring_seconds=10
    )
    QueueMember.objects.create(queue=queue, phone=anne, penalty=1)
    QueueMember.objects.create(queue=queue, phone=boris, penalty=0)
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    assert "queues.conf" in entry.changed_files
    shown = pbx.cli("queue show sales")
    assert "'linear' strategy" in shown
    assert "Boris Ivanov (PJSIP/202)" in shown and "Anne Martin (PJSIP/201) with penalty 1" in shown
    result = place_call(pbx.sip_port, "500", local_port=caller_port, hold_ms=4000)
    assert result.answered, result.diagnostics
    assert (phones["202"].stats().answered, phones["201"].stats().answered) == (1, 0)
    # Boris leaves the queue: the next caller gets Anne.
    QueueMember.objects.filter(phone=boris).delete()
    assert apply_configuration(server).changed_files == ["queues.conf"]
    assert place_call(pbx.sip_port, "500", local_port=caller_port, hold_ms=4000).answered
    assert phones["201"].stats().answered == 1


def test_external_lines_carry_calls_out_and_in(
    server, pbx, phones, caller_port, answering_phone_factory
) -> None:
    provider = answering_phone_factory("provider", answer_after_ms=200)
    carrier_port = free_port("udp")
    anne = add_phone(server, phones["201"])
    Trunk.objects.create(
        server=server,
        name="provider",
        host=f"127.0.0.1:{provider.port}",
        outbound_pattern=r"^0[1-9][0-9]{8}$",
        strip_digits=1,
        prefix="+33",
    )
    Trunk.objects.create(server=server, name="carrier", host=f"127.0.0.1:{carrier_port}")
    InboundRoute.objects.create(server=server, did="0140000001", phone=anne)
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    # Out: a national number goes to the provider, rewritten to +33.
    out = place_call(pbx.sip_port, "0145678901", local_port=caller_port, hold_ms=300)
    assert out.answered, out.diagnostics
    invites = [m.first_line for m in provider._process.messages() if m.method == "INVITE"]
    assert invites and invites[0].startswith("INVITE sip:+33145678901@"), invites
    # A number no line takes is refused.
    assert not place_call(pbx.sip_port, "999", local_port=caller_port, hold_ms=300).answered
    # In: the carrier's call to the DID rings Anne's phone.
    inbound = place_call(pbx.sip_port, "0140000001", local_port=carrier_port, hold_ms=300)
    assert inbound.answered, inbound.diagnostics
    assert phones["201"].stats().answered == 1
    assert not place_call(pbx.sip_port, "0140000009", local_port=carrier_port).answered


def test_a_failed_apply_leaves_the_previous_configuration_live(
    server, pbx, phones, caller_port
) -> None:
    add_phone(server, phones["201"])
    first = apply_configuration(server)
    assert first.outcome == Generation.Outcome.LIVE, first.message
    add_phone(server, phones["202"])

    def lose_the_dialplan() -> None:
        # Simulated failure after the swap: the new dialplan vanishes before the reload.
        os.remove(Path(pbx.etc_dir) / LINK / "extensions.conf")

    with translation.override("en"):
        failed = apply_configuration(server, after_swap=lose_the_dialplan)
    assert failed.outcome == Generation.Outcome.ROLLED_BACK
    assert "generation marker" in failed.message
    assert live_generation(pbx.etc_dir) == first.name
    assert first.name in pbx.cli("dialplan show s@sb-generation")
    # The previous configuration still carries calls; the new phone is not there.
    assert place_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=500).answered
    refused = place_call(pbx.sip_port, "202", local_port=caller_port, hold_ms=500)
    assert not refused.answered


def test_asterisk_without_our_includes_is_refused_before_any_change(
    asterisk_factory, phones
) -> None:
    pbx = asterisk_factory()
    server = PbxServer.objects.create(
        name="bare",
        host="127.0.0.1",
        ami_port=pbx.ami_port,
        ami_user=pbx.credentials.ami_username,
        ami_secret=pbx.credentials.ami_secret,
        config_dir=str(pbx.etc_dir),
    )
    add_phone(server, phones["201"])
    with translation.override("en"):
        entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.REFUSED
    assert "#tryinclude switchboard/pjsip.conf" in entry.message
    assert not (Path(pbx.etc_dir) / LINK).exists()


def test_the_served_portal_applies_and_shows_the_phone_live(
    pbx, phones, caller_port, tmp_path
) -> None:
    """As an administrator does it: add a phone, apply, see it online with its address."""
    from switchboard.testing.portal import asterisk_entry, run_portal

    entry = asterisk_entry(pbx, "site", config_dir=True)
    with run_portal(tmp_path / "var", [entry]) as portal, portal.session() as web:
        server_id = int(portal.manage("shell", "-c", SERVER_ID).split()[-1])
        phone = phones["201"]
        added = web.post(
            "/admin/phones/add/",
            data={
                "server": server_id,
                "extension": "201",
                "display_name": "Anne Martin",
                "sip_secret": "Abcdefgh12345678",
                "fixed_address": f"127.0.0.1:{phone.port}",
                "enabled": "on",
            },
        )
        assert added.status_code == 302, added.text[-2000:]
        applied = web.post("/admin/apply/", data={"server": server_id}, follow_redirects=True)
        assert "is live" in applied.text, applied.text[-3000:]
        assert 'data-outcome="live"' in applied.text
        assert place_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=300).answered
        # The list shows the phone's live state (from the telephony worker) and address.
        deadline = time.monotonic() + 20
        while True:
            listing = web.get("/admin/phones/").text
            row = listing[listing.find('<a href="/admin/phones/') :]
            name, state, address = re.findall(r"<td>([^<]*)</td>", row)[:3]
            if state != "—" and address == f"127.0.0.1:{phone.port}":
                assert name == "Anne Martin"
                break
            assert time.monotonic() < deadline, listing[listing.find("<table") :][:3000]
            time.sleep(0.5)
        audit = web.get("/admin/audit/?action=apply").text
        assert "applied to the PBX" in audit


SERVER_ID = (
    "from switchboard.telephony.models import PbxServer; "
    "print(PbxServer.objects.get(name='site').pk)"
)
