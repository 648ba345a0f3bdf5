"""The AMI client against a real Asterisk 22: logins, actions, lists, events, reconnection.

Most tests drive a real Asterisk from the project's harness, with real SIP calls placed by
SIPp. A few at the end run against a tiny scripted AMI server on loopback instead, to pin
down what a real PBX cannot be made to do on cue: swallow a ``Ping``, never answer an action,
drop the link with actions in flight, flood a slow subscriber. No database needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from switchboard.telephony.ami.client import AmiClient, State, check_login
from switchboard.telephony.ami.errors import (
    AmiActionError,
    AmiConnectionError,
    AmiError,
    AmiLoginError,
    AmiTimeout,
    ProtocolError,
)
from switchboard.telephony.ami.protocol import Message, Parser
from switchboard.testing.asterisk import LOOPBACK, AsteriskInstance, free_port
from switchboard.testing.sipp import (
    AnsweringPhone,
    caller_endpoint_config,
    place_call,
    start_call,
)

AsteriskFactory = Callable[..., AsteriskInstance]
PhoneFactory = Callable[..., AnsweringPhone]
WAIT_S = 15.0

DIALPLAN = """
[from-trunk]
exten => 100,1,NoOp(AMI client test call)
 same => n,Dial(PJSIP/agent1,20)
 same => n,Hangup()
exten => 200,1,NoOp(AMI client queue call)
 same => n,Queue(support,,,,30)
 same => n,Hangup()
