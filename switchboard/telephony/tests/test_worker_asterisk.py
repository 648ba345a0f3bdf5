"""The telephony worker against a real Asterisk 22 with SIPp agents, supervisors and callers.

The worker runs as in the portal (in this test's event loop, in-memory channel layer); the
test talks to it only through the bus, like the web side does. What the worker says is
checked against Asterisk's own CLI; each supervisor action is carried out on a real call.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.db import connections

from switchboard.telephony import bus
from switchboard.telephony.models import PbxServer
from switchboard.telephony.worker import TelephonyWorker
from switchboard.testing.sandbox import CallCenter

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


@pytest.fixture
async def worker(call_center: CallCenter, settings: Any) -> AsyncIterator[TelephonyWorker]:
    settings.SWITCHBOARD_ASTERISK_SERVERS = []
    channel_layers.backends.clear()  # a fresh in-memory layer for this test's event loop
    pbx = call_center.pbx
    await sync_to_async(PbxServer.objects.create)(
        name="sandbox",
        host="127.0.0.1",
        ami_port=pbx.ami_port,
        ami_user=pbx.credentials.ami_username,
        ami_secret=pbx.credentials.ami_secret,
    )
    telephony = TelephonyWorker()
    await telephony.start()
    try:
        await eventually(lambda: server_state() == "connected", "the worker connects")
        yield telephony
    finally:
        await telephony.stop()
        channel_layers.backends.clear()
        # The database connection of sync_to_async's thread: closed, so that PostgreSQL
        # can drop the test database at the end.
        await sync_to_async(connections.close_all)()


def server_state() -> str:
    return PbxServer.objects.get(name="sandbox").state


def server_id() -> int:
    return PbxServer.objects.get(name="sandbox").pk


async def eventually(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    """Wait until ``check()`` (sync, may use the database) returns something true."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await sync_to_async(check)()
        if last:
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting until {what} (last: {last!r})")


async def snapshot(view: str, key: str = "") -> dict[str, Any]:
    sid = await sync_to_async(server_id)()
    answer = await bus.request("snapshot", server=sid, view=view, key=key)
    assert answer["ok"], answer
    return answer["data"]


async def act(action: str, **params: Any) -> dict[str, Any]:
    sid = await sync_to_async(server_id)()
    return await bus.request("action", server=sid, action=action, params=params)


def cli_members(center: CallCenter, queue: str) -> dict[str, str]:
    """``queue show``'s members: interface -> the rest of its line."""
    text = center.pbx.cli(f"queue show {queue}")
    members_part = text.split("Members:", 1)[-1].split("Callers", 1)[0]
    members = {}
    for line in members_part.splitlines():
        match = re.search(r"\((PJSIP/\w+)", line)
        if match:
            members[match.group(1)] = line
    return members


def cli_waiting(center: CallCenter, queue: str) -> int:
    text = center.pbx.cli(f"queue show {queue}")
    return len(re.findall(r"^\s+\d+\. PJSIP/trunk-", text, re.MULTILINE))


