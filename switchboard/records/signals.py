"""Signals of the call records (SPEC R1).

``records_collected`` is sent after each batch of collected rows is committed, with
``sender=PbxServer``, ``server`` (the PbxServer) and ``record_ids`` (the ids of the CallRecord
rows that batch created; rows already there are not listed again). A receiver runs after
the commit, so it sees the rows, but the collector waits for it: slow work (billing's
rating) takes the calls queued in ``records.NewCall`` instead, in a pass of its own.
"""

from __future__ import annotations

from django.dispatch import Signal

records_collected = Signal()
