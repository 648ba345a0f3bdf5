"""Benchmark: a voicemail box's page and a message's sound, against a real Asterisk 22.

    .venv/bin/python bench/voicemail.py [--messages 100] [--repeat 7]

Starts a harness Asterisk (needs root and the test chroot, like the test suite) with one
box, puts ``--messages`` messages in its INBOX (a 20 s WAV each, as app_voicemail writes
them; 100 is a box's default maximum), migrates a throw-away SQLite database and prints,
through Django's test client, the median of ``--repeat`` runs of: the list through the AMI
alone (VoicemailBoxSummary + the envelopes), the user's voicemail page, and a download of
one message (no folder change). Goal: < 200 ms for the page of a full box.
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def wav(seconds: int) -> bytes:
    data = bytes(8000 * 2 * seconds)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 1, 1, 8000, 16000, 2, 16, b"data",
        len(data),
    )  # fmt: skip
    return header + data


def envelope(number: int, origtime: int) -> str:
    return (
        "[message]\norigmailbox=201\ncontext=sb-ring-phone\nmacrocontext=\nexten=201\n"
        f"rdnis=unknown\npriority=35\ncallerchan=PJSIP/desk-{number:08x}\n"
        f'callerid="Caller {number}" <06{number:08d}>\norigdate=\norigtime={origtime}\n'
        f"category=\nmsg_id={origtime}-{number:08d}\nflag=\nduration=20\n"
    )


def median_ms(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile the page (cProfile)")
    options = parser.parse_args()

    from switchboard.testing.asterisk import AsteriskInstance, ensure_chroot

    database = Path(tempfile.mkdtemp(prefix="sb-bench-vm-")) / "db.sqlite3"
    os.environ["SWITCHBOARD_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")
    pbx = AsteriskInstance(
        ensure_chroot(),
        {"voicemail.conf": "[general]\nmaxmsg=9999\n[switchboard]\n201 => 1234,Anne\n"},
    )
    pbx.start()
    try:
        inbox = pbx.layout.host("spool/voicemail/switchboard/201/INBOX")
        inbox.mkdir(parents=True, exist_ok=True)
        sound = wav(20)
        now = int(time.time())
        for number in range(options.messages):
            (inbox / f"msg{number:04d}.txt").write_text(envelope(number, now - number * 60))
            (inbox / f"msg{number:04d}.wav").write_bytes(sound)
        pbx.cli("voicemail reload")

        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.test import Client

        from switchboard.accounts.models import User
        from switchboard.pbx.models import Phone
        from switchboard.telephony.models import PbxServer
        from switchboard.voicemail import mailbox
        from switchboard.voicemail.models import VoicemailBox

        server = PbxServer.objects.create(
            name="bench",
            host="127.0.0.1",
            ami_port=pbx.ami_port,
            ami_user=pbx.credentials.ami_username,
            ami_secret=pbx.credentials.ami_secret,
            voicemail_dir=str(pbx.layout.host("spool/voicemail")),
        )
        anne = User.objects.create_user("anne")
        box = VoicemailBox.objects.create(
            phone=Phone.objects.create(server=server, extension="201", user=anne)
        )
        listed = mailbox.messages(box)
        assert len(listed) == options.messages, len(listed)
        client = Client()
        client.force_login(anne)

        def page() -> None:
            assert client.get("/voicemail/").status_code == 200

        def download() -> None:
            response = client.get(f"/voicemail/{box.pk}/{listed[0].id}/audio/?download=1")
            assert response.status_code == 200
            b"".join(response.streaming_content)

        if options.profile:
            import cProfile
            import pstats

            page()
            profile = cProfile.Profile()
            profile.runcall(page)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        print(f"{options.messages} messages in the box")
        for label, work in (
            ("AMI list + envelopes", lambda: mailbox.messages(box)),
            ("voicemail page", page),
            ("download (320 kB)", download),
        ):
            print(f"{label:22}{median_ms(work, options.repeat):8.1f} ms")
    finally:
        pbx.stop()


if __name__ == "__main__":
    main()
