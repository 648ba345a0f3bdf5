"""The call log's search conditions (pure query building, shared by the log and its exports).

A number is searched whole (exact, on the indexes of ``src`` and ``dst``) or by its
beginning when it ends with ``*`` or ``x``. Someone who sees external numbers masked must
not learn the hidden digits by searching: for them an external side only matches on its
visible beginning (the number without its last masked digits), and the exact match is kept
for the sides they see whole (internal sides by the call's direction, phones' extensions).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Greatest, Length, Substr

from switchboard.records.forms import MARKED_ANY, CallSearchForm
from switchboard.records.models import CallRecord

Direction = CallRecord.Direction
UNMASKED_DIRECTIONS = {
    "src": [Direction.INTERNAL, Direction.OUTBOUND],
    "dst": [Direction.INTERNAL, Direction.INBOUND],
}


def split_term(term: str) -> tuple[str, bool]:
    """(the digits to match, whether they are only the beginning of the number)."""
    stripped = term.rstrip("xX*")
    return stripped, stripped != term


def visible_part(side: str, digits: int) -> Substr:
    return Substr(side, 1, Greatest(Length(side) - Value(digits), Value(0)))


def number_condition(
    term: str, sides: tuple[str, ...], whole: bool, digits: int, extensions: list[str]
) -> Q:
    """Records whose given sides match ``term`` (see the module's docstring)."""
    prefix, is_prefix = split_term(term)
    lookup = "startswith" if is_prefix else "exact"
    condition = Q(pk__in=[])
    if not prefix:
        return condition
    for side in sides:
        match = Q(**{f"{side}__{lookup}": prefix})
        if whole:
            condition |= match
            continue
        seen_whole = Q(direction__in=UNMASKED_DIRECTIONS[side]) | Q(
            direction=Direction.OTHER, **{f"{side}__in": extensions}
        )
        condition |= (match & seen_whole) | Q(**{f"{side}_visible__startswith": prefix})
    return condition


def apply_search(
    records: QuerySet[CallRecord],
    form: CallSearchForm,
    user: object,
    whole: bool,
    digits: int,
    extensions: list[str],
) -> QuerySet[CallRecord]:
    """``records`` narrowed by the valid search form."""
    data = form.cleaned_data
    if not whole and any(data.get(name) for name in ("number", "caller", "callee")):
        records = records.annotate(
            src_visible=visible_part("src", digits), dst_visible=visible_part("dst", digits)
        )
    for name, sides in (("number", ("src", "dst")), ("caller", ("src",)), ("callee", ("dst",))):
        if data.get(name):
            records = records.filter(number_condition(data[name], sides, whole, digits, extensions))
    if data.get("direction"):
        records = records.filter(direction=data["direction"])
    since, until = form.period()
    if since:
        records = records.filter(start__gte=since)
    if until:
        records = records.filter(start__lt=until)
    marked = data.get("marked")
    if marked == MARKED_ANY:
        records = records.filter(marks__user=user)
    elif marked:
        records = records.filter(marks__user=user, marks__flag=marked)
    return records
