"""Call records (CDRs) and queue events collected from every Asterisk (SPEC R1).

No record is lost or counted twice (DESIGN principle 2): each row carries a ``key`` computed
from its content by :mod:`switchboard.records.keys` (the same CDR read from Master.csv or
from an ``asteriskcdrdb`` gets the same key), unique per PBX, so reading a source again is
harmless; the collector's position in each source file is kept in ``CollectorPosition``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.accounts.models import Department
from switchboard.telephony.models import PbxServer


class CallRecord(models.Model):
    """One CDR of Asterisk (one leg of a call: caller channel, and the channel it dialled)."""

    class Direction(models.TextChoices):
        INTERNAL = "internal", _("internal")
        INBOUND = "inbound", _("inbound")
        OUTBOUND = "outbound", _("outbound")
        OTHER = "other", _("other")

    class Disposition(models.TextChoices):
        ANSWERED = "ANSWERED", _("answered")
        NO_ANSWER = "NO ANSWER", _("no answer")
        BUSY = "BUSY", _("busy")
        FAILED = "FAILED", _("failed")
        CONGESTION = "CONGESTION", _("congestion")

    # No index of its own on the PBX (nor on the phone and the department below): the
    # composite indexes that start with it serve those look-ups, and each index less makes
    # collection faster.
    server = models.ForeignKey(
        PbxServer,
        on_delete=models.PROTECT,
        related_name="call_records",
        verbose_name=_("PBX"),
        db_index=False,
    )
    key = models.CharField(max_length=40, editable=False)  # see records.keys
    start = models.DateTimeField(_("date"))
    answer = models.DateTimeField(_("answered at"), null=True, blank=True)
    end = models.DateTimeField(_("ended at"), null=True, blank=True)
    clid = models.CharField(_("caller ID"), max_length=80, blank=True)
    src = models.CharField(_("source"), max_length=80, blank=True)
    dst = models.CharField(_("destination"), max_length=80, blank=True)
    dcontext = models.CharField(_("context"), max_length=80, blank=True)
    channel = models.CharField(_("channel"), max_length=80, blank=True)
    dstchannel = models.CharField(_("destination channel"), max_length=80, blank=True)
    lastapp = models.CharField(_("last application"), max_length=80, blank=True)
    lastdata = models.CharField(_("last data"), max_length=255, blank=True)
    duration = models.PositiveIntegerField(_("duration (s)"), default=0)
    billsec = models.PositiveIntegerField(_("talk time (s)"), default=0)
    disposition = models.CharField(_("status"), max_length=16, choices=Disposition.choices)
    amaflags = models.CharField(max_length=20, blank=True)
    accountcode = models.CharField(_("account code"), max_length=80, blank=True)
    uniqueid = models.CharField(max_length=150, blank=True)
    linkedid = models.CharField(max_length=150, blank=True)
    userfield = models.CharField(max_length=255, blank=True)
    peeraccount = models.CharField(max_length=80, blank=True)
    sequence = models.IntegerField(default=0)
    # Derived at collection: who the call belongs to (for scoping), then and there.
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OTHER
    )
    phone = models.ForeignKey(
        "pbx.Phone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_records",
        verbose_name=_("phone"),
        db_index=False,
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_records",
        verbose_name=_("department"),
        db_index=False,
    )
    recording = models.CharField(_("recording"), max_length=255, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        constraints = [
            models.UniqueConstraint(fields=["server", "key"], name="call_record_key_unique")
        ]
        indexes = [
            models.Index(fields=["start", "id"], name="call_record_start"),
            models.Index(fields=["phone", "start"], name="call_record_phone_start"),
            models.Index(fields=["department", "start"], name="call_record_dept_start"),
            # A number searched (whole or by its beginning), alone or within a period, and
            # a plain user's scope (server = s AND src = extension, or dst): the number
            # first, as a search by number spans every PBX.
            models.Index(fields=["src", "start"], name="call_record_src_start"),
            models.Index(fields=["dst", "start"], name="call_record_dst_start"),
            # Plain (not _like) indexes: these ids are only looked up whole.
            models.Index(fields=["uniqueid"], name="call_record_uniqueid"),
            models.Index(fields=["linkedid"], name="call_record_linkedid"),
        ]
        permissions = [("view_all_calls", _("See the call log of every phone"))]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M:%S} {self.src} → {self.dst}"


class QueueLogEntry(models.Model):
    """One line of Asterisk's queue_log: ``time|callid|queue|agent|event|data1|…|data5``."""

    server = models.ForeignKey(
        PbxServer,
        on_delete=models.PROTECT,
        related_name="queue_log",
        verbose_name=_("PBX"),
        db_index=False,  # (server, key) serves it
    )
    key = models.CharField(max_length=40, editable=False)
    time = models.DateTimeField(_("time"))
    callid = models.CharField(max_length=150, blank=True)
    queue = models.CharField(_("queue"), max_length=80, blank=True)
    agent = models.CharField(_("agent"), max_length=80, blank=True)
    event = models.CharField(_("event"), max_length=40)
    data1 = models.CharField(max_length=255, blank=True)
    data2 = models.CharField(max_length=255, blank=True)
    data3 = models.CharField(max_length=255, blank=True)
    data4 = models.CharField(max_length=255, blank=True)
    data5 = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["time", "id"]
        verbose_name = _("queue event")
        verbose_name_plural = _("queue events")
        constraints = [
            models.UniqueConstraint(fields=["server", "key"], name="queue_log_key_unique")
        ]
        indexes = [
            models.Index(fields=["queue", "time"], name="queue_log_queue_time"),
            models.Index(fields=["event", "time"], name="queue_log_event_time"),
            models.Index(fields=["callid"], name="queue_log_callid"),
            models.Index(fields=["agent", "time"], name="queue_log_agent_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.queue} {self.event}"


class NewCall(models.Model):
    """A call record collected (or imported) and not yet processed by the passes that handle
    each call once (billing's rating): queued in the same transaction as the record, removed
    in the same transaction as the processing, so no call is processed twice or never."""

    record = models.OneToOneField(
        CallRecord, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        verbose_name = _("call to process")
        verbose_name_plural = _("calls to process")

    def __str__(self) -> str:
        return str(self.record_id)


class CollectorPosition(models.Model):
    """How far the collector has read one source of one PBX (a file: its identity + offset)."""

    server = models.ForeignKey(PbxServer, on_delete=models.CASCADE, related_name="positions")
    source = models.CharField(max_length=40)  # e.g. "cdr_csv", "queue_log"
    path = models.CharField(max_length=500)
    inode = models.BigIntegerField(default=0)
    offset = models.BigIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)  # hash of the file's first line
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["server", "source"], name="collector_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.server} {self.source} @ {self.offset}"


class CallMark(models.Model):
    """A mark a user puts on a call (SPEC R5): a flag with a colour and a comment."""

    class Flag(models.TextChoices):
        RED = "red", _("red")
        ORANGE = "orange", _("orange")
        GREEN = "green", _("green")
        BLUE = "blue", _("blue")

    record = models.ForeignKey(
        CallRecord, on_delete=models.CASCADE, related_name="marks", verbose_name=_("call")
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="call_marks", verbose_name=_("by")
    )
    flag = models.CharField(_("flag"), max_length=10, choices=Flag.choices, default=Flag.RED)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    created = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("call mark")
        verbose_name_plural = _("call marks")
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="call_mark_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.flag}"


class ImportRun(models.Model):
    """One import of call history (SPEC R1): from an asteriskcdrdb or a Master.csv file, run
    in the background; the page shows its progress and, at the end, its summary."""

    class Source(models.TextChoices):
        MYSQL = "mysql", _("asteriskcdrdb database (MySQL / MariaDB)")
        CSV = "csv", _("Master.csv file")

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    server = models.ForeignKey(
        PbxServer, on_delete=models.CASCADE, related_name="import_runs", verbose_name=_("PBX")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    location = models.CharField(_("from"), max_length=500)  # never holds a password
    since = models.DateField(_("calls from"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    total = models.BigIntegerField(default=0)  # rows (database) or bytes (file) to read
    done = models.BigIntegerField(default=0)  # of total
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    existing = models.PositiveIntegerField(_("already there"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    reasons = models.JSONField(default=list, blank=True)  # the first reasons of rejection
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started = models.DateTimeField(_("started"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("history import")
        verbose_name_plural = _("history imports")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.location}"

    @property
    def percent(self) -> int:
        if self.state != self.State.RUNNING:
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0
