"""Voicemail messages left by real calls, listed, heard, moved and deleted from the web
(Asterisk 22 + SIPp): the phone's side (AMI, ``voicemail show users``, the spool) agrees."""

from __future__ import annotations

import re

import pytest

from switchboard.accounts.models import AuditEntry
from switchboard.testing.asterisk import free_port
from switchboard.voicemail import mailbox
from switchboard.voicemail.tests.helpers import box_for, leave_message, spool_folder

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def new_messages(pbx, extension: str) -> int:
    output = pbx.cli("voicemail show users for switchboard")
    line = next(line for line in output.splitlines() if re.search(rf"\b{extension}\b", line))
    return int(line.split()[-1])


def test_messages_are_listed_heard_moved_and_deleted_through_asterisk(
    portal_server, portal_pbx, caller_port, client, make_user
) -> None:
    anne = make_user("anne", "user", voicemail_pin="246810")
    box = box_for(portal_server, "201", free_port("udp"), user=anne, display_name="Anne")
    first = leave_message(portal_pbx, box, caller_port, "0145678901")
    second = leave_message(portal_pbx, box, caller_port, "0611223344")
    assert first.stem == "msg0000" and second.stem == "msg0001"
    assert new_messages(portal_pbx, "201") == 2

    client.force_login(anne)
    page = client.get("/voicemail/").content.decode()
    inbox = spool_folder(portal_pbx, box, "INBOX")
    assert len(inbox) == 2
    for msg_id in inbox:
        assert f'data-message="{msg_id}"' in page
    assert "0145678901" in page and "0611223344" in page
    listed = {m.id: m for m in mailbox.messages(box)}
    assert set(listed) == set(inbox)
    assert all(m.duration >= 1 and m.date is not None for m in listed.values()), (
        listed,
        first.read_text(),
    )

    # Played in the page: a WAV, and the message is heard (Old), as the phone would do.
    old_id = next(i for i, stem in inbox.items() if stem == "msg0000")
    response = client.get(f"/voicemail/{box.pk}/{old_id}/audio/")
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE" and len(body) > 1000
    assert spool_folder(portal_pbx, box, "Old") == {old_id: "msg0000"}
    assert new_messages(portal_pbx, "201") == 1
    # The remaining INBOX message was renumbered by Asterisk.
    work_id = next(iter(spool_folder(portal_pbx, box, "INBOX")))
    assert spool_folder(portal_pbx, box, "INBOX") == {work_id: "msg0000"}
    # A download does not change the folder.
    response = client.get(f"/voicemail/{box.pk}/{work_id}/audio/?download=1")
    assert "attachment" in response["Content-Disposition"]
    assert work_id in spool_folder(portal_pbx, box, "INBOX")

    # Moved to Work: the AMI summary and the files agree.
    response = client.post(f"/voicemail/{box.pk}/{work_id}/move/", {"folder": "Work"})
    assert response.status_code == 302
    assert spool_folder(portal_pbx, box, "Work") == {work_id: "msg0000"}
    assert spool_folder(portal_pbx, box, "INBOX") == {}
    assert {m.id: m.folder for m in mailbox.messages(box)} == {old_id: "Old", work_id: "Work"}
    assert new_messages(portal_pbx, "201") == 0
    assert AuditEntry.objects.filter(object_type="voicemail.voicemailbox").count() == 1

    # A folder that is not offered is refused, nothing moves.
    response = client.post(
        f"/voicemail/{box.pk}/{work_id}/move/", {"folder": "../INBOX"}, follow=True
    )
    assert "Choose one of the folders offered." in response.content.decode()
    assert spool_folder(portal_pbx, box, "Work") == {work_id: "msg0000"}

    # Another user sees none of it.
    client.force_login(make_user("bob", "user"))
    assert client.get(f"/voicemail/{box.pk}/{old_id}/audio/").status_code == 404
    assert client.post(f"/voicemail/{box.pk}/{work_id}/delete/").status_code == 404
    assert "0145678901" not in client.get("/voicemail/").content.decode()
    assert spool_folder(portal_pbx, box, "Work") == {work_id: "msg0000"}

    # An administrator opens any box.
    client.force_login(make_user("root", "administrator"))
    page = client.get(f"/voicemail/?box={box.pk}&folder=Work").content.decode()
    assert f'data-message="{work_id}"' in page

    # Deleted by Anne: gone from Asterisk's list and from the spool.
    client.force_login(anne)
    assert client.post(f"/voicemail/{box.pk}/{old_id}/delete/").status_code == 302
    assert spool_folder(portal_pbx, box, "Old") == {}
    assert not list(portal_pbx.layout.host("spool/voicemail/switchboard/201/Old").glob("msg*"))
    assert [m.id for m in mailbox.messages(box)] == [work_id]
    assert client.get(f"/voicemail/{box.pk}/{old_id}/audio/").status_code == 404
