"""The IVR action "callback request": validated in the scenario, and the AstDB entries it
leaves turned into requests once (the collector's pure part and its idempotent store)."""

from __future__ import annotations

import pytest

from switchboard.callbacks.collector import parse, store
from switchboard.callbacks.models import Callback
from switchboard.ivr.models import Ivr
from switchboard.ivr.scenario import Context, validate
from switchboard.pbx.models import Queue
from switchboard.telephony.models import PbxServer

CONTEXT = Context(queues=frozenset({"500"}))


def scenario(*actions: dict) -> dict:
    return {"blocks": [{"name": "incoming", "actions": [*actions, {"type": "hangup"}]}]}


def test_the_action_is_validated() -> None:
    cleaned, errors = validate(scenario({"type": "callback", "queue": "500"}), CONTEXT)
    assert errors == []
    # Without a sound: Asterisk's own "thank you" confirms.
    assert cleaned["blocks"][0]["actions"][0] == {
        "type": "callback",
        "queue": "500",
        "sound": "auth-thankyou",
    }
    cleaned, errors = validate(scenario({"type": "callback"}), CONTEXT)
    assert errors == [] and cleaned["blocks"][0]["actions"][0]["queue"] == ""
    # It does not end the block: the hang-up after it is reachable.
    assert len(cleaned["blocks"][0]["actions"]) == 2
    for bad in (
        {"type": "callback", "queue": "501"},
        {"type": "callback", "queue": "5;0"},
        {"type": "callback", "sound": "../etc/passwd"},
    ):
        _cleaned, errors = validate(scenario(bad), CONTEXT)
        assert len(errors) == 1 and errors[0].action == 0, bad


def test_astdb_values_are_parsed_defensively() -> None:
    request = parse("1700000000.12", "1700000000|700|500|+33612345678|Anne | Marie")
    assert request is not None
    assert (request.ivr, request.queue, request.number) == ("700", "500", "+33612345678")
    assert request.name == "Anne | Marie"
    assert request.requested_at.timestamp() == 1700000000
    odd = parse("1.2", "x|7;0|5${X}|06+12 34|")
    assert odd is not None and odd.number == "061234" and odd.queue == "5" and odd.ivr == "70"
    assert parse("../1", "1|2|3|0612|") is None


@pytest.mark.django_db
def test_each_entry_becomes_one_request_and_its_key_may_then_go() -> None:
    pbx = PbxServer.objects.create(name="pbx", host="h", ami_user="u", ami_secret="s")
    queue = Queue.objects.create(server=pbx, name="sales", number="500")
    Ivr.objects.create(server=pbx, name="Reception", number="700")
    entries = {
        "1700000000.1": "1700000000|700|500|0612345678|Anne",
        "1700000000.2": "1700000001|700||0698765432|0698765432",
        "1700000000.3": "1700000002|700|500||",  # no number (withheld): dropped
    }
    done = store(pbx.pk, entries)
    assert sorted(done) == sorted(entries)
    rows = list(Callback.objects.order_by("number"))
    assert [(r.number, r.name, r.queue, r.source) for r in rows] == [
        ("0612345678", "Anne", queue, "ivr"),
        ("0698765432", "", None, "ivr"),
    ]
    assert rows[0].ivr == "Reception (700)" and rows[0].key == f"{pbx.pk}:1700000000.1"
    # Read again (the keys were not deleted yet, e.g. the worker stopped): nothing twice.
    assert sorted(store(pbx.pk, entries)) == sorted(entries)
    assert Callback.objects.count() == 2
