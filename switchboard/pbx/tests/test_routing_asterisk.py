"""Call permissions, override rules, inbound kinds, pickup and queue options on a real
Asterisk 22, with real SIPp calls through the configuration the portal applies.

Phones that call are SIPp callers whose source port is the phone's fixed address, so Asterisk
recognises them as that phone (its ``identify``) and puts them in its permission context. A
SIPp answering phone behind a trunk plays the provider: a call reaching it was allowed.
"""

from __future__ import annotations

import time

import pytest

from switchboard.agents.tests.dtmf import dial_and_key
from switchboard.pbx.models import (
    DialPattern,
    Generation,
    InboundRoute,
    OutgoingGroup,
    OverrideRule,
    Phone,
    PickupGroup,
    Queue,
    QueueMember,
    Trunk,
)
from switchboard.pbx.services import apply_configuration
from switchboard.telephony.models import PbxServer
from switchboard.testing.asterisk import AsteriskInstance, free_port
from switchboard.testing.sipp import place_call, start_call
from switchboard.voicemail.models import VoicemailBox

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def applied(server: PbxServer) -> None:
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message


def provider_invites(provider) -> list[str]:
    return [m.first_line for m in provider._process.messages() if m.method == "INVITE"]


@pytest.fixture
def provider(portal_server, answering_phone_factory):
    """A provider taking every number (its line's pattern takes any number)."""
    phone = answering_phone_factory("provider", answer_after_ms=100)
    Trunk.objects.create(
        server=portal_server,
        name="provider",
        host=f"127.0.0.1:{phone.port}",
        outbound_pattern=r"^\+?[0-9]+$",
    )
    return phone


def test_each_call_class_allows_and_refuses_the_right_numbers(
    portal_server: PbxServer, portal_pbx: AsteriskInstance, provider, answering_phone_factory
) -> None:
    server, pbx = portal_server, portal_pbx
    for dial_class, pattern in (
        ("emergency", "112"),
        ("services", "_08XXXXXXXX"),
        ("local", "_0[1-5]XXXXXXXX"),
        ("mobile", "_0[67]XXXXXXXX"),
        ("international", "_00X."),
    ):
        DialPattern.objects.create(server=server, dial_class=dial_class, pattern=pattern)
    colleague = answering_phone_factory("201", answer_after_ms=100)
    Phone.objects.create(
        server=server, extension="201", fixed_address=f"127.0.0.1:{colleague.port}"
    )
    port = free_port("udp")
    desk = Phone.objects.create(
        server=server,
        extension="210",
        fixed_address=f"127.0.0.1:{port}",
        dial_classes=["emergency", "internal", "local"],
    )
    applied(server)
    assert "sb-perm-emergency-internal-local" in pbx.cli("pjsip show endpoint 210")

    def call(number: str):
        return place_call(pbx.sip_port, number, local_port=port, hold_ms=200)

    for number in ("112", "0145678901", "201"):
        result = call(number)
        assert result.answered, (number, result.diagnostics)
    for number in ("0612345678", "0812345678", "0044123456789", "999"):
        result = call(number)
        assert not result.answered and 403 in result.final_codes, (number, result.final_codes)
    reached = provider_invites(provider)
    assert len(reached) == 2 and all("0612345678" not in line for line in reached), reached
    assert colleague.stats().answered == 1

    # An outgoing call group gives its classes to its phones: mobiles and services now pass,
    # over the group's own line.
    backup = answering_phone_factory("backup", answer_after_ms=100)
    line = Trunk.objects.create(server=server, name="backup", host=f"127.0.0.1:{backup.port}")
    group = OutgoingGroup.objects.create(
        server=server, name="Sales", dial_classes=["internal", "mobile", "services"], trunk=line
    )
    desk.outgoing_group = group
    desk.save()
    applied(server)
    assert call("0612345678").answered
    assert call("0812345678").answered
    assert len(provider_invites(provider)) == 2 and len(provider_invites(backup)) == 2
    assert not call("0145678901").answered  # local is not a class of the group
    assert call("201").answered
    # Without the internal class, even a colleague's extension is refused.
    group.dial_classes = ["mobile"]
    group.save()
    applied(server)
    assert not call("201").answered and call("0612345678").answered
    assert colleague.stats().offered == 2


