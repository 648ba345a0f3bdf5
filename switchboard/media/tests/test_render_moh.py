"""musiconhold.conf: golden file, purity, and the apply's syntax check."""

from __future__ import annotations

import os
from pathlib import Path

from switchboard.pbx.apply import check_text
from switchboard.pbx.render import MODULE_OF_FILE, render_all
from switchboard.pbx.render.moh import render_moh
from switchboard.pbx.render.spec import MusicClassSpec, SiteSpec

GOLDEN = Path(__file__).resolve().parents[2] / "pbx" / "tests" / "golden" / "musiconhold.conf"
SITE = SiteSpec(
    music_classes=(
        MusicClassSpec("playlist-3", "sounds/switchboard/moh/0a1b2c", description="Sales\nwait"),
        MusicClassSpec("jazz", "sounds/switchboard/moh/ffee00", random=True, description="Jazz"),
        MusicClassSpec("calm", "sounds/switchboard/moh/123456"),
    )
)


def test_moh_matches_its_golden_file() -> None:
    text = render_moh(SITE)
    if os.environ.get("SWITCHBOARD_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "run with SWITCHBOARD_UPDATE_GOLDEN=1 to accept"


def test_moh_is_pure_and_in_render_all() -> None:
    reordered = SiteSpec(music_classes=tuple(reversed(SITE.music_classes)))
    assert render_moh(reordered) == render_moh(SITE)
    assert render_all(SITE, "G")["musiconhold.conf"] == render_moh(SITE)
    assert MODULE_OF_FILE["musiconhold.conf"] == "module reload res_musiconhold.so"
    assert check_text("musiconhold.conf", render_moh(SITE)) == []
    # No class made in the web: only the header, nothing Asterisk could trip on.
    assert "[" not in render_moh(SiteSpec())
