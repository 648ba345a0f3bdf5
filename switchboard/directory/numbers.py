"""Phone numbers written by people, reduced to one form so that they can be compared.

:func:`normalize` is the one rule: it keeps digits and a leading ``+`` (spaces, dots, dashes,
slashes and brackets are layout); an international prefix (``00``, or ``810`` in Russia)
becomes ``+``; the ``(0)`` written inside some international numbers (``+33 (0)1 ...``) is
dropped; with a country code set, a national number (national prefix ``0`` in France, ``8``
in Russia, then at least :data:`MIN_NATIONAL` digits) becomes ``+<country code><rest>``.
Anything else (internal extensions, short service numbers, numbers of a site without a
country code) stays as its digits. A text holding letters or other symbols is no number:
``""``.

Examples with ``country_code="33"``: ``01 23 45 67 89``, ``+33 1 23 45 67 89``,
``0033 1 23 45 67 89`` and ``+33 (0)1 23 45 67 89`` all give ``+33123456789``; ``201`` stays
``201``. With ``country_code="7", national_prefix="8", international_prefix="810"``:
``8 (495) 123-45-67`` and ``+7 495 123 45 67`` give ``+74951234567``.

:func:`dialled_forms` lists the forms a caller number may arrive in from a PBX line (national,
international with ``+``, with the international prefix, or bare), so that a key written for
each is found whatever the line sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAYOUT = re.compile(r"[\s.\-/()]")
MIN_NATIONAL = 6  # digits after the national prefix for a number to be a national one


@dataclass(frozen=True)
class NumberPlan:
    """The site's dialling conventions (config ``[directory]``)."""

    country_code: str = ""
    national_prefix: str = "0"
    international_prefix: str = "00"


def plan() -> NumberPlan:
    """The plan of this site, from the configuration."""
    from django.conf import settings

    config = settings.CONFIG
    return NumberPlan(
        config["directory.country_code"],
        config["directory.national_prefix"],
        config["directory.international_prefix"],
    )


def normalize(number: str, numbering: NumberPlan = NumberPlan()) -> str:
    """The canonical form of ``number`` for matching (see the module); ``""`` if none."""
    text = (number or "").strip()
    if text.startswith("+"):
        text = "+" + text[1:].replace("(0)", "", 1)
    compact = LAYOUT.sub("", text)
    if not re.fullmatch(r"\+?[0-9]+", compact):
        return ""
    if compact.startswith("+"):
        return compact
    international = numbering.international_prefix
    if international and compact.startswith(international) and len(compact) > len(international):
        return "+" + compact[len(international) :]
    national = numbering.national_prefix
    if (
        numbering.country_code
        and national
        and compact.startswith(national)
        and len(compact) - len(national) >= MIN_NATIONAL
    ):
        return f"+{numbering.country_code}{compact[len(national) :]}"
    return compact


def dialled_forms(number: str, numbering: NumberPlan = NumberPlan()) -> list[str]:
    """Every form in which a line may present ``number`` as a caller, canonical first."""
    canonical = normalize(number, numbering)
    if not canonical:
        return []
    forms = [canonical]
    if canonical.startswith("+"):
        bare = canonical[1:]
        forms.append(bare)
        if numbering.international_prefix:
            forms.append(numbering.international_prefix + bare)
        code = numbering.country_code
        if code and bare.startswith(code) and numbering.national_prefix:
            forms.append(numbering.national_prefix + bare[len(code) :])
    return list(dict.fromkeys(forms))


def digits(number: str) -> str:
    """Only the digits (for partial search)."""
    return re.sub(r"[^0-9]", "", number or "")
