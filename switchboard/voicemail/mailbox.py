"""The messages of a voicemail box, read and changed through Asterisk's own AMI actions (U4).

Asterisk 22's app_voicemail lists a box (``VoicemailBoxSummary``: one ``VoicemailBoxDetail``
event per message), moves a message between folders (``VoicemailMove``) and removes one
(``VoicemailRemove``), each message named by its ``msg_id``. Asterisk renumbers the files
and updates the message-waiting state itself, so the web never renames a file: it only reads
a message's sound, confined to the box's directory inside the PBX's voicemail spool
(``PbxServer.voicemail_dir``, astspooldir/voicemail as the portal sees it).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from asgiref.sync import async_to_sync
from django.utils.translation import gettext_lazy as _

from switchboard.pbx.render.forwards import VOICEMAIL_CONTEXT
from switchboard.telephony.ami.client import AmiClient
from switchboard.telephony.ami.errors import AmiActionError
from switchboard.telephony.models import PbxServer
from switchboard.voicemail.models import VoicemailBox

T = TypeVar("T")

# Folder names as Asterisk writes them in the spool, in the phone menu's order.
FOLDERS = ("INBOX", "Old", "Work", "Family", "Friends", "Urgent")
FOLDER_LABELS = {
    "INBOX": _("New"),
    "Old": _("Old"),
    "Work": _("Work"),
    "Family": _("Family"),
    "Friends": _("Friends"),
    "Urgent": _("Urgent"),
}
# Folders a message may be moved to from the web (Urgent is set by the caller only).
MOVE_TARGETS = ("INBOX", "Old", "Work", "Family", "Friends")
# Heard from the web as from the phone: a new message goes to Old.
UNHEARD = ("INBOX", "Urgent")
# Browsers play PCM WAV; Asterisk may keep other formats beside it.
AUDIO_TYPES = {".wav": "audio/wav", ".wav49": "audio/wav", ".gsm": "audio/gsm"}
MSG_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
MESSAGE_FILE = re.compile(r"^msg[0-9]{4}\.txt$")
EXTENSION = re.compile(r"^[0-9A-Za-z_*#+-]{1,40}$")


@dataclass(frozen=True)
class VoiceMessage:
    """One message as Asterisk lists it, with what its envelope file adds."""

    id: str
    folder: str
    caller: str
    duration: int
    date: datetime.datetime | None

    @property
    def folder_label(self) -> str:
        return str(FOLDER_LABELS.get(self.folder, self.folder))


def parse_envelope(text: str) -> dict[str, str]:
    """The ``key=value`` lines of a message's ``msgNNNN.txt`` (its [message] section)."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith((";", "[")):
            values[key.strip()] = value.strip()
    return values


