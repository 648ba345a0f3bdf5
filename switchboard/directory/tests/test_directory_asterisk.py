"""Click-to-call and account-manager routing on a real Asterisk 22 with SIPp phones.

Click-to-call: the user's SIPp phone rings and answers; Asterisk then dials the number from
the phone's own permission context: another SIPp phone, an outside number through a SIPp
provider behind a line, or a number the phone may not call (refused by the dialplan).
Account managers: a SIPp carrier calls a DID from a contact's number; the manager's phone
rings first for the route's time, then the route's destination takes the call.
"""

from __future__ import annotations

import re
import time

import pytest

from switchboard.directory import accountmanager
from switchboard.directory.models import Contact
from switchboard.directory.tests.phones import ReinvitePhone
from switchboard.pbx import astdb
from switchboard.pbx.models import Generation, InboundRoute, Phone, Trunk
from switchboard.pbx.routing import load_default_patterns
from switchboard.pbx.services import apply_configuration
from switchboard.telephony.originate import OriginateError, click_to_call
from switchboard.testing.asterisk import free_port
from switchboard.testing.sipp import place_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def applied(server) -> None:
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message


def wait_until(check, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def invites(phone) -> list[str]:
    """The INVITEs a SIPp phone received, whole (first line and headers)."""
    process = phone._process
    blocks = re.split(r"^-{20,}.*$", process.read(process.message_log), flags=re.MULTILINE)
    found = []
    for block in blocks:
        lines = [line for line in block.strip("\n").splitlines() if line.strip()]
        if len(lines) > 1 and "received" in lines[0].lower() and lines[1].startswith("INVITE "):
            found.append("\n".join(lines[1:]))
    return found


@pytest.fixture
def started():
    """Start ReinvitePhones; every one is stopped at teardown."""
    phones = []

    def start(phone: ReinvitePhone) -> ReinvitePhone:
        phones.append(phone)
        return phone.start()

    yield start
    for phone in phones:
        phone.stop()


def test_click_to_call_rings_the_own_phone_then_dials_with_its_permissions(
    portal_server, portal_pbx, answering_phone_factory, started, client, make_user
) -> None:
    own = started(ReinvitePhone("201", answer_after_ms=200, hangup_after_ms=3000))
    colleague = answering_phone_factory("202", answer_after_ms=200)
    restricted = started(ReinvitePhone("203", answer_after_ms=200, hangup_after_ms=4000))
    provider = answering_phone_factory("provider", answer_after_ms=100)
    anne = make_user("anne", "user", first_name="Anne", last_name="Martin")
    anne_phone = Phone.objects.create(
        server=portal_server,
        extension="201",
        display_name="Anne Martin",
        fixed_address=f"127.0.0.1:{own.port}",
        user=anne,
    )
    Phone.objects.create(
        server=portal_server, extension="202", fixed_address=f"127.0.0.1:{colleague.port}"
    )
    intern = Phone.objects.create(
        server=portal_server,
        extension="203",
        fixed_address=f"127.0.0.1:{restricted.port}",
        dial_classes=["internal"],  # no outside calls
    )
    load_default_patterns(portal_server, "fr")  # 06... is a mobile number
    Trunk.objects.create(
        server=portal_server,
        name="provider",
        host=f"127.0.0.1:{provider.port}",
        outbound_pattern=r"^0[1-9][0-9]{8}$",
    )
    applied(portal_server)

    # An internal number: Anne's phone rings and answers, then 202 rings and answers, and it
    # is shown Anne's identity (not the number dialled).
    action_id = click_to_call(anne_phone, "202")
    assert action_id
    assert wait_until(lambda: colleague.stats().answered == 1), colleague.diagnostics()
    assert own.stats().answered == 1
    assert "Anne Martin" in invites(own)[0]
    assert "<sip:201@" in invites(colleague)[0] and "Anne Martin" in invites(colleague)[0]

    # An outside number, written the human way: out through the provider's line.
    click_to_call(anne_phone, "06 12 34 56 78", account="crm-42")
    assert wait_until(lambda: provider.stats().answered == 1), provider.diagnostics()
    assert invites(provider)[0].startswith("INVITE sip:0612345678@")

    def outgoing() -> list[dict[str, str]]:
        return [r for r in portal_pbx.cdr_rows() if r["dst"] == "0612345678"]

    assert wait_until(outgoing, 20), own.diagnostics()
    out = outgoing()
    assert out[0]["accountcode"] == "crm-42" and out[0]["disposition"] == "ANSWERED"

    # A phone that may not call outside: it rings and answers, the dialplan refuses the
    # number, the provider never sees it.
    click_to_call(intern, "0612345678")
    assert wait_until(lambda: restricted.stats().answered == 1), restricted.diagnostics()
    time.sleep(2)
    assert provider.stats().offered == 1
    assert wait_until(
        lambda: any(
            r["channel"].startswith("PJSIP/203") and r["lastapp"] in ("Playback", "Hangup")
            for r in portal_pbx.cdr_rows()
        ),
        20,
    ), portal_pbx.cdr_rows()

    # A number with letters is refused before anything reaches the PBX.
    with pytest.raises(OriginateError, match="cannot be dialled"):
        click_to_call(anne_phone, "06 12 AB")
    assert own.stats().offered == 2

    # From the directory page: the click-to-call button posts the number.
    client.force_login(anne)
    response = client.post(
        "/directory/call/", {"number": "202"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200 and response.json()["ok"], response.content
    assert wait_until(lambda: colleague.stats().answered == 2), colleague.diagnostics()
    assert own.stats().answered == 3


def test_the_account_manager_rings_first_then_the_fallback(
    portal_server, portal_pbx, answering_phone_factory, make_user
) -> None:
    carrier_port = free_port("udp")
    busy_manager = answering_phone_factory("201", answer_after_ms=None)  # rings, never answers
    present_manager = answering_phone_factory("203", answer_after_ms=200)
    reception = answering_phone_factory("202", answer_after_ms=200)
    anne = make_user("anne", "user")
    boris = make_user("boris", "user")
    Phone.objects.create(
        server=portal_server,
        extension="201",
        fixed_address=f"127.0.0.1:{busy_manager.port}",
        user=anne,
    )
    Phone.objects.create(
        server=portal_server,
        extension="203",
        fixed_address=f"127.0.0.1:{present_manager.port}",
        user=boris,
    )
    desk = Phone.objects.create(
        server=portal_server, extension="202", fixed_address=f"127.0.0.1:{reception.port}"
    )
    Trunk.objects.create(server=portal_server, name="carrier", host=f"127.0.0.1:{carrier_port}")
    InboundRoute.objects.create(
        server=portal_server, did="0140000001", phone=desk, account_manager_seconds=3
    )
    applied(portal_server)
    # Saving contacts writes the keys (the test runs without a wrapping transaction).
    Contact.objects.create(
        owner=anne, last_name="Dupont", company="ACME", number1="06 11 11 11 11",
        account_manager=anne,
    )  # fmt: skip
    Contact.objects.create(
        owner=anne, last_name="Petrov", number2="0622222222", account_manager=boris
    )
    assert astdb.get(portal_server, accountmanager.FAMILY, "0611111111") == "201"
    assert astdb.get(portal_server, accountmanager.FAMILY, "0622222222") == "203"

    def call(caller: str):
        return place_call(
            portal_pbx.sip_port,
            "0140000001",
            caller_id=caller,
            local_port=carrier_port,
            hold_ms=300,
            answer_timeout_ms=15000,
        )

    # Anne's contact: her phone rings 3 s unanswered, then the reception takes the call.
    started = time.monotonic()
    result = call("0611111111")
    assert result.answered, result.diagnostics
    assert time.monotonic() - started >= 3
    assert busy_manager.stats().offered == 1 and busy_manager.stats().answered == 0
    assert reception.stats().answered == 1

    # Boris's contact: Boris answers; the reception never rings.
    assert call("0622222222").answered
    assert present_manager.stats().answered == 1
    assert reception.stats().offered == 1

    # Nobody's contact: straight to the reception.
    started = time.monotonic()
    assert call("0633333333").answered
    assert time.monotonic() - started < 3
    assert reception.stats().answered == 2
    assert busy_manager.stats().offered == 1

    # Deleting the contact removes its key: the next call goes straight to the reception.
    Contact.objects.filter(last_name="Dupont").get().delete()
    assert astdb.get(portal_server, accountmanager.FAMILY, "0611111111") is None
    assert call("0611111111").answered
    assert busy_manager.stats().offered == 1
    assert reception.stats().answered == 3
