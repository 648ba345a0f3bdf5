"""Click-to-call: the user's own phone rings, and once answered it dials the number.

The call is an AMI ``Originate`` of ``PJSIP/<the phone's endpoint>`` into the phone's own
permission context (``sb-perm-<classes>``, see ``pbx/render/routing.py``) at the number: the
answered phone then runs exactly the dialplan it would run had its user dialled the number by
hand, so call permissions, override rules and the choice of the external line all apply, and
a number the phone may not call is refused by the dialplan (``sb-refused``).

:func:`originate_fields` is pure (the action's fields, validated); :func:`click_to_call` sends
it through one short AMI session (like ``pbx/astdb.py``) and returns the action's ActionID;
:func:`aclick_to_call` is the same for async callers. Every refusal is an
:class:`OriginateError` whose message is translated and fit to show to the user.

The originated channel presents the phone's own identity (``"Name" <extension>``) unless
``caller_id`` is given: that is also the caller ID the called party sees.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from django.utils.translation import gettext as _

from switchboard.telephony.ami.client import AmiClient
from switchboard.telephony.ami.errors import AmiActionError, AmiError

if TYPE_CHECKING:
    from switchboard.pbx.models import Phone
    from switchboard.telephony.models import PbxServer

# What may be dialled: digits, *, # and a leading or inner + (nothing a dialplan could
# misread: no comma, no parenthesis, no letters).
NUMBER = re.compile(r"^[0-9*#+]{1,40}$")
ENDPOINT = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
CONTEXT = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
ACCOUNT = re.compile(r"^[A-Za-z0-9_.@-]{0,80}$")
# Caller ID text goes inside an AMI header and a SIP From: ``"Name" <number>``, ``<number>``
# or a plain name / number; no line breaks, stray quotes, brackets or backslashes.
CALLER_ID = re.compile(
    r'(?:"[^"\\\r\n<>]{0,80}" ?)?(?:<[0-9A-Za-z*#+_.-]{0,40}>)?'  # "Name" <number>
    r'|[^"\\\r\n<>]{0,80}'  # or plain text
)
UNSAFE_NAME = re.compile(r'[\r\n"<>\\]')

RING_SECONDS = 30  # how long the user's own phone rings before the attempt is abandoned


class OriginateError(Exception):
    """Click-to-call refused or failed; ``message`` is translated, fit to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class OriginateTarget:
    """Where the call starts: the phone's endpoint, its permission context, its PBX."""

    endpoint: str
    context: str
    caller_id: str


def clean_number(number: str) -> str:
    """The number as dialled: spaces, dots, dashes and brackets removed; anything else but
    digits, ``*``, ``#`` and ``+`` is refused (:class:`OriginateError`)."""
    compact = re.sub(r"[ \u00a0.()\-/]", "", number or "")  # layout, never a line break
    if not NUMBER.fullmatch(compact):
        raise OriginateError(
            _("“%(number)s” cannot be dialled: only digits, *, # and + are allowed.")
            % {"number": (number or "")[:40]}
        )
    return compact


def originate_fields(
    target: OriginateTarget,
    number: str,
    *,
    caller_id: str = "",
    variables: Mapping[str, str] | None = None,
    account: str = "",
    ring_seconds: int = RING_SECONDS,
) -> dict[str, str | list[str]]:
    """The fields of the AMI ``Originate`` action (without ``Action`` / ``ActionID``). Pure.

    Raises :class:`OriginateError` for a number, variable, account or caller ID that is not
    safe to send.
    """
    dialled = clean_number(number)
    if not ENDPOINT.fullmatch(target.endpoint) or not CONTEXT.fullmatch(target.context):
        raise OriginateError(_("This phone cannot place calls from the portal."))
    shown = caller_id or target.caller_id
    if not CALLER_ID.fullmatch(shown):
        raise OriginateError(_("The caller ID holds characters that are not allowed."))
    if not ACCOUNT.fullmatch(account):
        raise OriginateError(_("The account code holds characters that are not allowed."))
    pairs = []
    for name, value in (variables or {}).items():
        if not VARIABLE_NAME.fullmatch(name) or re.search(r"[\r\n]", str(value)):
            raise OriginateError(_("Invalid call variable “%(name)s”.") % {"name": name[:64]})
        pairs.append(f"{name}={value}")
    pairs.append(f"SB_CLICK_TO_CALL={dialled}")
    fields: dict[str, str | list[str]] = {
        "Channel": f"PJSIP/{target.endpoint}",
        "Context": target.context,
        "Exten": dialled,
        "Priority": "1",
        "Timeout": str(max(1, int(ring_seconds)) * 1000),
        "Async": "true",
        "Variable": pairs,
    }
    if shown:
        fields["CallerID"] = shown
    if account:
        fields["Account"] = account
    return fields


def phone_target(phone: Phone) -> OriginateTarget:
    """The phone's endpoint, the permission context its endpoint lands in and its identity."""
    from switchboard.pbx.render.routing import permission_context

    if not phone.enabled:
        raise OriginateError(_("Phone %(extension)s is disabled.") % {"extension": phone.extension})
    group = phone.outgoing_group
    classes = group.dial_classes if group is not None else phone.dial_classes
    name = UNSAFE_NAME.sub("", phone.display_name or "").strip()
    caller_id = f'"{name}" <{phone.extension}>' if name else f"<{phone.extension}>"
    return OriginateTarget(phone.extension, permission_context(classes or ()), caller_id)


async def asend(server: PbxServer, fields: Mapping[str, str | list[str]]) -> str:
    """Send one Originate through a short AMI session; its ActionID, or OriginateError."""
    client = AmiClient(
        server.host, server.ami_port, server.ami_user, server.ami_secret,
        name=server.name, events=False, reconnect=False,
    )  # fmt: skip
    try:
        await client.connect_once()
        try:
            response = await client.action("Originate", **fields)
        finally:
            await client.close()
    except AmiActionError as error:
        raise OriginateError(
            _("The PBX refused the call: %(reason)s") % {"reason": error.message}
        ) from error
    except AmiError as error:
        raise OriginateError(
            _("The PBX %(name)s cannot be reached: %(reason)s")
            % {"name": server.name, "reason": error.message}
        ) from error
    return response.get("ActionID") or ""


async def aclick_to_call(
    phone: Phone,
    number: str,
    *,
    caller_id: str = "",
    variables: dict[str, str] | None = None,
    account: str = "",
) -> str:
    """Async :func:`click_to_call` (``phone.server`` and ``outgoing_group`` must be loaded
    or loadable: call it with ``select_related`` objects from async code)."""
    fields = originate_fields(
        phone_target(phone), number, caller_id=caller_id, variables=variables, account=account
    )
    return await asend(phone.server, fields)


def click_to_call(
    phone: Phone,
    number: str,
    *,
    caller_id: str = "",
    variables: dict[str, str] | None = None,
    account: str = "",
) -> str:
    """Ring ``phone``; once answered, it dials ``number`` through its own permission context.

    Returns the Originate's ActionID (the ``OriginateResponse`` event carries it) or raises
    :class:`OriginateError` with a translated message (bad number, disabled phone, PBX down or
    refusing). ``variables`` are set on the phone's channel; ``account`` is the CDR account code.
    """
    fields = originate_fields(
        phone_target(phone), number, caller_id=caller_id, variables=variables, account=account
    )
    server = phone.server
    return async_to_sync(asend)(server, fields)
