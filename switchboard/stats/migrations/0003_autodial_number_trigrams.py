"""Trigram indexes (PostgreSQL ``pg_trgm``) for the search of the automatic calls by a part of
a number (S5): ``dst``, ``src``, ``channel`` and ``lastdata`` ``LIKE '%<part>%'`` on the
automatic calls' rows only (partial indexes), combined by a bitmap OR instead of a scan of
every automatic call of the period.

Where the extension cannot be created (no permission, not installed) or on SQLite nothing
is created: the search gives the same rows, by a scan.
"""

from django.db import DatabaseError, migrations, transaction

COLUMNS = ("dst", "src", "channel", "lastdata")


def _has_trgm(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return cursor.fetchone() is not None


def create(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not _has_trgm(cursor):
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError:
                return  # no pg_trgm here: the search scans the automatic calls
        for column in COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS stats_cdr_autodial_{column}_trgm "
                f"ON records_callrecord USING gin ({column} gin_trgm_ops) "
                "WHERE accountcode = 'autodial'"
            )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS stats_cdr_autodial_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_call_detail_aggregates")]

    operations = [migrations.RunPython(create, drop)]
