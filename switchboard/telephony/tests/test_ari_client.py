"""The ARI client against a real Asterisk 22: logins, REST calls, Stasis calls, reconnection.

A few tests at the top run against a tiny local websocket server instead, to pin down the
delivery rules (order, failing callbacks, resync after reconnect) without timing games.
Everything else drives a real Asterisk and real SIP calls from SIPp. No database needed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from switchboard.telephony.ari.client import (
    AriClient,
    ConnectionState,
    ConnectionStatus,
    _query_params,
    check_login,
)
from switchboard.telephony.ari.errors import (
    AriAuthError,
    AriConflict,
    AriConnectionError,
    AriNotFound,
)
from switchboard.telephony.ari.models import AriEvent
from switchboard.testing.asterisk import AsteriskInstance, free_port
from switchboard.testing.sipp import (
    AnsweringPhone,
    caller_endpoint_config,
    start_call,
)

APP = "switchboard-test"
WAIT_S = 15.0

DIALPLAN = f"""
[from-trunk]
exten => 200,1,NoOp(into Stasis)
 same => n,Stasis({APP},from-trunk)
 same => n,Hangup()

; A Local channel that answers and stays up: an event source needing no SIP.
[ari-wait]
exten => 100,1,Answer()
 same => n,Wait(30)
 same => n,Hangup()
"""

AsteriskFactory = Callable[..., AsteriskInstance]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


class EventLog:
    """A subscriber that keeps every event and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[AriEvent] = []
        self._arrived = asyncio.Event()

    def __call__(self, event: AriEvent) -> None:
        self.events.append(event)
        self._arrived.set()

    def types(self) -> list[str]:
        return [event["type"] for event in self.events]

    async def wait_for(
        self,
        event_type: str,
        where: Callable[[AriEvent], bool] = lambda event: True,
        timeout: float = WAIT_S,
    ) -> AriEvent:
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events:
                    if event["type"] == event_type and where(event):
                        return event
                self._arrived.clear()
                await self._arrived.wait()


def on_channel(channel_id: str) -> Callable[[AriEvent], bool]:
    return lambda event: event.get("channel", {}).get("id") == channel_id


async def wait_until(condition: Callable[[], bool], timeout: float = WAIT_S) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def other_tasks() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


@pytest.fixture
async def clients() -> AsyncIterator[list[AriClient]]:
    """Clients a test creates are closed at teardown, whatever happens."""
    created: list[AriClient] = []
    yield created
    for client in created:
        await client.close()


def make_client(clients: list[AriClient], pbx: AsteriskInstance, **options: Any) -> AriClient:
    options.setdefault("name", "test-pbx")
    client = AriClient(
        pbx.ari_url,
        pbx.credentials.ari_username,
        pbx.credentials.ari_password,
        options.pop("app", APP),
        **options,
    )
    clients.append(client)
    return client


def start_pbx(factory: AsteriskFactory, **appends: str) -> AsteriskInstance:
    extra = {"extensions.conf": DIALPLAN}
    for name, text in appends.items():
        extra[name] = extra.get(name, "") + "\n" + text
    pbx = factory(appends=extra)
    # ARI's live recordings go to <spool>/recording, which Asterisk does not create itself
    # (recording fails with "No such file or directory") and the harness does not either.
    (pbx.root / "spool" / "recording").mkdir(parents=True, exist_ok=True)
    return pbx


# --------------------------------------------------------------------------------------------
# Without Asterisk: parameters, and event delivery rules against a fake events server
# --------------------------------------------------------------------------------------------


def test_query_parameters_follow_ari_conventions() -> None:
    assert _query_params(
        {"a": None, "beep": True, "mute": False, "channel": ["c1", "c2"], "timeout": 30}
    ) == {"beep": "true", "mute": "false", "channel": "c1,c2", "timeout": "30"}


def test_bad_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        AriClient("ftp://pbx/ari", "u", "p", APP)


