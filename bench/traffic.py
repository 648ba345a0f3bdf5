"""A seeded generator of realistic call-centre traffic, as Asterisk writes it (SPEC R1 bench).

    .venv/bin/python bench/traffic.py OUT_DIR [--calls 100000] [--seed 1] [--days 30]
        [--queues 6] [--agents 60] [--abandon 0.08] [--timeout 0.02] [--transfer 0.05]
        [--outbound 0.25]

writes ``OUT_DIR/cdr-csv/Master.csv`` (cdr_csv with loguniqueid and loguserfield) and
``OUT_DIR/queue_log`` (``time|callid|queue|agent|event|data…``) the way Asterisk 22 would:
callers from a line enter a queue (ENTERQUEUE), ring agents (RINGNOANSWER for those who do
not pick up), are answered (CONNECT then COMPLETECALLER / COMPLETEAGENT, or BLINDTRANSFER),
abandon (ABANDON) or leave after the queue's timeout (EXITWITHTIMEOUT); agents also call
out through the line and each other. Calls spread over working hours of ``days`` days with a
mid-morning and a mid-afternoon peak. The same seed gives the same files.

Other benchmarks import :func:`fill_database` to put the same traffic straight into the
database (a PBX ``bench``, its agents' phones in departments), much faster than collecting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

START = dt.datetime(2026, 1, 5, 0, 0, 0)
TRUNK = "trunk-operator"


@dataclass(frozen=True)
class Profile:
    """The shape of the traffic."""

    calls: int = 100_000
    seed: int = 1
    days: int = 30
    queues: int = 6
    agents: int = 60
    abandon: float = 0.08  # callers who hang up while waiting
    timeout: float = 0.02  # callers who leave when the queue's time is out
    transfer: float = 0.05  # answered calls the agent transfers
    outbound: float = 0.25  # share of calls that are agents' own (out or internal)
    start: dt.datetime = START


@dataclass
class Call:
    """One call: its CDR rows (as dicts of Master.csv columns) and queue_log lines."""

    cdrs: list[dict[str, object]] = field(default_factory=list)
    queue_lines: list[str] = field(default_factory=list)


def _fmt(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when else ""


def _working_second(rng: random.Random, days: int) -> int:
    """Seconds from the start: a weekday's working hours, busier at 10:30 and 15:00."""
    day = rng.randrange(days)
    while (START + dt.timedelta(days=day)).weekday() >= 5:
        day = rng.randrange(days)
    peak = rng.choice((10.5, 10.5, 15.0))
    hour = min(19.99, max(8.0, rng.gauss(peak, 1.8)))
    return day * 86400 + int(hour * 3600)


