"""Call control from the desk on real calls (SPEC C2): the worker, in this test's event loop,
gets the desk's requests over the bus as from the web, checks them against its live model and
moves the real call; the result is read back from Asterisk through the AMI (channels,
bridges, parked calls) and from the call records the worker's collector stores."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.db import connections
from django.db.models import Q

from switchboard.desk.tests.center import AUTO_ANSWER, FrontOffice
from switchboard.records.models import CallRecord
from switchboard.telephony import bus
from switchboard.telephony.models import PbxServer
from switchboard.telephony.worker import TelephonyWorker
from switchboard.testing.sipp import SippCall

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


@pytest.fixture
async def worker(front_office: FrontOffice, settings: Any) -> AsyncIterator[TelephonyWorker]:
    settings.SWITCHBOARD_ASTERISK_SERVERS = []
    channel_layers.backends.clear()
    pbx = front_office.pbx
    await sync_to_async(PbxServer.objects.create)(
        name="office",
        host="127.0.0.1",
        ami_port=pbx.ami_port,
        ami_user=pbx.credentials.ami_username,
        ami_secret=pbx.credentials.ami_secret,
        log_dir=str(pbx.log_dir),
    )
    telephony = TelephonyWorker()
    await telephony.start()
    try:
        await eventually(
            lambda: PbxServer.objects.get(name="office").state == "connected", "connected"
        )
        await asyncio.sleep(1)
        yield telephony
    finally:
        await telephony.stop()
        channel_layers.backends.clear()
        await sync_to_async(connections.close_all)()


async def eventually(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await sync_to_async(check)()
        if last:
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting until {what} (last: {last!r})")


async def desk(op: str, **payload: Any) -> dict[str, Any]:
    server = await sync_to_async(lambda: PbxServer.objects.get(name="office").pk)()
    return await bus.request("desk", server=server, op=op, **payload)


async def act(action: str, **params: str) -> dict[str, Any]:
    return await desk("action", action=action, params=params)


def channels(office: FrontOffice) -> list[dict[str, str]]:
    """Asterisk's channels, through the AMI."""
    with office.pbx.ami(events=False) as ami:
        return [m.as_dict() for m in ami.list_action("CoreShowChannels")]


def channel_of(office: FrontOffice, prefix: str) -> dict[str, str]:
    return next((c for c in channels(office) if c["Channel"].startswith(prefix)), {})


def bridged_together(office: FrontOffice, first: str, second: str) -> bool:
    a, b = channel_of(office, first), channel_of(office, second)
    return bool(a and b and a.get("BridgeId") and a.get("BridgeId") == b.get("BridgeId"))


async def wait_for_call(extension: str, *, bridged: bool = True) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answer = await desk("calls", extension=extension)
        for call in answer["calls"]:
            if call["bridged"] == bridged and (bridged or call["state"] == "Ringing"):
                return call
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {'talking' if bridged else 'ringing'} call on {extension}")


async def until(office: FrontOffice, check: Callable[[], Any], what: str) -> Any:
    return await eventually(check, f"{what}: {channels(office)}", timeout=15)


def records_of(linkedid: str, *uniqueids: str) -> list[tuple[str, str, str]]:
    """The collected records of a call (Master.csv has no linkedid: the caller's uniqueid,
    the first of the call, is its linkedid)."""
    return list(
        CallRecord.objects.filter(Q(linkedid=linkedid) | Q(uniqueid__in=[linkedid, *uniqueids]))
        .order_by("start", "pk")
        .values_list("channel", "dstchannel", "disposition")
    )


async def finish(call: SippCall) -> None:
    await sync_to_async(call.wait, thread_sensitive=False)()


# ---------------------------------------------------------------------------------------------


async def test_hold_and_resume_move_the_real_call(worker, front_office) -> None:
    call = front_office.call("201", "0611111111", hold_ms=30000)
    try:
        mine = await wait_for_call("201")
        assert mine["number"] == "0611111111"
        # On behalf of a queue's supervisor: refused, 201 is no agent of that queue.
        refused = await act("hold", extension="201", channel=mine["channel"], queue="other")
        assert refused["ok"] is False and refused["code"] == "not_in_queue"
        assert bridged_together(front_office, "PJSIP/trunk", "PJSIP/201")
        assert (await act("hold", extension="201", channel=mine["channel"]))["ok"]
        held = await until(
            front_office,
            lambda: (
                channel_of(front_office, "PJSIP/trunk").get("Context") == "sb-hold"
                and channel_of(front_office, "PJSIP/201").get("Context") == "sb-held"
            ),
            "both legs leave their bridge for the hold contexts",
        )
        assert held
        caller = channel_of(front_office, "PJSIP/trunk")
        assert caller["Application"] == "MusicOnHold" and not caller.get("BridgeId")
        assert (await act("resume", extension="201", channel=mine["channel"]))["ok"]
        await until(
            front_office,
            lambda: bridged_together(front_office, "PJSIP/trunk", "PJSIP/201"),
            "the two legs talk again",
        )
        # On hold again, and the caller hangs up: the operator's waiting leg goes too.
        assert (await act("hold", extension="201", channel=mine["channel"]))["ok"]
        await until(
            front_office,
            lambda: channel_of(front_office, "PJSIP/201").get("Context") == "sb-held",
            "held again",
        )
        with front_office.pbx.ami(events=False) as ami:
            ami.send_action("Hangup", Channel=channel_of(front_office, "PJSIP/trunk")["Channel"])
        await until(front_office, lambda: not channels(front_office), "both legs end")
    finally:
        await finish(call)
    rows = await eventually(lambda: records_of(mine["linkedid"]), "the call's records")
    assert any(dst.startswith("PJSIP/201") and disp == "ANSWERED" for _c, dst, disp in rows)


