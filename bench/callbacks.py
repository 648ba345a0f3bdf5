"""Benchmark: the callback requests' list, the report per operator, the API list and the IVR
collector's store, on a large PostgreSQL database.

    .venv/bin/python bench/callbacks.py [--requests 200000] [--url postgresql://postgres@127.0.0.1:5432/sb_bench_callbacks]

Creates and migrates the database if needed and, unless it already holds ``--requests``
callback requests, seeds them over a year (20 queues, 50 operators, about 1.5 attempts each,
80 % closed). Then prints the median of ``--repeat`` runs, through Django's test client (the
whole view): the list of due requests for an administrator and for an operator of two
queues, the report for a month and for the year (page and CSV), the API list; and the time to
store 1 000 AstDB entries left by the IVR (then the same again: all already stored).
Goal: < 200 ms for each page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from call_log import create_database, setup_django

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sb_bench_callbacks"
QUEUES, OPERATORS = 20, 50
YEAR_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def seed(count: int) -> tuple[object, list[object]]:
    from switchboard.accounts.models import Role, User
    from switchboard.callbacks.models import Callback, CallbackAttempt
    from switchboard.pbx.models import Queue
    from switchboard.telephony.access import queue_role_code
    from switchboard.telephony.models import PbxServer

    server, _ = PbxServer.objects.get_or_create(
        name="bench", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    queues = [
        Queue.objects.get_or_create(server=server, name=f"q{n}", defaults={"number": str(500 + n)})[
            0
        ]
        for n in range(QUEUES)
    ]
    operators = []
    for n in range(OPERATORS):
        user, created = User.objects.get_or_create(username=f"op{n:02d}")
        if created:
            user.groups.add(Role.objects.get(code="callback_operator"))
            for queue in (queues[n % QUEUES], queues[(n + 1) % QUEUES]):
                user.groups.add(Role.objects.get(code=queue_role_code(queue.name, "agent")))
        operators.append(user)
    have = Callback.objects.count()
    if have >= count:
        return server, operators
    rng = random.Random(42)  # noqa: S311  (seeded test data)
    batch, attempts = [], []
    for n in range(have, count):
        at = YEAR_START + dt.timedelta(seconds=rng.randrange(365 * 86400))
        closed = rng.random() < 0.8
        operator = operators[rng.randrange(OPERATORS)]
        batch.append(
            Callback(
                number=f"06{rng.randrange(10**8):08d}",
                queue=queues[rng.randrange(QUEUES)],
                source=rng.choice(["api", "ivr", "web"]),
                requested_at=at,
                status=rng.choice(["done", "closed"]) if closed else "open",
                closed_by=operator if closed else None,
                closed_at=at + dt.timedelta(hours=2) if closed else None,
            )
        )
        if len(batch) == 5000 or n == count - 1:
            created = Callback.objects.bulk_create(batch)
            for callback in created:
                for k in range(rng.choice([0, 1, 1, 2, 3])):
                    attempts.append(
                        CallbackAttempt(
                            callback=callback,
                            operator=callback.closed_by or operators[rng.randrange(OPERATORS)],
                            phone="201",
                            at=callback.requested_at + dt.timedelta(minutes=10 + k * 30),
                            outcome=rng.choice(["answered", "no_answer", "busy", "failed"]),
                        )
                    )
            CallbackAttempt.objects.bulk_create(attempts, batch_size=5000)
            batch, attempts = [], []
    return server, operators


def timed(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    create_database(args.url)
    setup_django(args.url)
    os.environ.setdefault("SWITCHBOARD_ALLOWED_HOSTS", "testserver")
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    from switchboard.accounts.models import Role, User
    from switchboard.api.models import ApiToken
    from switchboard.callbacks.collector import store
    from switchboard.callbacks.models import Callback, CallbackAttempt

    start = time.perf_counter()
    server, operators = seed(args.requests)
    print(
        f"requests: {Callback.objects.count()}, attempts: {CallbackAttempt.objects.count()} "
        f"(ready in {time.perf_counter() - start:.1f} s)"
    )
    admin, _ = User.objects.get_or_create(username="bench-admin")
    admin.groups.add(Role.objects.get(code="administrator"))
    token = ApiToken(name="bench", owner=admin)
    secret = token.set_token()
    token.save()
    client = Client()
    for who, user in (("administrator", admin), ("operator (2 queues)", operators[0])):
        client.force_login(user)
        for label, url in (
            ("due list", "/callbacks/"),
            ("later list", "/callbacks/?show=later"),
        ):
            ms = timed(args.repeat, lambda url=url: client.get(url))
            print(f"{label:<28} {who:<22} {ms:8.1f} ms")
    client.force_login(admin)
    for label, query in (
        ("report, a month", "start=2025-06-01&end=2025-06-30"),
        ("report, the year", "start=2025-01-01&end=2025-12-31"),
        ("report CSV, the year", "start=2025-01-01&end=2025-12-31&export=csv"),
    ):

        def work(query: str = query) -> None:
            response = client.get(f"/callbacks/report/?{query}")
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)

        print(f"{label:<28} {'administrator':<22} {timed(args.repeat, work):8.1f} ms")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ms = timed(args.repeat, lambda: api.get("/api/callbacks/?limit=100"))
    print(f"{'API list, 100 open':<28} {'token (administrator)':<22} {ms:8.1f} ms")
    now = int(time.time())
    entries = {f"{now}.{n}": f"{now}|700|500|06{n:08d}|Caller {n}" for n in range(1000)}
    start = time.perf_counter()
    store(server.pk, entries)
    first = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    store(server.pk, entries)
    again = (time.perf_counter() - start) * 1000
    print(f"IVR collector: 1000 new entries {first:.0f} ms, the same again {again:.0f} ms")
    Callback.objects.filter(key__startswith=f"{server.pk}:{now}.").delete()


if __name__ == "__main__":
    main()
