"""Dialplan of phone calls, forwards, voicemail and their feature codes (SPEC U2, U4).

A call to a phone goes through ``sb-ring-phone``: it reads the phone's forwards in AstDB
(``switchboard/forward/<extension>/…``, written by the web or by the feature codes below) at
call time, so a change needs no reload and works while the portal is down:

* ``unconditional``: the call goes straight to the target;
* ``busy``: when the phone is in use (or answers busy), the call goes to the target;
* ``noanswer``: the phone rings ``ringtime`` seconds, then the call goes to the target.

A target is an internal number (dialled in ``sb-internal``), an external number (dialled
from the forwarding phone's own context, so its call permissions apply; only phones whose
user has the external forward right can set one from the phone, the web checks the same
right) or ``voicemail``. At most five forwards are
followed in a row, so two phones forwarded to each other cannot loop.

Before the forwards, ``sb-ring-phone`` reads the user's presence and hot desk, also from
AstDB (written by ``switchboard.agents``):

* ``switchboard/presence/<extension>`` = ``dnd``: do not disturb. The phone never rings and
  the call is handled as if the phone were busy: the busy forward if one is set (for
  example to voicemail), else the caller hears busy (SIP 486).
* ``switchboard/presence/<extension>`` = ``mobile:<number>``: "on mobile". The call is
  forwarded to that number like an unconditional forward (dialled with the phone's own call
  permissions; the web only accepts it from users with the external forward right).
* ``switchboard/hotdesk/<extension>`` = ``<YYYYMMDD>@<desk extension>``: the user sits at
  another desk today; calls ring that desk's phone (busy test included). The binding lapses
  by itself at midnight, as the date no longer matches.
"""

from __future__ import annotations

from switchboard.pbx.render.spec import SiteSpec

RING_CONTEXT = "sb-ring-phone"
FEATURES_CONTEXT = "sb-features"
SET_CONTEXT = "sb-forward-set"
EXTERNAL_RIGHT_CONTEXT = "sb-forward-external"
VOICEMAIL_CONTEXT = "switchboard"  # the voicemail.conf context of the portal's boxes
FORWARD_FAMILY = "switchboard/forward"
PRESENCE_FAMILY = "switchboard/presence"
HOTDESK_FAMILY = "switchboard/hotdesk"
MAX_HOPS = 5
NO_FORWARD_RING_SECONDS = 30
# Feature code -> the forward it sets ("*21202" sets, "*21*" to voicemail, "*21" cancels).
FEATURE_CODES = {"*21": "unconditional", "*67": "busy", "*61": "noanswer"}
VOICEMAIL_CODE = "*97"


def ring_phone_lines(internal_context: str, outbound_context: str) -> list[str]:

    def db(key: str) -> str:
        # DB_EXISTS does not log a warning for a key that is not set (DB() does).
        return f"${{IF(${{DB_EXISTS({FORWARD_FAMILY}/${{EXTEN}}/{key})}}?${{DB_RESULT}}:)}}"

    def read(variable: str, family: str) -> list[str]:
        # Not through IF(): a value may hold ":" (on mobile), which IF() would split.
        return [
            " same => n,Set(DB_RESULT=)",
            f" same => n,NoOp(${{DB_EXISTS({family}/${{EXTEN}})}})",
            f" same => n,Set({variable}=${{DB_RESULT}})",
        ]

    today = "${STRFTIME(${EPOCH},,%Y%m%d)}"
    return [
        f"[{RING_CONTEXT}]",
        "exten => _X.,1,NoOp(Ring phone ${EXTEN})",
        " same => n,Set(SB_HOPS=$[0${SB_HOPS} + 1])",
        # Hot desking: today's desk of the phone's user, else the phone itself.
        *read("SB_DESK", HOTDESK_FAMILY),
        f' same => n,Set(SB_DEVICE=PJSIP/${{IF($["${{CUT(SB_DESK,@,1)}}" = "{today}"]'
        "?${CUT(SB_DESK,@,2)}:${EXTEN})})",
        f" same => n,GotoIf($[${{SB_HOPS}} > {MAX_HOPS}]?dial)",
        # Presence: do not disturb is handled as busy; on mobile forwards to the mobile.
        *read("SB_PRESENCE", PRESENCE_FAMILY),
        ' same => n,GotoIf($["${SB_PRESENCE}" = "dnd"]?busy)',
        " same => n,Set(SB_FWD=${CUT(SB_PRESENCE,:,2)})",
        ' same => n,GotoIf($["${CUT(SB_PRESENCE,:,1)}" = "mobile" & "${SB_FWD}" != ""]?forward)',
        f" same => n,Set(SB_FWD={db('unconditional')})",
        " same => n,Set(SB_VMFLAGS=u)",
        ' same => n,GotoIf($["${SB_FWD}" != ""]?forward)',
        f" same => n,Set(SB_FWD={db('busy')})",
        ' same => n,GotoIf($["${SB_FWD}" = ""]?dial)',
        " same => n,Set(SB_STATE=${DEVICE_STATE(${SB_DEVICE})})",
        ' same => n,GotoIf($["${SB_STATE}" = "INUSE" | "${SB_STATE}" = "BUSY"]?busy)',
        f" same => n(dial),Set(SB_NOANSWER={db('noanswer')})",
        f" same => n,Set(SB_RING={db('ringtime')})",
        f' same => n,Set(SB_RING=${{IF($["${{SB_NOANSWER}}" = "" | "${{SB_RING}}" = ""]'
        f"?{NO_FORWARD_RING_SECONDS}:${{SB_RING}})}})",
        " same => n,Dial(${SB_DEVICE},${SB_RING})",
        ' same => n,GotoIf($["${DIALSTATUS}" = "BUSY"]?busy)',
        ' same => n,GotoIf($["${DIALSTATUS}" = "ANSWER" | "${SB_NOANSWER}" = ""]?end)',
        f" same => n,GotoIf($[${{SB_HOPS}} > {MAX_HOPS}]?end)",
        " same => n,Set(SB_FWD=${SB_NOANSWER})",
        " same => n,Goto(forward)",
        f" same => n(busy),Set(SB_FWD={db('busy')})",
        " same => n,Set(SB_VMFLAGS=b)",
        ' same => n,GotoIf($["${SB_FWD}" != ""]?forward)',
        " same => n,Busy(5)",
        " same => n(forward),NoOp(Forward ${EXTEN} to ${SB_FWD})",
        ' same => n,GotoIf($["${SB_FWD}" = "voicemail"]?voicemail)',
        f" same => n,GotoIf(${{DIALPLAN_EXISTS({internal_context},${{SB_FWD}},1)}}"
        f"?{internal_context},${{SB_FWD}},1)",
        # An outside number is dialled with the forwarding phone's own call permissions.
        " same => n,Set(SB_PERM=${PJSIP_ENDPOINT(${EXTEN},context)})",
        f' same => n,Goto(${{IF($["${{SB_PERM}}" = ""]?{outbound_context}:${{SB_PERM}})}},'
        "${SB_FWD},1)",
        f" same => n(voicemail),VoiceMail(${{EXTEN}}@{VOICEMAIL_CONTEXT},${{SB_VMFLAGS}})",
        " same => n(end),Hangup()",
    ]