async def test_events_are_delivered_in_order_despite_a_failing_callback() -> None:
    connections: list[str] = []

    async def fake_asterisk(websocket: ServerConnection) -> None:
        assert websocket.request is not None
        connections.append(websocket.request.path)
        number = len(connections)
        for index in range(3):
            await websocket.send(json.dumps({"type": "Test", "n": f"{number}.{index}"}))
        await websocket.send("not json")  # ignored with a warning
        if number == 1:
            return  # the server drops the first connection
        await websocket.wait_closed()

    async with serve(fake_asterisk, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        client = AriClient(
            f"http://127.0.0.1:{port}/ari", "u", "p", APP, backoff_initial=0.05, backoff_max=0.1
        )
        calls: list[str] = []
        seen: list[str] = []
        statuses: list[ConnectionStatus] = []

        def failing(event: AriEvent) -> None:
            calls.append(event["n"])  # type: ignore[typeddict-item]
            raise RuntimeError("a buggy subscriber")

        async def collecting(event: AriEvent) -> None:
            await asyncio.sleep(0)
            seen.append(event["n"])  # type: ignore[typeddict-item]

        resyncs: list[int] = []
        client.subscribe(failing)
        client.subscribe(collecting, types={"Test"})
        client.subscribe(lambda event: pytest.fail("filtered out"), types={"Other"})
        client.on_resync(lambda: resyncs.append(len(seen)))
        client.on_state(statuses.append)

        await client.start()
        await wait_until(lambda: len(seen) == 6)
        await client.close()

    assert connections == [f"/ari/events?app={APP}&subscribeAll=false"] * 2
    assert seen == ["1.0", "1.1", "1.2", "2.0", "2.1", "2.2"]
    assert calls == seen
    # Resync ran before each connection's first event.
    assert resyncs == [0, 3]
    states = [status.state for status in statuses]
    assert states == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.DISCONNECTED,
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.DISCONNECTED,
    ]
    dropped = statuses[2]
    assert dropped.error and "closed" in dropped.error
    assert dropped.retry_in is not None and 0 < dropped.retry_in <= 0.1
    assert statuses[-1].error is None  # closed on purpose
    assert not other_tasks()


