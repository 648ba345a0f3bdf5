"""Tariffs, zones and the charge of each rated call (SPEC R2); rating runs (audited)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from switchboard.billing import rating
from switchboard.records.models import CallRecord
from switchboard.telephony.models import PbxServer

PREFIX = RegexValidator(r"^\+?[0-9*#]*$", _("Digits only, optionally after a leading +."))
CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Three capital letters, e.g. EUR, XPF, RUB."))


def validate_lengths(value: str) -> None:
    try:
        rating.parse_lengths(value)
    except ValueError as error:
        raise ValidationError(
            _("Number lengths: numbers or ranges separated by commas, e.g. “4,5” or “10-12”.")
        ) from error


class Tariff(models.Model):
    """A tariff table: a currency, a tax rate and zones; for one PBX or the default one."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    server = models.OneToOneField(
        PbxServer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tariff",
        verbose_name=_("PBX"),
        help_text=_("Calls of this PBX are rated with this tariff; empty: the default tariff."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[CURRENCY])
    decimals = models.PositiveSmallIntegerField(
        _("decimals"),
        default=2,
        validators=[MaxValueValidator(4)],
        help_text=_("Digits after the decimal point of the currency (0 for XPF, 2 for EUR)."),
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")

    def __str__(self) -> str:
        return self.name

    def spec(self) -> rating.Tariff:
        """The pure rating input of this tariff."""
        return rating.Tariff(
            zones=tuple(zone.spec() for zone in self.zones.all()),
            currency=self.currency,
            decimals=self.decimals,
            tax_rate=self.tax_rate,
            id=self.pk,
        )


class Zone(models.Model):
    """A rule of a tariff: numbers by prefix (and lengths), prices and billing increments."""

    tariff = models.ForeignKey(
        Tariff, on_delete=models.CASCADE, related_name="zones", verbose_name=_("tariff")
    )
    name = models.CharField(_("zone"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=20, blank=True, validators=[PREFIX])
    lengths = models.CharField(
        _("number lengths"),
        max_length=40,
        blank=True,
        validators=[validate_lengths],
        help_text=_("Only numbers of these lengths, e.g. “6” or “4,5” or “10-12”; empty: any."),
    )
    per_call = models.DecimalField(
        _("price per call"),
        max_digits=12,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    per_minute = models.DecimalField(
        _("price per minute"),
        max_digits=12,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    first_period = models.PositiveIntegerField(
        _("first period (s)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text=_("Charged whole as soon as the call is answered."),
    )
    next_period = models.PositiveIntegerField(
        _("next periods (s)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
    )

    class Meta:
        ordering = ["tariff__name", "prefix", "lengths"]
        verbose_name = _("tariff zone")
        verbose_name_plural = _("tariff zones")
        constraints = [
            models.UniqueConstraint(
                fields=["tariff", "prefix", "lengths"], name="billing_zone_unique_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix or '*'})"

    def spec(self) -> rating.Zone:
        return rating.Zone(
            name=self.name,
            prefix=self.prefix,
            lengths=rating.parse_lengths(self.lengths),
            per_call=self.per_call,
            per_minute=self.per_minute,
            first_period=self.first_period,
            next_period=self.next_period,
            id=self.pk,
        )


class CallCharge(models.Model):
    """The rating of one call record: its zone and price, or why it matched no rule."""

    class Status(models.TextChoices):
        RATED = "rated", _("rated")
        UNMATCHED = "unmatched", _("no matching rule")
        NO_TARIFF = "no_tariff", _("no tariff")

    record = models.OneToOneField(
        CallRecord,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="charge",
        verbose_name=_("call"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    tariff = models.ForeignKey(
        Tariff, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("tariff")
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("tariff zone")
    )
    zone_name = models.CharField(_("zone"), max_length=80, blank=True)
    number = models.CharField(_("called number"), max_length=80, blank=True)
    billed_seconds = models.PositiveIntegerField(_("billed time (s)"), default=0)
    amount = models.DecimalField(
        _("price excl. tax"), max_digits=14, decimal_places=4, default=Decimal(0)
    )
    amount_with_tax = models.DecimalField(
        _("price incl. tax"), max_digits=14, decimal_places=4, default=Decimal(0)
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    rated_at = models.DateTimeField(_("rated at"), auto_now=True)

    class Meta:
        ordering = ["-record__start"]
        verbose_name = _("call charge")
        verbose_name_plural = _("call charges")
        indexes = [models.Index(fields=["status"], name="billing_charge_status")]
        permissions = [
            ("view_billing_report", _("Open the billing report (own phones)")),
            ("view_department_billing", _("See the billing of one's department")),
            ("view_all_billing", _("See the billing of every department")),
            ("rerate_calls", _("Re-rate the calls of a period")),
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.amount} {self.currency}"


class RatingRun(models.Model):
    """One re-rating of a period asked from the web (kept, and audited)."""

    created = models.DateTimeField(_("run at"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    server = models.ForeignKey(
        PbxServer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("PBX"),
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    calls = models.PositiveIntegerField(_("calls rated"), default=0)
    unmatched = models.PositiveIntegerField(_("calls matching no rule"), default=0)
    seconds = models.FloatField(_("duration (s)"), default=0)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("rating run")
        verbose_name_plural = _("rating runs")

    def __str__(self) -> str:
        return f"{self.date_from} - {self.date_to}"
