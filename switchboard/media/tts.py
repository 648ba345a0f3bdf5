"""Text-to-speech engines (SPEC A10): pluggable, chosen by ``telephony.tts_engine``.

An engine turns a text in a language into an audio file that :func:`audio.convert` then
makes Asterisk-ready. The default is espeak-ng, local and free, with English, French and
Russian voices. Another engine is named in the configuration by its dotted class path
(``package.module.Class``) and implements :class:`SpeechEngine`.
"""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SYNTH_TIMEOUT_S = 60
MAX_TEXT = 1000

LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ru", _("Russian"))]


class SpeechError(Exception):
    """The engine could not speak this text."""


class SpeechEngine(Protocol):
    name: str

    def voice(self, language: str) -> str:
        """The engine's voice for a language code (en, fr, ru)."""

    def synthesize(self, text: str, voice: str, target: Path) -> None:
        """Write the spoken text to ``target`` (any format ffmpeg reads)."""


class EspeakEngine:
    """espeak-ng, run locally in a subprocess with a timeout."""

    name = "espeak-ng"
    VOICES = {"en": "en-gb", "fr": "fr-fr", "ru": "ru"}
    binary = "espeak-ng"

    def voice(self, language: str) -> str:
        if language not in self.VOICES:
            raise SpeechError(f"no voice for language {language!r}")
        return self.VOICES[language]

    def synthesize(self, text: str, voice: str, target: Path) -> None:
        command = [self.binary, "-v", voice, "-s", "150", "-w", str(target), "--", text]
        try:
            run = subprocess.run(command, capture_output=True, timeout=SYNTH_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as error:
            raise SpeechError("speech synthesis took too long") from error
        except FileNotFoundError as error:
            raise SpeechError("espeak-ng is not installed") from error
        if run.returncode != 0 or not target.exists():
            raise SpeechError(run.stderr.decode(errors="replace").strip()[-300:] or "failed")


ENGINES: dict[str, type] = {EspeakEngine.name: EspeakEngine}


def engine(name: str | None = None) -> SpeechEngine:
    """The configured engine (or the one named)."""
    name = name or settings.CONFIG["telephony.tts_engine"] or EspeakEngine.name
    if name in ENGINES:
        return ENGINES[name]()
    module, _dot, attribute = name.rpartition(".")
    try:
        found = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError, ValueError) as error:
        raise SpeechError(f"unknown text-to-speech engine {name!r}") from error
    return found()
