"""Forwards as data, the forwards form's checks, and what the renderers write (golden files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from switchboard.forwards.rules import (
    PhoneForwards,
    changes,
    from_keys,
    from_tree,
    target_error,
)
from switchboard.pbx.apply import check_text
from switchboard.pbx.render.forwards import forwards_lines
from switchboard.pbx.render.spec import MailboxSpec, SiteSpec
from switchboard.pbx.render.voicemail import render_voicemail

GOLDEN = Path(__file__).parent / "golden"
SITE = SiteSpec(
    mailboxes=(
        MailboxSpec("202", "135790", "Boris, Ivanov|x", "boris@example.org", attach=False),
        MailboxSpec("201", "246810", "Anne Martin", max_messages=50),
    ),
    external_forwarders=("299", "201"),
)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SWITCHBOARD_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from its golden file"


def test_forwards_dialplan_is_golden() -> None:
    text = "\n".join(forwards_lines(SITE, "sb-internal", "sb-outbound")) + "\n"
    assert not check_text("extensions.conf", text)
    golden("forwards.conf", text)


def test_voicemail_conf_is_golden_and_keeps_fields_apart() -> None:
    text = render_voicemail(SITE)
    assert not check_text("voicemail.conf", text)
    assert "202 => 135790,Boris  Ivanov x,boris@example.org,,attach=no|maxmsg=100" in text
    golden("voicemail.conf", text)


def test_forwards_read_from_astdb_keys() -> None:
    tree = {"201/busy": "202", "201/ringtime": "15", "204/unconditional": "voicemail"}
    found = from_tree(tree)
    assert found["201"] == PhoneForwards(busy="202", ring_seconds=15)
    assert found["204"].unconditional == "voicemail" and found["204"].active
    assert from_keys({"ringtime": "9999"}).ring_seconds == 20  # nonsense is ignored


def test_changes_write_set_keys_and_delete_the_others() -> None:
    written, deleted = changes(PhoneForwards(noanswer="0612345678", ring_seconds=12))
    assert written == {"noanswer": "0612345678", "ringtime": "12"}
    assert deleted == ["unconditional", "busy"]


@pytest.mark.parametrize(
    ("target", "outside", "voicemail", "error"),
    [
        ("202", False, False, None),
        ("voicemail", False, True, None),
        ("voicemail", False, False, "no voicemail box"),
        ("201", False, False, "itself"),
        ("0612345678", False, False, "external forward right"),
        ("0612345678", True, False, None),
        ("+33612345678", True, False, None),
        ("12;Hangup", True, False, "2 to 20 digits"),
        ("9", True, False, "2 to 20 digits"),
    ],
)
def test_target_rules(target: str, outside: bool, voicemail: bool, error: str | None) -> None:
    found = target_error(
        target,
        own_extension="201",
        internal_numbers={"201", "202", "500"},
        may_forward_outside=outside,
        has_voicemail=voicemail,
    )
    assert (found is None) if error is None else (error in found)
