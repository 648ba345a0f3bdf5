"""The call-record pages for the project's access table
(switchboard/accounts/tests/test_access.py).

``records_urls()`` makes a call that belongs to no phone or department, with a recording
file. Every signed-in user opens the call log (scoped to their calls: ``SIGNED_IN``); a
call's own pages (``CALL_PAGES``) answer only to those who see every call (administrators
and the roles listed), others get 404 as if the call did not exist; marking is a POST.
"""

from __future__ import annotations

SIGNED_IN = {"records:call_log"}
POST_ONLY = ("records:mark",)
CALL_PAGES = {"records:recording": ("call_log",)}
NOT_VISIBLE = 404


def records_urls() -> dict[str, str]:
    import datetime
    import tempfile
    from pathlib import Path

    from switchboard.records.models import CallRecord
    from switchboard.records.tests.import_access import import_urls
    from switchboard.telephony.models import PbxServer

    directory = Path(tempfile.mkdtemp(prefix="sb-access-recordings-"))
    (directory / "call.wav").write_bytes(b"RIFF0000WAVE")
    server, _ = PbxServer.objects.get_or_create(
        name="records-access",
        defaults={"host": "h", "ami_user": "u", "ami_secret": "s"},
    )
    PbxServer.objects.filter(pk=server.pk).update(recordings_dir=str(directory))
    call, _ = CallRecord.objects.get_or_create(
        server=server,
        key="access",
        defaults={
            "start": datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC),
            "src": "0612345678",
            "dst": "900",
            "disposition": CallRecord.Disposition.ANSWERED,
            "recording": "call.wav",
        },
    )
    return {
        "records:call_log": "/calls/",
        "records:recording": f"/calls/{call.pk}/recording/",
        "records:mark": f"/calls/{call.pk}/mark/",
        **import_urls(),  # history import: administrators only
    }
