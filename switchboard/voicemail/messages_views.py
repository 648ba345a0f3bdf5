"""Voicemail in the browser (SPEC U4): a user's boxes, their folders and messages.

Users open the boxes of their own phones, administrators (change right on boxes) any box; a
box outside that does not exist for the user (404). Messages are listed, moved and deleted
through Asterisk's AMI (``mailbox.py``), so the phone's voicemail menu and its message
light agree with the web. Playing a new message in the page marks it heard (to Old).
"""

from __future__ import annotations

import contextlib

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from switchboard.accounts.audit import record
from switchboard.accounts.models import AuditEntry
from switchboard.telephony.ami.errors import AmiError
from switchboard.voicemail import mailbox
from switchboard.voicemail.models import VoicemailBox

ANY_BOX = "voicemail.change_voicemailbox"


def boxes_of(user: object) -> QuerySet[VoicemailBox]:
    """The boxes a user opens: their phones' boxes; every box with the change right."""
    boxes = VoicemailBox.objects.select_related("phone__server", "phone__user")
    if user.has_perm(ANY_BOX):  # type: ignore[attr-defined]
        return boxes
    return boxes.filter(phone__user=user)


def _box(request: HttpRequest, pk: int) -> VoicemailBox:
    return get_object_or_404(boxes_of(request.user), pk=pk)


def _unreachable(box: VoicemailBox, error: AmiError) -> str:
    return _("The PBX %(server)s could not be reached: %(error)s") % {
        "server": box.phone.server,
        "error": error,
    }


def _message(box: VoicemailBox, msg_id: str) -> mailbox.VoiceMessage:
    if not mailbox.MSG_ID.match(msg_id):
        raise Http404
    try:
        message = mailbox.find(box, msg_id)
    except AmiError as error:
        raise Http404(_unreachable(box, error)) from error
    if message is None:
        raise Http404(_("This message does not exist any more."))
    return message


def _duration(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


@require_GET
@login_required
def my_voicemail(request: HttpRequest) -> HttpResponse:
    """The user's boxes; the first one (or the one asked for) opened."""
    boxes = list(boxes_of(request.user).filter(enabled=True)[:500])
    boxes.sort(key=lambda b: b.phone.user_id != request.user.pk)  # one's own boxes first
    wanted = request.GET.get("box", "")
    box = next((b for b in boxes if str(b.pk) == wanted), boxes[0] if boxes else None)
    folder = request.GET.get("folder", "INBOX")
    if folder not in mailbox.FOLDERS:
        folder = "INBOX"
    error, rows, counts = "", [], dict.fromkeys(mailbox.FOLDERS, 0)
    if box is not None:
        try:
            found = mailbox.messages(box)
        except AmiError as failure:
            found, error = [], _unreachable(box, failure)
        for message in found:
            counts[message.folder] += 1
        base = reverse("voicemail:mine") + f"{box.pk}/"
        targets = [(name, str(mailbox.FOLDER_LABELS[name])) for name in mailbox.MOVE_TARGETS]
        targets = [(name, label) for name, label in targets if name != folder]
        rows = [
            {
                "message": m,
                "duration": _duration(m.duration),
                "url": f"{base}{m.id}/",
                "targets": targets,
            }
            for m in found
            if m.folder == folder
        ]
    return render(
        request,
        "voicemail/mine.html",
        {
            "title": _("My voicemail"),
            "boxes": boxes,
            "box": box,
            "folder": folder,
            "folders": [
                {"name": name, "label": mailbox.FOLDER_LABELS[name], "count": counts[name]}
                for name in mailbox.FOLDERS
            ],
            "rows": rows,
            "error": error,
        },
    )


@require_GET
@login_required
def audio(request: HttpRequest, pk: int, msg_id: str) -> FileResponse:
    """The message's sound, played in the page (marks it heard) or downloaded (``?download=1``)."""
    box = _box(request, pk)
    message = _message(box, msg_id)
    path = mailbox.audio_file(box, message)
    if path is None:
        raise Http404(_("This message has no sound."))
    download = request.GET.get("download") == "1"
    handle = path.open("rb")  # still readable after Asterisk renames it
    if not download and message.folder in mailbox.UNHEARD:
        with contextlib.suppress(AmiError):  # heard; the PBX keeps it new until it is told
            mailbox.move(box, message, "Old")
    response = FileResponse(
        handle,
        as_attachment=download,
        filename=f"voicemail-{box.phone.extension}-{message.id}{path.suffix}",
        content_type=mailbox.content_type(path),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _back(box: VoicemailBox, folder: str) -> str:
    return f"{reverse('voicemail:mine')}?box={box.pk}&folder={folder}"


@require_POST
@login_required
def move(request: HttpRequest, pk: int, msg_id: str) -> HttpResponse:
    box = _box(request, pk)
    message = _message(box, msg_id)
    target = request.POST.get("folder", "")
    if target not in mailbox.MOVE_TARGETS:
        flash.error(request, _("Choose one of the folders offered."))
        return redirect(_back(box, message.folder))
    if target != message.folder:
        try:
            mailbox.move(box, message, target)
        except AmiError as error:
            flash.error(request, _unreachable(box, error))
            return redirect(_back(box, message.folder))
        before = {"message": message.id, "folder": message.folder}
        after = {"message": message.id, "folder": target}
        record(request, AuditEntry.Action.UPDATE, box, before, after)
        flash.success(
            request,
            _("The message went to %(folder)s.") % {"folder": mailbox.FOLDER_LABELS[target]},
        )
    return redirect(_back(box, message.folder))


@require_POST
@login_required
def delete(request: HttpRequest, pk: int, msg_id: str) -> HttpResponse:
    box = _box(request, pk)
    message = _message(box, msg_id)
    try:
        mailbox.remove(box, message)
    except AmiError as error:
        flash.error(request, _unreachable(box, error))
        return redirect(_back(box, message.folder))
    before = {"message": message.id, "folder": message.folder, "caller": message.caller}
    record(request, AuditEntry.Action.UPDATE, box, before, {"message": message.id, "folder": ""})
    flash.success(request, _("The message was deleted."))
    return redirect(_back(box, message.folder))
