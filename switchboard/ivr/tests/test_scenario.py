"""Validation of scenarios, in pure Python: each mistake is named next to its block and action."""

from __future__ import annotations

import pytest
from django.utils import translation

from switchboard.ivr.scenario import Context, reachable, validate

CONTEXT = Context(
    phones=frozenset({"201", "202"}),
    queues=frozenset({"500"}),
    incidents=frozenset({"closed"}),
    sounds=frozenset({"switchboard/sb-0123abcd"}),
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def scenario(*blocks: tuple[str, list[dict]]) -> dict:
    return {"blocks": [{"name": name, "actions": actions} for name, actions in blocks]}


def errors_of(data: dict, context: Context = CONTEXT) -> list[tuple[str, int | None, str]]:
    _cleaned, errors = validate(data, context)
    return [(e.block, e.action, e.message) for e in errors]


GOOD = scenario(
    (
        "incoming",
        [
            {"type": "play", "sound": "hello-world"},
            {"type": "play", "sound": "switchboard/sb-0123abcd"},
            {"type": "incident", "incident": "closed", "target": "closed"},
            {"type": "holiday", "target": "closed"},
            {
                "type": "time",
                "days": ["sat", "mon"],
                "ranges": [["09:00", "17:00"]],
                "target": "open",
            },
            {"type": "goto", "target": "closed"},
        ],
    ),
    (
        "open",
        [
            {"type": "read", "variable": "account", "max_digits": "6", "timeout": 4},
            {
                "type": "menu",
                "sound": "digits/1",
                "max_digits": 4,
                "keys": [["1", "sales"], ["2", "closed"]],
                "patterns": [["^12[0-9]{2}$", "mailbox"]],
                "on_timeout": "open",
            },
        ],
    ),
    ("sales", [{"type": "transfer", "kind": "queue", "number": "500"}]),
    ("mailbox", [{"type": "transfer", "kind": "voicemail", "number": "201"}]),
    ("closed", [{"type": "transfer", "kind": "external", "number": "+33140000000"}]),
)


def test_a_good_scenario_is_cleaned_without_errors() -> None:
    cleaned, errors = validate(GOOD, CONTEXT)
    assert errors == []
    assert cleaned["blocks"][0]["actions"][4]["days"] == ["mon", "sat"]  # week order
    assert cleaned["blocks"][1]["actions"][0] == {
        "type": "read",
        "variable": "ACCOUNT",
        "sound": "",
        "max_digits": 6,
        "timeout": 4,
    }
    assert reachable(cleaned) == {"incoming", "open", "sales", "mailbox", "closed"}


def test_incoming_is_required_and_targets_must_exist() -> None:
    assert errors_of(scenario(("start", [{"type": "hangup"}]))) == [
        ("", None, "The scenario needs a block named “incoming”: calls start there."),
        ("start", None, "No call can reach this block: link it from another block or delete it."),
    ]
    assert errors_of(scenario(("incoming", [{"type": "goto", "target": "nowhere"}]))) == [
        ("incoming", 0, "There is no block named “nowhere”.")
    ]


def test_unreachable_blocks_and_unreachable_actions_are_refused() -> None:
    data = scenario(
        ("incoming", [{"type": "hangup"}, {"type": "play", "sound": "beep"}]),
        ("lost", [{"type": "hangup"}]),
    )
    assert errors_of(data) == [
        ("incoming", 1, "This action is never reached: the one before it ends the block."),
        ("lost", None, "No call can reach this block: link it from another block or delete it."),
    ]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"type": "play", "sound": "a,b)"}, "A sound name has only letters"),
        ({"type": "play", "sound": "../../etc/passwd"}, "A sound name has only letters"),
        ({"type": "menu", "keys": [["12", "incoming"]]}, "A menu key is one of 0-9 or *."),
        ({"type": "menu", "keys": []}, "A menu needs at least one key or digit pattern."),
        (
            {"type": "menu", "max_digits": 3, "patterns": [["^1${X}", "incoming"]]},
            "A digit pattern",
        ),
        ({"type": "menu", "max_digits": 3, "patterns": [['^1"', "incoming"]]}, "A digit pattern"),
        ({"type": "menu", "max_digits": 3, "patterns": [["^1}", "incoming"]]}, "A digit pattern"),
        ({"type": "menu", "max_digits": 3, "patterns": [["^(1", "incoming"]]}, "Not a valid"),
        ({"type": "menu", "patterns": [["^1[0-9]$", "incoming"]]}, "at least 2 digits"),
        ({"type": "time", "days": [], "target": "incoming"}, "Choose at least one day"),
        (
            {"type": "time", "days": ["mon"], "ranges": [["18:00", "09:00"]], "target": "incoming"},
            "A time range",
        ),
        ({"type": "incident", "incident": "unknown", "target": "incoming"}, "There is no incident"),
        ({"type": "transfer", "kind": "phone", "number": "299"}, "This PBX has no phone 299."),
        ({"type": "transfer", "kind": "queue", "number": "501"}, "This PBX has no queue"),
        ({"type": "transfer", "kind": "external", "number": "06;12"}, "An external number"),
        ({"type": "transfer", "kind": "fax", "number": "201"}, "Choose where to transfer"),
        ({"type": "read", "variable": "1X", "max_digits": 0}, "A variable name"),
        ({"type": "speech", "text": "Hello", "language": "en"}, "Text-to-speech is not available"),
        ({"type": "shell"}, "Unknown action."),
        (
            {"type": "play", "sound": "switchboard/sb-gone"},
            "There is no sound “switchboard/sb-gone”",
        ),
    ],
)
def test_bad_parameters_are_named(action: dict, message: str) -> None:
    found = errors_of(scenario(("incoming", [action])))
    assert found and found[0][:2] == ("incoming", 0), found
    assert message in found[0][2], found


def test_text_to_speech_is_accepted_when_the_media_app_offers_it() -> None:
    context = Context(speech_available=True)
    data = scenario(("incoming", [{"type": "speech", "text": "Bonjour", "language": "fr"}]))
    assert errors_of(data, context) == []
    bad = scenario(("incoming", [{"type": "speech", "text": "a\nb", "language": "fr"}]))
    assert errors_of(bad, context)[0][2].startswith("The text to speak is one line")


def test_messages_are_translated() -> None:
    with translation.override("fr"):
        _cleaned, errors = validate({"blocks": "x"}, CONTEXT)
    assert len(errors) == 1 and errors[0].message


def test_garbage_is_refused_without_crashing() -> None:
    for data in (
        None,
        [],
        {"blocks": [None, 3, {"name": 5}]},
        {"blocks": [{"name": "incoming", "actions": [None, "x"]}]},
    ):
        _cleaned, errors = validate(data, CONTEXT)
        assert errors
