"""The statistics read CallRecord and QueueLogEntry (switchboard.records); this model holds
only the app's permissions (no table)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Statistics(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_global", _("See the global call statistics")),
            ("view_queues", _("See the statistics of every queue")),
        ]

    def __str__(self) -> str:
        return "statistics"


# Pre-aggregated figures per local day (exact: see switchboard.stats.aggregates).


class Watermark(models.Model):
    """Up to which row id a source (``queue_log``, ``cdr``) is aggregated, in which time zone."""

    source = models.CharField(max_length=20, unique=True)
    last_id = models.BigIntegerField(default=0)
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.source} @ {self.last_id}"


class QueueDayFact(models.Model):
    """Counted queue events of one day, queue, event and half-hour slot (0..47)."""

    day = models.DateField()
    queue = models.CharField(max_length=80)
    event = models.CharField(max_length=40)
    slot = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day", "queue"], name="stats_fact_day_queue")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue} {self.event} {self.slot}: {self.n}"


class QueueDayTotal(models.Model):
    """``QueueDayFact`` summed over the half hours: counted events of one day, queue and event
    (the calls per queue and per weekday read these few rows, not the half hours)."""

    day = models.DateField()
    queue = models.CharField(max_length=80)
    event = models.CharField(max_length=40)
    n = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day", "queue"], name="stats_total_day_queue")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue} {self.event}: {self.n}"


class QueueDayWait(models.Model):
    """Answered (CONNECT) and abandoned (ABANDON) calls of one day and queue per 30 s bucket."""

    day = models.DateField()
    queue = models.CharField(max_length=80)
    event = models.CharField(max_length=40)
    bucket = models.IntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day", "queue"], name="stats_wait_day_queue")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue} {self.event} {self.bucket}: {self.n}"


class QueueDayAgent(models.Model):
    """Queue calls an agent answered on one day in one queue, and their talk time."""

    day = models.DateField()
    queue = models.CharField(max_length=80)
    agent = models.CharField(max_length=80)
    n = models.PositiveIntegerField()
    talk = models.BigIntegerField()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day", "queue"], name="stats_agent_day_queue")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue} {self.agent}: {self.n}"


class CallHour(models.Model):
    """CDRs started in one hour of one day, and their talk time."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField()
    talk = models.BigIntegerField()

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day"], name="stats_callhour_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour}h: {self.n}"


class QueueDayCall(models.Model):
    """The queue calls of one day, queue, agent and event (a call's terminal event, or
    ``CONNECT`` / ``RINGNOANSWER`` / ``ENTERQUEUE``) for the call detail (SPEC S3, S4): count,
    waits and talk times (count of known values, sum, minimum, maximum), the largest position
    at entry (``ENTERQUEUE``) and the waits per service-level step (``s0`` … ``s9``, the
    steps of ``detail.STEPS`` then "more")."""

    day = models.DateField()
    queue = models.CharField(max_length=80)
    agent = models.CharField(max_length=80)
    event = models.CharField(max_length=40)
    n = models.PositiveIntegerField()
    wait_n = models.PositiveIntegerField(default=0)
    wait_sum = models.BigIntegerField(default=0)
    wait_min = models.IntegerField(null=True)
    wait_max = models.IntegerField(null=True)
    talk_n = models.PositiveIntegerField(default=0)
    talk_sum = models.BigIntegerField(default=0)
    talk_min = models.IntegerField(null=True)
    talk_max = models.IntegerField(null=True)
    position_max = models.IntegerField(null=True)
    s0 = models.PositiveIntegerField(default=0)
    s1 = models.PositiveIntegerField(default=0)
    s2 = models.PositiveIntegerField(default=0)
    s3 = models.PositiveIntegerField(default=0)
    s4 = models.PositiveIntegerField(default=0)
    s5 = models.PositiveIntegerField(default=0)
    s6 = models.PositiveIntegerField(default=0)
    s7 = models.PositiveIntegerField(default=0)
    s8 = models.PositiveIntegerField(default=0)
    s9 = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day", "queue"], name="stats_call_day_queue")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue} {self.agent} {self.event}: {self.n}"


class QueueHourCall(models.Model):
    """The answered (``a``), transferred (``x``) and lost (``l``) queue calls of one local hour
    and queue, with their waits and talk times (count of known values and sum)."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    queue = models.CharField(max_length=80)
    kind = models.CharField(max_length=1)
    n = models.PositiveIntegerField()
    wait_n = models.PositiveIntegerField(default=0)
    wait_sum = models.BigIntegerField(default=0)
    talk_n = models.PositiveIntegerField(default=0)
    talk_sum = models.BigIntegerField(default=0)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day", "queue"], name="stats_hourcall_day_queue")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour}h {self.queue} {self.kind}: {self.n}"


class CallMixDay(models.Model):
    """Calls (CDRs grouped by linkedid) that began on one local day: incoming, of which
    handled in an IVR and handled by operators, and automatic outgoing calls (SPEC S5; the
    definitions are in ``switchboard.stats.mix``)."""

    day = models.DateField(unique=True)
    incoming = models.PositiveIntegerField(default=0)
    ivr = models.PositiveIntegerField(default=0)
    operators = models.PositiveIntegerField(default=0)
    autodial = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.day}: {self.incoming} in, {self.autodial} autodial"


class AgentDaySpan(models.Model):
    """The sessions (``ADDMEMBER`` .. ``REMOVEMEMBER``) or pauses (``PAUSE`` .. ``UNPAUSE``) of
    one agent in one queue on one local day, as read from a closed state at midnight: ``n``
    intervals opened and closed that day lasting ``micros`` microseconds, the interval still
    open at midnight after (``open_at``), the day's first event (``first_at``), its first
    closing event (``first_close``) and whether the day begins with a closing event
    (``lead_close``). ``switchboard.stats.aggregates.agent_spans`` chains the days of a period
    exactly like :func:`switchboard.stats.compute.intervals` over the rows."""

    day = models.DateField()
    queue = models.CharField(max_length=80)
    agent = models.CharField(max_length=80)
    kind = models.CharField(max_length=12)  # the opening event: ADDMEMBER or PAUSE
    n = models.PositiveIntegerField()
    micros = models.BigIntegerField()
    first_at = models.DateTimeField()
    first_close = models.DateTimeField(null=True)
    lead_close = models.BooleanField()
    open_at = models.DateTimeField(null=True)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["day", "queue"], name="stats_span_day_queue")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue} {self.agent} {self.kind}: {self.n}"