def model_queue(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(q for q in data["queues"] if q["name"] == name)


def spying(center: CallCenter) -> str:
    text = center.pbx.cli("core show channels verbose")
    return text if "ChanSpy" in text else ""


async def agent_channel(center: CallCenter, agent: str) -> str:
    """The channel of ``agent``'s phone once it talks to a caller, as the worker knows it."""

    async def talking() -> str:
        data = await snapshot("presence")
        for device in data["devices"]:
            if device["device"] == f"PJSIP/{agent}" and device["state"] == "talking":
                return device["channel"]
        return ""

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        channel = await talking()
        if channel:
            return channel
        await asyncio.sleep(0.2)
    raise AssertionError(f"agent {agent} never talked: {center.pbx.cli('core show channels')}")


# ---------------------------------------------------------------------------------------------


async def test_worker_connects_and_its_queues_match_the_cli(worker, call_center) -> None:
    server = await sync_to_async(PbxServer.objects.get)(name="sandbox")
    assert server.state == "connected" and server.version.startswith("22")
    data = await snapshot("queues")
    assert data["connection"]["state"] == "connected"
    for queue in ("sales", "support"):
        members = {m["interface"] for m in model_queue(data, queue)["members"]}
        assert members == set(cli_members(call_center, queue)), queue
    answer = await bus.request("servers")
    assert [s["state"] for s in answer["servers"]] == ["connected"]


async def test_callers_wait_then_are_answered_as_the_cli_says(worker, call_center) -> None:
    # The queue's number answers at once; each caller then stays 12 s on the line, waiting
    # in the queue until an agent takes the call.
    await act("pause", queue="support", interface="PJSIP/203", reason="test")
    await act("pause", queue="support", interface="PJSIP/204", reason="test")
    try:
        calls = [call_center.call("support", f"0144{n}", hold_ms=12000) for n in range(2)]
        await queue_has(call_center, "support", lambda q: len(q["callers"]) == 2)
        assert await sync_to_async(cli_waiting)(call_center, "support") == 2
        queue = model_queue(await snapshot("queues", "support"), "support")
        assert [c["position"] for c in queue["callers"]] == [1, 2]
        assert {c["caller"] for c in queue["callers"]} == {"01440", "01441"}
        assert {m["state"] for m in queue["members"]} == {"paused"}
    finally:
        await act("unpause", queue="support", interface="PJSIP/203")
        await act("unpause", queue="support", interface="PJSIP/204")
    # Both agents ring, answer and talk; nobody waits any more.
    queue = await queue_has(
        call_center,
        "support",
        lambda q: not q["callers"] and all(m["state"] == "on_call" for m in q["members"]),
    )
    assert await sync_to_async(cli_waiting)(call_center, "support") == 0
    cli = call_center.pbx.cli("queue show support")
    assert cli.count("(In use)") == 2, cli
    assert {m["with"] for m in queue["members"]} == {"01440", "01441"}
    assert [m["received_today"] for m in queue["members"]] == [1, 1]
    results = await asyncio.gather(*(asyncio.to_thread(c.wait) for c in calls))
    assert all(r.ok for r in results), [r.diagnostics for r in results]
    queue = await queue_has(
        call_center, "support", lambda q: all(m["state"] == "free" for m in q["members"])
    )
    assert queue["completed"] == int(
        re.search(r"C:(\d+)", call_center.pbx.cli("queue show support"))[1]
    )


async def queue_has(
    center: CallCenter, name: str, check: Callable[[dict[str, Any]], bool], timeout: float = 20
) -> dict[str, Any]:
    """Wait until the worker's view of queue ``name`` passes ``check``; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        queue = model_queue(await snapshot("queues", name), name)
        if check(queue):
            return queue
        if time.monotonic() > deadline:
            raise AssertionError(f"{queue}\n{center.pbx.cli(f'queue show {name}')}")
        await asyncio.sleep(0.2)


async def test_membership_and_pause_actions_reach_asterisk(worker, call_center) -> None:
    answer = await act("add", queue="sales", interface="PJSIP/299", penalty="3", member_name="Sup")
    assert answer == {"ok": True}
    try:
        await eventually(lambda: "PJSIP/299" in cli_members(call_center, "sales"), "added")
        line = cli_members(call_center, "sales")["PJSIP/299"]
        assert "with penalty 3" in line

        async def member(interface: str) -> dict[str, Any] | None:
            data = await snapshot("queues", "sales")
            found = [
                m for m in model_queue(data, "sales")["members"] if m["interface"] == interface
            ]
            return found[0] if found else None

        assert (await member("PJSIP/299"))["penalty"] == 3

        await act("pause", queue="sales", interface="PJSIP/299", reason="coffee")
        await eventually(
            lambda: "paused" in cli_members(call_center, "sales")["PJSIP/299"], "paused"
        )
        deadline = time.monotonic() + 5
        while not (await member("PJSIP/299"))["paused"]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        assert (await member("PJSIP/299"))["paused_reason"] == "coffee"

        await act("unpause", queue="sales", interface="PJSIP/299")
        await eventually(
            lambda: "paused" not in cli_members(call_center, "sales")["PJSIP/299"], "unpaused"
        )
    finally:
        await act("remove", queue="sales", interface="PJSIP/299")
    await eventually(lambda: "PJSIP/299" not in cli_members(call_center, "sales"), "removed")
    deadline = time.monotonic() + 5
    while await member("PJSIP/299") is not None:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)


async def test_refused_action_changes_nothing(worker, call_center) -> None:
    before = call_center.pbx.cli("queue show sales")
    with pytest.raises(Exception, match="invalid interface"):
        await worker.handle(
            {"kind": "action", "server": await sync_to_async(server_id)(), "action": "add",
             "params": {"queue": "sales", "interface": "PJSIP/1\r\nAction: Originate"}}
        )  # fmt: skip
    answer = await act("remove", queue="sales", interface="PJSIP/nobody")
    assert answer["ok"] is False and answer["error"]
    assert call_center.pbx.cli("queue show sales").count("PJSIP/") == before.count("PJSIP/")


@pytest.mark.parametrize(
    ("action", "option"), [("listen", "qE"), ("whisper", "qEw"), ("barge", "qEB")]
)
async def test_supervisor_phone_joins_a_real_call_through_chanspy(
    worker, call_center, action: str, option: str
) -> None:
    supervisor = call_center.phones["299"]
    answered_before = supervisor.stats().answered
    call = call_center.call("sales", "0155501", hold_ms=12000)
    try:
        channel = await agent_channel(call_center, "201")
        assert await act(action, channel=channel, supervisor_device="PJSIP/299") == {"ok": True}
        await eventually(
            lambda: supervisor.stats().answered > answered_before, "the supervisor's phone answers"
        )
        channels = await eventually(lambda: spying(call_center), "ChanSpy runs")
        spy = next(line for line in channels.splitlines() if "ChanSpy" in line)
        assert spy.startswith("PJSIP/299-") and f"{channel},{option}" in spy
    finally:
        result = await asyncio.to_thread(call.wait)
    assert result.answered, result.diagnostics


async def test_a_queue_supervisor_cannot_spy_on_another_queues_call(worker, call_center) -> None:
    call = call_center.call("sales", "0155502", hold_ms=8000)
    try:
        channel = await agent_channel(call_center, "201")
        answer = await act(
            "listen", queue="support", channel=channel, supervisor_device="PJSIP/299"
        )
        assert answer["ok"] is False and answer["code"] == "not_in_queue"
        assert "ChanSpy" not in call_center.pbx.cli("core show channels verbose")
    finally:
        await asyncio.to_thread(call.wait)


async def test_recording_an_agents_call_writes_a_file(worker, call_center) -> None:
    monitor = call_center.pbx.root / "spool" / "monitor"
    before = set(monitor.iterdir())
    call = call_center.call("support", "0166601", hold_ms=6000)
    try:
        channel = await agent_channel(call_center, "203")
        assert await act("record", channel=channel) == {"ok": True}
        await agent_recording(True)
        assert "supervisor-PJSIP_203-" in call_center.pbx.cli(f"mixmonitor list {channel}")
        assert await act("stop_record", channel=channel) == {"ok": True}
        await agent_recording(False)
    finally:
        result = await asyncio.to_thread(call.wait)
    assert result.answered, result.diagnostics
    files = set(monitor.iterdir()) - before
    assert len(files) == 1, files
    recorded = files.pop()
    assert recorded.name.startswith("supervisor-PJSIP_203-")
    # A WAV file (SIPp's phones send no audio, so only its header has content).
    assert recorded.read_bytes()[:4] == b"RIFF"


async def agent_recording(expected: bool) -> None:
    """The supervision view shows agent 203's call recorded (or no more)."""
    deadline = time.monotonic() + 10
    while True:
        data = await snapshot("queues", "support")
        agent = next(m for m in model_queue(data, "support")["members"] if "203" in m["interface"])
        if agent["recording"] is expected:
            return
        assert time.monotonic() < deadline, agent
        await asyncio.sleep(0.2)


async def test_worker_reconnects_after_asterisk_restarts(worker, call_center) -> None:
    pbx = call_center.pbx
    sid = await sync_to_async(server_id)()
    statuses: list[str] = []
    layer = channel_layers["default"]
    watcher = await layer.new_channel()
    await layer.group_add(bus.view_group(sid, "status"), watcher)

    await asyncio.to_thread(pbx._terminate)
    try:
        await eventually(lambda: server_state() == "disconnected", "the link drops")
        message = await asyncio.wait_for(layer.receive(watcher), 10)
        statuses.append(json.loads(message["json"])["state"])
        data = await snapshot("queues")
        assert data["connection"]["state"] != "connected"
    finally:
        await asyncio.to_thread(pbx.start)
    await eventually(lambda: server_state() == "connected", "the worker reconnects", 60)
    assert statuses and statuses[0] != "connected"
    # The model was rebuilt once the PBX had loaded its queues: every member is back...
    for name in ("sales", "support"):
        members = await queue_has(call_center, name, lambda q: len(q["members"]) == 2)
        assert {m["interface"] for m in members["members"]} == set(cli_members(call_center, name))
    # ... and a new caller shows as Asterisk says.
    await act("pause", queue="sales", interface="PJSIP/201", reason="after restart")
    await act("pause", queue="sales", interface="PJSIP/202", reason="after restart")
    # Both agents paused: the caller waits 4 s, then gives up (abandons).
    call = call_center.call("sales", "0177701", hold_ms=4000)
    try:
        queue = await queue_has(call_center, "sales", lambda q: len(q["callers"]) == 1)
        assert {m["interface"] for m in queue["members"]} == set(cli_members(call_center, "sales"))
        assert all(m["paused"] for m in queue["members"])
        assert await sync_to_async(cli_waiting)(call_center, "sales") == 1
        abandoned = queue["abandoned"]
    finally:
        await asyncio.to_thread(call.wait)
        await act("unpause", queue="sales", interface="PJSIP/201")
        await act("unpause", queue="sales", interface="PJSIP/202")
    queue = await queue_has(call_center, "sales", lambda q: not q["callers"])
    assert queue["abandoned"] == abandoned + 1
    assert f"A:{queue['abandoned']}," in call_center.pbx.cli("queue show sales")
    assert await sync_to_async(cli_waiting)(call_center, "sales") == 0
