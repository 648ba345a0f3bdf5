"""A SIPp phone that dials a feature code and keys digits (SIP INFO DTMF), for ``*45``.

The IVR tests' caller (``switchboard.ivr.tests.dtmf``) takes DID numbers only; this one
dials any feature code (``*45500``) from a phone's fixed address, reusing its scenario parts.
"""

from __future__ import annotations

import re

from switchboard.ivr.tests.dtmf import HEAD, INFO, TAIL
from switchboard.testing.sipp import CallResult, SippCall, SippProcess


def dial_and_key(
    sip_port: int,
    number: str,
    digits: str,
    *,
    local_port: int,
    wait_ms: int = 1500,
    gap_ms: int = 250,
    hold_ms: int = 3000,
) -> CallResult:
    """Call ``number`` from ``local_port``, key ``digits`` after ``wait_ms``, stay ``hold_ms``."""
    if not re.fullmatch(r"[0-9*#]*", digits) or not re.fullmatch(r"[*#+0-9]+", number):
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
    process = SippProcess("dtmf-phone", xml, arguments, local_port)
    process.start()
    with SippCall(process, 1, timeout_s + 10) as call:
        return call.wait()
