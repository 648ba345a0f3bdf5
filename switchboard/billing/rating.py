"""Call rating, pure (SPEC R2): which zone a number falls in and what a call costs.

A tariff is a list of zones. A zone matches a number by prefix (the empty prefix matches
every number) and, if it lists lengths, only numbers of those lengths ("local" rules such as
"every 6-digit number" or "numbers of 10 digits starting with 01"). The longest matching
prefix wins; between zones of the same prefix, one with lengths wins over one without.

The billed time is the first period (charged whole as soon as the call is answered) then
whole following periods: 60/60 bills per started minute, 30/6 a minimum of 30 s then every
6 s, 1/1 per second. The price is ``per call + per minute * billed seconds / 60``, rounded
half-up to the currency's smallest unit; the price including tax is the rounded price times
``1 + tax rate / 100``, rounded the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

SIXTY = Decimal(60)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Zone:
    """One rule of a tariff."""

    name: str
    prefix: str = ""
    lengths: frozenset[int] = frozenset()
    per_call: Decimal = Decimal(0)
    per_minute: Decimal = Decimal(0)
    first_period: int = 60
    next_period: int = 60
    id: int | None = None


@dataclass(frozen=True)
class Tariff:
    """A tariff table: its zones, currency (code, decimals) and tax rate in percent."""

    zones: tuple[Zone, ...]
    currency: str = "EUR"
    decimals: int = 2
    tax_rate: Decimal = Decimal(0)
    id: int | None = None

    @cached_property
    def by_prefix(self) -> dict[str, tuple[Zone, ...]]:
        """Zones by prefix, those with lengths first (built once, for fast look-ups)."""
        index: dict[str, list[Zone]] = {}
        for zone in self.zones:
            index.setdefault(zone.prefix, []).append(zone)
        return {
            prefix: tuple(sorted(zones, key=lambda z: not z.lengths))
            for prefix, zones in index.items()
        }

    def zone_of(self, number: str) -> Zone | None:
        """Same answer as :func:`find_zone`, in time proportional to the number's length."""
        number = normalize(number)
        index = self.by_prefix
        size = len(number)
        for end in range(size, -1, -1):
            for zone in index.get(number[:end], ()):
                if not zone.lengths or size in zone.lengths:
                    return zone
        return None


@dataclass(frozen=True)
class Charge:
    """The price of one call (``zone`` None: no rule matched, nothing is charged)."""

    zone: Zone | None
    number: str
    billed_seconds: int
    amount: Decimal
    amount_with_tax: Decimal


def normalize(number: str) -> str:
    """The dialled number as matched: spaces, dots, dashes and brackets removed."""
    return "".join(ch for ch in number.strip() if ch not in " .-()/\t")


def parse_lengths(text: str) -> frozenset[int]:
    """``"4, 5"`` -> {4, 5}; ``"10-12"`` -> {10, 11, 12}; empty -> any length."""
    lengths: set[int] = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            low, high = (int(p) for p in part.split("-", 1))
            if low > high or high - low > 40:
                raise ValueError(part)
            lengths.update(range(low, high + 1))
        else:
            lengths.add(int(part))
    if any(n < 1 or n > 40 for n in lengths):
        raise ValueError(text)
    return frozenset(lengths)


def find_zone(zones: Iterable[Zone], number: str) -> Zone | None:
    """The zone of a number: longest matching prefix, then a rule with lengths first."""
    number = normalize(number)
    best: Zone | None = None
    best_key = (-1, False)
    for zone in zones:
        if not number.startswith(zone.prefix):
            continue
        if zone.lengths and len(number) not in zone.lengths:
            continue
        key = (len(zone.prefix), bool(zone.lengths))
        if key > best_key:
            best, best_key = zone, key
    return best


def billed_seconds(talk: int, first_period: int, next_period: int) -> int:
    """Talk time rounded up to the billing increments (0 for an unanswered call)."""
    if talk <= 0:
        return 0
    if talk <= first_period:
        return first_period
    return first_period + math.ceil((talk - first_period) / next_period) * next_period


def quantize(amount: Decimal, decimals: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def rate(tariff: Tariff, number: str, talk: int) -> Charge:
    """The charge of a call to ``number`` that lasted ``talk`` seconds once answered."""
    zone = tariff.zone_of(number)
    normalized = normalize(number)
    if zone is None:
        zero = quantize(Decimal(0), tariff.decimals)
        return Charge(None, normalized, 0, zero, zero)
    seconds = billed_seconds(talk, zone.first_period, zone.next_period)
    amount = zone.per_call + zone.per_minute * Decimal(seconds) / SIXTY if seconds else Decimal(0)
    amount = quantize(amount, tariff.decimals)
    with_tax = quantize(amount * (1 + tariff.tax_rate / HUNDRED), tariff.decimals)
    return Charge(zone, normalized, seconds, amount, with_tax)


def total(charges: Sequence[Charge]) -> tuple[Decimal, Decimal]:
    """Sums of the prices without and with tax."""
    return (
        sum((c.amount for c in charges), Decimal(0)),
        sum((c.amount_with_tax for c in charges), Decimal(0)),
    )
