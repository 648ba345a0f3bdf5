"""The forwards and voicemail pages for the project's access table
(switchboard/accounts/tests/test_access.py).

``forwards_urls()`` makes a PBX whose AMI refuses connections at once (the pages then show
that the PBX cannot be reached, with status 200), a phone and its voicemail box.
"""

from __future__ import annotations

# Pages every signed-in user may open (their own forwards).
SIGNED_IN = {"forwards:mine"}


def forwards_urls() -> dict[str, str]:
    from switchboard.pbx.models import Phone
    from switchboard.telephony.models import PbxServer
    from switchboard.testing.asterisk import free_port
    from switchboard.voicemail.models import VoicemailBox

    server = PbxServer.objects.create(
        name="closed", host="127.0.0.1", ami_port=free_port("tcp"), ami_user="u", ami_secret="s"
    )
    phone = Phone.objects.create(server=server, extension="601")
    box = VoicemailBox.objects.create(phone=phone, pin="13579135")
    return {
        "forwards:mine": "/forwards/",
        "forwards:edit": f"/forwards/{phone.pk}/",
        "forwards:all": "/admin/forwards/",
        "voicemail:voicemailbox_list": "/admin/voicemail/",
        "voicemail:voicemailbox_add": "/admin/voicemail/add/",
        "voicemail:voicemailbox_edit": f"/admin/voicemail/{box.pk}/",
        "voicemail:voicemailbox_delete": f"/admin/voicemail/{box.pk}/delete/",
    }
