"""Sounds, speech, music classes and playlists played by a real Asterisk 22 in SIPp calls.

The apply deploys the converted files into the chroot's sounds directory
(``astdatadir/sounds``); a test-only context plays ``switchboard/<name>`` and reports
``${PLAYBACKSTATUS}`` in a UserEvent read through the AMI.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from switchboard.media import services
from switchboard.media.forms import SoundForm
from switchboard.media.models import MusicClass, MusicClassItem, Playlist, PlaylistItem, Sound
from switchboard.pbx.models import Generation, Queue
from switchboard.pbx.services import apply_configuration
from switchboard.testing.asterisk import AsteriskInstance
from switchboard.testing.sipp import place_call, start_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

# Numbers 9xx play the sound name kept in AstDB sbtest/<number>, then say how it went.
# In the phones' context itself, so they win over the included outbound pattern.
PLAY_CONTEXT = """
[sb-phones]
exten => _9XX,1,Answer()
 same => n,Playback(${DB(sbtest/${EXTEN})})
 same => n,UserEvent(SbPlayback,Number: ${EXTEN},Status: ${PLAYBACKSTATUS})
 same => n,Hangup()
"""


@pytest.fixture
def portal_pbx_appends() -> dict[str, str]:
    return {"extensions.conf": PLAY_CONTEXT}


@pytest.fixture
def server(portal_server, portal_pbx: AsteriskInstance):  # type: ignore[no-untyped-def]
    sounds = portal_pbx.layout.chroot / "usr/share/asterisk/sounds"
    sounds.mkdir(parents=True, exist_ok=True)
    portal_server.sounds_dir = str(sounds)
    portal_server.save()
    return portal_server


def upload(path: Path, name: str, kind: str = "message") -> Sound:
    form = SoundForm(
        data={"name": name, "kind": kind, "comment": ""},
        files={"upload": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert form.is_valid(), form.errors
    return form.save()


def played(pbx: AsteriskInstance, number: str, sound_name: str, caller_port: int) -> str:
    """Call ``number`` playing ``sound_name``; the PLAYBACKSTATUS Asterisk reported."""
    pbx.cli(f"database put sbtest {number} {sound_name}")
    with pbx.ami() as ami:
        result = place_call(pbx.sip_port, number, local_port=caller_port, hold_ms=8000)
        assert result.answered, result.diagnostics
        event = ami.wait_for_event("UserEvent", UserEvent="SbPlayback", timeout_s=20)
    assert event["Number"] == number
    return event["Status"]


def test_an_uploaded_mp3_and_a_spoken_text_play_in_a_call(
    server, portal_pbx, caller_port, make_tone
) -> None:
    pbx = portal_pbx
    sound = upload(make_tone("welcome.mp3", seconds=2), "Welcome")
    spoken = services.speech_sound("Welcome to Switchboard", "en")
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    sounds = Path(server.sounds_dir)
    assert (sounds / f"{sound.asterisk_name}.wav").is_file()
    assert (sounds / f"{spoken}.wav").is_file()

    assert played(pbx, "901", sound.asterisk_name, caller_port) == "SUCCESS"
    assert played(pbx, "902", spoken, caller_port) == "SUCCESS"
    # The check can fail: a name that was never deployed does not play.
    assert played(pbx, "903", "switchboard/sb-never-deployed", caller_port) == "FAILED"


def test_a_music_class_plays_to_a_caller_waiting_in_a_queue(
    server, portal_pbx, caller_port, make_tone
) -> None:
    pbx = portal_pbx
    first = upload(make_tone("a.ogg", seconds=3, frequency=330), "Piano", kind="music")
    second = upload(make_tone("b.m4a", seconds=3, frequency=660), "Strings", kind="music")
    jazz = MusicClass.objects.create(name="jazz", description="Soft jazz")
    MusicClassItem.objects.create(music_class=jazz, sound=second, position=1)
    MusicClassItem.objects.create(music_class=jazz, sound=first, position=2)
    Queue.objects.create(server=server, name="sales", number="500", music_class="jazz")
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    assert "musiconhold.conf" in entry.changed_files
    # The relative directory resolves under astdatadir: Asterisk found both files, in order.
    files = pbx.cli("moh show files")
    listed = re.findall(r"File: (\S+)", files[files.find("Class: jazz") :])[:2]
    assert [Path(f).name for f in listed] == [
        f"001-sb-{second.digest[:24]}",
        f"002-sb-{first.digest[:24]}",
    ], files

    with (
        pbx.ami() as ami,  # logged in before the call starts: no event is missed
        start_call(pbx.sip_port, "500", local_port=caller_port, hold_ms=4000) as call,
    ):
        joined = ami.wait_for_event("QueueCallerJoin", Queue="sales", timeout_s=20)
        moh = ami.wait_for_event("MusicOnHoldStart", Channel=joined["Channel"], timeout_s=20)
        result = call.wait()
    assert result.answered, result.diagnostics
    assert moh["Class"] == "jazz"


def test_a_playlist_is_what_callers_in_its_queue_hear(
    server, portal_pbx, caller_port, make_tone
) -> None:
    pbx = portal_pbx
    sound = upload(make_tone("promo.wav", seconds=2, frequency=500), "Promotion")
    queue = Queue.objects.create(server=server, name="support", number="501")
    playlist = Playlist.objects.create(name="Support wait", position_every=20)
    playlist.queues.add(queue)
    PlaylistItem.objects.create(
        playlist=playlist, position=1, kind="speech", text="Please hold", language="en"
    )
    PlaylistItem.objects.create(playlist=playlist, position=2, kind="sound", sound=sound)
    PlaylistItem.objects.create(playlist=playlist, position=3, kind="position")
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    spoken = services.speech_clip("Please hold", "en")
    files = pbx.cli("moh show files")
    listed = re.findall(r"File: (\S+)", files[files.find(f"Class: {playlist.music_class_name}") :])
    assert [Path(f).name for f in listed[:2]] == [
        f"001-sb-{spoken.digest[:24]}",
        f"002-sb-{sound.digest[:24]}",
    ], files
    queues_conf = (pbx.etc_dir / "switchboard" / "queues.conf").read_text()
    support = queues_conf[queues_conf.find("[support]") :]
    assert "announce-position = yes" in support and "announce-frequency = 20" in support

    with (
        pbx.ami() as ami,  # logged in before the call starts: no event is missed
        start_call(pbx.sip_port, "501", local_port=caller_port, hold_ms=4000) as call,
    ):
        joined = ami.wait_for_event("QueueCallerJoin", Queue="support", timeout_s=20)
        moh = ami.wait_for_event("MusicOnHoldStart", Channel=joined["Channel"], timeout_s=20)
        result = call.wait()
    assert result.answered, result.diagnostics
    assert moh["Class"] == playlist.music_class_name
