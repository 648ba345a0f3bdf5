"""What the operator desk needs on the PBX (SPEC C2): pure, golden file in tests/golden.

* ``sb-hold``: the other party of a call put on hold by the desk hears the music on hold;
  ``sb-held``: the operator's own leg waits there in silence until the desk bridges both
  again (AMI Redirect with ExtraChannel, then AMI Bridge to resume).
* ``sb-desk-answer``: the desk's "answer" for phones that cannot be told to pick up
  otherwise: the caller's leg is redirected here and the operator's phone is rung again
  with ``Call-Info: <sip:...>;answer-after=0`` (the de-facto auto-answer header of SIP
  phones), added by the pre-dial handler ``sb-desk-autoanswer``.
* ``sb-desk-dial``: where the desk's transfers dial (``include`` of the internal numbers);
  ``sb-desk-consult``: the operator's leg during an attended transfer dials the target there.
* ``features.conf``: the transfer feature codes (the AMI's Atxfer refuses to work without);
* the parking lot ``switchboard`` of ``res_parking.conf``: parked calls wait in slots
  ``PARK_FIRST``-``PARK_LAST``; the desk retrieves one by ringing the operator's phone and
  connecting it to ``<slot>@sb-parked``.
"""

from __future__ import annotations

from switchboard.pbx.render.spec import SiteSpec
from switchboard.pbx.render.text import HEADER

HOLD_CONTEXT = "sb-hold"
HELD_CONTEXT = "sb-held"
ANSWER_CONTEXT = "sb-desk-answer"
AUTOANSWER_HANDLER = "sb-desk-autoanswer"
DIAL_CONTEXT = "sb-desk-dial"
CONSULT_CONTEXT = "sb-desk-consult"
PARKING_LOT = "switchboard"
PARKED_CONTEXT = "sb-parked"
PARK_EXTEN = "700"
PARK_FIRST = 701
PARK_LAST = 720
PARK_SECONDS = 300
RING_SECONDS = 30
BLIND_TRANSFER_CODE = "##"
ATTENDED_TRANSFER_CODE = "*2"


def render_desk_dialplan(
    site: SiteSpec | None = None, *, internal_context: str = "sb-internal", tech: str = "PJSIP"
) -> str:
    """The desk's contexts (appended to the portal's extensions.conf)."""
    lines = [
        "; Operator desk (switchboard.desk): hold, auto-answer, transfers",
        f"[{HOLD_CONTEXT}]",
        "exten => s,1,NoOp(Held by the operator desk)",
        " same => n,Answer()",
        " same => n,MusicOnHold()",
        " same => n,Hangup()",
        "",
        f"[{HELD_CONTEXT}]",
        "exten => s,1,NoOp(Operator waiting while the other party is on hold)",
        " same => n,Wait(3600)",
        " same => n,Hangup()",
        "",
        f"[{ANSWER_CONTEXT}]",
        "exten => _[0-9A-Za-z].,1,NoOp(Desk answer on ${EXTEN})",
        f" same => n,Dial({tech}/${{EXTEN}},{RING_SECONDS},b({AUTOANSWER_HANDLER}^s^1))",
        " same => n,Hangup()",
        "",
        f"[{AUTOANSWER_HANDLER}]",
        "exten => s,1,Set(PJSIP_HEADER(add,Call-Info)=<sip:desk>\\;answer-after=0)",
        " same => n,Return()",
        "",
        f"[{DIAL_CONTEXT}]",
        f"include => {internal_context}",
        "",
        f"[{CONSULT_CONTEXT}]",
        "exten => _[0-9*#+].,1,NoOp(Attended transfer: the operator consults ${EXTEN})",
        f" same => n,Goto({DIAL_CONTEXT},${{EXTEN}},1)",
        "",
    ]
    return "\n".join(lines)


def render_features(site: SiteSpec | None = None) -> str:
    """features.conf: the transfer codes the AMI's BlindTransfer / Atxfer need to exist."""
    lines = [
        HEADER,
        "; Transfer feature codes of the operator desk (switchboard.desk): the AMI's Atxfer",
        "; needs the attended transfer code to be set, even if no phone dials it.",
        "[featuremap]",
        f"blindxfer = {BLIND_TRANSFER_CODE}",
        f"atxfer = {ATTENDED_TRANSFER_CODE}",
        "",
    ]
    return "\n".join(lines)


def render_parking(site: SiteSpec | None = None) -> str:
    """res_parking.conf: the desk's parking lot."""
    lines = [
        HEADER,
        "; Parking lot of the operator desk (switchboard.desk)",
        f"[{PARKING_LOT}]",
        f"parkext = {PARK_EXTEN}",
        f"parkpos = {PARK_FIRST}-{PARK_LAST}",
        f"context = {PARKED_CONTEXT}",
        f"parkingtime = {PARK_SECONDS}",
        "comebacktoorigin = yes",
        "parkedmusicclass = default",
        "findslot = next",
        "",
    ]
    return "\n".join(lines)
