"""Recompute the keys of stored rows in the 24-character form of ``records.keys`` (time +
64-bit digest), so a row read again after the upgrade (a rotated file, an import) is still
recognised. The keys are made from the stored fields, as the collector now makes them."""

from __future__ import annotations

from django.db import IntegrityError, migrations, transaction
from django.utils import timezone

from switchboard.records.keys import cdr_key, queue_log_key

CHUNK = 5000


def _rekey(model, fields, make_key) -> None:
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "server_id", *fields)[:CHUNK]
        )
        if not rows:
            return
        last = rows[-1][0]
        changes = []
        seen = set()
        for pk, server_id, *values in rows:
            key = make_key(*values)
            if (server_id, key) in seen:  # the same row twice: keep both, told apart
                key = f"{key}~{pk}"
            seen.add((server_id, key))
            changes.append((pk, key))
        try:
            with transaction.atomic():
                model.objects.bulk_update(
                    [model(pk=pk, key=key) for pk, key in changes], ["key"], batch_size=500
                )
        except IntegrityError:
            for pk, key in changes:
                try:
                    with transaction.atomic():
                        model.objects.filter(pk=pk).update(key=key)
                except IntegrityError:
                    model.objects.filter(pk=pk).update(key=f"{key}~{pk}")


def rekey(apps, schema_editor) -> None:
    tz = timezone.get_default_timezone()

    def call_key(start, uniqueid, channel, dstchannel, dst, duration):
        local = start.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        return cdr_key(int(start.timestamp()), uniqueid, local, channel, dstchannel, dst, duration)

    def queue_key(time, callid, queue, agent, event, *data):
        return queue_log_key(int(time.timestamp()), callid, queue, agent, event, data)

    _rekey(
        apps.get_model("records", "CallRecord"),
        ("start", "uniqueid", "channel", "dstchannel", "dst", "duration"),
        call_key,
    )
    _rekey(
        apps.get_model("records", "QueueLogEntry"),
        ("time", "callid", "queue", "agent", "event", "data1", "data2", "data3", "data4", "data5"),
        queue_key,
    )


class Migration(migrations.Migration):
    atomic = False  # one transaction per chunk: a large table does not hold one huge one

    dependencies = [("records", "0003_collection_speed")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
