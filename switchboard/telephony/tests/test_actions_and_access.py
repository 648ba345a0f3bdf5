"""Supervisor actions become the right AMI actions; scope decides who may act on what."""

from __future__ import annotations

import pytest

from switchboard.accounts.models import Role
from switchboard.telephony import access
from switchboard.telephony.actions import ActionRefused, ami_request


def test_queue_membership_and_pause_actions() -> None:
    assert ami_request(
        "add", {"queue": "sales", "interface": "PJSIP/201", "penalty": "2", "member_name": "Ann"}
    ) == (
        "QueueAdd",
        {"Queue": "sales", "Interface": "PJSIP/201", "Penalty": "2", "MemberName": "Ann"},
    )
    assert ami_request("remove", {"queue": "sales", "interface": "PJSIP/201"}) == (
        "QueueRemove",
        {"Queue": "sales", "Interface": "PJSIP/201"},
    )
    assert ami_request(
        "pause", {"queue": "sales", "interface": "PJSIP/201", "reason": "lunch\r\nAction: x"}
    ) == (
        "QueuePause",
        {
            "Queue": "sales",
            "Interface": "PJSIP/201",
            "Paused": "true",
            "Reason": "lunch  Action: x",
        },
    )
    _name, fields = ami_request("unpause", {"queue": "sales", "interface": "PJSIP/201"})
    assert fields["Paused"] == "false" and "Reason" not in fields


@pytest.mark.parametrize(
    ("action", "options"), [("listen", "qE"), ("whisper", "qEw"), ("barge", "qEB")]
)
def test_spying_rings_the_supervisor_into_chanspy(action: str, options: str) -> None:
    name, fields = ami_request(
        action, {"channel": "PJSIP/201-0000002a", "supervisor_device": "PJSIP/299"}
    )
    assert name == "Originate"
    assert fields["Channel"] == "PJSIP/299" and fields["Application"] == "ChanSpy"
    assert fields["Data"] == f"PJSIP/201-0000002a,{options}"


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("add", {"queue": "sales", "interface": "PJSIP/201\r\nAction: Originate"}),
        ("add", {"queue": "sa les", "interface": "PJSIP/201"}),
        ("add", {"queue": "sales", "interface": "PJSIP/201", "penalty": "-1"}),
        ("listen", {"channel": "PJSIP/201-1"}),
        ("listen", {"channel": "PJSIP/201-1,qB", "supervisor_device": "PJSIP/2"}),
        ("reboot", {}),
    ],
)
def test_bad_parameters_never_reach_the_pbx(action: str, params: dict) -> None:
    with pytest.raises(ActionRefused):
        ami_request(action, params)


@pytest.mark.django_db
def test_queue_scope(make_user) -> None:
    admin = make_user("boss", "administrator")
    plain = make_user("plain", "user")
    supervisor = make_user("sup", "user")
    Role.objects.create(
        name="Sales supervisors",
        code=access.queue_role_code("Sales"),
        kind=Role.Kind.QUEUE_SUPERVISOR,
    ).user_set.add(supervisor)
    assert access.supervised_queues(admin) == access.ALL
    assert access.supervised_queues(plain) == set()
    assert access.may_supervise(supervisor, "Sales")
    assert not access.may_supervise(supervisor, "support")
    assert access.may_open_supervision(supervisor) and not access.may_open_supervision(plain)
    assert access.may_see_live_calls(admin) and not access.may_see_live_calls(supervisor)


@pytest.fixture
def support_supervisor(make_user):
    Role.objects.create(
        name="Support supervisors",
        code=access.queue_role_code("support"),
        kind=Role.Kind.QUEUE_SUPERVISOR,
    )
    return make_user("sophie", access.queue_role_code("support"))


def post_action(client, **data: str):
    return client.post("/live/action/", {"server": "1", **data})


@pytest.mark.django_db
def test_live_action_is_scoped_by_role(client, make_user, support_supervisor, monkeypatch) -> None:
    from conftest import PASSWORD
    from switchboard.telephony import bus

    monkeypatch.setattr(bus, "REQUEST_TIMEOUT", 0.2)  # no worker runs in this test
    assert post_action(client, action="pause", queue="support").status_code == 401

    make_user("plain", "user")
    client.login(username="plain", password=PASSWORD)
    assert post_action(client, action="pause", queue="support").status_code == 403
    assert post_action(client, action="listen", channel="PJSIP/201-1").status_code == 403

    client.login(username="sophie", password=PASSWORD)
    refused = post_action(client, action="pause", queue="sales", interface="PJSIP/201")
    assert refused.status_code == 403 and refused.json()["error"] == "Your roles do not allow this."
    # Joining a call outside the queues needs the right to see every live call.
    assert post_action(client, action="listen", channel="PJSIP/201-1").status_code == 403
    assert post_action(client, action="reboot", queue="support").status_code == 400
    # Allowed: it goes to the worker (none runs here, so the portal says it does not answer).
    passed = post_action(client, action="pause", queue="support", interface="PJSIP/203")
    assert passed.status_code == 503

    make_user("boss", "administrator")
    client.login(username="boss", password=PASSWORD)
    assert post_action(client, action="listen", channel="PJSIP/201-1").status_code == 503
    assert client.get("/live/action/").status_code == 405


@pytest.mark.django_db
def test_live_pages_are_scoped_by_role(client, make_user, support_supervisor) -> None:
    from conftest import PASSWORD

    make_user("plain", "user")
    client.login(username="plain", password=PASSWORD)
    for page in ("/live/queues/", "/live/calls/", "/live/presence/"):
        assert client.get(page).status_code == 403, page
    client.login(username="sophie", password=PASSWORD)
    assert client.get("/live/queues/").status_code == 200
    assert client.get("/live/calls/").status_code == 403
    assert client.get("/live/presence/").status_code == 403
    make_user("boss", "administrator")
    client.login(username="boss", password=PASSWORD)
    for page in ("/live/queues/", "/live/calls/", "/live/presence/"):
        assert client.get(page).status_code == 200, page
