"""The media pages for the project's access table (switchboard/accounts/tests/test_access.py).

``media_urls()`` makes one object of each kind (with a real, tiny converted file) and gives
every media URL name with an example URL; the table expects 200 for administrators only.
"""

from __future__ import annotations

import io
import wave


def _tiny_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\x00\x00" * 800)
    return buffer.getvalue()


def media_urls() -> dict[str, str]:
    from switchboard.media import audio
    from switchboard.media.models import (
        MusicClass,
        MusicClassItem,
        Playlist,
        PlaylistItem,
        Sound,
        SpeechClip,
    )

    data = _tiny_wav()
    digest = audio.store_converted(data)
    original = audio.store_original(data, ".wav")
    sound, _ = Sound.objects.get_or_create(
        name="access-check",
        defaults={
            "kind": Sound.Kind.MUSIC,
            "original_name": "access.wav",
            "original_digest": original,
            "original_extension": ".wav",
            "digest": digest,
            "duration": 0.1,
        },
    )
    music, _ = MusicClass.objects.get_or_create(name="access-check")
    item, _ = MusicClassItem.objects.get_or_create(music_class=music, sound=sound)
    playlist, _ = Playlist.objects.get_or_create(name="access-check")
    entry, _ = PlaylistItem.objects.get_or_create(playlist=playlist, kind="position")
    clip, _ = SpeechClip.objects.get_or_create(
        engine="espeak-ng", voice="en-gb", text="access check", language="en", digest=digest
    )
    urls = {
        "media:speech": "/admin/speech/",
        "media:speech_audio": f"/admin/speech/{clip.pk}/audio/",
    }
    for name, prefix, pk in (
        ("sound", "sounds", sound.pk),
        ("musicclass", "music-classes", music.pk),
        ("musicclassitem", "music-class-items", item.pk),
        ("playlist", "playlists", playlist.pk),
        ("playlistitem", "playlist-items", entry.pk),
    ):
        urls[f"media:{name}_list"] = f"/admin/{prefix}/"
        urls[f"media:{name}_add"] = f"/admin/{prefix}/add/"
        urls[f"media:{name}_edit"] = f"/admin/{prefix}/{pk}/"
        urls[f"media:{name}_delete"] = f"/admin/{prefix}/{pk}/delete/"
    urls["media:sound_file"] = f"/admin/sounds/{sound.pk}/listen/"
    return urls
