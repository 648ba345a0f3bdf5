"""IVR applications (SPEC A6), holidays (A11) and incidents (A12).

An IVR's scenario is stored as JSON validated by :mod:`switchboard.ivr.scenario`; it becomes
dialplan through ``switchboard.pbx.render.ivr`` on apply. Holidays are rendered into the
dialplan too (so a change takes an apply, which the holiday pages run). Incidents live in
Asterisk's database: switching one writes AstDB at once and the next call sees it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.ivr.scenario import default_scenario
from switchboard.pbx.models import DIAL_PREFIX, DISPLAY_NAME, EXTENSION
from switchboard.telephony.models import PbxServer

INCIDENT_CODE = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,39}$", _("Lower-case letters, digits, - and _ (up to 40).")
)


class Holiday(models.Model):
    """A day the company is closed; IVR holiday conditions test it."""

    name = models.CharField(_("name"), max_length=80, validators=[DISPLAY_NAME])
    day = models.DateField(_("date"))
    yearly = models.BooleanField(
        _("every year"), default=False, help_text=_("The same day and month every year.")
    )

    class Meta:
        ordering = ["day", "name"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.name} ({self.day:%Y-%m-%d})"


class Incident(models.Model):
    """A company-wide state (closed, IT outage...) that IVR scenarios test at call time."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[INCIDENT_CODE],
        help_text=_("Used by the scenarios and in Asterisk's database, e.g. it-outage."),
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("on"), default=False, editable=False)
    switched_at = models.DateTimeField(_("switched at"), null=True, blank=True, editable=False)
    switched_by = models.CharField(_("switched by"), max_length=150, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [("switch_incident", _("Switch an incident on or off"))]

    def __str__(self) -> str:
        return self.name


class Ivr(models.Model):
    """An IVR application: its numbers, when it answers, and its scenario."""

    server = models.ForeignKey(
        PbxServer, on_delete=models.PROTECT, related_name="ivrs", verbose_name=_("PBX")
    )
    name = models.CharField(_("name"), max_length=80, validators=[DISPLAY_NAME])
    number = models.CharField(_("internal number"), max_length=10, validators=[EXTENSION])
    did = models.CharField(_("DID"), max_length=20, blank=True, validators=[DIAL_PREFIX])
    active = models.BooleanField(_("active"), default=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    fallback = models.CharField(
        _("when closed, send calls to"),
        max_length=10,
        blank=True,
        validators=[EXTENSION],
        help_text=_(
            "An internal number taking the calls when the IVR is inactive or outside its "
            "dates; empty: callers hear busy."
        ),
    )
    comments = models.TextField(_("comments"), blank=True)
    scenario = models.JSONField(_("scenario"), default=default_scenario)

    class Meta:
        ordering = ["server__name", "number"]
        verbose_name = _("IVR application")
        verbose_name_plural = _("IVR applications")
        constraints = [
            models.UniqueConstraint(fields=["server", "number"], name="ivr_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValidationError({"end_date": _("The end comes before the start.")})
        if self.fallback and self.fallback == self.number:
            raise ValidationError({"fallback": _("The IVR cannot fall back to itself.")})