def generate(profile: Profile) -> Iterator[Call]:
    """The calls of ``profile``, in time order, with unique ids like Asterisk's."""
    rng = random.Random(profile.seed)  # noqa: S311  (repeatable traffic, not secrets)
    queues = [f"q{n:02d}" for n in range(1, profile.queues + 1)]
    agents = [str(2000 + n) for n in range(1, profile.agents + 1)]
    team = {q: agents[i :: profile.queues] or agents for i, q in enumerate(queues)}
    seconds = sorted(_working_second(rng, profile.days) for _ in range(profile.calls))
    base = int(profile.start.replace(tzinfo=dt.UTC).timestamp())
    for index, offset in enumerate(seconds):
        start = profile.start + dt.timedelta(seconds=offset)
        epoch = base + offset
        uid = f"{epoch}.{index * 2}"
        peer = f"{epoch}.{index * 2 + 1}"
        chan = f"{index:08x}"
        caller = f"0{rng.randrange(100000000, 999999999)}"
        call = Call()
        if rng.random() < profile.outbound:
            agent = rng.choice(agents)
            internal = rng.random() < 0.3
            dst = rng.choice(agents) if internal else f"0{rng.randrange(100000000, 999999999)}"
            answered = rng.random() < 0.7
            ring = rng.randint(2, 25)
            talk = int(rng.expovariate(1 / 120)) + 1 if answered else 0
            call.cdrs.append(
                {
                    "accountcode": "",
                    "src": agent,
                    "dst": dst,
                    "dcontext": "sb-internal" if internal else "sb-outbound",
                    "clid": f'"Agent {agent}" <{agent}>',
                    "channel": f"PJSIP/{agent}-{chan}",
                    "dstchannel": f"PJSIP/{dst if internal else TRUNK}-{chan}b",
                    "lastapp": "Dial",
                    "lastdata": f"PJSIP/{dst if internal else TRUNK},30",
                    "start": _fmt(start),
                    "answer": _fmt(start + dt.timedelta(seconds=ring)) if answered else "",
                    "end": _fmt(start + dt.timedelta(seconds=ring + talk)),
                    "duration": ring + talk,
                    "billsec": talk,
                    "disposition": "ANSWERED"
                    if answered
                    else rng.choice(("NO ANSWER", "NO ANSWER", "BUSY")),
                    "amaflags": "DOCUMENTATION",
                    "uniqueid": uid,
                    "userfield": "",
                }
            )
            yield call
            continue
        queue = rng.choice(queues)
        number = str(500 + queues.index(queue))
        lines = call.queue_lines
        lines.append(f"{epoch}|{uid}|{queue}|NONE|ENTERQUEUE||{caller}|1")
        fate = rng.random()
        wait = 0
        dstchannel = ""
        talk = 0
        if fate < profile.abandon:
            wait = rng.randint(3, 120)
            lines.append(f"{epoch + wait}|{uid}|{queue}|NONE|ABANDON|1|1|{wait}")
        elif fate < profile.abandon + profile.timeout:
            wait = 300
            lines.append(f"{epoch + wait}|{uid}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{wait}")
        else:
            wait = int(rng.expovariate(1 / 25))
            members = team[queue]
            for _ in range(rng.choice((0, 0, 0, 1, 2))):
                missed = rng.choice(members)
                lines.append(f"{epoch + wait}|{uid}|{queue}|PJSIP/{missed}|RINGNOANSWER|15000")
                wait += 15
            agent = rng.choice(members)
            ring = rng.randint(1, 8)
            wait += ring
            talk = int(rng.expovariate(1 / 180)) + 5
            dstchannel = f"PJSIP/{agent}-{chan}b"
            lines.append(f"{epoch + wait}|{uid}|{queue}|PJSIP/{agent}|CONNECT|{wait}|{peer}|{ring}")
            end = epoch + wait + talk
            if rng.random() < profile.transfer:
                target = rng.choice(agents)
                lines.append(
                    f"{end}|{uid}|{queue}|PJSIP/{agent}|BLINDTRANSFER|{target}|sb-internal|"
                    f"{wait}|{talk}|1"
                )
            else:
                event = "COMPLETECALLER" if rng.random() < 0.55 else "COMPLETEAGENT"
                lines.append(f"{end}|{uid}|{queue}|PJSIP/{agent}|{event}|{wait}|{talk}|1")
        call.cdrs.append(
            {
                "accountcode": "",
                "src": caller,
                "dst": number,
                "dcontext": "sb-from-trunks",
                "clid": f"<{caller}>",
                "channel": f"PJSIP/{TRUNK}-{chan}",
                "dstchannel": dstchannel,
                "lastapp": "Queue",
                "lastdata": f"{queue},t",
                "start": _fmt(start),
                # The queue answers its caller at once (music on hold while waiting).
                "answer": _fmt(start),
                "end": _fmt(start + dt.timedelta(seconds=wait + talk)),
                "duration": wait + talk,
                "billsec": wait + talk,
                "disposition": "ANSWERED",
                "amaflags": "DOCUMENTATION",
                "uniqueid": uid,
                "userfield": "",
            }
        )
        yield call


COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
NUMBERS = {"duration", "billsec"}


