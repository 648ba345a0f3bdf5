"""Each media test keeps its sounds in its own data directory."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media_data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def make_tone(tmp_path: Path) -> Callable[..., Path]:
    """``make_tone("x.mp3", seconds=2, frequency=440)``: a real encoded file made by ffmpeg."""

    def make(name: str, seconds: float = 2.0, frequency: int = 440) -> Path:
        target = tmp_path / "tones" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}",
                "-ar", "44100", "-ac", "2", str(target),
            ],
            check=True,
            timeout=60,
        )  # fmt: skip
        return target

    return make
