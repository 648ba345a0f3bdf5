"""Account-manager routing (SPEC C7): AstDB keys the inbound dialplan reads.

For every PBX that has an inbound route ringing account managers first, the key
``switchboard/accountmanager/<caller number>`` holds the extension of the manager's phone on
that PBX, one key per form the number may arrive in (``numbers.dialled_forms``). The dialplan
(``pbx/render/dialplan.py``, ``sb-account-manager``) rings that phone for the route's time,
then the route's own destination. :func:`wanted_keys` is pure; :func:`sync_server` makes the
PBX's keys equal to it (adds, changes and removes only what differs); contact changes call
:func:`sync_all` after their transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from switchboard.directory.numbers import NumberPlan, dialled_forms

log = logging.getLogger(__name__)

FAMILY = "switchboard/accountmanager"


def wanted_keys(
    contacts: Iterable[tuple[int, list[str], str]], numbering: NumberPlan
) -> dict[str, str]:
    """``(contact id, numbers, manager's extension)`` -> AstDB key -> extension. Pure.

    A number shared by several contacts goes to the manager of the oldest contact.
    """
    keys: dict[str, str] = {}
    for _pk, numbers, extension in sorted(contacts, key=lambda c: c[0]):
        if not extension:
            continue
        for number in numbers:
            for form in dialled_forms(number, numbering):
                keys.setdefault(form, extension)
    return keys


def servers_in_use():  # type: ignore[no-untyped-def]
    """The PBXs with at least one inbound route ringing account managers first."""
    from switchboard.telephony.models import PbxServer

    return PbxServer.objects.filter(inbound_routes__account_manager_seconds__gt=0).distinct()


def keys_for(server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from switchboard.directory.models import Contact
    from switchboard.directory.numbers import plan
    from switchboard.pbx.models import Phone

    extension_of: dict[int, str] = {}
    for user_id, extension in (
        Phone.objects.filter(server=server, enabled=True, user__isnull=False)
        .order_by("-extension")
        .values_list("user_id", "extension")
    ):
        extension_of[user_id] = extension  # the lowest extension wins
    rows = Contact.objects.filter(account_manager__isnull=False).values_list(
        "pk", "number1", "number2", "number3", "account_manager_id"
    )
    contacts = [
        (pk, [n for n in (n1, n2, n3) if n], extension_of.get(manager, ""))
        for pk, n1, n2, n3, manager in rows
    ]
    return wanted_keys(contacts, plan())


def sync_server(server) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Make the PBX's keys those wanted; (keys written, keys removed). Raises AmiError."""
    from switchboard.pbx import astdb

    wanted = keys_for(server)
    present = astdb.tree(server, FAMILY)
    changed = {k: v for k, v in wanted.items() if present.get(k) != v}
    if changed:
        astdb.put_many(server, FAMILY, changed)
    removed = [k for k in present if k not in wanted]
    for key in removed:
        astdb.delete(server, FAMILY, key)
    return len(changed), len(removed)


def sync_all() -> None:
    """Sync every PBX that uses the routing; a PBX that cannot be reached is logged."""
    from switchboard.telephony.ami.errors import AmiError

    for server in servers_in_use():
        try:
            written, removed = sync_server(server)
        except AmiError as error:
            log.warning("account managers not written to %s: %s", server.name, error)
        else:
            if written or removed:
                log.info("account managers on %s: %d written, %d removed", server, written, removed)