def _number(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def message_from_event(fields: dict[str, str], envelope: dict[str, str]) -> VoiceMessage:
    """A ``VoicemailBoxDetail`` event (and the message's envelope, when read) as a message."""
    origtime = _number(envelope.get("origtime"))
    date = datetime.datetime.fromtimestamp(origtime, tz=datetime.UTC) if origtime else None
    return VoiceMessage(
        id=fields.get("ID", ""),
        folder=fields.get("Folder", ""),
        caller=fields.get("CallerID") or envelope.get("callerid", ""),
        duration=_number(fields.get("Duration") or envelope.get("duration")),
        date=date,
    )


def box_directory(box: VoicemailBox) -> Path | None:
    """The box's directory in the spool (``<voicemail_dir>/switchboard/<extension>``)."""
    spool = box.phone.server.voicemail_dir
    if not spool or not EXTENSION.match(box.phone.extension):
        return None
    base = Path(spool).resolve()
    directory = (base / VOICEMAIL_CONTEXT / box.phone.extension).resolve()
    return directory if directory.is_relative_to(base) and directory != base else None


def envelopes(box: VoicemailBox, folder: str) -> dict[str, tuple[Path, dict[str, str]]]:
    """msg_id -> (``msgNNNN.txt``, its values) for the messages of one folder of the box."""
    directory = box_directory(box)
    if directory is None or folder not in FOLDERS:
        return {}
    try:
        names = sorted(p for p in (directory / folder).iterdir() if MESSAGE_FILE.match(p.name))
    except OSError:
        return {}
    found = {}
    for path in names:
        try:
            values = parse_envelope(path.read_text(errors="replace"))
        except OSError:
            continue
        if values.get("msg_id"):
            found[values["msg_id"]] = (path, values)
    return found


def envelope_file(box: VoicemailBox, folder: str, msg_id: str) -> Path | None:
    """The ``msgNNNN.txt`` of message ``msg_id`` in ``folder``, or None."""
    if not MSG_ID.match(msg_id):
        return None
    found = envelopes(box, folder).get(msg_id)
    return found[0] if found else None


def audio_file(box: VoicemailBox, message: VoiceMessage) -> Path | None:
    """The message's sound, in a format a browser plays (WAV first), inside the box."""
    envelope = envelope_file(box, message.folder, message.id)
    directory = box_directory(box)
    if envelope is None or directory is None:
        return None
    for suffix in AUDIO_TYPES:
        path = envelope.with_suffix(suffix).resolve()
        if path.is_relative_to(directory) and path.is_file():
            return path
    return None


def content_type(path: Path) -> str:
    return AUDIO_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _run(server: PbxServer, work: Callable[[AmiClient], Awaitable[T]]) -> T:
    """One short AMI session (like the apply and AstDB writes)."""

    async def session() -> T:
        client = AmiClient(
            server.host, server.ami_port, server.ami_user, server.ami_secret,
            name=server.name, events=False, reconnect=False,
        )  # fmt: skip
        await client.connect_once()
        try:
            return await work(client)
        finally:
            await client.close()

    return async_to_sync(session)()


def _mailbox(box: VoicemailBox) -> dict[str, str]:
    return {"Context": VOICEMAIL_CONTEXT, "Mailbox": box.phone.extension}


def messages(box: VoicemailBox) -> list[VoiceMessage]:
    """Every message of the box, newest first (raises AmiError when the PBX is unreachable)."""

    async def work(client: AmiClient) -> list[dict[str, str]]:
        try:
            _response, events = await client.list_action("VoicemailBoxSummary", **_mailbox(box))
        except AmiActionError:
            return []  # Asterisk does not know the box (not applied yet): no messages
        return [dict(event.headers) for event in events if event.event == "VoicemailBoxDetail"]

    found = []
    folders: dict[str, dict[str, tuple[Path, dict[str, str]]]] = {}
    for fields in _run(box.phone.server, work):
        folder = fields.get("Folder", "")
        if folder not in folders:
            folders[folder] = envelopes(box, folder)  # each folder's files read once
        _path, envelope = folders[folder].get(fields.get("ID", ""), (None, {}))
        message = message_from_event(fields, envelope)
        if message.folder in FOLDERS and MSG_ID.match(message.id):
            found.append(message)
    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return sorted(found, key=lambda m: (m.date or oldest, m.id), reverse=True)


def find(box: VoicemailBox, msg_id: str) -> VoiceMessage | None:
    return next((m for m in messages(box) if m.id == msg_id), None)


def move(box: VoicemailBox, message: VoiceMessage, to_folder: str) -> None:
    """Move a message to another folder, as the phone menu does (Asterisk renumbers)."""
    if to_folder not in FOLDERS:
        raise ValueError(to_folder)

    async def work(client: AmiClient) -> None:
        await client.action(
            "VoicemailMove",
            **_mailbox(box),
            Folder=message.folder,
            ID=message.id,
            ToFolder=to_folder,
        )
        await client.action("VoicemailRefresh", **_mailbox(box))

    _run(box.phone.server, work)


def remove(box: VoicemailBox, message: VoiceMessage) -> None:
    """Delete a message for good."""

    async def work(client: AmiClient) -> None:
        await client.action(
            "VoicemailRemove", **_mailbox(box), Folder=message.folder, ID=message.id
        )
        await client.action("VoicemailRefresh", **_mailbox(box))

    _run(box.phone.server, work)
