"""Benchmark: the staff chat's pages and unread badge on a large PostgreSQL database.

    .venv/bin/python bench/chat.py [--messages 1000000] [--users 500] [--repeat 7]
        [--url postgresql://postgres@127.0.0.1:5432/sb_bench_chat]

Creates the database if needed, migrates it and, unless it already holds ``--messages``
chat messages, seeds ``--users`` users and the messages in one INSERT ... SELECT: one in ten
to everyone, the others between two people, one in fifty still unread. Then, through
Django's test client (the whole view: queries and rendering, the header badge included),
prints the median of ``--repeat`` runs of: the unread count alone, the chat index (every
colleague with their unread count), a two-person conversation, the conversation with
everyone (the largest) and an older page of it. Goal: < 100 ms each at a million messages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sb_bench_chat"


def create_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["SWITCHBOARD_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(messages: int, users: int) -> None:
    from django.db import connection

    from switchboard.accounts.models import User
    from switchboard.chat.models import ChatMessage

    if ChatMessage.objects.count() >= messages:
        return
    ChatMessage.objects.all().delete()
    existing = User.objects.filter(username__startswith="bench-").count()
    User.objects.bulk_create(
        User(username=f"bench-{n:04d}", first_name=f"User {n}", password="!")  # noqa: S106  (unusable)
        for n in range(existing, users)
    )
    ids = list(
        User.objects.filter(username__startswith="bench-")
        .order_by("pk")
        .values_list("pk", flat=True)[:users]
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO chat_chatmessage (sender_id, recipient_id, text, sent_at, read_at)
            SELECT ids[(1 + (g * 7919) %% n)::int],
                   CASE WHEN g %% 10 = 0 THEN NULL
                        ELSE ids[(1 + (g * 7919 + 1 + g %% (n - 1)) %% n)::int] END,
                   'message number ' || g,
                   now() - (%s - g) * interval '1 second',
                   CASE WHEN g %% 50 = 0 THEN NULL ELSE now() END
            FROM generate_series(1::bigint, %s) AS g, (SELECT %s::bigint[] AS ids, %s AS n) AS u
            """,
            [messages, messages, ids, len(ids)],
        )
        cursor.execute("ANALYZE chat_chatmessage")
    print(f"seeded {messages:,} messages in {time.perf_counter() - started:.1f} s")


def median_ms(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", default=DEFAULT_URL)
    options = parser.parse_args()
    create_database(options.url)
    setup_django(options.url)
    seed(options.messages, options.users)

    from django.test import Client

    from switchboard.accounts.models import User
    from switchboard.chat import services
    from switchboard.chat.models import ChatMessage

    user = User.objects.filter(username__startswith="bench-").order_by("pk")[7]
    other = (
        ChatMessage.objects.filter(recipient=user).order_by("-pk").values_list("sender", flat=True)
    )[0]
    middle = ChatMessage.objects.filter(recipient__isnull=True).order_by("pk")[
        ChatMessage.objects.filter(recipient__isnull=True).count() // 2
    ]
    client = Client()
    client.force_login(user)

    def get(url: str):
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    print(f"{ChatMessage.objects.count():,} messages, {options.users} users")
    figures = (
        ("home page (baseline)", get("/")),
        ("unread count", lambda: services.unread_count(user)),
        ("chat index", get("/chat/")),
        ("two-person chat", get(f"/chat/{other}/")),
        ("everyone, newest", get("/chat/everyone/")),
        ("everyone, older page", get(f"/chat/everyone/?before={middle.pk}")),
    )
    for label, work in figures:
        print(f"{label:22}{median_ms(work, options.repeat):8.1f} ms")


if __name__ == "__main__":
    main()
