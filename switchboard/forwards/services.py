"""Reading and writing forwards in a PBX's AstDB, and who may set what."""

from __future__ import annotations

from typing import Any

from switchboard.accounts.roles import ADMINISTRATOR, EXTERNAL_FORWARD
from switchboard.forwards.rules import FAMILY, PhoneForwards, changes, from_keys, from_tree
from switchboard.ivr.models import Ivr
from switchboard.pbx import astdb
from switchboard.pbx.models import Phone, Queue
from switchboard.telephony.models import PbxServer


def read(phone: Phone) -> PhoneForwards:
    """The phone's forwards as Asterisk holds them (raises AmiError if it cannot be reached)."""
    return from_keys(astdb.tree(phone.server, f"{FAMILY}/{phone.extension}"))


def write(phone: Phone, forwards: PhoneForwards) -> None:
    written, deleted = changes(forwards)
    astdb.put_many(phone.server, f"{FAMILY}/{phone.extension}", written)
    for key in deleted:
        astdb.delete(phone.server, f"{FAMILY}/{phone.extension}", key)


def all_forwards(server: PbxServer) -> dict[str, PhoneForwards]:
    return {
        extension: forwards
        for extension, forwards in from_tree(astdb.tree(server, FAMILY)).items()
        if forwards.active
    }


def internal_numbers(server: PbxServer) -> set[str]:
    """Numbers answered inside the PBX: phones, queues (and IVR applications when present)."""
    numbers = set(Phone.objects.filter(server=server).values_list("extension", flat=True))
    numbers |= set(Queue.objects.filter(server=server).values_list("number", flat=True))
    numbers |= set(Ivr.objects.filter(server=server).values_list("number", flat=True))
    return numbers


def may_forward_outside(user: Any) -> bool:
    """The external forward right (a role), which administrators have too."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.has_role(EXTERNAL_FORWARD) or user.has_role(ADMINISTRATOR))
    )


def may_manage(user: Any, phone: Phone) -> bool:
    """Users manage their own phones' forwards; administrators everyone's."""
    return phone.user_id == user.pk or user.has_perm("pbx.change_phone")
