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
