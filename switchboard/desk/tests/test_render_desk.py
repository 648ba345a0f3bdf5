"""The desk's PBX configuration (pbx/render/desk.py): golden files and its place in the apply."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from switchboard.pbx.apply import include_lines
from switchboard.pbx.render import desk
from switchboard.pbx.render.files import MODULE_OF_FILE, render_all
from switchboard.pbx.render.spec import SiteSpec

GOLDEN = Path(__file__).resolve().parents[2] / "pbx" / "tests" / "golden"
RENDERED = {
    "desk-extensions.conf": lambda: desk.render_desk_dialplan(SiteSpec()),
    "res_parking.conf": lambda: desk.render_parking(SiteSpec()),
    "features.conf": lambda: desk.render_features(SiteSpec()),
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_desk_renderer_matches_its_golden_file(name: str) -> None:
    text = RENDERED[name]()
    golden = GOLDEN / name
    if os.environ.get("SWITCHBOARD_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"run with SWITCHBOARD_UPDATE_GOLDEN=1 to accept {name}"


def test_the_apply_writes_and_reloads_the_desk_files() -> None:
    files = render_all(SiteSpec(), "G")
    assert files["extensions.conf"].endswith(desk.render_desk_dialplan(SiteSpec()))
    assert files["res_parking.conf"] == desk.render_parking(SiteSpec())
    assert files["features.conf"] == desk.render_features(SiteSpec())
    assert MODULE_OF_FILE["res_parking.conf"] == "module reload res_parking.so"
    assert MODULE_OF_FILE["features.conf"] == "module reload features"
    # The portal_pbx fixture (and administrators) include every file the portal renders.
    assert {"res_parking.conf", "features.conf"} <= set(include_lines())


def test_contexts_the_desk_actions_use_are_rendered() -> None:
    text = desk.render_desk_dialplan(SiteSpec())
    for context in (
        desk.HOLD_CONTEXT,
        desk.HELD_CONTEXT,
        desk.ANSWER_CONTEXT,
        desk.AUTOANSWER_HANDLER,
        desk.DIAL_CONTEXT,
        desk.CONSULT_CONTEXT,
    ):
        assert f"[{context}]" in text
    assert "answer-after=0" in text and "include => sb-internal" in text
    parking = desk.render_parking(SiteSpec())
    assert f"[{desk.PARKING_LOT}]" in parking
    assert f"parkpos = {desk.PARK_FIRST}-{desk.PARK_LAST}" in parking
