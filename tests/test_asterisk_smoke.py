"""Smoke test of the telephony test harness: a real SIP call through a real Asterisk 22.

A SIPp caller (a "trunk" identified by its source port) dials 100; the dialplan rings an
agent's phone played by a SIPp answering phone; the call is answered, talks, hangs up. The
test then checks what the product will rely on: the CDR in Master.csv, and the AMI events.
It needs no database.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from switchboard.testing.ami_probe import AmiMessage
from switchboard.testing.asterisk import AsteriskInstance, free_port
from switchboard.testing.sipp import AnsweringPhone, caller_endpoint_config, place_call

pytestmark = pytest.mark.asterisk

CALLER_ID = "5551234"
CALLER_NAME = "Alice Smith"

DIALPLAN = """
[from-trunk]
exten => 100,1,NoOp(smoke test call from ${CALLERID(all)})
 same => n,Dial(PJSIP/agent1,20)
 same => n,Hangup()
"""


def test_call_is_answered_recorded_and_announced(
    asterisk_factory: Callable[..., AsteriskInstance],
    answering_phone_factory: Callable[..., AnsweringPhone],
    record_property: Callable[[str, object], None],
) -> None:
    phone = answering_phone_factory("agent1", answer_after_ms=500)
    caller_port = free_port("udp")
    pbx = asterisk_factory(
        appends={
            "pjsip.conf": phone.endpoint_config(context="from-phones")
            + caller_endpoint_config("trunk", caller_port, context="from-trunk"),
            "extensions.conf": DIALPLAN,
        }
    )
    record_property("asterisk_boot_seconds", round(pbx.boot_seconds or 0, 2))
    assert pbx.version().startswith("Asterisk 22."), pbx.version()

    with pbx.ami() as ami:
        started = time.monotonic()
        result = place_call(
            pbx.sip_port,
            "100",
            caller_id=CALLER_ID,
            caller_name=CALLER_NAME,
            hold_ms=2000,
            local_port=caller_port,
        )
        record_property("call_seconds", round(time.monotonic() - started, 2))
        assert result.ok, result.diagnostics
        assert result.final_codes == (200,)

        caller = ami.wait_for_event("Newchannel", CallerIDNum=CALLER_ID, Exten="100")
        assert caller["Channel"].startswith("PJSIP/trunk-")
        assert caller["CallerIDName"] == CALLER_NAME
        dial_begin = ami.wait_for_event("DialBegin", Channel=caller["Channel"])
        assert dial_begin["DestChannel"].startswith("PJSIP/agent1-")
        assert dial_begin["CallerIDNum"] == CALLER_ID
        dial_end = ami.wait_for_event("DialEnd", Channel=caller["Channel"])
        assert dial_end["DialStatus"] == "ANSWER"
        hangup = ami.wait_for_event("Hangup", Channel=caller["Channel"])
        assert hangup["CallerIDNum"] == CALLER_ID
        ami.wait_for_event("Hangup", Channel=dial_begin["DestChannel"])
        assert _unique_ids(ami.events_named("Hangup")) == {
            caller["Uniqueid"],
            dial_begin["DestUniqueid"],
        }

    assert phone.stats().answered == 1
    rows = pbx.wait_for_cdr_rows(1)
    assert len(rows) == 1, rows
    cdr = rows[0]
    assert cdr["src"] == CALLER_ID
    assert cdr["dst"] == "100"
    assert cdr["dcontext"] == "from-trunk"
    assert cdr["clid"] == f'"{CALLER_NAME}" <{CALLER_ID}>'
    assert cdr["disposition"] == "ANSWERED"
    assert int(cdr["billsec"]) >= 1
    assert cdr["channel"] == caller["Channel"]
    assert cdr["dstchannel"] == dial_begin["DestChannel"]
    assert cdr["uniqueid"] == caller["Uniqueid"]


def _unique_ids(events: list[AmiMessage]) -> set[str]:
    return {event["Uniqueid"] for event in events}
