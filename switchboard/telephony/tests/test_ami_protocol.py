"""The AMI wire format (parser, encoder, helpers) on transcripts recorded from Asterisk 22.

The transcripts in ``transcripts/`` are the exact bytes a real Asterisk sent (see their
README). Besides checking what they decode to, every transcript is split at every byte offset
and fed in two chunks, proving that where TCP happens to cut the stream never matters.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from switchboard.telephony.ami.errors import AmiError, ProtocolError
from switchboard.telephony.ami.protocol import (
    Message,
    Parser,
    command_output,
    encode_action,
    is_error,
    is_list_complete,
    is_list_start,
    parse_message,
)

TRANSCRIPTS = Path(__file__).with_name("transcripts")
NAMES = sorted(path.name for path in TRANSCRIPTS.glob("*.ami"))
BANNER = "Asterisk Call Manager/11.0.0"


def load(name: str) -> bytes:
    return (TRANSCRIPTS / name).read_bytes()


def parse(data: bytes, chunk_sizes: list[int] | None = None) -> tuple[Parser, list[Message]]:
    """Feed ``data`` whole, or in chunks of the given sizes (the last one takes the rest)."""
    parser = Parser()
    messages: list[Message] = []
    offset = 0
    for size in chunk_sizes or []:
        messages += parser.feed(data[offset : offset + size])
        offset += size
    messages += parser.feed(data[offset:])
    return parser, messages


def by_action(messages: list[Message], action_id: str) -> list[Message]:
    return [message for message in messages if message.action_id == action_id]


def test_the_transcripts_are_real_crlf_recordings() -> None:
    assert set(NAMES) >= {
        "login_ok.ami",
        "login_failed.ami",
        "command.ami",
        "call_events.ami",
        "queue_status.ami",
        "core_show_channels.ami",
    }
    for name in NAMES:
        data = load(name)
        assert data.startswith(BANNER.encode() + b"\r\n"), name
        assert data.endswith(b"\r\n\r\n"), name
        assert b"\n" not in data.replace(b"\r\n", b""), f"{name} lost its CRLF line ends"


# --- what the transcripts decode to ------------------------------------------------------


def test_login_accepted() -> None:
    parser, messages = parse(load("login_ok.ami"))
    assert parser.banner == BANNER
    assert parser.ami_version == "11.0.0"
    assert parser.buffered == 0
    login = messages[0]
    assert login.response == "Success"
    assert login.event is None
    assert login.action_id == "login-1"
    assert login["Message"] == "Authentication accepted"
    assert [m.event for m in messages[1:3]] == ["FullyBooted", "SuccessfulAuth"]
    assert messages[1]["Status"] == "Fully Booted"
    assert messages[1].response is None
    goodbye = messages[-1]
    assert goodbye.response == "Goodbye"
    assert goodbye["Message"] == "Thanks for all the fish."


def test_login_refused() -> None:
    parser, messages = parse(load("login_failed.ami"))
    assert parser.banner == BANNER
    assert len(messages) == 1
    assert is_error(messages[0])
    assert messages[0]["Message"] == "Authentication failed"


def test_command_output_lines_keep_their_indentation_and_colons() -> None:
    _parser, messages = parse(load("command.ami"))
    version = by_action(messages, "cmd-1")[0]
    assert version.response == "Success"
    assert version["Message"] == "Command output follows"
    assert command_output(version).startswith("Asterisk 22.")
    assert "on 2026-07-20 21:35:32 UTC" in command_output(version)  # ':' inside the value

    endpoints = by_action(messages, "cmd-2")[0]
    lines = command_output(endpoints).split("\n")
    assert lines[0] == ""  # "Output: " with nothing after it is an empty line
    assert lines[1].startswith(" Endpoint:  <Endpoint/CID")  # one space after ':' removed only
    assert any(line.startswith(" Endpoint:  agent1 ") for line in lines)
    assert any(line.startswith("      Contact:  agent1/sip:agent1@127.0.0.1:") for line in lines)
    assert "Objects found: 3" in lines
    assert len(endpoints.get_all("output")) == len(lines)

    unknown = by_action(messages, "cmd-3")[0]
    assert is_error(unknown)
    assert command_output(unknown).startswith("No such command 'no such command here'")


def test_other_answers_in_the_command_transcript() -> None:
    _parser, messages = parse(load("command.ami"))
    settings = by_action(messages, "settings-1")[0]
    assert settings["AsteriskVersion"].startswith("22.")
    assert settings["AMIversion"] == "11.0.0"
    assert settings["SystemName"] == ""  # "SystemName: " is an empty value, not a missing one
    assert "SystemName" in settings
    pong = by_action(messages, "ping-1")[0]
    assert pong["Ping"] == "Pong"
    unknown = by_action(messages, "bad-1")[0]
    assert is_error(unknown)
    assert unknown["Message"] == (
        "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available "
        "commands."
    )


def test_queue_status_list() -> None:
    _parser, messages = parse(load("queue_status.ami"))
    response, *items, complete, goodbye = by_action(messages, "qs-1") + messages[-1:]
    assert is_list_start(response) and not is_list_complete(response)
    assert response["Message"] == "Queue status will follow"
    assert [item.event for item in items] == ["QueueParams", "QueueMember", "QueueEntry"]
    assert not any(is_list_start(item) or is_list_complete(item) for item in items)
    params, member, entry = items
    assert params["Queue"] == "support" and params["Strategy"] == "ringall"
    assert params["Calls"] == "1"
    assert member["Location"] == "PJSIP/agent2" and member["Name"] == "Agent Two"
    assert member["PausedReason"] == ""
    assert entry["CallerIDNum"] == "5559876" and entry["CallerIDName"] == "Bob Jones"
    assert entry["Channel"].startswith("PJSIP/trunk-")
    assert complete.event == "QueueStatusComplete"
    assert is_list_complete(complete)
    assert int(complete["ListItems"]) == len(items)
    assert goodbye.response == "Goodbye"


def test_core_show_channels_list_between_other_events() -> None:
    _parser, messages = parse(load("core_show_channels.ami"))
    listed = by_action(messages, "chans-1")
    response, *items, complete = listed
    assert is_list_start(response)
    assert {item.event for item in items} == {"CoreShowChannel"}
    assert sorted(item["Channel"].split("-")[0] for item in items) == [
        "PJSIP/agent2",
        "PJSIP/trunk",
    ]
    assert len({item["BridgeId"] for item in items}) == 1  # both legs in one bridge
    assert all(item["ChannelStateDesc"] == "Up" for item in items)
    assert is_list_complete(complete) and complete["ListItems"] == str(len(items))
    others = [m.event for m in messages if m.event and m.action_id is None]
    assert others[:2] == ["FullyBooted", "SuccessfulAuth"]
    assert "TestEvent" in others  # events of the call keep coming after the list


def test_call_events() -> None:
    _parser, messages = parse(load("call_events.ami"))
    events = [m for m in messages if m.event]
    counts = Counter(m.event for m in events)
    assert counts["Newchannel"] == 4
    assert counts["Hangup"] == 4
    assert counts["VarSet"] >= 50
    for name in ("DialBegin", "DialEnd", "BridgeEnter", "QueueCallerJoin", "AgentConnect"):
        assert counts[name] >= 1, name

    caller = next(m for m in events if m.event == "Newchannel" and m["Exten"] == "100")
    assert caller["CallerIDName"] == "Alice Smith"
    channel = caller["Channel"]
    story = [m.event for m in events if m.get("Channel") == channel]
    order = ["Newchannel", "DialBegin", "DialEnd", "BridgeEnter", "BridgeLeave", "Hangup"]
    assert [e for e in story if e in order] == order
    hangup = next(m for m in events if m.event == "Hangup" and m["Channel"] == channel)
    assert hangup["Cause-txt"] == "Normal Clearing"

    connect = next(m for m in events if m.event == "AgentConnect")
    assert connect["Queue"] == "support"
    assert connect["MemberName"] == "Agent Two"
    assert connect["DestChannel"].startswith("PJSIP/agent2-")
    assert any(m.get("Device") == "Queue:support" for m in events)  # ':' in a value


# --- chunk boundaries ----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_split_at_every_byte_offset(name: str) -> None:
    data = load(name)
    whole_parser, whole = parse(data)
    expected = [message.text for message in whole]
    for offset in range(len(data) + 1):
        parser, messages = parse(data, [offset])
        assert [m.text for m in messages] == expected, f"{name} split at byte {offset}"
        assert parser.banner == whole_parser.banner == BANNER
        assert parser.buffered == 0


@pytest.mark.parametrize("name", NAMES)
def test_one_byte_at_a_time_and_random_chunks(name: str) -> None:
    data = load(name)
    _parser, whole = parse(data)
    _parser, bytewise = parse(data, [1] * len(data))
    assert bytewise == whole  # Message equality compares the decoded headers
    generator = random.Random(name)  # noqa: S311  (reproducible chunk sizes, not secrets)
    for _ in range(20):
        sizes = [generator.randint(1, 700) for _ in range(len(data) // 50 + 1)]
        _parser, chunked = parse(data, sizes)
        assert chunked == whole


def test_each_feed_returns_the_messages_it_completes() -> None:
    parser = Parser()
    assert parser.feed(b"Asterisk Call Manager/11.0.0\r") == []
    assert parser.banner is None
    assert parser.feed(b"\nResponse: Success\r\nMessage: a: b\r\n\r") == []
    assert parser.banner == BANNER
    (message,) = parser.feed(b"\n")  # the separator was cut between its CR and its LF
    assert message.headers == (("Response", "Success"), ("Message", "a: b"))
    assert parser.feed(b"Event: FullyBooted\r\n") == []
    (event,) = parser.feed(b"\r\nEvent: Next")
    assert event.event == "FullyBooted"
    assert parser.feed(b"") == []
    assert parser.buffered == len(b"Event: Next")


def test_stream_without_banner() -> None:
    parser = Parser()
    (message,) = parser.feed(b"Response: Success\r\nPing: Pong\r\n\r\n")
    assert parser.banner is None
    assert message["Ping"] == "Pong"
    parser = Parser(expect_banner=False)
    assert parser.feed(b"Event: X\r\n\r\n")[0].event == "X"


def test_empty_lines_between_messages_are_ignored() -> None:
    parser = Parser()
    data = b"\r\nAsterisk Call Manager/11.0.0\r\n\r\nEvent: A\r\n\r\n\r\n\r\nEvent: B\r\n\r\n"
    assert [m.event for m in parser.feed(data)] == ["A", "B"]
    assert parser.banner == BANNER


# --- odd lines --------------------------------------------------------------------------------


def test_odd_lines_take_the_careful_path() -> None:
    message = parse_message("Event: Odd\r\nNoSpace:value\r\nEmpty:\r\nLone: a\nb\r\nCR: c\rd")
    assert message.headers == (
        ("Event", "Odd"),
        ("NoSpace", "value"),
        ("Empty", ""),
        ("Lone", "a\nb"),
        ("CR", "c\rd"),
    )
    lazy = Message.from_text(message.text)
    assert lazy == message
    assert lazy.get("Lone") == "a\nb"
    assert lazy.get("nospace") == "value"


def test_legacy_follows_command_output() -> None:
    text = (
        "Response: Follows\r\nPrivilege: Command\r\nActionID: 7\r\n"
        "line one\nline two\n--END COMMAND--"
    )
    message = Parser(expect_banner=False).feed(text.encode() + b"\r\n\r\n")[0]
    assert message.response == "Follows"
    assert command_output(message) == "line one\nline two\n"
    assert message.action_id == "7"


def test_invalid_utf8_becomes_replacement_characters() -> None:
    (message,) = Parser(expect_banner=False).feed(b"Event: X\r\nCallerIDName: Jos\xe9\r\n\r\n")
    assert message["CallerIDName"] == "Jos\ufffd"


# --- bounds ---------------------------------------------------------------------------------


def test_unterminated_message_beyond_the_limit_raises() -> None:
    parser = Parser(max_message_size=100, expect_banner=False)
    assert parser.feed(b"Event: X\r\nData: " + b"x" * 80) == []
    with pytest.raises(ProtocolError, match="longer than 100 bytes"):
        parser.feed(b"y" * 20)


def test_one_complete_message_beyond_the_limit_raises() -> None:
    parser = Parser(max_message_size=100, expect_banner=False)
    with pytest.raises(ProtocolError):
        parser.feed(b"Event: Small\r\n\r\nEvent: X\r\nData: " + b"x" * 200 + b"\r\n\r\n")


def test_many_small_messages_in_one_chunk_are_fine() -> None:
    parser = Parser(max_message_size=100, expect_banner=False)
    messages = parser.feed(b"Event: Small\r\nN: 1\r\n\r\n" * 1000)
    assert len(messages) == 1000


def test_a_banner_that_never_ends_raises() -> None:
    parser = Parser(max_message_size=100)
    with pytest.raises(ProtocolError, match="banner"):
        parser.feed(b"x" * 101)
    assert issubclass(ProtocolError, AmiError)


def test_default_limit_is_one_mebibyte() -> None:
    parser = Parser(expect_banner=False)
    assert parser.max_message_size == 1024 * 1024
    parser.feed(b"Event: Big\r\nData: " + b"x" * (1024 * 1024 - 100))
    with pytest.raises(ProtocolError):
        parser.feed(b"x" * 200)


# --- Message ----------------------------------------------------------------------------------


def test_message_lookups() -> None:
    message = Message((("Event", "VarSet"), ("Variable", "a"), ("variable", "b"), ("X", "1:2")))
    assert message.event == "VarSet" and message.response is None
    assert message.get("VARIABLE") == "a"
    assert message.get_all("Variable") == ["a", "b"]
    assert message["x"] == "1:2"
    assert message.get("Missing") is None and message.get("Missing", "d") == "d"
    assert "variable" in message and "Missing" not in message and 3 not in message
    with pytest.raises(KeyError):
        message["Missing"]
    assert message.as_dict() == {"Event": "VarSet", "Variable": "a", "variable": "b", "X": "1:2"}
    assert message.text == "Event: VarSet\r\nVariable: a\r\nvariable: b\r\nX: 1:2"
    assert repr(message).startswith("Message(headers=((")


def test_lazy_and_eager_messages_agree() -> None:
    text = "Event: Hangup\r\nChannel: PJSIP/a-1\r\nCause-txt: Normal Clearing\r\nUniqueid: 1.2"
    lazy, eager = Message.from_text(text), parse_message(text)
    assert lazy == eager and hash(lazy) == hash(eager)
    assert lazy.text == eager.text == text
    assert lazy != Message((("Event", "Hangup"),))
    assert lazy.__eq__("text") is NotImplemented


def test_an_event_carrying_a_response_key_is_still_an_event() -> None:
    message = Message.from_text("Event: OriginateResponse\r\nActionID: 5\r\nResponse: Success")
    assert message.event == "OriginateResponse"
    assert message.response is None
    assert message.get("Response") == "Success"
    eager = Message(message.headers)
    assert eager.event == "OriginateResponse" and eager.response is None


@pytest.mark.parametrize("name", NAMES)
def test_text_lookups_match_the_decoded_index(name: str) -> None:
    """Every key of every recorded message: the undecoded fast path answers like the index."""
    _parser, messages = parse(load(name))
    for message in messages:
        decoded = Message(message.headers)
        keys = {key for key, _value in message.headers}
        for key in keys | {k.lower() for k in keys} | {k.upper() for k in keys} | {"Nope"}:
            fresh = Parser(expect_banner=False).feed(message.text.encode() + b"\r\n\r\n")[0]
            assert fresh.get(key) == decoded.get(key), (name, key)
            assert (key in fresh) == (key in decoded)
        assert message.event == decoded.event
        assert message.response == decoded.response
        assert message.action_id == decoded.action_id


# --- encoding ---------------------------------------------------------------------------------


def test_encode_action() -> None:
    data = encode_action(
        "Originate",
        {"Channel": "PJSIP/101", "Variable": ["A=1", "B=x:y"], "Async": "true"},
        "abc-1",
    )
    assert data == (
        b"Action: Originate\r\nActionID: abc-1\r\nChannel: PJSIP/101\r\n"
        b"Variable: A=1\r\nVariable: B=x:y\r\nAsync: true\r\n\r\n"
    )
    (message,) = Parser(expect_banner=False).feed(data)
    assert message.get_all("Variable") == ["A=1", "B=x:y"]
    assert encode_action("Ping", {}, "1") == b"Action: Ping\r\nActionID: 1\r\n\r\n"
    assert encode_action("Setvar", {"Value": "Zoë"}, "2").endswith("Value: Zoë\r\n\r\n".encode())


@pytest.mark.parametrize(
    ("name", "fields", "action_id"),
    [
        ("Setvar", {"Value": "x\r\nAction: Hangup"}, "1"),
        ("Setvar", {"Value": "x\nAction: Hangup"}, "1"),
        ("Setvar", {"Value": "x\r"}, "1"),
        ("Setvar", {"Variable": ["ok", "bad\n"]}, "1"),
        ("Ping\r\nAction: Hangup", {}, "1"),
        ("Ping", {}, "1\r\nX: y"),
        ("Ping", {"Bad Key": "v"}, "1"),
        ("Ping", {"Key:": "v"}, "1"),
        ("Ping", {"": "v"}, "1"),
        ("Ping", {"ActionID": "2"}, "1"),
        ("Ping", {"action": "Hangup"}, "1"),
        ("", {}, "1"),
        ("Ping", {}, ""),
    ],
)
def test_encode_refuses_header_injection(
    name: str, fields: dict[str, str | list[str]], action_id: str
) -> None:
    with pytest.raises(ValueError):
        encode_action(name, fields, action_id)


def test_encode_refuses_non_text_values() -> None:
    with pytest.raises(TypeError, match="Penalty"):
        encode_action("QueueAdd", {"Penalty": 5}, "1")  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        encode_action("Originate", {"Variable": ["A=1", 2]}, "1")  # type: ignore[list-item]
