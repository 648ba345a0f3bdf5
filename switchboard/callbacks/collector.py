"""Callback requests left in the IVR: AstDB keys -> Callback rows (run by the telephony worker).

The IVR action "callback request" stores ``switchboard/callback/<uniqueid>`` =
``<epoch>|<ivr number>|<queue number>|<caller number>|<caller name>`` in Asterisk's own
database, which survives the portal being down (and Asterisk restarts). The worker reads the
family every few seconds over its AMI link, stores each request under the key
``<server id>:<uniqueid>`` (an ``INSERT`` that ignores a key already stored) and deletes an AstDB
key only after its row is committed: a crash anywhere loses nothing and stores nothing twice.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from switchboard.telephony.ami.errors import AmiActionError

log = logging.getLogger(__name__)

FAMILY = "switchboard/callback"
UNIQUEID = re.compile(r"^[A-Za-z0-9._-]{1,150}$")
_NOT_DIGITS = re.compile(r"[^0-9+]")
NUMBER = re.compile(r"\+?[0-9]{2,20}")


@dataclass(frozen=True)
class IvrRequest:
    uniqueid: str
    requested_at: datetime.datetime | None
    ivr: str
    queue: str
    number: str
    name: str


def parse(key: str, value: str) -> IvrRequest | None:
    """One AstDB entry (key without the family) -> a request, or None if it is unusable."""
    if not UNIQUEID.match(key):
        return None
    parts = (value.split("|", 4) + [""] * 5)[:5]
    epoch, ivr, queue, number, name = parts
    requested_at = None
    if epoch.isdigit():
        requested_at = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    number = _NOT_DIGITS.sub("", number)
    number = number[:1] + number[1:].replace("+", "")
    return IvrRequest(
        uniqueid=key,
        requested_at=requested_at,
        ivr=re.sub(r"[^0-9]", "", ivr)[:10],
        queue=re.sub(r"[^0-9]", "", queue)[:10],
        number=number[:21],
        name=" ".join(name.split())[:120],
    )


def tree_entries(events: list) -> dict[str, str]:
    prefix = f"/{FAMILY}/"
    entries = {}
    for event in events:
        if event.event == "DBGetTreeResponse":
            key = (event.get("Key") or "").removeprefix(prefix)
            entries[key] = event.get("Val") or ""
    return entries


def store(server_id: int, entries: dict[str, str]) -> list[str]:
    """Store every request in one ``INSERT ... ON CONFLICT DO NOTHING`` on the unique key;
    returns the AstDB keys that may now be deleted: stored, already stored, or unusable (an
    entry that can never become a row is dropped with a log line). Like collected call
    records, these rows come from the PBX, not from a user's change: they are not audited."""
    from switchboard.callbacks.models import Callback
    from switchboard.ivr.models import Ivr
    from switchboard.pbx.models import Queue

    queues = {q.number: q.pk for q in Queue.objects.filter(server_id=server_id)}
    ivrs = {i.number: f"{i.name} ({i.number})" for i in Ivr.objects.filter(server_id=server_id)}
    rows, done = [], []
    for key, value in sorted(entries.items()):
        request = parse(key, value)
        done.append(key)
        if request is None or not NUMBER.fullmatch(request.number):
            log.warning("callback request %s=%r dropped: no usable number", key, value)
            continue
        rows.append(
            Callback(
                number=request.number,
                name=request.name if request.name != request.number else "",
                queue_id=queues.get(request.queue) if request.queue else None,
                source=Callback.Source.IVR,
                key=f"{server_id}:{request.uniqueid}",
                server_id=server_id,
                ivr=ivrs.get(request.ivr, request.ivr)[:80],
                requested_at=request.requested_at or timezone.now(),
            )
        )
    with transaction.atomic():
        Callback.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return done


async def collect(server_id: int, client: object) -> int:
    """One pass over a PBX through a connected AMI client; returns the requests read."""
    from asgiref.sync import sync_to_async

    try:
        _response, events = await client.list_action("DBGetTree", Family=FAMILY)
    except AmiActionError:
        return 0  # "Database entry not found": nothing waits
    entries = tree_entries(events)
    if not entries:
        return 0
    done = await sync_to_async(store, thread_sensitive=False)(server_id, entries)
    for key in done:
        try:
            await client.action("DBDel", Family=FAMILY, Key=key)
        except AmiActionError as error:
            log.info("could not delete %s/%s: %s", FAMILY, key, error)
    return len(entries)
