"""Sounds uploaded in the web: converted, stored, listened to, downloaded; bad files refused.
Speech: synthesised once per text; files deployed content-addressed to a sounds directory."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from switchboard.media import audio, services, tts
from switchboard.media.models import (
    MusicClass,
    MusicClassItem,
    Playlist,
    PlaylistItem,
    Sound,
    SpeechClip,
)

pytestmark = pytest.mark.django_db


def upload(client, path: Path, **fields: str):  # type: ignore[no-untyped-def]
    data = {"name": path.stem, "kind": "message", "comment": "", **fields}
    with path.open("rb") as handle:
        data["upload"] = SimpleUploadedFile(path.name, handle.read())
    return client.post("/admin/sounds/add/", data)


@pytest.mark.parametrize("name", ["welcome.mp3", "welcome.ogg", "welcome.m4a", "welcome.wav"])
def test_an_upload_is_converted_for_the_pbx(admin_client, make_tone, name: str) -> None:
    response = upload(admin_client, make_tone(name, seconds=2), comment="Morning greeting")
    assert response.status_code == 302, response.content.decode()[-2000:]
    sound = Sound.objects.get()
    assert (sound.name, sound.comment, sound.original_name) == ("welcome", "Morning greeting", name)
    assert 1.9 <= sound.duration <= 2.2
    with wave.open(str(sound.converted_path)) as converted:
        assert (converted.getframerate(), converted.getnchannels(), converted.getsampwidth()) == (
            8000,
            1,
            2,
        )
    assert sound.original_path.read_bytes()[:4] != b""
    assert sound.asterisk_name == f"switchboard/sb-{sound.digest[:24]}"
    assert services.sound_choices() == [(sound.asterisk_name, "welcome")]

    listing = admin_client.get("/admin/sounds/").content.decode()
    assert f'src="/admin/sounds/{sound.pk}/listen/"' in listing and "0:02" in listing
    listen = admin_client.get(f"/admin/sounds/{sound.pk}/listen/")
    assert listen.status_code == 200 and listen["Content-Type"] == "audio/wav"
    assert b"".join(listen.streaming_content) == sound.converted_path.read_bytes()
    original = admin_client.get(f"/admin/sounds/{sound.pk}/original/")
    assert f'filename="welcome{Path(name).suffix}"' in original["Content-Disposition"]
    assert b"".join(original.streaming_content) == sound.original_path.read_bytes()
    converted = admin_client.get(f"/admin/sounds/{sound.pk}/converted/")
    assert converted["Content-Disposition"] == 'attachment; filename="welcome.wav"'
    assert admin_client.get(f"/admin/sounds/{sound.pk}/other/").status_code == 404
    page = admin_client.get(f"/admin/sounds/{sound.pk}/").content.decode()
    assert "<audio" in page and 'enctype="multipart/form-data"' in page


def test_a_file_that_is_not_audio_is_refused_and_nothing_is_stored(
    admin_client, tmp_path: Path, settings
) -> None:
    fake = tmp_path / "song.mp3"
    fake.write_bytes(b"this is not an mp3 at all\n" * 100)
    with translation.override("en"):
        response = upload(admin_client, fake)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This file could not be read as audio" in page
    assert not Sound.objects.exists()
    assert not (Path(settings.DATA_DIR) / "media").exists() or not any(
        p.is_file() for p in (Path(settings.DATA_DIR) / "media").rglob("*")
    )
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with translation.override("en"):
        response = upload(admin_client, text)
    assert "This kind of file is not accepted" in response.content.decode()
    # Creating a sound needs a file.
    response = admin_client.post("/admin/sounds/add/", {"name": "x", "kind": "message"})
    assert response.status_code == 200 and not Sound.objects.exists()


class CountingEngine(tts.EspeakEngine):
    name = "counting"
    calls = 0

    def synthesize(self, text: str, voice: str, target: Path) -> None:
        CountingEngine.calls += 1
        super().synthesize(text, voice, target)


def test_speech_is_synthesised_once_per_text(settings, monkeypatch) -> None:
    monkeypatch.setitem(tts.ENGINES, "counting", CountingEngine)
    settings.CONFIG = {**settings.CONFIG.values, "telephony.tts_engine": "counting"}
    CountingEngine.calls = 0
    first = services.speech_sound("Bonjour et bienvenue", "fr")
    again = services.speech_sound("  Bonjour   et bienvenue ", "fr")
    assert first == again and first.startswith("switchboard/sb-")
    assert CountingEngine.calls == 1
    russian = services.speech_sound("Здравствуйте", "ru")
    english = services.speech_sound("Hello", "en")
    assert len({first, russian, english}) == 3 and CountingEngine.calls == 3
    clip = SpeechClip.objects.get(text="Здравствуйте")
    assert (clip.engine, clip.voice, clip.language) == ("counting", "ru", "ru")
    assert clip.duration > 0.3
    with pytest.raises(tts.SpeechError):
        services.speech_sound("Hallo", "de")
    with pytest.raises(tts.SpeechError):
        services.speech_sound("   ", "en")


def test_the_engine_is_chosen_by_configuration(settings) -> None:
    settings.CONFIG = {"telephony.tts_engine": "espeak-ng"}
    assert tts.engine().name == "espeak-ng"
    settings.CONFIG = {"telephony.tts_engine": f"{__name__}.CountingEngine"}
    assert isinstance(tts.engine(), CountingEngine)
    settings.CONFIG = {"telephony.tts_engine": "no.such.Engine"}
    with pytest.raises(tts.SpeechError):
        tts.engine()


def test_the_speech_page_speaks_and_plays(admin_client, client, make_user) -> None:
    page = admin_client.post("/admin/speech/", {"text": "Good morning", "language": "en"})
    assert page.status_code == 200
    clip = SpeechClip.objects.get()
    assert f'src="/admin/speech/{clip.pk}/audio/"' in page.content.decode()
    played = admin_client.get(f"/admin/speech/{clip.pk}/audio/")
    assert played.status_code == 200 and played["Content-Type"] == "audio/wav"
    with translation.override("en"):
        empty = admin_client.post("/admin/speech/", {"text": "", "language": "en"})
    assert "This field is required" in empty.content.decode()
    client.force_login(make_user("plain", "user"))
    assert client.get(f"/admin/speech/{clip.pk}/audio/").status_code == 403
    assert client.post("/admin/speech/", {"text": "x", "language": "en"}).status_code == 403


def _sound(make_tone, name: str, kind: str = "music", frequency: int = 440) -> Sound:
    data = audio.convert(make_tone(f"{name}.wav", seconds=1, frequency=frequency))
    return Sound.objects.create(
        name=name,
        kind=kind,
        original_name=f"{name}.wav",
        digest=audio.store_converted(data),
        duration=1,
    )


def test_deploy_writes_content_addressed_files(make_tone, tmp_path: Path) -> None:
    from switchboard.pbx.models import Queue
    from switchboard.telephony.models import PbxServer

    one, two = _sound(make_tone, "one", frequency=300), _sound(make_tone, "two", frequency=600)
    jazz = MusicClass.objects.create(name="jazz")
    MusicClassItem.objects.create(music_class=jazz, sound=two, position=1)
    MusicClassItem.objects.create(music_class=jazz, sound=one, position=2)
    sounds_dir = tmp_path / "sounds"
    sounds_dir.mkdir()
    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    assert services.deploy_sounds(server) == []  # no sounds directory: nothing to do
    server.sounds_dir = str(sounds_dir)
    server.save()
    written = services.deploy_sounds(server)
    (spec,) = services.music_class_specs()
    assert spec.name == "jazz" and not spec.random
    moh = sounds_dir / spec.directory.removeprefix("sounds/")
    assert sorted(p.name for p in moh.iterdir()) == [
        f"001-sb-{two.digest[:24]}.wav",
        f"002-sb-{one.digest[:24]}.wav",
    ]
    assert (sounds_dir / f"switchboard/sb-{one.digest[:24]}.wav").read_bytes() == (
        one.converted_path.read_bytes()
    )
    assert len(written) == 4
    assert services.deploy_sounds(server) == []  # already there: never rewritten
    # Another order is another directory: the one in use is left alone.
    MusicClassItem.objects.filter(sound=one).update(position=0)
    (changed,) = services.music_class_specs()
    assert changed.directory != spec.directory and moh.is_dir()

    # A playlist makes its queue's music class and position announcements.
    queue = Queue.objects.create(server=server, name="sales", number="500")
    playlist = Playlist.objects.create(name="Sales wait", position_every=45)
    playlist.queues.add(queue)
    PlaylistItem.objects.create(playlist=playlist, position=1, kind="sound", sound=one)
    PlaylistItem.objects.create(playlist=playlist, position=2, kind="position")
    from switchboard.pbx.services import site_spec

    (sales,) = site_spec(server).queues
    assert sales.music_class == playlist.music_class_name
    assert (sales.announce_position, sales.announce_frequency) == (True, 45)
    assert {m.name for m in site_spec(server).music_classes} == {
        "jazz",
        f"playlist-{playlist.pk}",
    }

    one.converted_path.unlink()
    for path in sounds_dir.rglob(f"*{one.digest[:24]}*"):
        path.unlink()
    with translation.override("en"), pytest.raises(services.DeployError, match="missing"):
        services.deploy_sounds(server)


def test_forms_refuse_bad_input(admin_client, make_tone) -> None:
    from switchboard.pbx.models import Queue
    from switchboard.telephony.models import PbxServer

    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    queue = Queue.objects.create(server=server, name="sales", number="500")
    with translation.override("en"):
        reserved = admin_client.post(
            "/admin/music-classes/add/", {"name": "default", "order": "order"}
        )
        assert "This name is reserved" in reserved.content.decode()
        bad = admin_client.post(
            "/admin/music-classes/add/", {"name": "Jazz Music", "order": "order"}
        )
        assert "Lower-case letters" in bad.content.decode()
        assert not MusicClass.objects.exists()
        first = Playlist.objects.create(name="first")
        first.queues.add(queue)
        taken = admin_client.post(
            "/admin/playlists/add/",
            {"name": "second", "order": "order", "queues": [queue.pk], "position_every": 30},
        )
        assert "already has the playlist first" in taken.content.decode()
        no_text = admin_client.post(
            "/admin/playlist-items/add/",
            {"playlist": first.pk, "position": 1, "kind": "speech", "text": "", "language": "en"},
        )
        assert "Type the text to speak" in no_text.content.decode()
        no_sound = admin_client.post(
            "/admin/playlist-items/add/", {"playlist": first.pk, "position": 1, "kind": "sound"}
        )
        assert "Choose the sound to play" in no_sound.content.decode()
    assert not PlaylistItem.objects.exists()
    spoken = admin_client.post(
        "/admin/playlist-items/add/",
        {
            "playlist": first.pk,
            "position": 1,
            "kind": "speech",
            "text": "Please hold",
            "language": "en",
        },
    )
    assert spoken.status_code == 302
    assert SpeechClip.objects.filter(text="Please hold").exists()  # ready for the next apply
    # The queue form offers the classes made in the web.
    MusicClass.objects.create(name="calm")
    form = admin_client.get(f"/admin/queues/{queue.pk}/").content.decode()
    assert '<option value="calm">calm</option>' in form


def test_edits_keep_or_replace_the_file(admin_client, make_tone) -> None:
    assert upload(admin_client, make_tone("hold.wav", seconds=1)).status_code == 302
    sound = Sound.objects.get()
    kept = admin_client.post(
        f"/admin/sounds/{sound.pk}/", {"name": "Hold", "kind": "music", "comment": "new"}
    )
    assert kept.status_code == 302
    edited = Sound.objects.get()
    assert (edited.name, edited.kind, edited.digest) == ("Hold", "music", sound.digest)
    with make_tone("longer.ogg", seconds=3).open("rb") as handle:
        replaced = admin_client.post(
            f"/admin/sounds/{sound.pk}/",
            {
                "name": "Hold",
                "kind": "music",
                "upload": SimpleUploadedFile("longer.ogg", handle.read()),
            },
        )
    assert replaced.status_code == 302
    edited = Sound.objects.get()
    assert edited.digest != sound.digest and edited.original_name == "longer.ogg"
    assert 2.9 <= edited.duration <= 3.2
    assert sound.converted_path.exists()  # the old file stays: a PBX may still play it


@pytest.mark.parametrize("who", ["anonymous", "user", "department_head"])
def test_others_cannot_upload_listen_or_change(client, make_user, make_tone, who: str) -> None:
    from switchboard.media.tests.access import media_urls

    urls = media_urls()
    sound = Sound.objects.get(name="access-check")
    if who != "anonymous":
        client.force_login(make_user(f"u-{who}", who))
    for which in ("listen", "original", "converted"):
        response = client.get(f"/admin/sounds/{sound.pk}/{which}/")
        assert response.status_code == (302 if who == "anonymous" else 403), which
    with make_tone("evil.mp3").open("rb") as handle:
        data = {
            "name": "evil",
            "kind": "music",
            "upload": SimpleUploadedFile("evil.mp3", handle.read()),
        }
        posts = {
            urls["media:sound_add"]: data,
            urls["media:sound_delete"]: {},
            urls["media:musicclass_add"]: {"name": "evil", "order": "order"},
            urls["media:playlist_delete"]: {},
            urls["media:speech"]: {"text": "evil", "language": "en"},
        }
        for url, fields in posts.items():
            response = client.post(url, fields)
            if who == "anonymous":
                assert response.status_code == 302 and "/login/" in response["Location"], url
            else:
                assert response.status_code == 403, url
    assert list(Sound.objects.values_list("name", flat=True)) == ["access-check"]
    assert not MusicClass.objects.filter(name="evil").exists()
    assert Playlist.objects.filter(name="access-check").exists()
    assert not SpeechClip.objects.filter(text="evil").exists()


def test_the_sounds_directory_of_a_pbx_is_checked(tmp_path: Path) -> None:
    from switchboard.telephony.forms import PbxServerForm

    base = {"name": "p", "host": "h", "ami_port": 5038, "ami_user": "u", "ami_secret": "s"}
    with translation.override("en"):
        for value, error in (
            ("sounds", "Give an absolute path"),
            (str(tmp_path / "nowhere"), "does not exist"),
        ):
            form = PbxServerForm(data={**base, "sounds_dir": value, "enabled": "on"})
            assert not form.is_valid() and error in str(form.errors["sounds_dir"])
    form = PbxServerForm(data={**base, "sounds_dir": str(tmp_path), "enabled": "on"})
    form.is_valid()  # (the AMI check of the form fails: no PBX at "h")
    assert "sounds_dir" not in form.errors and form.cleaned_data["sounds_dir"] == str(tmp_path)
