"""Agents, presence and hot desking on a real Asterisk 22 with real SIPp calls.

Phones are SIPp processes at fixed addresses; a phone without an answering SIPp behind it
places feature-code calls (``*45``) from its address and keys its PIN as SIP INFO DTMF.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core.management import call_command

from switchboard.agents.models import (
    AgentSession,
    HotDesk,
    PauseInterval,
    PauseReason,
    Presence,
)
from switchboard.agents.tests.dtmf import dial_and_key
from switchboard.pbx import astdb
from switchboard.pbx.models import Generation, Phone, Queue, Trunk
from switchboard.pbx.render.forwards import HOTDESK_FAMILY, PRESENCE_FAMILY
from switchboard.pbx.routing import load_default_patterns
from switchboard.pbx.services import apply_configuration
from switchboard.testing.asterisk import free_port
from switchboard.testing.sipp import place_call
from switchboard.voicemail.models import VoicemailBox

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

PIN = "246810"


def applied(server) -> Generation:
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    return entry


def member_line(pbx, queue: str, interface: str) -> str:
    """The line of ``queue show`` for a member, empty if it is not a member."""
    text = pbx.cli(f"queue show {queue}")
    for line in text.splitlines():
        # "anne (PJSIP/201) (dynamic) ...", "anne (PJSIP/201 from ...)" or "PJSIP/201 (...)"
        if re.search(rf"\({re.escape(interface)}[ )]", line) or line.strip().startswith(
            f"{interface} "
        ):
            return line
    return ""


def wait_member(pbx, queue: str, interface: str, present: bool, seconds: float = 5) -> str:
    deadline = time.monotonic() + seconds
    while True:
        line = member_line(pbx, queue, interface)
        if bool(line) == present or time.monotonic() > deadline:
            return line
        time.sleep(0.2)


def test_phone_code_with_pin_logs_in_and_out(portal_server, portal_pbx, make_user) -> None:
    queue = Queue.objects.create(server=portal_server, name="sales", number="500")
    anne = make_user("anne", "user", "queue-agent--sales", voicemail_pin=PIN)
    bob = make_user("bob", "user", voicemail_pin="135790")  # no agent role
    anne_port, bob_port = free_port("udp"), free_port("udp")
    anne_phone = Phone.objects.create(
        server=portal_server, extension="201", fixed_address=f"127.0.0.1:{anne_port}", user=anne
    )
    bob_phone = Phone.objects.create(
        server=portal_server, extension="202", fixed_address=f"127.0.0.1:{bob_port}", user=bob
    )
    VoicemailBox.objects.create(phone=anne_phone)
    VoicemailBox.objects.create(phone=bob_phone)
    applied(portal_server)
    assert queue.members.count() == 0  # the agent role alone lets 201 log in
    assert not member_line(portal_pbx, "sales", "PJSIP/201")

    # A wrong PIN changes nothing (three wrong tries hang up).
    dial_and_key(portal_pbx.sip_port, "*45500", "999999#", local_port=anne_port, hold_ms=2500)
    assert not wait_member(portal_pbx, "sales", "PJSIP/201", True, seconds=1)

    # The right PIN: logged in, Asterisk announces the new member.
    with portal_pbx.ami() as ami:
        result = dial_and_key(portal_pbx.sip_port, "*45500", PIN + "#", local_port=anne_port)
        assert result.answered, result.diagnostics
        added = ami.wait_for_event("QueueMemberAdded", Queue="sales")
    assert added.get("Interface") == "PJSIP/201"
    assert wait_member(portal_pbx, "sales", "PJSIP/201", True), portal_pbx.cli("queue show sales")

    # Bob's phone is not an agent's: refused even with his right PIN.
    dial_and_key(portal_pbx.sip_port, "*45500", "135790#", local_port=bob_port, hold_ms=1500)
    assert not member_line(portal_pbx, "sales", "PJSIP/202")

    # The same code logs out.
    with portal_pbx.ami() as ami:
        dial_and_key(portal_pbx.sip_port, "*45500", PIN + "#", local_port=anne_port)
        ami.wait_for_event("QueueMemberRemoved", Queue="sales")
    assert not wait_member(portal_pbx, "sales", "PJSIP/201", False)


def test_web_login_pause_with_reason_and_take_calls(
    portal_server, portal_pbx, client, make_user
) -> None:
    sales = Queue.objects.create(server=portal_server, name="sales", number="500")
    support = Queue.objects.create(server=portal_server, name="support", number="501")
    anne = make_user("anne", "user", "queue-agent--sales", "queue-agent--support")
    PauseReason.objects.get_or_create(name="Lunch")  # a default (flushed by earlier tests)
    Phone.objects.create(server=portal_server, extension="201", user=anne, display_name="Anne")
    applied(portal_server)
    client.force_login(anne)

    page = client.get("/agent/").content.decode()
    assert 'data-queue="sales" data-state="logged-out"' in page

    for queue in (sales, support):
        response = client.post("/agent/action/", {"action": "login", "queue": queue.pk})
        assert response.status_code == 302
    assert wait_member(portal_pbx, "sales", "PJSIP/201", True)
    assert wait_member(portal_pbx, "support", "PJSIP/201", True)

    # A reason outside the list is refused and changes nothing.
    client.post("/agent/action/", {"action": "pause", "queue": sales.pk, "reason": "Nap"})
    assert "paused" not in member_line(portal_pbx, "sales", "PJSIP/201")

    client.post("/agent/action/", {"action": "pause", "queue": sales.pk, "reason": "Lunch"})
    line = member_line(portal_pbx, "sales", "PJSIP/201")
    assert re.search(r"paused:Lunch", line), line
    page = client.get("/agent/").content.decode()
    assert 'data-queue="sales" data-state="paused"' in page
    assert '<span data-role="reason">Lunch</span>' in page
    assert 'data-queue="support" data-state="logged-in"' in page

    client.post("/agent/action/", {"action": "unpause", "queue": sales.pk})
    assert "paused" not in member_line(portal_pbx, "sales", "PJSIP/201")

    # "Take queue calls" off pauses every queue; on resumes them all.
    client.post("/agent/action/", {"action": "stop_calls"})
    assert "paused" in member_line(portal_pbx, "sales", "PJSIP/201")
    assert "paused" in member_line(portal_pbx, "support", "PJSIP/201")
    client.post("/agent/action/", {"action": "take_calls"})
    assert "paused" not in member_line(portal_pbx, "support", "PJSIP/201")

    client.post("/agent/action/", {"action": "logout", "queue": sales.pk})
    assert not wait_member(portal_pbx, "sales", "PJSIP/201", False)

    session = AgentSession.objects.get(user=anne, queue="sales")
    assert session.ended is not None and session.source == AgentSession.Source.WEB
    reasons = list(PauseInterval.objects.filter(session=session).values_list("reason", flat=True))
    assert sorted(reasons) == ["", "Lunch"]
    assert not PauseInterval.objects.filter(ended__isnull=True, session=session).exists()
    assert AgentSession.objects.get(queue="support").ended is None

    # Someone who is not the queue's agent cannot act on it.
    client.force_login(make_user("bob", "user"))
    assert client.post("/agent/action/", {"action": "login", "queue": sales.pk}).status_code == 403


def test_do_not_disturb_and_on_mobile(
    portal_server, portal_pbx, caller_port, answering_phone_factory, client, make_user
) -> None:
    phone = answering_phone_factory("201", answer_after_ms=200)
    provider = answering_phone_factory("provider", answer_after_ms=200)
    anne = make_user("anne", "user")
    Phone.objects.create(
        server=portal_server, extension="201", fixed_address=f"127.0.0.1:{phone.port}", user=anne
    )
    load_default_patterns(portal_server, "fr")
    Trunk.objects.create(
        server=portal_server,
        name="provider",
        host=f"127.0.0.1:{provider.port}",
        outbound_pattern=r"^0[1-9][0-9]{8}$",
    )
    applied(portal_server)
    client.force_login(anne)

    assert place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300).answered
    assert phone.stats().answered == 1

    # Do not disturb: refused as busy (no busy forward set), the phone never rings.
    response = client.post("/presence/", {"status": "dnd", "mobile": ""})
    assert response.status_code == 302
    assert astdb.get(portal_server, PRESENCE_FAMILY, "201") == "dnd"
    result = place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300)
    assert not result.answered and result.final_codes == (486,), result.final_codes
    assert phone.stats().offered == 1

    # On mobile needs the external forward right: refused, nothing changes.
    response = client.post("/presence/", {"status": "mobile", "mobile": "0612345678"})
    assert response.status_code == 200
    assert "external forward right" in response.content.decode()
    assert astdb.get(portal_server, PRESENCE_FAMILY, "201") == "dnd"
    assert Presence.objects.get(user=anne).status == "dnd"

    anne.groups.add(*make_user("x", "external_forward").groups.all())
    anne = type(anne).objects.get(pk=anne.pk)
    client.force_login(anne)
    bad = client.post("/presence/", {"status": "mobile", "mobile": "06-12"})
    assert bad.status_code == 200 and astdb.get(portal_server, PRESENCE_FAMILY, "201") == "dnd"
    response = client.post("/presence/", {"status": "mobile", "mobile": "0612345678"})
    assert response.status_code == 302
    result = place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300)
    assert result.answered, result.diagnostics
    assert provider.stats().answered == 1 and phone.stats().offered == 1
    invites = [m.first_line for m in provider._process.messages() if m.method == "INVITE"]
    assert invites[0].startswith("INVITE sip:0612345678@"), invites

    # Shown on the colleagues list; back to available: the phone rings again.
    assert "on mobile" in client.get("/colleagues/").content.decode()
    client.post("/presence/", {"status": "available", "mobile": "0612345678"})
    assert astdb.get(portal_server, PRESENCE_FAMILY, "201") is None
    assert place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300).answered
    assert phone.stats().answered == 2


def test_hot_desk_moves_calls_and_queue_membership(
    portal_server, portal_pbx, caller_port, answering_phone_factory, client, make_user
) -> None:
    own = answering_phone_factory("201", answer_after_ms=200)
    desk = answering_phone_factory("203", answer_after_ms=200)
    sales = Queue.objects.create(server=portal_server, name="sales", number="500")
    anne = make_user("anne", "user", "queue-agent--sales")
    Phone.objects.create(
        server=portal_server, extension="201", fixed_address=f"127.0.0.1:{own.port}", user=anne
    )
    desk_phone = Phone.objects.create(
        server=portal_server, extension="203", fixed_address=f"127.0.0.1:{desk.port}"
    )
    applied(portal_server)
    client.force_login(anne)
    client.post("/agent/action/", {"action": "login", "queue": sales.pk})
    assert wait_member(portal_pbx, "sales", "PJSIP/201", True)

    response = client.post("/agent/desk/", {"server": portal_server.pk, "phone": desk_phone.pk})
    assert response.status_code == 302
    assert HotDesk.objects.get(user=anne, ended__isnull=True).phone == desk_phone
    assert astdb.get(portal_server, HOTDESK_FAMILY, "201").endswith("@203")
    assert wait_member(portal_pbx, "sales", "PJSIP/203", True)
    assert not member_line(portal_pbx, "sales", "PJSIP/201")

    # A call to Anne's extension rings the desk's phone; so does a queue call.
    assert place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300).answered
    assert (own.stats().offered, desk.stats().answered) == (0, 1)
    assert place_call(portal_pbx.sip_port, "500", local_port=caller_port, hold_ms=4000).answered
    assert desk.stats().answered == 2

    # Freed: calls and membership come back to her own phone.
    client.post("/agent/desk/", {"server": portal_server.pk, "free": "1"})
    assert astdb.get(portal_server, HOTDESK_FAMILY, "201") is None
    assert wait_member(portal_pbx, "sales", "PJSIP/201", True)
    assert place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300).answered
    assert own.stats().answered == 1

    # A binding of a past day: the dialplan ignores it, the end-of-day command frees it.
    client.post("/agent/desk/", {"server": portal_server.pk, "phone": desk_phone.pk})
    assert wait_member(portal_pbx, "sales", "PJSIP/203", True)
    HotDesk.objects.filter(ended__isnull=True).update(day=datetime.date(2020, 1, 1))
    astdb.put(portal_server, HOTDESK_FAMILY, "201", "20200101@203")
    assert place_call(portal_pbx.sip_port, "201", local_port=caller_port, hold_ms=300).answered
    assert (own.stats().answered, desk.stats().answered) == (2, 2)
    call_command("agents_end_of_day")
    assert wait_member(portal_pbx, "sales", "PJSIP/201", True)
    assert not member_line(portal_pbx, "sales", "PJSIP/203")
    assert not HotDesk.objects.filter(ended__isnull=True).exists()
