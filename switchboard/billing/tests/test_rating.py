"""The pure rating logic: zones, increments, rounding to the currency's cents, tax."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from switchboard.billing import rating
from switchboard.billing.rating import Tariff, Zone

LOCAL = Zone("Local", "", frozenset({6}), per_minute=D("0.05"), id=1)
NATIONAL = Zone("National", "0", per_call=D("0.10"), per_minute=D("0.12"), id=2)
MOBILE = Zone(
    "Mobile", "06", per_call=D("0.10"), per_minute=D("0.25"), first_period=30, next_period=6, id=3
)
MOBILE_10 = Zone("Mobile 10 digits", "06", frozenset({10}), per_minute=D("0.20"), id=4)
INTERNATIONAL = Zone(
    "International", "00", per_minute=D("0.90"), first_period=1, next_period=1, id=5
)
TARIFF = Tariff((LOCAL, NATIONAL, MOBILE, MOBILE_10, INTERNATIONAL), "EUR", 2, D("20"))


@pytest.mark.parametrize(
    ("number", "zone"),
    [
        ("123456", LOCAL),  # a local rule: any 6-digit number
        ("1234567", None),  # 7 digits, no prefix: nothing
        ("0140000000", NATIONAL),
        ("0612345678", MOBILE_10),  # same prefix, the rule with lengths wins
        ("061234567", MOBILE),  # 9 digits: the rule without lengths
        ("0044 20 7946 0000", INTERNATIONAL),  # longest prefix; spaces ignored
        ("06-12-34-56-78", MOBILE_10),
    ],
)
def test_zone_of_a_number(number: str, zone: Zone | None) -> None:
    assert rating.find_zone(TARIFF.zones, number) == zone
    assert TARIFF.zone_of(number) == zone  # the indexed look-up agrees


def test_indexed_lookup_agrees_with_the_plain_one_on_many_numbers() -> None:
    import random

    chooser = random.Random(5)  # noqa: S311  (a reproducible sample, not a secret)
    zones = tuple(
        Zone(f"z{n}", "".join(chooser.choice("0126") for _ in range(chooser.randint(0, 3))),
             frozenset(chooser.sample(range(3, 9), chooser.randint(0, 2))), id=n)
        for n in range(40)
    )  # fmt: skip
    tariff = Tariff(zones)
    for _ in range(3000):
        number = "".join(chooser.choice("01269") for _ in range(chooser.randint(1, 9)))
        plain = rating.find_zone(zones, number)
        indexed = tariff.zone_of(number)
        # same prefix length and the same "has lengths" rank: equally good rules
        if plain is None or indexed is None:
            assert plain is indexed, number
        else:
            assert (len(plain.prefix), bool(plain.lengths)) == (
                len(indexed.prefix),
                bool(indexed.lengths),
            ), number


@pytest.mark.parametrize(
    ("talk", "first", "following", "billed"),
    [
        (0, 60, 60, 0),
        (1, 60, 60, 60),
        (60, 60, 60, 60),
        (61, 60, 60, 120),
        (1, 30, 6, 30),
        (30, 30, 6, 30),
        (31, 30, 6, 36),
        (37, 30, 6, 42),
        (1, 1, 1, 1),
        (125, 1, 1, 125),
    ],
)
def test_billing_increments(talk: int, first: int, following: int, billed: int) -> None:
    assert rating.billed_seconds(talk, first, following) == billed


def test_price_per_call_per_minute_and_tax() -> None:
    # Mobile 9 digits, 30/6: 37 s -> 42 s billed; 0.10 + 0.25 * 42 / 60 = 0.275 -> 0.28
    charge = rating.rate(TARIFF, "061234567", 37)
    assert charge.zone == MOBILE
    assert charge.billed_seconds == 42
    assert charge.amount == D("0.28")
    assert charge.amount_with_tax == D("0.34")  # 0.28 * 1.20 = 0.336 -> 0.34
    # National 60/60: 61 s -> 120 s; 0.10 + 0.24 = 0.34; tax 0.408 -> 0.41
    charge = rating.rate(TARIFF, "0140000000", 61)
    assert (charge.billed_seconds, charge.amount, charge.amount_with_tax) == (
        120,
        D("0.34"),
        D("0.41"),
    )


def test_rounding_half_up_to_the_currency_unit() -> None:
    half = Tariff((Zone("Z", "", per_minute=D("0.025"), first_period=60),), "EUR", 2, D(0))
    assert rating.rate(half, "1", 10).amount == D("0.03")  # 0.025 -> 0.03, not 0.02
    xpf = Tariff((Zone("Z", "", per_minute=D("17.5"), first_period=60),), "XPF", 0, D("13"))
    charge = rating.rate(xpf, "1", 5)
    assert charge.amount == D("18") and str(charge.amount) == "18"
    assert charge.amount_with_tax == D("20")  # 18 * 1.13 = 20.34


def test_no_zone_means_no_price() -> None:
    charge = rating.rate(TARIFF, "1234567", 300)
    assert charge.zone is None
    assert (charge.billed_seconds, charge.amount, charge.amount_with_tax) == (0, D(0), D(0))


@pytest.mark.parametrize(
    ("text", "lengths"),
    [("", frozenset()), ("6", {6}), ("4, 5", {4, 5}), ("10-12", {10, 11, 12}), ("4;6", {4, 6})],
)
def test_lengths(text: str, lengths: set[int]) -> None:
    assert rating.parse_lengths(text) == frozenset(lengths)


@pytest.mark.parametrize("text", ["x", "0", "12-10", "1-99", "50"])
def test_bad_lengths(text: str) -> None:
    with pytest.raises(ValueError):
        rating.parse_lengths(text)
