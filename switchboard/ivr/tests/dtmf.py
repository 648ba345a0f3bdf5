"""A SIPp caller that presses keys: DTMF sent as SIP INFO (application/dtmf-relay).

The endpoint it calls from must have ``dtmf_mode = info`` (see :func:`dtmf_caller_config`).
After the answer it waits ``wait_ms``, sends each digit ``gap_ms`` apart, then stays on the
line ``hold_ms`` (or until the far end hangs up).
"""

from __future__ import annotations

import re

from switchboard.testing.asterisk import free_port
from switchboard.testing.sipp import (
    CallResult,
    SippCall,
    SippProcess,
    caller_endpoint_config,
)

HEAD = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="switchboard dtmf caller">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:5550100@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:5550100@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=sendrecv
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true" timeout="20000" ontimeout="done"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:5550100@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:5550100@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <pause milliseconds="{wait_ms}"/>
"""

INFO = """  <send retrans="500"><![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:5550100@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: {cseq} INFO
      Contact: <sip:5550100@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal={digit}
      Duration=160
  ]]></send>
  <recv response="200"/>
  <pause milliseconds="{gap_ms}"/>
"""

TAIL = """  <recv request="BYE" timeout="{hold_ms}" ontimeout="hang_up"/>
  <send next="done"><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
  <label id="hang_up"/>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:5550100@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: {cseq} BYE
      Contact: <sip:5550100@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv response="200"/>
  <label id="done"/>
  <timewait milliseconds="200"/>
</scenario>
"""


def dtmf_caller_config(name: str, port: int, context: str) -> str:
    """pjsip.conf for the endpoint of this caller (matched by its source port)."""
    return caller_endpoint_config(name, port, context=context, dtmf_mode="info")


def call_with_dtmf(
    sip_port: int,
    number: str,
    digits: str,
    *,
    local_port: int,
    wait_ms: int = 1500,
    gap_ms: int = 300,
    hold_ms: int = 2000,
) -> CallResult:
    if not re.fullmatch(r"[0-9*#]*", digits) or not re.fullmatch(r"[+0-9]+", number):
        raise ValueError("digits and number: DTMF characters only")
    xml = HEAD.format(wait_ms=wait_ms)
    for index, digit in enumerate(digits):
        xml += INFO.format(cseq=2 + index, digit=digit, gap_ms=gap_ms)
    xml += TAIL.format(hold_ms=hold_ms, cseq=2 + len(digits))
    timeout_s = (20000 + wait_ms + hold_ms + len(digits) * gap_ms) / 1000 + 10
    arguments = [
        f"127.0.0.1:{sip_port}",
        "-s", number,
        "-m", "1",
        "-timeout", f"{int(timeout_s)}s",
        "-timeout_error",
    ]  # fmt: skip
    process = SippProcess("dtmf-caller", xml, arguments, local_port or free_port("udp"))
    process.start()
    with SippCall(process, 1, timeout_s + 10) as call:
        return call.wait()
