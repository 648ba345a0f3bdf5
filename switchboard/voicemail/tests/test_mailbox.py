"""The pure parts of the voicemail messages: envelopes, events, files kept inside the box."""

from __future__ import annotations

import datetime

import pytest

from switchboard.pbx.models import Phone
from switchboard.telephony.models import PbxServer
from switchboard.voicemail import mailbox
from switchboard.voicemail.models import VoicemailBox

ENVELOPE = """;
; Message Information file
;
[message]
origmailbox=201
context=sb-ring-phone
callerid=<0145678901>
origdate=Tue Nov 24 10:24:33 PM UTC 2026
origtime=1795559073
msg_id=1795559073-00000000
flag=
duration=7
"""


def test_envelope_and_event() -> None:
    envelope = mailbox.parse_envelope(ENVELOPE)
    assert envelope["msg_id"] == "1795559073-00000000" and envelope["duration"] == "7"
    message = mailbox.message_from_event(
        {"Folder": "INBOX", "ID": "1795559073-00000000", "CallerID": "", "Duration": "7"},
        envelope,
    )
    assert message.caller == "<0145678901>" and message.duration == 7
    assert message.date == datetime.datetime(2026, 11, 24, 22, 24, 33, tzinfo=datetime.UTC)
    assert str(message.folder_label) == "New"
    bad = mailbox.message_from_event({"Folder": "Old", "ID": "x", "Duration": "-3"}, {})
    assert bad.duration == 0 and bad.date is None


@pytest.fixture
def spool(tmp_path, db):
    server = PbxServer.objects.create(
        name="p", host="h", ami_user="u", ami_secret="s", voicemail_dir=str(tmp_path / "vm")
    )
    inbox = tmp_path / "vm" / "switchboard" / "201" / "INBOX"
    inbox.mkdir(parents=True)
    (inbox / "msg0000.txt").write_text(ENVELOPE)
    (inbox / "msg0000.wav").write_bytes(b"RIFF....WAVE")
    box = VoicemailBox.objects.create(phone=Phone.objects.create(server=server, extension="201"))
    return tmp_path, server, box


def test_sound_found_by_message_id_inside_the_box(spool) -> None:
    tmp_path, _server, box = spool
    message = mailbox.VoiceMessage("1795559073-00000000", "INBOX", "", 7, None)
    path = mailbox.audio_file(box, message)
    assert path == (tmp_path / "vm/switchboard/201/INBOX/msg0000.wav").resolve()
    assert mailbox.content_type(path) == "audio/wav"
    # Unknown id, unknown folder, id with path characters: nothing.
    for folder, msg_id in (("INBOX", "1-2"), ("../201/INBOX", message.id), ("INBOX", "../x")):
        assert mailbox.audio_file(box, mailbox.VoiceMessage(msg_id, folder, "", 0, None)) is None


def test_nothing_outside_the_spool(spool) -> None:
    tmp_path, server, box = spool
    # A sound that is a link out of the box is not served.
    outside = tmp_path / "secret.wav"
    outside.write_bytes(b"RIFF")
    wav = tmp_path / "vm/switchboard/201/INBOX/msg0000.wav"
    wav.unlink()
    wav.symlink_to(outside)
    message = mailbox.VoiceMessage("1795559073-00000000", "INBOX", "", 7, None)
    assert mailbox.audio_file(box, message) is None
    # An extension that would climb out of the spool, or no spool at all: no directory.
    box.phone.extension = "../.."
    assert mailbox.box_directory(box) is None
    box.phone.extension = "201"
    server.voicemail_dir = ""
    assert mailbox.box_directory(box) is None


def test_voicemail_directory_of_a_pbx(admin_client, tmp_path) -> None:
    """Entered in the web (an absolute, existing, readable directory) or the config file."""
    from switchboard.config import AsteriskServer, _asterisk_servers
    from switchboard.telephony.services import sync_configured_servers
    from switchboard.testing.asterisk import free_port

    data = {
        "name": "ghost",
        "host": "127.0.0.1",
        "ami_port": free_port(),
        "ami_user": "x",
        "ami_secret": "y",
        "enabled": "on",
    }
    for value, error in (
        ("spool/voicemail", "Give an absolute path, e.g. /var/spool/asterisk/voicemail."),
        (str(tmp_path / "missing"), "This directory does not exist on the portal's host."),
    ):
        response = admin_client.post("/admin/pbx/add/", {**data, "voicemail_dir": value})
        assert response.context["form"].errors["voicemail_dir"] == [error]
    assert not PbxServer.objects.exists()

    entry = AsteriskServer("file1", "h", 5038, "u", "s", "", "", "", voicemail_dir=str(tmp_path))
    sync_configured_servers([entry])
    assert PbxServer.objects.get(name="file1").voicemail_dir == str(tmp_path)
    (parsed,) = _asterisk_servers(
        [{"name": "f", "ami_user": "u", "ami_secret": "s", "voicemail_dir": "/var/vm"}], "test"
    )
    assert parsed.voicemail_dir == "/var/vm"