def csv_line(cdr: dict[str, object]) -> str:
    """A CDR as cdr_csv writes it: strings quoted (quotes doubled), numbers bare."""
    return (
        ",".join(
            str(cdr[name]) if name in NUMBERS else '"' + str(cdr[name]).replace('"', '""') + '"'
            for name in COLUMNS
        )
        + "\n"
    )


def write_files(out: Path, profile: Profile) -> tuple[int, int]:
    """Write Master.csv and queue_log under ``out``; returns (CDR rows, queue_log lines)."""
    (out / "cdr-csv").mkdir(parents=True, exist_ok=True)
    cdrs = lines = 0
    with (out / "cdr-csv/Master.csv").open("w") as master, (out / "queue_log").open("w") as log:
        for call in generate(profile):
            for cdr in call.cdrs:
                master.write(csv_line(cdr))
                cdrs += 1
            for line in call.queue_lines:
                log.write(line + "\n")
                lines += 1
    return cdrs, lines


def fill_database(calls: int, seed: int = 1, **profile: object) -> object:
    """Put ``calls`` calls of generated traffic straight into the database (Django must be
    set up), for a PBX named ``bench`` with its agents' phones in departments; returns it.

    Rows get the collector's keys, directions and owners, so they look collected; nothing is
    checked for duplicates (use a fresh PBX or database).
    """
    from django.db import transaction

    from switchboard.accounts.models import Department
    from switchboard.pbx.models import Phone, Trunk
    from switchboard.records.collector import (
        cdr_from_fields,
        directory_of,
        parse_queue_log_line,
    )
    from switchboard.records.models import CallRecord, QueueLogEntry
    from switchboard.telephony.models import PbxServer

    shape = Profile(calls=calls, seed=seed, **profile)  # type: ignore[arg-type]
    server, _ = PbxServer.objects.get_or_create(
        name="bench", defaults={"host": "127.0.0.1", "ami_user": "bench", "ami_secret": "bench"}
    )
    departments = [
        Department.objects.get_or_create(short_name=f"D{n}", defaults={"name": f"Team {n}"})[0]
        for n in range(1, 5)
    ]
    existing = set(Phone.objects.filter(server=server).values_list("extension", flat=True))
    Phone.objects.bulk_create(
        [
            Phone(server=server, extension=ext, department=departments[n % len(departments)])
            for n, ext in enumerate(str(2000 + i) for i in range(1, shape.agents + 1))
            if ext not in existing
        ]
    )
    Trunk.objects.get_or_create(
        server=server, name=TRUNK.removeprefix("trunk-"), defaults={"host": "sip.example.org"}
    )
    directory = directory_of(server)
    utc = dt.UTC
    records: list[CallRecord] = []
    entries: list[QueueLogEntry] = []

    def flush() -> None:
        with transaction.atomic():
            CallRecord.objects.bulk_create(records, batch_size=5000)
            QueueLogEntry.objects.bulk_create(entries, batch_size=5000)
        records.clear()
        entries.clear()

    for call in generate(shape):
        for cdr in call.cdrs:
            row = cdr_from_fields(cdr, utc)
            direction, phone, department = directory.classify(row["channel"], row["dstchannel"])
            records.append(
                CallRecord(
                    server=server,
                    direction=direction,
                    phone_id=phone,
                    department_id=department,
                    **row,
                )
            )
        for line in call.queue_lines:
            entries.append(QueueLogEntry(server=server, **parse_queue_log_line(line)))
        if len(records) >= 20_000:
            flush()
    flush()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    defaults = Profile()
    for name in ("calls", "seed", "days", "queues", "agents"):
        parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    for name in ("abandon", "timeout", "transfer", "outbound"):
        parser.add_argument(f"--{name}", type=float, default=getattr(defaults, name))
    args = vars(parser.parse_args())
    out = args.pop("out")
    started = time.perf_counter()
    cdrs, lines = write_files(out, Profile(**args))
    seconds = time.perf_counter() - started
    print(f"{cdrs} CDRs and {lines} queue_log lines in {out} ({seconds:.1f} s)")


if __name__ == "__main__":
    main()
