"""A SIPp phone that, like a real one, accepts the re-INVITE (or UPDATE) Asterisk sends to
update the connected party while a call is up: a click-to-call phone gets one when the number
it dials answers. The harness's own answering phone treats it as an unexpected message."""

from __future__ import annotations

import re

from switchboard.testing.sipp import AnsweringPhone

OK_WITH_SDP = """
  <label id="reinvite"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:{user}@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 53655765 2353687638 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=sendrecv
    ]]>
  </send>
  <recv request="ACK" next="talk"/>

  <label id="update"/>
  <send next="talk">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>

  <label id="hang_up"/>"""


class ReinvitePhone(AnsweringPhone):
    def _scenario(self) -> str:
        text = super()._scenario()
        talk = re.compile(r'<recv request="BYE"([^/]*)/>')
        assert talk.search(text) and '<label id="hang_up"/>' in text, "scenario changed"
        text = talk.sub(
            lambda m: (
                '<label id="talk"/>\n'
                f'  <recv request="INVITE" optional="true" next="reinvite"{m.group(1)}/>\n'
                '  <recv request="UPDATE" optional="true" next="update"/>\n'
                f'  <recv request="BYE"{m.group(1)}/>'
            ),
            text,
            count=1,
        )
        return text.replace('<label id="hang_up"/>', OK_WITH_SDP.format(user=self.name), 1)