"""

QUEUES = """
[support]
strategy = ringall
timeout = 15
member => PJSIP/agent1,0,Agent One
"""


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


class EventLog:
    """A subscriber that keeps every event and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[Message] = []
        self._arrived = asyncio.Event()

    def __call__(self, message: Message) -> None:
        self.events.append(message)
        self._arrived.set()

    def named(self, name: str) -> list[Message]:
        return [event for event in self.events if event.event == name]

    async def wait_for(
        self, name: str, timeout: float = WAIT_S, **fields: str
    ) -> Message:  # the first matching event, already received or yet to come
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.event == name and all(event.get(k) == v for k, v in fields.items()):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = sorted({event.event or "" for event in self.events})
                raise AssertionError(f"no {name} {fields} within {timeout} s; saw {seen}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)


class StateLog:
    """An ``on_state`` callback that records (state, error) and lets a test wait for one."""

    def __init__(self) -> None:
        self.changes: list[tuple[State, AmiError | None]] = []
        self._changed = asyncio.Event()

    async def __call__(self, state: State, error: AmiError | None) -> None:
        self.changes.append((state, error))
        self._changed.set()

    @property
    def states(self) -> list[State]:
        return [state for state, _error in self.changes]

    async def wait_for(self, state: State, count: int = 1, timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while self.states.count(state) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"state {state} not reached; went {self.states}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)


def make_client(pbx: AsteriskInstance, **options: Any) -> AmiClient:
    credentials = pbx.credentials
    return AmiClient(
        LOOPBACK, pbx.ami_port, credentials.ami_username, credentials.ami_secret, **options
    )


@contextlib.asynccontextmanager
async def connected(pbx: AsteriskInstance, **options: Any) -> AsyncIterator[AmiClient]:
    client = make_client(pbx, **options)
    try:
        await client.start()
        assert client.state == "connected", client.last_error
        yield client
    finally:
        await client.close()


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


def other_tasks() -> set[asyncio.Task[Any]]:
    current = asyncio.current_task()
    return {task for task in asyncio.all_tasks() if task is not current}


def call_config(*phones: AnsweringPhone, caller_port: int) -> dict[str, str]:
    pjsip = "".join(phone.endpoint_config() for phone in phones)
    pjsip += caller_endpoint_config("trunk", caller_port, context="from-trunk")
    return {"pjsip.conf": pjsip, "extensions.conf": DIALPLAN, "queues.conf": QUEUES}


# --------------------------------------------------------------------------------------------
# Logging in
# --------------------------------------------------------------------------------------------


async def test_login_and_version(asterisk: AsteriskInstance) -> None:
    states = StateLog()
    client = make_client(asterisk, name="test PBX")
    client.on_state(states)
    assert not client.connected
    before = client.state_since
    await client.connect_once()
    try:
        assert client.state == "connected" and client.connected
        assert client.state_since >= before
        assert client.last_error is None
        assert client.asterisk_version is not None
        assert client.asterisk_version.startswith("22."), client.asterisk_version
        assert asterisk.version().startswith(f"Asterisk {client.asterisk_version}")
        assert client.ami_version == "11.0.0"
        await client.connect_once()  # already connected: nothing happens
        await states.wait_for("connected")
        assert states.changes == [("connecting", None), ("connected", None)]
    finally:
        await client.close()
    assert client.state == "disconnected"

    credentials = asterisk.credentials
    version = await check_login(
        LOOPBACK, asterisk.ami_port, credentials.ami_username, credentials.ami_secret
    )
    assert version == client.asterisk_version


async def test_bad_secret_is_refused_with_asterisks_message(asterisk: AsteriskInstance) -> None:
    credentials = asterisk.credentials
    with pytest.raises(AmiLoginError, match="Authentication failed") as raised:
        await check_login(LOOPBACK, asterisk.ami_port, credentials.ami_username, "wrong")
    assert credentials.ami_username in str(raised.value)
    assert isinstance(raised.value, AmiConnectionError)

    states = StateLog()
    client = AmiClient(
        LOOPBACK, asterisk.ami_port, credentials.ami_username, "wrong", reconnect=False
    )
    client.on_state(states)
    with pytest.raises(AmiLoginError):
        await client.start()
    await states.wait_for("disconnected")
    assert client.state == "disconnected"
    assert isinstance(client.last_error, AmiLoginError)
    assert states.changes[-1] == ("disconnected", client.last_error)
    with pytest.raises(AmiConnectionError, match=r"not connected.*Authentication failed"):
        await client.action("Ping")
    await client.close()


async def test_unreachable_port_fails_fast() -> None:
    port = free_port("tcp")  # nothing listens there
    started = time.monotonic()
    with pytest.raises(AmiConnectionError, match="Connection refused") as raised:
        await check_login(LOOPBACK, port, "user", "secret")
    assert time.monotonic() - started < 1.0
    assert not isinstance(raised.value, AmiLoginError)
    assert f"{LOOPBACK}:{port}" in str(raised.value)

    client = AmiClient(LOOPBACK, port, "user", "secret", reconnect=False)
    with pytest.raises(AmiConnectionError):
        await client.start()
    await client.close()


async def test_start_with_reconnect_keeps_trying_in_the_background() -> None:
    port = free_port("tcp")
    states = StateLog()
    client = AmiClient(LOOPBACK, port, "u", "s", backoff_initial=0.05, backoff_max=0.1)
    client.on_state(states)
    await client.start()  # does not raise: retries instead
    assert client.state == "disconnected"
    assert isinstance(client.last_error, AmiConnectionError)
    await states.wait_for("connecting", count=3)  # first attempt and two retries at least
    await client.close()
    assert not other_tasks()


# --------------------------------------------------------------------------------------------
# Actions, lists, commands
# --------------------------------------------------------------------------------------------


async def test_many_concurrent_actions_get_their_own_answers(asterisk: AsteriskInstance) -> None:
    async with connected(asterisk) as client:
        count = 150
        await asyncio.gather(
            *(client.action("Setvar", Variable=f"SB_TEST_{i}", Value=f"v{i}") for i in range(count))
        )

        async def read(i: int) -> tuple[int, str | None]:
            response = await client.action("Getvar", Variable=f"SB_TEST_{i}")
            return i, response.get("Value")

        async def ping(i: int) -> tuple[int, str | None]:
            return -1, (await client.action("Ping")).get("Ping")

        async def uptime(i: int) -> tuple[int, str | None]:
            return -2, await client.command("core show uptime")

        jobs: list[Awaitable[tuple[int, str | None]]] = [read(i) for i in range(count)]
        jobs += [ping(i) for i in range(50)] + [uptime(i) for i in range(20)]
        random.Random(7).shuffle(jobs)  # noqa: S311  (a reproducible order, not a secret)
        results = await asyncio.gather(*jobs)
        for i, value in results:
            if i >= 0:
                assert value == f"v{i}"
            elif i == -1:
                assert value == "Pong"
            else:
                assert value is not None and "System uptime" in value


async def test_action_errors_and_timeouts(asterisk: AsteriskInstance) -> None:
    async with connected(asterisk) as client:
        with pytest.raises(AmiActionError, match="Invalid/unknown command") as raised:
            await client.action("NoSuchAction")
        assert raised.value.action == "NoSuchAction"
        with pytest.raises(AmiActionError, match="No such command 'no such thing'"):
            await client.command("no such thing")
        with pytest.raises(ValueError, match="line break"):
            await client.action("Setvar", Variable="X", Value="a\r\nAction: Logoff")
        assert "Asterisk 22." in await client.command("core show version")
        # A real answer to an action that never ends quickly enough.
        with pytest.raises(AmiTimeout, match="WaitEvent"):
            await client.action("WaitEvent", Timeout="5", timeout=0.3)
        assert (await client.action("Ping"))["Ping"] == "Pong"  # the link is still fine


async def test_list_actions_during_a_real_call(
    asterisk_factory: AsteriskFactory, answering_phone_factory: PhoneFactory
) -> None:
    phone = answering_phone_factory("agent1", answer_after_ms=200)
    caller_port = free_port("udp")
    pbx = asterisk_factory(appends=call_config(phone, caller_port=caller_port))
    events = EventLog()
    async with connected(pbx) as client:
        client.subscribe(events)
        response, channels = await client.list_action("CoreShowChannels")
        assert response["EventList"] == "start" and channels == []

        call = await asyncio.to_thread(
            start_call, pbx.sip_port, "100", caller_id="5551234", hold_ms=3000,
            local_port=caller_port,
        )  # fmt: skip
        try:
            caller = await events.wait_for("Newchannel", CallerIDNum="5551234")
            await events.wait_for("BridgeEnter", Channel=caller["Channel"])
            response, channels = await client.list_action("CoreShowChannels")
            listed = {item["Channel"]: item for item in channels}
            assert caller["Channel"] in listed
            assert any(name.startswith("PJSIP/agent1-") for name in listed)
            assert {item.event for item in channels} == {"CoreShowChannel"}
            assert {item.action_id for item in channels} == {response.action_id}
            assert listed[caller["Channel"]]["CallerIDNum"] == "5551234"
            # List items answer the action; subscribers never see them.
            assert not events.named("CoreShowChannel")
            assert not events.named("CoreShowChannelsComplete")
        finally:
            result = await asyncio.to_thread(call.wait)
        assert result.ok, result.diagnostics


async def test_queue_status_lists_params_member_and_waiting_caller(
    asterisk_factory: AsteriskFactory, answering_phone_factory: PhoneFactory
) -> None:
    phone = answering_phone_factory("agent1", answer_after_ms=None)  # rings, never answers
    caller_port = free_port("udp")
    pbx = asterisk_factory(appends=call_config(phone, caller_port=caller_port))
    events = EventLog()
    async with connected(pbx) as client:
        client.subscribe(events)
        _response, items = await client.list_action("QueueStatus", Queue="support")
        assert [item.event for item in items] == ["QueueParams", "QueueMember"]
        assert items[1]["Name"] == "Agent One" and items[1]["Location"] == "PJSIP/agent1"

        call = await asyncio.to_thread(
            start_call, pbx.sip_port, "200", caller_id="5559876", answer_timeout_ms=3000,
            local_port=caller_port,
        )  # fmt: skip
        try:
            await events.wait_for("QueueCallerJoin", Queue="support", CallerIDNum="5559876")
            _response, items = await client.list_action("QueueStatus")
            by_kind = {item.event: item for item in items}
            assert by_kind["QueueParams"]["Calls"] == "1"
            assert by_kind["QueueEntry"]["CallerIDNum"] == "5559876"
            assert by_kind["QueueEntry"]["Position"] == "1"
        finally:
            await asyncio.to_thread(call.wait)
        await events.wait_for("QueueCallerAbandon", Queue="support")


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


async def test_events_of_a_real_call_arrive_in_order(
    asterisk_factory: AsteriskFactory, answering_phone_factory: PhoneFactory
) -> None:
    phone = answering_phone_factory("agent1", answer_after_ms=300)
    caller_port = free_port("udp")
    pbx = asterisk_factory(appends=call_config(phone, caller_port=caller_port))
    plain = EventLog()
    slow: list[Message] = []
    slow_done = asyncio.Event()
    jitter = random.Random(3)  # noqa: S311  (reproducible delays)

    async def slow_subscriber(message: Message) -> None:
        # Awaits at random points: delivery must still wait for it, event after event.
        if jitter.random() < 0.3:
            await asyncio.sleep(jitter.random() / 200)
        slow.append(message)
        if message.event == "Hangup" and len([m for m in slow if m.event == "Hangup"]) == 2:
            slow_done.set()

    def broken_subscriber(message: Message) -> None:
        raise RuntimeError("a subscriber bug")

    async with connected(pbx) as client:
        client.subscribe(broken_subscriber)
        client.subscribe(slow_subscriber)
        unsubscribe = client.subscribe(plain)
        result = await asyncio.to_thread(
            place_call, pbx.sip_port, "100", caller_id="5551234", caller_name="Alice Smith",
            hold_ms=1000, local_port=caller_port,
        )  # fmt: skip
        assert result.ok, result.diagnostics
        await asyncio.wait_for(slow_done.wait(), WAIT_S)
        await plain.wait_for("Hangup", CallerIDNum="5551234")
        unsubscribe()

    caller = next(m for m in plain.events if m.event == "Newchannel" and m["Exten"] == "100")
    assert caller["CallerIDName"] == "Alice Smith"
    story = [m.event for m in plain.events if m.get("Channel") == caller["Channel"]]
    milestones = ["Newchannel", "DialBegin", "DialEnd", "BridgeEnter", "BridgeLeave", "Hangup"]
    assert [event for event in story if event in milestones] == milestones
    # The slow subscriber saw exactly the same events in exactly the same order.
    common = min(len(slow), len(plain.events))
    assert [m.text for m in slow[:common]] == [m.text for m in plain.events[:common]]
    assert len(plain.named("Hangup")) == 2


# --------------------------------------------------------------------------------------------
# Losing Asterisk and getting it back
# --------------------------------------------------------------------------------------------


async def test_reconnects_by_itself_after_asterisk_restarts(asterisk: AsteriskInstance) -> None:
    states = StateLog()
    events = EventLog()
    client = make_client(asterisk, backoff_initial=0.1, backoff_max=0.5, ping_interval=1.0)
    client.on_state(states)
    client.subscribe(events)
    try:
        await client.start()
        assert client.state == "connected"
        first_since = client.state_since

        await asyncio.to_thread(asterisk.stop, remove=False)
        await states.wait_for("disconnected")
        assert client.state in ("disconnected", "connecting")
        assert isinstance(client.last_error, AmiConnectionError)
        assert events.named("Shutdown")  # Asterisk said goodbye before closing
        with pytest.raises(AmiConnectionError, match="not connected"):
            await client.action("Ping")
        await states.wait_for("connecting", count=3)  # it keeps trying while Asterisk is down

        await asyncio.to_thread(asterisk.start)
        await states.wait_for("connected", count=2)
        assert client.state == "connected"
        assert client.state_since > first_since
        assert client.last_error is None
        assert (await client.action("Ping"))["Ping"] == "Pong"
        _response, channels = await client.list_action("CoreShowChannels")
        assert channels == []
        assert client.asterisk_version is not None
        assert client.asterisk_version.startswith("22.")
    finally:
        await client.close()
    assert states.states[:3] == ["connecting", "connected", "disconnected"]
    assert states.states[-1] == "connected"  # nothing is reported after close()
    disconnect_error = states.changes[2][1]
    assert isinstance(disconnect_error, AmiConnectionError)


async def test_close_leaves_no_task_behind(asterisk: AsteriskInstance) -> None:
    before = other_tasks()

    async def subscriber(message: Message) -> None:
        await asyncio.sleep(0)

    client = make_client(asterisk, ping_interval=0.2)
    client.subscribe(subscriber)
    client.on_state(StateLog())
    await client.start()
    await client.list_action("CoreShowChannels")
    await asyncio.gather(*(client.action("Ping") for _ in range(20)))
    await asyncio.sleep(0.5)  # a few keep-alive pings
    assert other_tasks() - before  # reader, keep-alive, dispatchers, supervisor
    await client.close()
    assert other_tasks() - before == set()
    assert client.state == "disconnected"
    with pytest.raises(AmiConnectionError):
        await client.action("Ping")
    with pytest.raises(AmiConnectionError, match="closed"):
        await client.start()
    await client.close()  # twice is fine


# --------------------------------------------------------------------------------------------
# A scripted AMI server for what a real Asterisk will not do on cue
# --------------------------------------------------------------------------------------------


class FakeAmi:
    """A loopback AMI server that answers like Asterisk, except where a test says otherwise."""

    def __init__(self, banner: bytes | None = b"Asterisk Call Manager/11.0.0\r\n") -> None:
        self.banner = banner
        self.silent = {"Hold"}  # actions never answered
        self.connections: list[asyncio.StreamWriter] = []
        self.handlers: list[asyncio.Task[Any]] = []
        self.actions: list[Message] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> FakeAmi:
        self.server = await asyncio.start_server(self._serve, LOOPBACK, 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.server is not None
        for writer in self.connections:
            writer.transport.abort()  # so every handler ends by itself, none is cancelled
        await asyncio.gather(*self.handlers, return_exceptions=True)
        self.server.close()
        await self.server.wait_closed()

    def client(self, **options: Any) -> AmiClient:
        return AmiClient(LOOPBACK, self.port, "user", "secret", **options)

    def send(self, data: bytes) -> None:
        self.connections[-1].write(data)

    def drop(self) -> None:
        self.connections[-1].transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(writer)
        self.handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        if self.banner is not None:
            writer.write(self.banner)
        parser = Parser(expect_banner=False)
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                for action in parser.feed(data):
                    self.actions.append(action)
                    name = action["Action"]
                    if name not in self.silent:
                        writer.write(self._answer(name, action["ActionID"]))

    @staticmethod
    def _answer(name: str, action_id: str) -> bytes:
        extra = {
            "Ping": "Ping: Pong\r\n",
            "CoreSettings": "AsteriskVersion: 22.0.0-fake\r\n",
            "Logoff": "",
        }.get(name, "")
        response = "Goodbye" if name == "Logoff" else "Success"
        return f"Response: {response}\r\nActionID: {action_id}\r\n{extra}\r\n".encode()


async def test_pending_actions_fail_when_the_link_drops() -> None:
    async with FakeAmi() as server:
        client = server.client(reconnect=False)
        await client.start()
        assert client.asterisk_version == "22.0.0-fake"
        pending = [asyncio.create_task(client.action("Hold")) for _ in range(5)]
        listing = asyncio.create_task(client.list_action("Hold"))
        await asyncio.sleep(0.1)
        server.drop()
        for task in [*pending, listing]:
            with pytest.raises(AmiConnectionError, match="closed the AMI connection"):
                await task
        assert client.state == "disconnected"
        await client.close()


async def test_a_missing_pong_tears_the_link_down_and_reconnects() -> None:
    async with FakeAmi() as server:
        server.silent.add("Ping")
        states = StateLog()
        client = server.client(
            ping_interval=0.2, action_timeout=0.3, backoff_initial=0.05, backoff_max=0.1
        )
        client.on_state(states)
        await client.start()
        await states.wait_for("disconnected", timeout=3)
        error = states.changes[states.states.index("disconnected")][1]
        assert isinstance(error, AmiConnectionError)
        assert "did not answer Ping" in str(error)
        server.silent.discard("Ping")
        await states.wait_for("connected", count=2, timeout=3)
        assert len(server.connections) >= 2
        assert (await client.action("Ping"))["Ping"] == "Pong"
        await client.close()


async def test_a_slow_subscriber_makes_events_drop_not_memory_grow(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()
    received: list[str] = []

    async def slow(message: Message) -> None:
        await release.wait()
        received.append(message["N"])

    async with FakeAmi() as server:
        client = server.client(event_queue_size=10, reconnect=False)
        client.subscribe(slow)
        await client.start()
        with caplog.at_level(logging.WARNING):
            server.send(b"".join(b"Event: Flood\r\nN: %d\r\n\r\n" % n for n in range(100)))
            await wait_until(lambda: client.dropped_events >= 89)
            await asyncio.sleep(0.1)
        # Ten events wait in the queue (and maybe one more in the subscriber's hands, if it
        # took one before the rest arrived); every other one was dropped, not stored.
        assert client.dropped_events in (89, 90)
        assert f"dropped {client.dropped_events} event(s)" in caplog.text or (
            "dropped 1 event(s)" in caplog.text  # the first drop warns at once
        )
        assert (await client.action("Ping"))["Ping"] == "Pong"  # answers still flow
        release.set()
        kept = 100 - client.dropped_events
        await wait_until(lambda: len(received) == kept)
        assert received == [str(n) for n in range(kept)]  # the oldest ones, in order
        await client.close()


async def test_events_reach_every_subscriber_despite_failures() -> None:
    got: list[str] = []

    def failing(message: Message) -> None:
        raise ValueError("boom")

    async def failing_async(message: Message) -> None:
        raise ValueError("async boom")

    async with FakeAmi() as server:
        client = server.client(reconnect=False)
        client.subscribe(failing)
        client.subscribe(failing_async)
        client.subscribe(lambda message: got.append(message["N"]))
        await client.start()
        server.send(b"".join(b"Event: E\r\nN: %d\r\n\r\n" % n for n in range(50)))
        await wait_until(lambda: len(got) == 50)
        assert got == [str(n) for n in range(50)]
        await client.close()


async def test_a_list_that_stalls_times_out() -> None:
    async with FakeAmi() as server:
        client = server.client(reconnect=False)
        await client.start()
        server.silent.add("Stalling")
        task = asyncio.create_task(client.list_action("Stalling", timeout=0.3))
        await asyncio.sleep(0.1)
        action_id = server.actions[-1]["ActionID"]
        server.send(
            f"Response: Success\r\nActionID: {action_id}\r\nEventList: start\r\n\r\n"
            f"Event: Item\r\nActionID: {action_id}\r\n\r\n".encode()
        )
        with pytest.raises(AmiTimeout, match="stalled after 1 item"):
            await task
        assert (await client.action("Ping"))["Ping"] == "Pong"
        await client.close()


async def test_no_greeting_or_a_foreign_greeting_is_a_connection_error() -> None:
    async with FakeAmi(banner=None) as server:
        started = time.monotonic()
        with pytest.raises(AmiConnectionError, match="no AMI greeting"):
            await server.client(connect_timeout=0.3, reconnect=False).start()
        assert time.monotonic() - started < 1.0
    async with FakeAmi() as server:
        server.silent.add("Login")
        with pytest.raises(AmiConnectionError, match="did not complete the AMI login"):
            await check_login(LOOPBACK, server.port, "user", "secret", timeout=0.3)
    async with FakeAmi(banner=b"SSH-2.0-OpenSSH_9.2\r\n") as server:
        with pytest.raises(AmiConnectionError, match="not an Asterisk manager port"):
            await check_login(LOOPBACK, server.port, "user", "secret")


async def test_an_oversized_message_drops_the_link() -> None:
    async with FakeAmi() as server:
        states = StateLog()
        client = server.client(max_message_size=1000, reconnect=False)
        client.on_state(states)
        await client.start()
        server.send(b"Event: Huge\r\nData: " + b"x" * 2000 + b"\r\n\r\n")
        await states.wait_for("disconnected", timeout=3)
        assert isinstance(client.last_error, ProtocolError)
        await client.close()
