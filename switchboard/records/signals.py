"""Signals of the call records (SPEC R1).

``records_collected`` is sent after each batch of collected rows is committed, with
``sender=PbxServer``, ``server`` (the PbxServer) and ``record_ids`` (the ids of the CallRecord
rows that batch created; rows already there are not listed again). Billing rates new calls
from it; a receiver runs after the commit, so it sees the rows.
"""

from __future__ import annotations

from django.dispatch import Signal

records_collected = Signal()