def test_override_rules_redirect_or_refuse_in_their_order(
    portal_server: PbxServer, portal_pbx: AsteriskInstance, caller_port, answering_phone_factory
) -> None:
    server, pbx = portal_server, portal_pbx
    phones = {}
    for extension in ("201", "202"):
        phones[extension] = answering_phone_factory(extension, answer_after_ms=100)
        Phone.objects.create(
            server=server,
            extension=extension,
            fixed_address=f"127.0.0.1:{phones[extension].port}",
        )
    # Three days from now: another weekday whatever the time zones of the host and Asterisk.
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    other_day = days[(time.localtime().tm_wday + 3) % 7]
    # The first rule would refuse everyone, but only on another day: it never matches today.
    OverrideRule.objects.create(
        server=server, position=5, name="Other day", called_number="201",
        weekdays=[other_day], time_ranges="", action="refuse",
    )  # fmt: skip
    OverrideRule.objects.create(
        server=server, position=10, name="Boss to Boris", called_number="201",
        caller_numbers="0611111111, 0622222222", time_ranges="00:00-24:00",
        redirect_number="202",
    )  # fmt: skip
    OverrideRule.objects.create(
        server=server, position=20, name="No mobiles", called_number="201",
        caller_regexes="^07", action="refuse",
    )  # fmt: skip
    applied(server)

    def call(caller: str):
        return place_call(pbx.sip_port, "201", caller_id=caller, local_port=caller_port)

    assert call("0611111111").answered
    assert (phones["201"].stats().offered, phones["202"].stats().answered) == (0, 1)
    refused = call("0700000000")
    assert not refused.answered and 403 in refused.final_codes, refused.final_codes
    assert call("0500000000").answered
    assert phones["201"].stats().answered == 1
    # Reordered: the refusal now comes first and wins for the boss too.
    rule = OverrideRule.objects.get(name="No mobiles")
    rule.caller_regexes = "^0[67]"
    rule.position = 1
    rule.save()
    applied(server)
    assert not call("0611111111").answered
    assert phones["202"].stats().answered == 1


def test_a_did_reaches_voicemail_and_an_external_number(
    portal_server: PbxServer, portal_pbx: AsteriskInstance, provider, answering_phone_factory
) -> None:
    from switchboard.voicemail.models import VoicemailBox

    server, pbx = portal_server, portal_pbx
    carrier_port = free_port("udp")
    Trunk.objects.create(server=server, name="carrier", host=f"127.0.0.1:{carrier_port}")
    anne = Phone.objects.create(server=server, extension="201", fixed_address="127.0.0.1:9")
    VoicemailBox.objects.create(phone=anne, pin="4321")
    InboundRoute.objects.create(server=server, did="0140000001", kind="voicemail", phone=anne)
    InboundRoute.objects.create(
        server=server, did="0140000002", kind="external", number="0612345678"
    )
    applied(server)
    assert "201" in pbx.cli("voicemail show users for switchboard")
    inbox = pbx.layout.host("spool/voicemail/switchboard/201/INBOX")
    left = place_call(pbx.sip_port, "0140000001", local_port=carrier_port, hold_ms=15000)
    assert left.answered, left.diagnostics  # the voicemail answered
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not list(inbox.glob("msg*.txt")):
        time.sleep(0.2)
    messages = list(inbox.glob("msg*.txt"))
    assert messages and "callerid=" in messages[0].read_text(), messages
    out = place_call(pbx.sip_port, "0140000002", local_port=carrier_port, hold_ms=300)
    assert out.answered, out.diagnostics
    assert any("0612345678" in line for line in provider_invites(provider))


def test_pickup_between_two_phones_of_a_group(
    portal_server: PbxServer, portal_pbx: AsteriskInstance, caller_port, answering_phone_factory
) -> None:
    server, pbx = portal_server, portal_pbx
    sales = PickupGroup.objects.create(server=server, number=1, name="Sales")
    other = PickupGroup.objects.create(server=server, number=2, name="Other")
    ringing = answering_phone_factory("201", answer_after_ms=None)  # rings, never answers
    anne = Phone.objects.create(
        server=server, extension="201", fixed_address=f"127.0.0.1:{ringing.port}"
    )
    anne.call_groups.add(sales)
    boris_port, carl_port = free_port("udp"), free_port("udp")
    boris = Phone.objects.create(
        server=server, extension="202", fixed_address=f"127.0.0.1:{boris_port}"
    )
    boris.pickup_groups.add(sales)
    carl = Phone.objects.create(
        server=server, extension="203", fixed_address=f"127.0.0.1:{carl_port}"
    )
    carl.pickup_groups.add(other)
    applied(server)
    shown = pbx.cli("pjsip show endpoint 201")
    assert "call_group" in shown and ": 1" in shown.split("call_group")[1][:40], shown
    with start_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=1000) as call:
        deadline = time.monotonic() + 10
        while ringing.stats().offered < 1:
            assert time.monotonic() < deadline, ringing.diagnostics()
            time.sleep(0.2)
        # Carl is not in Anne's group: nothing to pick up.
        assert not place_call(pbx.sip_port, "*8", local_port=carl_port, hold_ms=300).answered
        picked = place_call(pbx.sip_port, "*8", local_port=boris_port, hold_ms=1000)
        assert picked.answered, picked.diagnostics
        result = call.wait()
    assert result.answered, result.diagnostics
    assert ringing.stats().answered == 0 and ringing.stats().cancelled == 1
    # Directed pickup: ** + the extension takes that phone's ringing call, whatever the group.
    with start_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=1000) as call:
        deadline = time.monotonic() + 10
        while ringing.stats().offered < 2:
            assert time.monotonic() < deadline, ringing.diagnostics()
            time.sleep(0.2)
        picked = place_call(pbx.sip_port, "**201", local_port=carl_port, hold_ms=1000)
        assert picked.answered, picked.diagnostics
        assert call.wait().answered
    assert ringing.stats().answered == 0 and ringing.stats().cancelled == 2