async def test_a_failed_resync_drops_the_connection_and_retries() -> None:
    connections: list[int] = []

    async def fake_asterisk(websocket: ServerConnection) -> None:
        connections.append(1)
        await websocket.wait_closed()

    async with serve(fake_asterisk, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        client = AriClient(f"http://127.0.0.1:{port}/ari", "u", "p", APP, backoff_initial=0.05)
        attempts: list[int] = []

        async def flaky_resync() -> None:
            attempts.append(1)
            if len(attempts) == 1:
                raise AriConnectionError("Asterisk went away while we re-read channels")

        client.on_resync(flaky_resync)
        await client.start()
        assert client.last_error and "re-reading state" in client.last_error
        await client.wait_connected(timeout=WAIT_S)
        assert len(attempts) == 2
        assert len(connections) == 2
        await client.close()


async def test_close_from_inside_a_callback() -> None:
    async def fake_asterisk(websocket: ServerConnection) -> None:
        await websocket.send(json.dumps({"type": "StasisStart"}))
        await websocket.send(json.dumps({"type": "StasisEnd"}))
        await websocket.wait_closed()

    async with serve(fake_asterisk, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        client = AriClient(f"http://127.0.0.1:{port}/ari", "u", "p", APP)
        seen: list[str] = []
        statuses: list[ConnectionStatus] = []
        client.on_state(statuses.append)

        async def stop_at_first(event: AriEvent) -> None:
            seen.append(event["type"])
            await client.close()

        client.subscribe(stop_at_first, "StasisStart")  # one type, given as a string
        await client.start()
        await wait_until(lambda: statuses[-1].state is ConnectionState.DISCONNECTED)
        await asyncio.sleep(0.1)

    assert seen == ["StasisStart"]
    assert statuses[-1].error is None
    assert not other_tasks()


async def test_unreachable_events_server_with_and_without_reconnect() -> None:
    url = f"http://127.0.0.1:{free_port()}/ari"
    once = AriClient(url, "u", "p", APP, reconnect=False)
    with pytest.raises(AriConnectionError, match="refused"):
        await once.start()
    assert once.state is ConnectionState.DISCONNECTED
    await once.close()

    patient = AriClient(url, "u", "p", APP, backoff_initial=0.05, backoff_max=0.2)
    await patient.start()  # does not raise: keeps trying in the background
    assert patient.state in (ConnectionState.DISCONNECTED, ConnectionState.CONNECTING)
    assert patient.last_error and "refused" in patient.last_error
    with pytest.raises(TimeoutError):
        await patient.wait_connected(timeout=0.3)
    await patient.close()
    assert not other_tasks()


# --------------------------------------------------------------------------------------------
# Logging in
# --------------------------------------------------------------------------------------------


async def test_check_login(asterisk: AsteriskInstance) -> None:
    user, password = asterisk.credentials.ari_username, asterisk.credentials.ari_password

    version = await check_login(asterisk.ari_url, user, password)
    assert version.startswith("22."), version

    with pytest.raises(AriAuthError, match="wrong user name or password") as bad:
        await check_login(asterisk.ari_url, user, "wrong")
    assert bad.value.status == 401

    with pytest.raises(AriConnectionError, match="refused"):
        await check_login(f"http://127.0.0.1:{free_port()}/ari", user, password)

    with pytest.raises(AriConnectionError, match="not ARI"):
        await check_login(f"http://127.0.0.1:{asterisk.http_port}/nope", user, password)

    with pytest.raises(AriConnectionError, match="http"):
        await check_login("127.0.0.1:8088", user, password)


async def test_check_login_times_out_on_a_silent_server() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(AriConnectionError, match=r"did not answer within 0\.3 s"):
            await check_login(f"http://127.0.0.1:{port}/ari", "u", "p", timeout=0.3)
        server.close()


# --------------------------------------------------------------------------------------------
# REST
# --------------------------------------------------------------------------------------------


async def test_rest_resources_and_errors(
    asterisk_factory: AsteriskFactory, clients: list[AriClient]
) -> None:
    pbx = start_pbx(asterisk_factory)
    ari = make_client(clients, pbx)

    info = await ari.asterisk_info()
    assert info["system"]["version"].startswith("22.")
    assert await ari.channels() == []
    assert isinstance(await ari.endpoints(), list)

    bridge = await ari.create_bridge(name="conference")
    assert bridge["bridge_type"] == "mixing"
    assert bridge["id"] in {b["id"] for b in await ari.bridges()}
    await ari.destroy_bridge(bridge["id"])
    assert await ari.bridges() == []

    with pytest.raises(AriNotFound) as missing:
        await ari.hangup("no-such-channel")
    assert missing.value.message == "Channel not found"
    assert missing.value.path == "/channels/no-such-channel"

    # A channel in the dialplan, not in our Stasis app: ARI refuses to answer it.
    channel = await ari.originate("Local/100@ari-wait", extension="100", context="ari-wait")
    with pytest.raises(AriConflict, match="not in Stasis"):
        await ari.answer(channel["id"])
    assert channel["id"] in {c["id"] for c in await ari.channels()}
    await ari.hangup(channel["id"])

    intruder = AriClient(pbx.ari_url, pbx.credentials.ari_username, "wrong", APP)
    clients.append(intruder)
    with pytest.raises(AriAuthError) as refused:
        await intruder.channels()
    assert refused.value.status == 401
    assert "Authentication required" in str(refused.value)


async def test_start_with_a_wrong_password(
    asterisk: AsteriskInstance, clients: list[AriClient]
) -> None:
    user = asterisk.credentials.ari_username
    once = AriClient(asterisk.ari_url, user, "wrong", APP, reconnect=False)
    clients.append(once)
    with pytest.raises(AriAuthError, match="wrong user name or password"):
        await once.start()

    patient = AriClient(asterisk.ari_url, user, "wrong", APP, backoff_initial=0.1)
    clients.append(patient)
    await patient.start()
    assert not patient.connected
    assert patient.last_error and "wrong user name or password" in patient.last_error


# --------------------------------------------------------------------------------------------
# Calls through Stasis
# --------------------------------------------------------------------------------------------


async def test_stasis_call_is_answered_played_recorded_and_hung_up(
    asterisk_factory: AsteriskFactory, clients: list[AriClient]
) -> None:
    caller_port = free_port("udp")
    pbx = start_pbx(
        asterisk_factory,
        **{"pjsip.conf": caller_endpoint_config("trunk", caller_port, context="from-trunk")},
    )
    ari = make_client(clients, pbx)
    log = EventLog()
    ari.subscribe(log)
    await ari.start()
    assert ari.connected

    with start_call(
        pbx.sip_port, "200", caller_id="5551234", hold_ms=20000, local_port=caller_port
    ) as call:
        start = await log.wait_for("StasisStart")
        channel = start["channel"]
        assert channel["name"].startswith("PJSIP/trunk-")
        assert channel["caller"]["number"] == "5551234"
        assert start["args"] == ["from-trunk"]
        assert start["application"] == APP

        await ari.answer(channel["id"])
        playback = await ari.play(channel["id"], "sound:beep")
        assert playback["media_uri"] == "sound:beep"
        started = await log.wait_for(
            "PlaybackStarted", lambda e: e["playback"]["id"] == playback["id"]
        )
        assert started["playback"]["target_uri"] == f"channel:{channel['id']}"
        finished = await log.wait_for(
            "PlaybackFinished", lambda e: e["playback"]["id"] == playback["id"]
        )
        assert finished["playback"]["state"] == "done"

        recording = await ari.record_channel(channel["id"], "ari-test-call", max_duration_s=5)
        assert recording["name"] == "ari-test-call"
        await log.wait_for("RecordingStarted", lambda e: e["recording"]["name"] == "ari-test-call")
        await asyncio.sleep(0.5)
        await ari.stop_recording("ari-test-call")
        await log.wait_for("RecordingFinished", lambda e: e["recording"]["name"] == "ari-test-call")
        assert (pbx.root / "spool" / "recording" / "ari-test-call.wav").is_file()

        await ari.set_variable(channel["id"], "SB_NOTE", "hello")
        assert await ari.get_variable(channel["id"], "SB_NOTE") == "hello"

        await ari.hangup(channel["id"])
        await log.wait_for("StasisEnd", on_channel(channel["id"]))
        result = await asyncio.to_thread(call.wait)

    assert result.answered, result.diagnostics
    assert result.remote_hangups == 1, result.diagnostics  # we hung up, not the caller
    assert log.types().index("StasisStart") < log.types().index("PlaybackStarted")
    assert log.types().index("PlaybackFinished") < log.types().index("StasisEnd")
    await ari.close()
    assert not other_tasks()


async def test_bridge_snoop_and_bridge_recording(
    asterisk_factory: AsteriskFactory, clients: list[AriClient]
) -> None:
    pbx = start_pbx(asterisk_factory)
    ari = make_client(clients, pbx)
    log = EventLog()
    ari.subscribe(log)
    await ari.start()

    # The Local channel's ;1 half enters our app once the ;2 half answers in the dialplan.
    channel = await ari.originate("Local/100@ari-wait", app_args=["agent", "7"])
    start = await log.wait_for("StasisStart", on_channel(channel["id"]))
    assert start["args"] == ["agent", "7"]

    bridge = await ari.create_bridge()
    await ari.add_to_bridge(bridge["id"], channel["id"])
    await log.wait_for("ChannelEnteredBridge", on_channel(channel["id"]))

    snoop = await ari.snoop(channel["id"], spy="both", snoop_id="snoop-1")
    assert snoop["id"] == "snoop-1"
    assert snoop["name"].startswith("Snoop/")
    await log.wait_for("StasisStart", on_channel("snoop-1"))

    await ari.record_bridge(bridge["id"], "ari-test-bridge", if_exists="overwrite")
    await log.wait_for("RecordingStarted", lambda e: e["recording"]["name"] == "ari-test-bridge")
    await asyncio.sleep(0.5)
    await ari.stop_recording("ari-test-bridge")
    await log.wait_for("RecordingFinished", lambda e: e["recording"]["name"] == "ari-test-bridge")
    assert (pbx.root / "spool" / "recording" / "ari-test-bridge.wav").is_file()

    await ari.hangup("snoop-1")
    await ari.hangup(channel["id"])
    await log.wait_for("StasisEnd", on_channel(channel["id"]))
    await ari.destroy_bridge(bridge["id"])


async def test_originate_to_an_answering_phone(
    asterisk_factory: AsteriskFactory,
    answering_phone_factory: Callable[..., AnsweringPhone],
    clients: list[AriClient],
) -> None:
    phone = answering_phone_factory("agent1", answer_after_ms=300)
    pbx = start_pbx(asterisk_factory, **{"pjsip.conf": phone.endpoint_config()})
    ari = make_client(clients, pbx)
    log = EventLog()
    ari.subscribe(log)
    await ari.start()

    channel = await ari.originate(
        phone.dial_string,
        caller_id='"Switchboard" <7000>',
        variables={"SB_CAMPAIGN": "42"},
        timeout=10,
    )
    assert channel["name"].startswith("PJSIP/agent1-")
    assert channel["id"] in {c["id"] for c in await ari.channels()}

    await log.wait_for("StasisStart", on_channel(channel["id"]))
    up = await ari.channel(channel["id"])
    assert up["state"] == "Up"
    assert await ari.get_variable(channel["id"], "SB_CAMPAIGN") == "42"
    endpoints = {f"{e['technology']}/{e['resource']}": e for e in await ari.endpoints()}
    assert channel["id"] in endpoints["PJSIP/agent1"]["channel_ids"]

    await ari.hangup(channel["id"])
    await log.wait_for("StasisEnd", on_channel(channel["id"]))
    await wait_until(lambda: phone.stats().hung_up_by_caller == 1)
    assert phone.stats().answered == 1


async def test_a_second_client_on_the_same_app_takes_over(
    asterisk: AsteriskInstance, clients: list[AriClient]
) -> None:
    first = make_client(clients, asterisk, name="first")
    second = make_client(clients, asterisk, name="second")
    first_log = EventLog()
    first.subscribe(first_log)
    await first.start()
    await second.start()

    await first_log.wait_for("ApplicationReplaced")
    await wait_until(lambda: first.state is ConnectionState.DISCONNECTED)
    assert first.last_error and "another client" in first.last_error
    await asyncio.sleep(0.3)
    assert first.state is ConnectionState.DISCONNECTED  # no tug of war
    assert second.connected


# --------------------------------------------------------------------------------------------
# Reconnection
# --------------------------------------------------------------------------------------------


async def test_reconnects_after_an_asterisk_restart_and_resyncs(
    asterisk_factory: AsteriskFactory, clients: list[AriClient]
) -> None:
    pbx = start_pbx(asterisk_factory)
    ari = make_client(clients, pbx, backoff_initial=0.2, backoff_max=1.0)
    log = EventLog()
    ari.subscribe(log)
    statuses: list[ConnectionStatus] = []
    ari.on_state(statuses.append)
    snapshots: list[list[str]] = []

    async def resync() -> None:
        snapshots.append([c["id"] for c in await ari.channels()])

    ari.on_resync(resync)
    await ari.start()
    assert snapshots == [[]]
    assert ari.connected

    channel = await ari.originate("Local/100@ari-wait")
    await log.wait_for("StasisStart", on_channel(channel["id"]))

    # Asterisk goes away (the call with it) and comes back on the same port.
    await asyncio.to_thread(pbx.restart)
    await wait_until(lambda: len(snapshots) == 2 and ari.connected)
    assert snapshots[1] == []  # what the owner re-read: the call died with Asterisk
    lost = [s for s in statuses if s.state is ConnectionState.DISCONNECTED]
    assert lost and lost[0].error and lost[0].retry_in is not None
    assert statuses[-1].state is ConnectionState.CONNECTED and statuses[-1].error is None

    # Events flow again on the new connection (the app is registered again too).
    again = await ari.originate("Local/100@ari-wait")
    await log.wait_for("StasisStart", on_channel(again["id"]))
    await ari.hangup(again["id"])
    await log.wait_for("StasisEnd", on_channel(again["id"]))

    await ari.close()
    assert [s.state for s in statuses][-1] is ConnectionState.DISCONNECTED
    assert not other_tasks()