async def test_blind_transfer_hands_the_caller_to_a_colleague(worker, front_office) -> None:
    call = front_office.call("201", "0622222222", hold_ms=6000)
    try:
        mine = await wait_for_call("201")
        answer = await act("blind_transfer", extension="201", channel=mine["channel"], target="203")
        assert answer["ok"], answer
        await until(
            front_office,
            lambda: (
                bridged_together(front_office, "PJSIP/trunk", "PJSIP/203")
                and not channel_of(front_office, "PJSIP/201")
            ),
            "the caller talks to 203 and 201 is free",
        )
    finally:
        await finish(call)
    rows = await eventually(
        lambda: [r for r in records_of(mine["linkedid"]) if r[1].startswith("PJSIP/203")],
        "a record of the transferred call",
    )
    assert rows[0][2] == "ANSWERED"


async def test_attended_transfer_completes_when_the_operator_hangs_up(worker, front_office) -> None:
    call = front_office.call("201", "0633333333", hold_ms=12000)
    try:
        mine = await wait_for_call("201")
        answer = await act(
            "attended_transfer", extension="201", channel=mine["channel"], target="205"
        )
        assert answer["ok"], answer
        # The operator talks to 205 while the caller waits.
        await until(
            front_office,
            lambda: bridged_together(front_office, "PJSIP/201", "PJSIP/205"),
            "201 consults 205",
        )
        assert not bridged_together(front_office, "PJSIP/trunk", "PJSIP/201")
        consulting = await wait_for_call("201")
        assert (await act("hangup", extension="201", channel=consulting["channel"]))["ok"]
        await until(
            front_office,
            lambda: (
                bridged_together(front_office, "PJSIP/trunk", "PJSIP/205")
                and not channel_of(front_office, "PJSIP/201")
            ),
            "the caller talks to 205",
        )
    finally:
        await finish(call)
    rows = await eventually(
        lambda: [
            r for r in records_of(mine["linkedid"], mine["uniqueid"]) if "PJSIP/205" in r[0] + r[1]
        ],
        "a record with 205",
    )
    assert any(disp == "ANSWERED" for *_x, disp in rows)


async def test_park_then_retrieve_by_slot(worker, front_office) -> None:
    call = front_office.call("201", "0644444444", hold_ms=25000)
    try:
        mine = await wait_for_call("201")
        assert (await act("park", extension="201", channel=mine["channel"]))["ok"]
        parked: list[dict[str, Any]] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            parked = (await desk("parked"))["parked"]
            if parked:
                break
            await asyncio.sleep(0.2)
        assert parked and parked[0]["number"] == "0644444444", parked
        slot = parked[0]["slot"]
        with front_office.pbx.ami(events=False) as ami:
            spaces = [m.get("ParkingSpace") for m in ami.list_action("ParkedCalls")]
        assert spaces == [slot]
        await until(front_office, lambda: not channel_of(front_office, "PJSIP/201"), "201 free")
        # Retrieving needs a call really parked in that slot.
        refused = await act("retrieve", extension="201", slot="799")
        assert refused == {"ok": False, "code": "no_parked_call", "error": "no_parked_call"}
        assert (await act("retrieve", extension="201", slot=slot))["ok"]
        await until(
            front_office,
            lambda: bridged_together(front_office, "PJSIP/trunk", "PJSIP/201"),
            "201 talks to the caller again",
        )
        assert (await desk("parked"))["parked"] == []
        back = await wait_for_call("201")
        assert (await act("hangup", extension="201", channel=back["channel"]))["ok"]
    finally:
        await finish(call)


async def test_answer_makes_an_auto_answer_phone_pick_up(worker, front_office) -> None:
    phone = front_office.phones[AUTO_ANSWER]
    before = phone.stats()
    call = front_office.call(AUTO_ANSWER, "0655555555", hold_ms=3000)
    try:
        ringing = await wait_for_call(AUTO_ANSWER, bridged=False)
        await asyncio.sleep(2)  # without the header the phone only rings
        assert phone.stats().answered == before.answered
        # Someone else's phone: refused, nothing happens.
        refused = await act("answer", extension="201", channel=ringing["channel"])
        assert refused["ok"] is False and refused["code"] == "not_your_call"
        answer = await act("answer", extension=AUTO_ANSWER, channel=ringing["channel"])
        assert answer["ok"], answer
        await until(
            front_office,
            lambda: bridged_together(front_office, "PJSIP/trunk", f"PJSIP/{AUTO_ANSWER}"),
            "the phone answered by itself",
        )
        after = phone.stats()
        assert after.answered == before.answered + 1
        assert after.cancelled >= before.cancelled + 1  # the first INVITE (no header)
    finally:
        await finish(call)