def test_a_queue_rings_members_two_at_a_time(
    portal_server: PbxServer, portal_pbx: AsteriskInstance, caller_port, answering_phone_factory
) -> None:
    server, pbx = portal_server, portal_pbx
    answers = {"201": None, "202": None, "203": 300, "204": None}
    phones = {}
    queue = Queue.objects.create(
        server=server, name="sales", number="500", strategy="linear", ring_seconds=3,
        simultaneous_rings=2,
    )  # fmt: skip
    for penalty, (extension, answer_ms) in enumerate(answers.items()):
        phones[extension] = answering_phone_factory(extension, answer_after_ms=answer_ms)
        phone = Phone.objects.create(
            server=server, extension=extension, fixed_address=f"127.0.0.1:{phones[extension].port}"
        )
        QueueMember.objects.create(queue=queue, phone=phone, penalty=penalty)
    applied(server)
    # The queue answers the caller at once: the caller stays long enough for two rounds.
    result = place_call(pbx.sip_port, "500", local_port=caller_port, hold_ms=9000)
    assert result.answered, result.diagnostics
    stats = {extension: phone.stats() for extension, phone in phones.items()}
    # 201 and 202 rang together first, then 203 and 204 together; 203 answered.
    assert [stats[e].offered >= 1 for e in answers] == [True] * 4, stats
    assert stats["203"].answered == 1 and stats["204"].cancelled >= 1, stats


def test_sticky_agent_and_dynamic_members(
    portal_server: PbxServer, portal_pbx: AsteriskInstance, caller_port, answering_phone_factory
) -> None:
    server, pbx = portal_server, portal_pbx
    queue = Queue.objects.create(
        server=server, name="support", number="501", strategy="linear", ring_seconds=5,
        sticky_agent=True,
    )  # fmt: skip
    phones = {}
    for penalty, extension in enumerate(("201", "202")):
        phones[extension] = answering_phone_factory(extension, answer_after_ms=200)
        phone = Phone.objects.create(
            server=server, extension=extension, fixed_address=f"127.0.0.1:{phones[extension].port}"
        )
        QueueMember.objects.create(queue=queue, phone=phone, penalty=penalty)
    agent_port = free_port("udp")
    dynamic = Phone.objects.create(
        server=server, extension="203", fixed_address=f"127.0.0.1:{agent_port}"
    )
    QueueMember.objects.create(queue=queue, phone=dynamic, dynamic=True)
    VoicemailBox.objects.create(phone=dynamic, pin="135790")  # *45 asks for the box's PIN
    applied(server)
    assert "PJSIP/203" not in pbx.cli("queue show support")
    # 203 logs in with *45 + the queue number + PIN, then the same code logs it out.
    assert dial_and_key(pbx.sip_port, "*45501", "135790#", local_port=agent_port).answered
    assert "PJSIP/203" in pbx.cli("queue show support")
    assert dial_and_key(pbx.sip_port, "*45501", "135790#", local_port=agent_port).answered
    assert "PJSIP/203" not in pbx.cli("queue show support")

    def call(caller: str) -> None:
        result = place_call(pbx.sip_port, "501", caller_id=caller, local_port=caller_port,
                            hold_ms=3000)  # fmt: skip
        assert result.answered, result.diagnostics

    # 201 (first in line) is paused: the caller gets 202, who becomes his agent for today.
    pbx.cli("queue pause member PJSIP/201 queue support")
    call("0611111111")
    assert phones["202"].stats().answered == 1
    pbx.cli("queue unpause member PJSIP/201 queue support")
    call("0611111111")  # sticky: 202 again, although 201 comes first
    assert (phones["201"].stats().answered, phones["202"].stats().answered) == (0, 2)
    call("0622222222")  # another caller: the queue's order, 201
    assert phones["201"].stats().answered == 1
