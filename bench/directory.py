"""Benchmark: the directory's caller look-up and page on a large PostgreSQL database.

    .venv/bin/python bench/directory.py [--contacts 100000] [--repeat 20] [--url postgresql://postgres@127.0.0.1:5432/sb_bench_directory]

Creates and migrates the database if needed and, unless it already holds ``--contacts``
contacts, seeds them (French numbers written in varied layouts, 1 in 10 private, 1 in 5 with
an account manager, 200 users with phones). Prints the median time of ``--repeat`` runs of:
``normalize`` (per number, pure), ``cards_for`` (caller look-up for the screen-pop: contacts
and colleagues, no hook) for a known and an unknown number, and, through Django's test
client (whole view), the directory's first page, a partial-number search and a name search.
Goal: look-up < 50 ms (index look-ups on the canonical numbers) and pages < 200 ms at
100,000 contacts; searches (partial text / digits: ``LIKE '%...%'``) scan the table, so they
stay above that on a busy 2-core machine (a trigram index would be the next step).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sb_bench_directory"
LAYOUTS = (
    "0{a} {b} {c} {d} {e}",
    "+33 {a} {b} {c} {d} {e}",
    "0{a}.{b}.{c}.{d}.{e}",
    "0{a}{b}{c}{d}{e}",
)


def create_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def number(rng: random.Random) -> str:
    parts = {"a": rng.choice("1234567"), **{k: f"{rng.randrange(100):02}" for k in "bcde"}}
    return rng.choice(LAYOUTS).format(**parts)


def seed(count: int) -> None:
    from switchboard.accounts.models import User
    from switchboard.directory.models import Contact
    from switchboard.pbx.models import Phone
    from switchboard.telephony.models import PbxServer

    if Contact.objects.count() >= count:
        return
    Contact.objects.all().delete()
    rng = random.Random(1)  # noqa: S311
    server, _ = PbxServer.objects.get_or_create(
        name="bench", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    users = []
    for i in range(200):
        user, _ = User.objects.get_or_create(
            username=f"u{i}", defaults={"first_name": f"First{i}", "last_name": f"Last{i}"}
        )
        Phone.objects.get_or_create(server=server, extension=f"{2000 + i}", defaults={"user": user})
        users.append(user)
    batch = []
    for i in range(count):
        contact = Contact(
            owner=rng.choice(users),
            first_name=f"Name{rng.randrange(5000)}",
            last_name=f"Family{rng.randrange(20000)}",
            company=f"Company {rng.randrange(3000)}",
            number1=number(rng),
            number2=number(rng) if i % 2 else "",
            private=i % 10 == 0,
            account_manager=rng.choice(users) if i % 5 == 0 else None,
        )
        contact.refresh_numbers()
        batch.append(contact)
        if len(batch) == 5000:
            Contact.objects.bulk_create(batch)
            batch = []
    Contact.objects.bulk_create(batch)


def timed(work, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    create_database(args.url)
    os.environ["SWITCHBOARD_DATABASE_URL"] = args.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(args.contacts)
    print(f"seed/check: {time.perf_counter() - started:.1f} s")

    from django.test import Client

    from switchboard.accounts.models import User
    from switchboard.directory.lookup import HookSettings, cards_for
    from switchboard.directory.models import Contact
    from switchboard.directory.numbers import NumberPlan, normalize

    user = User.objects.get(username="u0")
    known = Contact.objects.filter(private=False).order_by("pk")[1000].number1
    plan = NumberPlan("33")
    samples = [number(random.Random(i)) for i in range(10000)]  # noqa: S311
    per_number = timed(lambda: [normalize(s, plan) for s in samples], 5) / len(samples) * 1000
    print(f"normalize: {per_number:.2f} µs per number")
    no_hook = HookSettings()
    found = len(cards_for(known, user, hook=no_hook))
    known_ms = timed(lambda: cards_for(known, user, hook=no_hook), args.repeat)
    print(f"cards_for known number ({found} card(s)): {known_ms:.1f} ms")
    unknown_ms = timed(lambda: cards_for("0999999999", user, hook=no_hook), args.repeat)
    print(f"cards_for unknown number: {unknown_ms:.1f} ms")
    client = Client()
    client.force_login(user)
    for label, url in [
        ("page 1 sorted by name", "/directory/"),
        ("page 40 sorted by company", "/directory/?sort=company&page=40"),
        ("partial number search", "/directory/?q=45+67"),
        ("name search", "/directory/?q=family1234"),
        ("colleagues", "/directory/?tab=users"),
    ]:
        assert client.get(url).status_code == 200
        print(f"{label}: {timed(lambda url=url: client.get(url), args.repeat):.1f} ms")
    print(f"contacts: {Contact.objects.count()}")


if __name__ == "__main__":
    main()
