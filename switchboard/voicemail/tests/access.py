"""The voicemail message pages for the project's access table
(switchboard/accounts/tests/test_access.py).

``voicemail_urls()`` makes a box on a PBX whose AMI refuses connections, on a phone of no
user. Every signed-in user opens "My voicemail" (their own boxes; the page says when the
PBX cannot be reached); a message of a box that is not theirs does not exist for them (404)
and, for administrators, cannot be read from the closed PBX (404 too); moving and deleting
are POSTs. The real-Asterisk tests show the 200s.
"""

from __future__ import annotations

SIGNED_IN = {"voicemail:mine"}
POST_ONLY = ("voicemail:move", "voicemail:delete")
NOT_VISIBLE = {"voicemail:audio"}


def voicemail_urls() -> dict[str, str]:
    from switchboard.pbx.models import Phone
    from switchboard.telephony.models import PbxServer
    from switchboard.testing.asterisk import free_port
    from switchboard.voicemail.models import VoicemailBox

    server, _ = PbxServer.objects.get_or_create(
        name="voicemail-access",
        defaults={
            "host": "127.0.0.1",
            "ami_port": free_port("tcp"),
            "ami_user": "u",
            "ami_secret": "s",
            "voicemail_dir": "/nonexistent",
        },
    )
    phone, _ = Phone.objects.get_or_create(server=server, extension="651")
    box, _ = VoicemailBox.objects.get_or_create(phone=phone)
    message = f"/voicemail/{box.pk}/1795559073-00000000/"
    return {
        "voicemail:mine": "/voicemail/",
        "voicemail:audio": f"{message}audio/",
        "voicemail:move": f"{message}move/",
        "voicemail:delete": f"{message}delete/",
    }


def expected(name: str, who: str) -> int | str | None:
    """The status for the voicemail message pages; None for names of other apps."""
    if name in POST_ONLY:
        return 405
    if name not in SIGNED_IN and name not in NOT_VISIBLE:
        return None
    if who == "anonymous":
        return "login"
    return 200 if name in SIGNED_IN else 404
