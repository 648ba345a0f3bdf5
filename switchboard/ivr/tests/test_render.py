"""The IVR renderer: a golden file holding every block type, purity, and hostile text."""

from __future__ import annotations

import os
from pathlib import Path

from switchboard.pbx.apply import check_text
from switchboard.pbx.render import render_all
from switchboard.pbx.render.ivr import render_ivrs
from switchboard.pbx.render.spec import (
    HolidaySpec,
    IvrActionSpec,
    IvrBlockSpec,
    IvrSiteSpec,
    IvrSpec,
    PhoneSpec,
    QueueSpec,
    SiteSpec,
)

GOLDEN = Path(__file__).parent / "golden"
A = IvrActionSpec

RECEPTION = IvrSpec(
    number="700",
    name="Reception",
    start="2026-01-01",
    end="2026-12-31",
    fallback="201",
    blocks=(
        IvrBlockSpec(
            "incoming",
            (
                A("holiday", target="closed"),
                A("incident", incident="it-outage", target="outage"),
                A(
                    "time",
                    days=("mon", "tue", "wed", "thu", "fri"),
                    ranges=(("09:00", "12:00"), ("14:00", "18:00")),
                    target="open",
                ),
                A("goto", target="closed"),
            ),
        ),
        IvrBlockSpec(
            "open",
            (
                A("play", sound="hello-world"),
                A(
                    "speech",
                    sound="sb-tts/abc123",
                    text="Welcome",
                ),
                A(
                    "menu",
                    sound="custom/menu",
                    max_digits=4,
                    timeout=6,
                    keys=(("1", "sales"), ("2", "support"), ("9", "callback"), ("*", "open")),
                    patterns=(("^12[0-9]{2}$", "account"),),
                    on_timeout="open",
                    on_invalid="closed",
                ),
            ),
        ),
        IvrBlockSpec(
            "account",
            (
                A("read", variable="ACCOUNT", sound="beep", max_digits=6, timeout=4),
                A("transfer", transfer="external", number="+33140000000"),
            ),
        ),
        IvrBlockSpec("sales", (A("transfer", transfer="queue", number="500"),)),
        IvrBlockSpec(
            "callback",
            # The caller's number (and the queue) in AstDB for the operators, a confirmation.
            (A("callback", number="500", sound="auth-thankyou"), A("hangup")),
        ),
        IvrBlockSpec("support", (A("transfer", transfer="phone", number="202"),)),
        IvrBlockSpec(
            "outage",
            (A("play", sound="digits/1"), A("transfer", transfer="voicemail", number="201")),
        ),
        IvrBlockSpec(
            "closed",
            # A speech whose synthesis failed at apply is left silent, said in a NoOp.
            (A("play", sound="beep"), A("speech", text="Bye, (see you)"), A("hangup")),
        ),
    ),
)
NIGHT = IvrSpec(
    number="701",
    name="Night line (old)",
    active=False,
    blocks=(IvrBlockSpec("incoming", (A("menu", keys=(("1", "incoming"),)),)),),
)
SITE = SiteSpec(
    phones=(
        PhoneSpec("201", "Anne", "s3cretS3cret11"),
        PhoneSpec("202", "Boris", "s3cretS3cret22"),
    ),
    queues=(QueueSpec("sales", "500"),),
    ivrs=IvrSiteSpec(
        ivrs=(NIGHT, RECEPTION),
        holidays=(HolidaySpec("2026-05-08"), HolidaySpec("2000-12-25", yearly=True)),
    ),
)


def test_every_block_type_matches_the_golden_file() -> None:
    text = "\n".join(render_ivrs(SITE)) + "\n"
    golden = GOLDEN / "ivr.conf"
    if os.environ.get("SWITCHBOARD_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text(), "run with SWITCHBOARD_UPDATE_GOLDEN=1 to accept ivr.conf"


def test_the_ivrs_are_in_the_dialplan_and_pass_the_syntax_check() -> None:
    files = render_all(SITE, "G")
    assert "\n".join(render_ivrs(SITE)) in files["extensions.conf"]
    assert check_text("extensions.conf", files["extensions.conf"]) == []


def test_rendering_is_pure_and_ordered() -> None:
    reordered = SiteSpec(
        phones=SITE.phones,
        queues=SITE.queues,
        ivrs=IvrSiteSpec(
            ivrs=tuple(reversed(SITE.ivrs.ivrs)), holidays=tuple(reversed(SITE.ivrs.holidays))
        ),
    )
    assert render_ivrs(reordered) == render_ivrs(SITE)
    assert render_ivrs(SiteSpec()) == []


def test_hostile_text_cannot_break_the_dialplan() -> None:
    """Specs are validated before; the renderer still drops what would end a line or call."""
    evil = IvrSpec(
        number="7${X}02",
        name='Evil"),Hangup()\n[sb-internal]\nexten => 1;x',
        blocks=(
            IvrBlockSpec(
                "incoming",
                (
                    A("play", sound="a,b)${SHELL(rm)}"),
                    A("callback", number="5${X}),0", sound="x,y)"),
                    A("menu", patterns=(('^1"${SHELL(x)}\\', "incoming"),), keys=(("1)", "x;y"),)),
                ),
            ),
        ),
    )
    text = "\n".join(render_ivrs(SiteSpec(ivrs=IvrSiteSpec(ivrs=(evil,)))))
    assert "${SHELL" not in text and "${X}" not in text and ";" not in text.replace("; IVR", "")
    assert "\n[sb-internal]\nexten => 1" not in text
    assert 'Set(SB_MATCH=${REGEX("^1$()" ${SB_IVR_DIGITS})})' in text
    assert check_text("extensions.conf", text) == []
