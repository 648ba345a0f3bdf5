"""The live model of one PBX (DESIGN principle 3): one entry point for the telephony worker.

On connect, the list actions of :data:`PbxModel.LIST_ACTIONS` build it (:meth:`PbxModel.load`);
AMI events keep it current (:meth:`PbxModel.apply`); on reconnect it is rebuilt. Everything
is pure - no I/O, no clock, no Django - so tests feed it recorded transcripts:

* ``state``: the dataclasses (:class:`PbxState` and its records) and their primitives;
* ``events``: :func:`apply` - one AMI event in, the :class:`Change` values out;
* ``loaders``: one loader per list action, and :func:`rebuild`;
* ``views``: the pages' rows (:func:`active_calls`, :func:`presence`, :func:`queue_view`)
  and their JSON (:func:`~switchboard.telephony.live.views.render`).

This module re-exports that public API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from switchboard.telephony.ami.protocol import Message
from switchboard.telephony.live.events import HANDLERS, apply
from switchboard.telephony.live.loaders import LIST_ACTIONS, LOADERS, rebuild
from switchboard.telephony.live.state import (
    AgentState,
    Bridge,
    Change,
    Channel,
    Contact,
    Device,
    Extension,
    ParkedCall,
    PbxState,
    Queue,
    QueueCaller,
    QueueMember,
    new_state,
)
from switchboard.telephony.live.views import (
    CallState,
    Presence,
    active_calls,
    presence,
    queue_view,
    queue_views,
    views_for,
)

__all__ = [
    "HANDLERS",
    "LIST_ACTIONS",
    "LOADERS",
    "AgentState",
    "Bridge",
    "CallState",
    "Change",
    "Channel",
    "Contact",
    "Device",
    "Extension",
    "ParkedCall",
    "PbxModel",
    "PbxState",
    "Presence",
    "Queue",
    "QueueCaller",
    "QueueMember",
    "active_calls",
    "apply",
    "new_state",
    "presence",
    "queue_view",
    "queue_views",
    "rebuild",
]


class PbxModel:
    """One PBX's live state with the operations the worker needs.

    ``apply`` answers with the (view, key) pairs of the live pages to push; :meth:`changes`
    gives the finer :class:`Change` values instead. After a ``reload`` change (a module
    reloaded its configuration, e.g. ``app_queue.so``), :attr:`stale` is set: run the list
    actions again.
    """

    # The worker's rebuild also reads the PJSIP contacts (where each phone is): an error
    # answer (no contact at all) counts as an empty list there.
    LIST_ACTIONS: ClassVar[tuple[str, ...]] = tuple(LOADERS)

    __slots__ = ("stale", "state")

    def __init__(self, state: PbxState | None = None) -> None:
        self.state = state if state is not None else new_state()
        self.stale = False

    def load(self, action: str, items: Iterable[Message], now: float) -> None:
        """Replace the part of the state that list action ``action`` reports."""
        loader = LOADERS.get(action)
        if loader is None:
            raise ValueError(f"no loader for list action {action!r}")
        loader(self.state, items, now)

    def changes(self, message: Message, now: float) -> tuple[Change, ...]:
        """Apply one AMI event; returns what changed."""
        changes = apply(self.state, message, now)
        if changes and changes[0].kind == "reload":
            self.stale = True
        return changes

    def apply(self, message: Message, now: float) -> set[tuple[str, str]]:
        """Apply one AMI event; returns the (view, key) pairs to push (see ``views``)."""
        changes = self.changes(message, now)
        return views_for(changes) if changes else set()
