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
