"""Which call records a user may see, and how much of their numbers (DESIGN principle 6).

One place decides the scope of the call log (SPEC U3), the recordings (R4) and the marks
(R5); billing, statistics and exports may use the same functions:

- **all** calls: holders of ``records.view_all_calls`` (administrators, the call-log role);
- **department**: a department head (role ``department_head``) also sees every call of
  their department (``CallRecord.department``, fixed at collection);
- **own**: everyone sees the calls of their phones: ``CallRecord.phone`` is theirs, or one
  side (source or destination) is the extension of one of their phones on that PBX.

External numbers are shown whole only to those who see all calls; for the others the last
``settings.RECORDS_MASK_DIGITS`` digits are replaced by ``x`` (0: never masked). The side
that is external follows the call's direction; for calls of unknown direction, any side
that is not a phone's extension on that PBX.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from switchboard.accounts.roles import DEPARTMENT_HEAD
from switchboard.records.models import CallRecord

ALL_CALLS = "records.view_all_calls"


def sees_all_calls(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(ALL_CALLS)  # type: ignore[attr-defined]


def sees_whole_numbers(user: object) -> bool:
    """Whether the user sees external numbers unmasked (same right as seeing every call)."""
    return mask_digits() == 0 or sees_all_calls(user)


def mask_digits() -> int:
    return int(getattr(settings, "RECORDS_MASK_DIGITS", 4))


def scope_filter(user: object) -> Q | None:
    """The condition on CallRecord that the user's scope adds; None: every call."""
    if sees_all_calls(user):
        return None
    condition = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False):
        return condition
    from switchboard.pbx.models import Phone

    # Ids, not a join on the phone's user: the condition stays on indexed columns of the
    # record table, so the database can walk the (start, id) index and filter.
    phones = list(Phone.objects.filter(user=user).values_list("pk", "server_id", "extension"))
    if phones:
        condition |= Q(phone_id__in=[pk for pk, _server, _extension in phones])
    for _pk, server_id, extension in phones:
        condition |= Q(server_id=server_id, src=extension) | Q(server_id=server_id, dst=extension)
    department_id = getattr(user, "department_id", None)
    if department_id and user.has_role(DEPARTMENT_HEAD):  # type: ignore[attr-defined]
        condition |= Q(department_id=department_id)
    return condition


def sees_only_own_calls(user: object) -> bool:
    """Whether the scope is only the user's phones (small: a few thousand calls a year)."""
    if sees_all_calls(user):
        return False
    return not (getattr(user, "department_id", None) and user.has_role(DEPARTMENT_HEAD))  # type: ignore[attr-defined]


def calls_visible_to(user: object) -> QuerySet[CallRecord]:
    """Every call record the user may see (unordered filter; callers order)."""
    condition = scope_filter(user)
    records = CallRecord.objects.all()
    return records if condition is None else records.filter(condition)


def mask(number: str, digits: int) -> str:
    """The number with its last ``digits`` digits shown as x (non-digits are kept)."""
    if digits <= 0 or not number:
        return number
    chars = list(number)
    left = digits
    for index in range(len(chars) - 1, -1, -1):
        if left == 0:
            break
        if chars[index].isdigit():
            chars[index] = "x"
            left -= 1
    return "".join(chars)


def external_sides(record: CallRecord, extensions: set[tuple[int, str]]) -> tuple[bool, bool]:
    """Whether the source and the destination of the record are external numbers.

    ``extensions`` holds (server id, extension) of the phones of the PBXs concerned.
    """
    direction = record.direction
    if direction == CallRecord.Direction.INTERNAL:
        return False, False
    if direction == CallRecord.Direction.INBOUND:
        return True, False
    if direction == CallRecord.Direction.OUTBOUND:
        return False, True
    return (
        bool(record.src) and (record.server_id, record.src) not in extensions,
        bool(record.dst) and (record.server_id, record.dst) not in extensions,
    )


def phone_extensions(server_ids: set[int]) -> set[tuple[int, str]]:
    from switchboard.pbx.models import Phone

    return set(Phone.objects.filter(server_id__in=server_ids).values_list("server_id", "extension"))


def all_extensions() -> list[str]:
    """Every phone's extension (numbers a masked view may search whole)."""
    from switchboard.pbx.models import Phone

    return list(Phone.objects.values_list("extension", flat=True).distinct())
