"""Golden files pin what each renderer writes; the apply's own checks refuse broken text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from switchboard.pbx.apply import check_text, missing_includes
from switchboard.pbx.render import render_all
from switchboard.pbx.render.spec import (
    DialPatternSpec,
    InboundSpec,
    OverrideRuleSpec,
    PhoneSpec,
    QueueMemberSpec,
    QueueSpec,
    RoutingSpec,
    SiteSpec,
    TrunkSpec,
)

GOLDEN = Path(__file__).parent / "golden"
SITE = SiteSpec(
    phones=(
        PhoneSpec("202", "Boris Ivanov", "s3cretS3cret22", pickup_groups=(1,)),
        PhoneSpec("201", "Anne Martin", "s3cretS3cret11", call_groups=(2, 1), pickup_groups=(1,)),
        PhoneSpec(
            "299",
            "",
            "s3cretS3cret99",
            fixed_address="10.0.0.9:5062",
            dial_classes=("international", "emergency", "internal"),
            line="carrier",
        ),
    ),
    trunks=(
        TrunkSpec(
            "provider",
            "sip.example.net",
            username="acme",
            password="Pa55-word",
            register=True,
            outbound_pattern=r"^0[1-9][0-9]{8}$",
            strip_digits=1,
            prefix="+33",
        ),
        TrunkSpec("emergency", "10.0.0.1:5060", outbound_pattern=r"^(112|15|17|18)$", priority=1),
        TrunkSpec("carrier", "10.0.0.2"),
    ),
    inbound=(
        InboundSpec("0140000002", "500", manager_seconds=15),
        InboundSpec("0140000001", "201"),
        InboundSpec("0140000003", "201", kind="voicemail"),
        InboundSpec("0140000004", "0612345678", kind="external"),
    ),
    routing=RoutingSpec(
        dial_patterns=(
            DialPatternSpec("mobile", "_0[67]XXXXXXXX"),
            DialPatternSpec("emergency", "112"),
            DialPatternSpec("international", "_00X."),
            DialPatternSpec("local", "_0[1-5]XXXXXXXX"),
        ),
        overrides=(
            OverrideRuleSpec(
                "201",
                "Boss to Boris",
                callers=("0611111111",),
                caller_regexes=(r"^\+336",),
                times=(("08:00", "12:00"), ("14:00", "24:00")),
                weekdays=("mon", "fri"),
                redirect="202",
            ),
            OverrideRuleSpec("201", "Nights", weekdays=("sat", "sun")),
            OverrideRuleSpec("0140000001", "Closed", times=(("20:00", "23:59"),), redirect="500"),
        ),
    ),
    queues=(
        QueueSpec(
            "support",
            "501",
            strategy="ringall",
            leave_when_empty=True,
            announce_frequency=30,
            announce_holdtime="once",
            announce_position=True,
            agent_announcement="custom/agent-beep",
            members=(
                QueueMemberSpec("201", 0, "Anne Martin"),
                QueueMemberSpec("202", 3, "Boris, Ivanov", dynamic=True),
            ),
            sticky_agent=True,
        ),
        QueueSpec(
            "sales",
            "500",
            wrapup_seconds=5,
            music_class="jazz",
            members=(
                QueueMemberSpec("202", 1, "Ivanov, Boris"),
                QueueMemberSpec("201", 0, "Anne Martin"),
                QueueMemberSpec("299", 0, "Operator"),
            ),
            simultaneous_rings=2,
            ring_seconds=20,
        ),
    ),
)


@pytest.mark.parametrize(
    "name", ["pjsip.conf", "extensions.conf", "queues.conf", "queuerules.conf"]
)
def test_renderer_matches_its_golden_file(name: str) -> None:
    text = render_all(SITE, "GEN-1")[name]
    golden = GOLDEN / name
    if os.environ.get("SWITCHBOARD_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"run with SWITCHBOARD_UPDATE_GOLDEN=1 to accept {name}"


def test_rendering_is_pure() -> None:
    assert render_all(SITE, "G") == render_all(SITE, "G")
    reordered = SiteSpec(
        phones=tuple(reversed(SITE.phones)),
        queues=tuple(reversed(SITE.queues)),
        trunks=tuple(reversed(SITE.trunks)),
        inbound=tuple(reversed(SITE.inbound)),
        routing=RoutingSpec(
            dial_patterns=tuple(reversed(SITE.routing.dial_patterns)),
            overrides=SITE.routing.overrides,
        ),
    )
    assert render_all(reordered, "G") == render_all(SITE, "G")


def test_rendered_files_pass_the_syntax_check() -> None:
    for name, text in render_all(SITE, "G").items():
        assert check_text(name, text) == [], name


def test_syntax_check_refuses_broken_lines() -> None:
    assert check_text("x.conf", "[ok]\ntype = endpoint\nthis line is not config\n[bad\n") == [
        "x.conf:3: 'this line is not config'",
        "x.conf:4: '[bad'",
    ]


def test_missing_includes_are_named(tmp_path: Path) -> None:
    (tmp_path / "pjsip.conf").write_text("[global]\n#tryinclude switchboard/pjsip.conf\n")
    assert missing_includes(tmp_path, ["pjsip.conf", "extensions.conf"]) == [
        "extensions.conf: #tryinclude switchboard/extensions.conf"
    ]


@pytest.mark.django_db
def test_an_outbound_pattern_that_could_break_the_dialplan_is_refused() -> None:
    from django.core.exceptions import ValidationError

    from switchboard.pbx.models import validate_pattern

    validate_pattern(r"^0[67][0-9]{8}$")
    for bad in ('^0"', "^${EXTEN}", "^(0", "^1;x"):
        with pytest.raises(ValidationError):
            validate_pattern(bad)
