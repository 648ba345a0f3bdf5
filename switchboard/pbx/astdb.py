"""Asterisk's own database (AstDB) written and read from the web through the AMI.

State the dialplan tests at call time (incidents, forwards) lives in AstDB: a change made in
the web takes effect on the next call, with no reload, and calls keep using the last value
when the portal is down. These helpers open one short AMI session per call (like the apply).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from asgiref.sync import async_to_sync

from switchboard.telephony.ami.client import AmiClient
from switchboard.telephony.ami.errors import AmiActionError
from switchboard.telephony.models import PbxServer

T = TypeVar("T")

FAMILY_PREFIX = "switchboard"


def family(name: str) -> str:
    """Every family the portal writes starts with ``switchboard/`` (never an admin's own)."""
    return f"{FAMILY_PREFIX}/{name}"


def _run(server: PbxServer, work: Callable[[AmiClient], Awaitable[T]]) -> T:
    async def session() -> T:
        client = AmiClient(
            server.host, server.ami_port, server.ami_user, server.ami_secret,
            name=server.name, events=False, reconnect=False,
        )  # fmt: skip
        await client.connect_once()
        try:
            return await work(client)
        finally:
            await client.close()

    return async_to_sync(session)()


def put(server: PbxServer, family_name: str, key: str, value: str) -> None:
    """Set ``family_name``/``key``; raises :class:`AmiError` when the PBX refuses or is down."""
    put_many(server, family_name, {key: value})


def put_many(server: PbxServer, family_name: str, values: Mapping[str, str]) -> None:
    async def work(client: AmiClient) -> None:
        for key, value in values.items():
            await client.action("DBPut", Family=family_name, Key=key, Val=value)

    _run(server, work)


def delete(server: PbxServer, family_name: str, key: str) -> None:
    """Remove a key; a key that is not there is not an error."""

    async def work(client: AmiClient) -> None:
        try:
            await client.action("DBDel", Family=family_name, Key=key)
        except AmiActionError as error:
            # Asterisk answers "could not be deleted" for a key that is not there.
            if "not be deleted" not in str(error).lower() and "not found" not in str(error):
                raise

    _run(server, work)


def get(server: PbxServer, family_name: str, key: str) -> str | None:
    """The value, or None when the key is not set."""

    async def work(client: AmiClient) -> str | None:
        try:
            _response, events = await client.list_action("DBGet", Family=family_name, Key=key)
        except AmiActionError:
            return None
        for event in events:
            if event.event == "DBGetResponse":
                return event.get("Val") or ""
        return None

    return _run(server, work)


def tree(server: PbxServer, family_name: str) -> dict[str, str]:
    """Every key under ``family_name`` (the family prefix removed), e.g. ``{"201/cfu": "0612"}``."""

    async def work(client: AmiClient) -> dict[str, str]:
        try:
            _response, events = await client.list_action("DBGetTree", Family=family_name)
        except AmiActionError:
            return {}
        values = {}
        prefix = f"/{family_name}/"
        for event in events:
            if event.event == "DBGetTreeResponse":
                key = (event.get("Key") or "").removeprefix(prefix)
                values[key] = event.get("Val") or ""
        return values

    return _run(server, work)