def feature_lines(site: SiteSpec, internal_context: str) -> list[str]:
    lines = [f"[{FEATURES_CONTEXT}]"]
    for code, condition in FEATURE_CODES.items():
        pattern = f"_{code}X."  # * is a plain character in a pattern
        lines += [
            f"exten => {pattern},1,Gosub({SET_CONTEXT},s,1({condition},${{EXTEN:{len(code)}}}))",
            f"exten => {code}*,1,Gosub({SET_CONTEXT},s,1({condition},voicemail))",
            f"exten => {code},1,Gosub({SET_CONTEXT},s,1({condition},))",
        ]
    lines += [
        f"exten => {VOICEMAIL_CODE},1,Answer()",
        f" same => n,VoiceMailMain(${{CHANNEL(endpoint)}}@{VOICEMAIL_CONTEXT})",
        " same => n,Hangup()",
        "",
        f"[{SET_CONTEXT}]",
        "; ARG1: unconditional, busy or noanswer; ARG2: the target, empty to cancel.",
        "exten => s,1,Set(SB_PHONE=${CHANNEL(endpoint)})",
        ' same => n,GotoIf($["${ARG2}" = ""]?clear)',
        ' same => n,GotoIf($["${ARG2}" = "voicemail"]?store)',
        ' same => n,GotoIf($["${ARG2}" = "${SB_PHONE}"]?refuse)',
        f" same => n,GotoIf(${{DIALPLAN_EXISTS({internal_context},${{ARG2}},1)}}?store)",
        f" same => n,GotoIf(${{DIALPLAN_EXISTS({EXTERNAL_RIGHT_CONTEXT},${{SB_PHONE}},1)}}?store)",
        " same => n(refuse),Answer()",
        " same => n,Playback(beeperr)",
        " same => n,Hangup(21)",
        f" same => n(store),Set(DB({FORWARD_FAMILY}/${{SB_PHONE}}/${{ARG1}})=${{ARG2}})",
        " same => n,Goto(done)",
        f" same => n(clear),NoOp(${{DB_DELETE({FORWARD_FAMILY}/${{SB_PHONE}}/${{ARG1}})}})",
        " same => n(done),Answer()",
        " same => n,Playback(beep)",
        " same => n,Hangup()",
        "",
        f"[{EXTERNAL_RIGHT_CONTEXT}]",
        "; Phones whose user may forward calls outside the organisation.",
    ]
    for extension in sorted(site.external_forwarders):
        lines.append(f"exten => {extension},1,Return()")
    return lines


def forwards_lines(site: SiteSpec, internal_context: str, outbound_context: str) -> list[str]:
    return [
        *ring_phone_lines(internal_context, outbound_context),
        "",
        *feature_lines(site, internal_context),
    ]
