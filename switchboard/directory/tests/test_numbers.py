"""The one rule that makes numbers comparable (pure)."""

from __future__ import annotations

import pytest

from switchboard.directory.accountmanager import wanted_keys
from switchboard.directory.numbers import NumberPlan, dialled_forms, digits, normalize

FRANCE = NumberPlan("33", "0", "00")
RUSSIA = NumberPlan("7", "8", "810")
NONE = NumberPlan()


@pytest.mark.parametrize(
    ("written", "numbering", "canonical"),
    [
        ("01 23 45 67 89", FRANCE, "+33123456789"),
        ("+33 1 23 45 67 89", FRANCE, "+33123456789"),
        ("0033 1 23 45 67 89", FRANCE, "+33123456789"),
        ("+33 (0)1 23 45 67 89", FRANCE, "+33123456789"),
        ("01.23.45.67.89", FRANCE, "+33123456789"),
        ("06-12-34-56-78", FRANCE, "+33612345678"),
        ("+44 20 7946 0000", FRANCE, "+442079460000"),
        ("201", FRANCE, "201"),  # an extension stays as it is
        ("0123", FRANCE, "0123"),  # too short to be a national number
        ("8 (495) 123-45-67", RUSSIA, "+74951234567"),
        ("+7 495 123 45 67", RUSSIA, "+74951234567"),
        ("810 33 1 23 45 67 89", RUSSIA, "+33123456789"),
        ("0612345678", NONE, "0612345678"),  # no country code: compared as written
        ("00 33 612345678", NONE, "+33612345678"),
        ("  +33612345678 ", NONE, "+33612345678"),
        ("06 12 AB", FRANCE, ""),
        ("anonymous", FRANCE, ""),
        ("", FRANCE, ""),
        ("+", FRANCE, ""),
        ("1+2", FRANCE, ""),
    ],
)
def test_normalize(written: str, numbering: NumberPlan, canonical: str) -> None:
    assert normalize(written, numbering) == canonical


def test_dialled_forms_cover_what_a_line_may_send() -> None:
    assert dialled_forms("01 23 45 67 89", FRANCE) == [
        "+33123456789",
        "33123456789",
        "0033123456789",
        "0123456789",
    ]
    assert dialled_forms("8 495 123 45 67", RUSSIA)[-1] == "84951234567"
    assert dialled_forms("0612345678", NONE) == ["0612345678"]
    assert dialled_forms("letters", FRANCE) == []
    assert digits("+33 (0)1-23") == "330123"


def test_account_manager_keys_first_contact_wins_and_no_manager_no_key() -> None:
    keys = wanted_keys(
        [
            (7, ["0611111111"], "203"),  # a newer contact with the same number
            (3, ["06 11 11 11 11", "+44 20 7946 0000"], "201"),
            (5, ["0622222222"], ""),  # its manager has no phone on this PBX
        ],
        FRANCE,
    )
    assert keys["+33611111111"] == keys["0611111111"] == keys["0033611111111"] == "201"
    assert keys["442079460000"] == "201"
    assert not any(k.endswith("622222222") for k in keys)
