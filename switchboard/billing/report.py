"""The billing report (SPEC R3): who may see what, the summary per phone and the detail.

Scope (``scope_for``): a user with ``view_all_billing`` (accounting, administrators, any
management role given it) sees every call; with ``view_department_billing`` (department
heads) the calls made in their department; otherwise (``view_billing_report``, every user)
the calls of the phones given to them. Only rated calls appear (the review page lists the
others). The summary groups phones by the department the call was made in (as collected),
with a total per department and a grand total; amounts are summed per currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from switchboard.accounts.models import Department
from switchboard.billing.models import CallCharge, Tariff
from switchboard.billing.services import period_bounds
from switchboard.core.exports import format_duration
from switchboard.pbx.models import Phone

SUMMARY = "summary"
DETAIL = "detail"


@dataclass(frozen=True)
class Scope:
    """What a user may see: ``all``, ``department`` (with its id), ``own`` or ``none``."""

    kind: str
    department_id: int | None = None
    user_id: int | None = None

    def charges(self, queryset: QuerySet[CallCharge]) -> QuerySet[CallCharge]:
        if self.kind == "all":
            return queryset
        if self.kind == "department":
            return queryset.filter(record__department_id=self.department_id)
        if self.kind == "own":
            return queryset.filter(record__phone__user_id=self.user_id)
        return queryset.none()

    def phones(self) -> QuerySet[Phone]:
        phones = Phone.objects.order_by("extension", "pk")
        if self.kind == "all":
            return phones
        if self.kind == "department":
            return phones.filter(department_id=self.department_id)
        if self.kind == "own":
            return phones.filter(user_id=self.user_id)
        return phones.none()

    def departments(self) -> QuerySet[Department]:
        if self.kind == "all":
            return Department.objects.all()
        if self.kind == "department":
            return Department.objects.filter(pk=self.department_id)
        return Department.objects.none()


def scope_for(user: object) -> Scope:
    has_perm = user.has_perm  # type: ignore[attr-defined]
    if has_perm("billing.view_all_billing"):
        return Scope("all")
    department_id = getattr(user, "department_id", None)
    if has_perm("billing.view_department_billing") and department_id:
        return Scope("department", department_id=department_id)
    if has_perm("billing.view_billing_report"):
        return Scope("own", user_id=user.pk)  # type: ignore[attr-defined]
    return Scope("none")


@dataclass(frozen=True)
class Criteria:
    """What the report is about (validated by the form)."""

    date_from: dt.date
    date_to: dt.date
    kind: str = SUMMARY
    department_id: int | None = None
    phone_ids: tuple[int, ...] = ()
    month: str = ""

    @property
    def period(self) -> str:
        if self.month:
            return self.month
        return f"{self.date_from.isoformat()} - {self.date_to.isoformat()}"


def charges(scope: Scope, criteria: Criteria) -> QuerySet[CallCharge]:
    """The rated calls of the report: period, scope, then the chosen department / phones."""
    start, end = period_bounds(criteria.date_from, criteria.date_to)
    queryset = CallCharge.objects.filter(
        status=CallCharge.Status.RATED, record__start__gte=start, record__start__lt=end
    )
    queryset = scope.charges(queryset)
    if criteria.department_id:
        queryset = queryset.filter(record__department_id=criteria.department_id)
    if criteria.phone_ids:
        queryset = queryset.filter(record__phone_id__in=criteria.phone_ids)
    return queryset


def currency_decimals() -> dict[str, int]:
    decimals: dict[str, int] = {}
    for currency, places in Tariff.objects.values_list("currency", "decimals"):
        decimals[currency] = max(places, decimals.get(currency, 0))
    return decimals


def money(amount: Decimal, currency: str, decimals: dict[str, int]) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-decimals.get(currency, 2)))


@dataclass
class Totals:
    """Counts, talk time and amounts (per currency) of a set of calls."""

    calls: int = 0
    seconds: int = 0
    amounts: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def add(self, calls: int, seconds: int, currency: str, amount: Decimal, taxed: Decimal) -> None:
        self.calls += calls
        self.seconds += seconds
        before = self.amounts.get(currency, (Decimal(0), Decimal(0)))
        self.amounts[currency] = (before[0] + amount, before[1] + taxed)

    def merge(self, other: Totals) -> None:
        self.calls += other.calls
        self.seconds += other.seconds
        for currency, (amount, taxed) in other.amounts.items():
            self.add(0, 0, currency, amount, taxed)

    @property
    def duration(self) -> str:
        return format_duration(self.seconds)

    def per_currency(self) -> list[tuple[str, Decimal, Decimal]]:
        if not self.amounts:
            return [("", Decimal(0), Decimal(0))]
        return [(c, a, t) for c, (a, t) in sorted(self.amounts.items())]


@dataclass
class PhoneLine:
    label: str
    totals: Totals


@dataclass
class DepartmentBlock:
    label: str
    lines: list[PhoneLine] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


@dataclass
class Summary:
    blocks: list[DepartmentBlock]
    totals: Totals


def department_label(short_name: str | None, name: str | None) -> str:
    if not short_name:
        return _("No department")
    return f"{short_name} ({name})" if name and name != short_name else short_name


def phone_label(extension: str | None, display_name: str | None) -> str:
    if not extension:
        return _("Unknown phone")
    return f"{display_name} ({extension})" if display_name else extension


def summary(queryset: QuerySet[CallCharge]) -> Summary:
    """Per department (by name), per phone (by extension): calls, talk time, amounts."""
    decimals = currency_decimals()
    grouped = (
        queryset.values(
            "record__department__short_name",
            "record__department__name",
            "record__phone_id",
            "record__phone__extension",
            "record__phone__display_name",
            "currency",
        )
        .annotate(
            calls=Count("pk"),
            seconds=Sum("record__billsec"),
            amount=Sum("amount"),
            taxed=Sum("amount_with_tax"),
        )
        .order_by()
    )
    blocks: dict[str, DepartmentBlock] = {}
    lines: dict[tuple[str, object], PhoneLine] = {}
    for row in grouped:
        dept = department_label(
            row["record__department__short_name"], row["record__department__name"]
        )
        block = blocks.setdefault(dept, DepartmentBlock(dept))
        key = (dept, row["record__phone_id"])
        line = lines.get(key)
        if line is None:
            label = phone_label(row["record__phone__extension"], row["record__phone__display_name"])
            line = lines[key] = PhoneLine(label, Totals())
            block.lines.append(line)
        currency = row["currency"]
        line.totals.add(
            row["calls"],
            row["seconds"] or 0,
            currency,
            money(row["amount"] or Decimal(0), currency, decimals),
            money(row["taxed"] or Decimal(0), currency, decimals),
        )
    ordered = sorted(blocks.values(), key=lambda b: (b.label == _("No department"), b.label))
    grand = Totals()
    for block in ordered:
        block.lines.sort(key=lambda line: line.label)
        for line in block.lines:
            block.totals.merge(line.totals)
        grand.merge(block.totals)
    return Summary(ordered, grand)


def summary_columns() -> list[str]:
    return [
        _("Department"),
        _("Phone"),
        _("Calls"),
        _("Duration"),
        _("Price excl. tax"),
        _("Price incl. tax"),
        _("Currency"),
    ]


def detail_columns() -> list[str]:
    return [
        _("Department"),
        _("Phone"),
        _("Date"),
        _("Called number"),
        _("Duration"),
        _("Price excl. tax"),
        _("Price incl. tax"),
        _("Currency"),
    ]


def summary_rows(result: Summary) -> Iterator[Sequence[object]]:
    """The summary as table rows: a department line, its phones, its total; then the total."""
    for block in result.blocks:
        yield [block.label]
        for line in block.lines:
            for currency, amount, taxed in line.totals.per_currency():
                yield [
                    "",
                    line.label,
                    line.totals.calls,
                    line.totals.duration,
                    amount,
                    taxed,
                    currency,
                ]
        for currency, amount, taxed in block.totals.per_currency():
            yield [
                "",
                _("DEPARTMENT TOTAL"),
                block.totals.calls,
                block.totals.duration,
                amount,
                taxed,
                currency,
            ]
    for currency, amount, taxed in result.totals.per_currency():
        yield [_("TOTAL"), "", result.totals.calls, result.totals.duration, amount, taxed, currency]


def numbers_masked_for(user: object) -> int:
    """How many last digits of called numbers this user sees as x (0: whole numbers).

    The site's call-log policy (``records.mask_digits``): only those who see every call
    (``records.view_all_calls``) see external numbers whole.
    """
    if user.has_perm("records.view_all_calls"):  # type: ignore[attr-defined]
        return 0
    return max(int(getattr(settings, "RECORDS_MASK_DIGITS", 4)), 0)


def mask(number: str, digits: int) -> str:
    """``0140000000`` with 4 -> ``014000xxxx`` (non-digits kept)."""
    chars = list(number)
    for index in range(len(chars) - 1, -1, -1):
        if digits <= 0:
            break
        if chars[index].isdigit():
            chars[index] = "x"
            digits -= 1
    return "".join(chars)


def detail_rows(queryset: QuerySet[CallCharge], masked: int = 0) -> Iterator[Sequence[object]]:
    """Every call, by department, phone and date, read in chunks (flat memory)."""
    decimals = currency_decimals()
    rows = queryset.order_by(
        "record__department__short_name", "record__phone__extension", "record__start", "pk"
    ).values_list(
        "record__department__short_name",
        "record__department__name",
        "record__phone__extension",
        "record__phone__display_name",
        "record__start",
        "number",
        "record__billsec",
        "amount",
        "amount_with_tax",
        "currency",
    )
    for short, name, ext, display, start, number, billsec, amount, taxed, currency in rows.iterator(
        chunk_size=5000
    ):
        yield [
            department_label(short, name),
            phone_label(ext, display),
            start,
            mask(number, masked) if masked else number,
            format_duration(billsec),
            money(amount, currency, decimals),
            money(taxed, currency, decimals),
            currency,
        ]
