"""What the rest of the portal uses from the media domain.

* :func:`sound_choices` and :func:`speech_sound` for the IVR and other features that play
  a sound (values are Asterisk sound names such as ``switchboard/sb-…``);
* :func:`music_class_choices` for the queue form;
* :func:`music_class_specs` and :func:`with_playlist` for the configuration renderers;
* :func:`deploy_sounds`, called by the apply before the configuration swap: every sound the
  configuration may play is written under ``<sounds_dir>/switchboard/``, content-addressed
  (a file is never rewritten, so a call playing it is never disturbed).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from switchboard.media import audio, tts
from switchboard.media.models import MusicClass, Order, Playlist, PlaylistItem, Sound, SpeechClip

log = logging.getLogger(__name__)

DEPLOY_DIR = "switchboard"  # under the PBX's sounds directory
MOH_DIR = "moh"


class DeployError(Exception):
    """The sounds could not be written to the PBX (nothing of the configuration changed)."""


# --- For other features --------------------------------------------------------------------


def sound_choices() -> list[tuple[str, str]]:
    """(Asterisk sound name, the sound's name) of every uploaded sound, by name."""
    return [(sound.asterisk_name, sound.name) for sound in Sound.objects.order_by("name")]


def speech_clip(text: str, language: str) -> SpeechClip:
    """The cached synthesis of ``text`` (made now if needed); raises tts.SpeechError."""
    text = " ".join(text.split())
    if not text:
        raise tts.SpeechError(_("There is no text to speak."))
    if len(text) > tts.MAX_TEXT:
        raise tts.SpeechError(_("The text is too long."))
    engine = tts.engine()
    voice = engine.voice(language)
    clip = SpeechClip.objects.filter(engine=engine.name, voice=voice, text=text).first()
    if clip is not None and audio.converted_path(clip.digest).exists():
        return clip
    with tempfile.TemporaryDirectory(prefix="sb-speech-") as work:
        spoken = Path(work) / "speech.wav"
        engine.synthesize(text, voice, spoken)
        try:
            data = audio.convert(spoken)
        except audio.AudioError as error:
            raise tts.SpeechError(str(error)) from error
    digest = audio.store_converted(data)
    clip, _created = SpeechClip.objects.update_or_create(
        engine=engine.name,
        voice=voice,
        text=text,
        defaults={"language": language, "digest": digest, "duration": audio.duration_of(data)},
    )
    return clip


def speech_sound(text: str, language: str) -> str:
    """The Asterisk sound name of ``text`` spoken in ``language`` (en, fr, ru).

    Synthesised once per (engine, voice, text) and kept; every apply deploys the kept
    speech, so the name can go straight into a Playback() of the next configuration.
    """
    return speech_clip(text, language).asterisk_name


def music_class_choices() -> list[tuple[str, str]]:
    """Music-on-hold classes a queue may use: the PBX's default and the web's classes."""
    return [("default", _("default (the PBX's own music)"))] + [
        (name, name) for name in MusicClass.objects.order_by("name").values_list("name", flat=True)
    ]


# --- For the configuration -----------------------------------------------------------------


def _playlist_digests(playlist: Playlist) -> list[str]:
    digests = []
    for item in playlist.items.select_related("sound"):
        if item.kind == PlaylistItem.Kind.SOUND and item.sound is not None:
            digests.append(item.sound.digest)
        elif item.kind == PlaylistItem.Kind.SPEECH and item.text.strip():
            try:
                digests.append(speech_clip(item.text, item.language).digest)
            except tts.SpeechError as error:  # checked when saved; the engine changed since
                log.warning("playlist %s: text %r not spoken: %s", playlist, item.text, error)
    return digests


def _classes() -> list[tuple[str, bool, str, list[str]]]:
    """(class name, random, description, converted digests in order) of non-empty classes."""
    found = []
    for music in MusicClass.objects.prefetch_related("items__sound"):
        digests = [item.sound.digest for item in music.items.all()]
        if digests:
            found.append((music.name, music.order == Order.RANDOM, music.description, digests))
    for playlist in Playlist.objects.filter(queues__isnull=False).distinct():
        digests = _playlist_digests(playlist)
        if digests:
            random = playlist.order == Order.RANDOM
            found.append((playlist.music_class_name, random, playlist.name, digests))
    return found


def _moh_files(digests: list[str]) -> list[str]:
    """File names in a class directory: numbered so that the alphabetical order is ours."""
    return [f"{n:03d}-{audio.asterisk_basename(d)}.wav" for n, d in enumerate(digests, 1)]


def _moh_directory(digests: list[str]) -> str:
    """The class directory's name: the hash of its content (never changed once written)."""
    return hashlib.sha256("\n".join(_moh_files(digests)).encode()).hexdigest()[:24]


def music_class_specs() -> tuple[Any, ...]:
    """The music classes to render; directories are relative to Asterisk's astdatadir."""
    from switchboard.pbx.render.spec import MusicClassSpec

    return tuple(
        MusicClassSpec(
            name=name,
            directory=f"sounds/{DEPLOY_DIR}/{MOH_DIR}/{_moh_directory(digests)}",
            random=random,
            description=description,
        )
        for name, random, description, digests in _classes()
    )


def with_playlist(spec: Any, queue: Any) -> Any:
    """A queue's spec changed by its playlist (if any, and if its PBX takes sounds).

    The playlist's sounds and spoken texts become the queue's music-on-hold class (in order
    or at random); a “position in queue” item makes the queue announce the caller's position.
    """
    if not queue.server.sounds_dir:
        return spec
    playlist = Playlist.objects.filter(queues=queue).order_by("pk").first()
    if playlist is None:
        return spec
    changes: dict[str, Any] = {}
    kinds = set(playlist.items.values_list("kind", flat=True))
    if kinds & {PlaylistItem.Kind.SOUND, PlaylistItem.Kind.SPEECH}:
        changes["music_class"] = playlist.music_class_name
    if PlaylistItem.Kind.POSITION in kinds:
        changes["announce_position"] = True
        changes["announce_frequency"] = playlist.position_every
    return dataclasses.replace(spec, **changes)


def deployment() -> dict[str, Path]:
    """Path under the sounds directory -> the converted file in the store."""
    files: dict[str, Path] = {}
    digests = set(Sound.objects.values_list("digest", flat=True))
    digests |= set(SpeechClip.objects.values_list("digest", flat=True))
    # Files of replaced sounds too: a configuration may still name them (an IVR block).
    digests |= {path.stem for path in audio.sounds_store().glob("*.wav")}
    for digest in digests:
        files[f"{DEPLOY_DIR}/{audio.asterisk_basename(digest)}.wav"] = audio.converted_path(digest)
    for _name, _random, _description, class_digests in _classes():
        directory = f"{DEPLOY_DIR}/{MOH_DIR}/{_moh_directory(class_digests)}"
        for name, digest in zip(_moh_files(class_digests), class_digests, strict=True):
            files[f"{directory}/{name}"] = audio.converted_path(digest)
    return files


def deploy_sounds(server: Any) -> list[str]:
    """Write every sound the configuration may play to the PBX; the paths newly written.

    Raises DeployError (translated message) if a file is missing or cannot be written.
    """
    if not server.sounds_dir:
        return []
    root = Path(server.sounds_dir)
    if not root.is_dir():
        raise DeployError(
            _("The sounds directory %(path)s does not exist.") % {"path": server.sounds_dir}
        )
    written = []
    for relative, source in sorted(deployment().items()):
        target = root / relative
        if target.exists():
            continue  # content-addressed: the same name is the same content
        try:
            audio.write_once(target, source.read_bytes())
        except FileNotFoundError as error:
            raise DeployError(
                _("The sound file %(file)s is missing from the portal's data directory.")
                % {"file": source.name}
            ) from error
        except OSError as error:
            raise DeployError(
                _("The sounds could not be written to %(path)s: %(error)s")
                % {"path": server.sounds_dir, "error": error.strerror or error}
            ) from error
        written.append(relative)
    return written
