"""Leaving real voicemail messages on the harness Asterisk (shared by the voicemail tests).

The harness's SIPp caller sends no media, which would leave empty (0 s) messages. The caller
here is the same scenario with an RTP stream started after the ACK: a 440 Hz tone (G.711
mu-law, payload 0, looped until the call ends), so Asterisk records real sound.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

from switchboard.forwards import services as forwards
from switchboard.forwards.rules import VOICEMAIL, PhoneForwards
from switchboard.pbx.models import Generation, Phone
from switchboard.pbx.services import apply_configuration
from switchboard.testing.asterisk import free_port
from switchboard.testing.sipp import SippCall, SippProcess, render_scenario
from switchboard.voicemail.models import VoicemailBox


def box_for(server, extension: str, port: int, user=None, **fields) -> VoicemailBox:
    """A phone forwarded to its voicemail at once, with its box, applied to the PBX."""
    phone = Phone.objects.create(
        server=server, extension=extension, fixed_address=f"127.0.0.1:{port}", user=user, **fields
    )
    box = VoicemailBox.objects.create(phone=phone)
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    forwards.write(phone, PhoneForwards(unconditional=VOICEMAIL))
    return box


def _mulaw(sample: int) -> int:
    """One 16-bit linear sample as G.711 mu-law (ITU-T G.711, with the usual bias)."""
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = max(magnitude.bit_length() - 8, 0)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def tone_file(seconds: float = 2.0, hertz: float = 440.0) -> Path:
    """A raw mu-law 8 kHz tone for SIPp's rtp_stream."""
    path = Path(tempfile.mkdtemp(prefix="sb-vm-tone-")) / "tone.ulaw"
    count = int(8000 * seconds)
    path.write_bytes(
        bytes(_mulaw(int(12000 * math.sin(2 * math.pi * hertz * n / 8000))) for n in range(count))
    )
    return path


def speaking_call(sip_port: int, number: str, local_port: int, caller_id: str, hold_ms: int):
    """Call ``number`` and send a tone once answered, for ``hold_ms``; the SippCall."""
    xml = render_scenario(
        "caller.xml",
        {
            "from_user": caller_id,
            "from_display": "",
            "hold_ms": hold_ms,
            "answer_timeout_ms": 10000,
            "extra_headers": "",
        },
    )
    stream = f'  <nop><action><exec rtp_stream="{tone_file()},-1,0"/></action></nop>\n'
    marker = "  <!-- Talk."
    assert marker in xml
    xml = xml.replace(marker, stream + marker, 1)
    timeout_s = (10000 + hold_ms) / 1000 + 10
    arguments = [
        f"127.0.0.1:{sip_port}", "-s", number, "-m", "1", "-l", "1",
        "-timeout", f"{int(timeout_s)}s", "-timeout_error",
    ]  # fmt: skip
    process = SippProcess("caller", xml, arguments, local_port or free_port("udp"))
    process.start()
    return SippCall(process, 1, timeout_s + 10)


def leave_message(pbx, box: VoicemailBox, caller_port: int, caller_id: str, hold_ms=18000) -> Path:
    """Call the box's phone from ``caller_id`` and speak ``hold_ms``; the new envelope file."""
    inbox = pbx.layout.host(f"spool/voicemail/switchboard/{box.phone.extension}/INBOX")
    before = set(inbox.glob("msg*.txt")) if inbox.exists() else set()
    with speaking_call(pbx.sip_port, box.phone.extension, caller_port, caller_id, hold_ms) as call:
        result = call.wait()
    assert result.answered, result.diagnostics  # the voicemail answered
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        new = set(inbox.glob("msg*.txt")) - before if inbox.exists() else set()
        if new:
            return new.pop()
        time.sleep(0.2)
    raise AssertionError(pbx.cli("voicemail show users for switchboard"))


def spool_folder(pbx, box: VoicemailBox, folder: str) -> dict[str, str]:
    """msg_id -> file stem of the messages in one folder of the spool, as on disk."""
    directory = pbx.layout.host(f"spool/voicemail/switchboard/{box.phone.extension}/{folder}")
    found = {}
    for path in sorted(directory.glob("msg*.txt")) if directory.exists() else ():
        for line in path.read_text().splitlines():
            if line.startswith("msg_id="):
                found[line.partition("=")[2].strip()] = path.stem
    return found
