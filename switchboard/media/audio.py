"""Audio files: conversion to what Asterisk plays well, and the content-addressed store.

Every converted file is an 8 kHz mono 16-bit WAV named by the SHA-256 of its bytes, kept
under ``<data_dir>/media/sounds/``; originals are kept as uploaded under
``<data_dir>/media/originals/``. The same content always has the same name, so a file is
written once and never changes: a PBX playing it is never disturbed by a new upload.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import wave
from pathlib import Path

from django.conf import settings

CONVERT_TIMEOUT_S = 120
SAMPLE_RATE = 8000
# ffmpeg decodes mp3, ogg/vorbis/opus, m4a/aac, wav, flac...; bit-exact output keeps the
# same input giving the same bytes (so the same content address).
FFMPEG = "ffmpeg"


class AudioError(Exception):
    """The file could not be decoded or converted."""


def media_root() -> Path:
    return Path(settings.DATA_DIR) / "media"


def sounds_store() -> Path:
    return media_root() / "sounds"


def originals_store() -> Path:
    return media_root() / "originals"


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def convert(source: Path, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """The bytes of ``source`` as an 8 kHz mono 16-bit WAV; AudioError if it is not audio."""
    with tempfile.TemporaryDirectory(prefix="sb-audio-") as work:
        target = Path(work) / "out.wav"
        command = [
            FFMPEG,
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(source),
            "-vn",
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-c:a",
            "pcm_s16le",
            "-f",
            "wav",
            str(target),
        ]
        try:
            run = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as error:
            raise AudioError("conversion took too long") from error
        except FileNotFoundError as error:
            raise AudioError("ffmpeg is not installed") from error
        if run.returncode != 0 or not target.exists():
            raise AudioError(run.stderr.decode(errors="replace").strip()[-300:] or "not audio")
        data = target.read_bytes()
    if duration_of(data) <= 0:
        raise AudioError("no sound in the file")
    return data


def duration_of(data: bytes) -> float:
    """Seconds of sound in a WAV's bytes (0 if it is not a readable WAV)."""
    import io

    try:
        with wave.open(io.BytesIO(data)) as reader:
            return reader.getnframes() / float(reader.getframerate() or 1)
    except (wave.Error, EOFError):
        return 0.0


def write_once(path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` unless a file of that size is already there (atomic)."""
    if path.exists() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def store_converted(data: bytes) -> str:
    """Keep converted WAV bytes in the store; their digest names them."""
    digest = digest_of(data)
    write_once(sounds_store() / f"{digest}.wav", data)
    return digest


def store_original(data: bytes, extension: str) -> str:
    digest = digest_of(data)
    write_once(originals_store() / f"{digest}{extension}", data)
    return digest


def converted_path(digest: str) -> Path:
    return sounds_store() / f"{digest}.wav"


def asterisk_basename(digest: str) -> str:
    """The file name (no extension) of a converted sound on a PBX."""
    return f"sb-{digest[:24]}"


def asterisk_name(digest: str) -> str:
    """What Playback()/Background() take: relative to the sounds directory, no extension."""
    return f"switchboard/{asterisk_basename(digest)}"
