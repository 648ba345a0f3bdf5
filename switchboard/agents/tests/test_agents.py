"""The agents app without a PBX: rendering of *45 / presence / hot desk, forms, the
colleagues websocket's reduction, pause reasons, the spec's agent members."""

from __future__ import annotations

import json

import pytest

from switchboard.agents.consumers import reduce, reduced_text
from switchboard.agents.models import PauseReason, Presence
from switchboard.agents.services import DEFAULT_PAUSE_REASONS, agent_member_specs, presence_value
from switchboard.pbx.apply import check_text
from switchboard.pbx.models import Phone, Queue, QueueMember
from switchboard.pbx.render.forwards import ring_phone_lines
from switchboard.pbx.render.routing import routing_feature_lines
from switchboard.pbx.render.spec import QueueMemberSpec, QueueSpec, SiteSpec
from switchboard.telephony.models import PbxServer


def test_agent_code_asks_the_voicemail_pin_of_listed_phones_only() -> None:
    queue = QueueSpec(
        "sales", "500", members=(QueueMemberSpec("201", 0, "Anne", dynamic=True),
                                 QueueMemberSpec("202", 0, "Static"))
    )  # fmt: skip
    text = "\n".join(routing_feature_lines(SiteSpec(queues=(queue,))))
    assert "exten => *45500,1" in text
    assert 'GotoIf($["${SB_AGENT}" = "201"]?m201)' in text
    assert '"202"' not in text  # a static member does not log in or out
    assert " same => n(m201),VMAuthenticate(201@switchboard,s)" in text
    # Authentication comes before the membership changes.
    assert text.index("VMAuthenticate") < text.index("AddQueueMember")
    assert not check_text("extensions.conf", "[x]\n" + text + "\n")


def test_ring_phone_reads_presence_and_desk_before_forwards() -> None:
    text = "\n".join(ring_phone_lines("sb-internal", "sb-outbound"))
    assert "DB_EXISTS(switchboard/presence/${EXTEN})" in text
    assert "DB_EXISTS(switchboard/hotdesk/${EXTEN})" in text
    assert text.index("presence") < text.index("forward/${EXTEN}/unconditional")
    assert 'GotoIf($["${SB_PRESENCE}" = "dnd"]?busy)' in text
    assert "Dial(${SB_DEVICE},${SB_RING})" in text and "Dial(PJSIP/${EXTEN}" not in text


def test_presence_values() -> None:
    assert presence_value(Presence(status="available", mobile="0612345678")) == ""
    assert presence_value(Presence(status="dnd")) == "dnd"
    assert presence_value(Presence(status="mobile", mobile="+33612345678")) == "mobile:+33612345678"


def test_colleagues_see_states_but_not_whom_unless_supervisor() -> None:
    device = {"device": "PJSIP/201", "state": "talking", "with": "0612 Bob"}
    data = {"now": 1, "devices": [{**device, "channel": "PJSIP/201-1", "address": "x"}]}
    assert reduce(data, True) == data
    assert reduce(data, False)["devices"] == [{"device": "PJSIP/201", "state": "talking"}]
    text = reduced_text(json.dumps(data))
    assert json.loads(text)["devices"] == [{"device": "PJSIP/201", "state": "talking"}]


@pytest.mark.django_db
def test_default_pause_reasons_exist_and_are_translated(client, make_user) -> None:
    assert set(PauseReason.objects.values_list("name", flat=True)) >= set(DEFAULT_PAUSE_REASONS)
    client.force_login(make_user("root", "administrator", language="fr"))
    page = client.get("/admin/pause-reasons/").content.decode()
    assert "Lunch" in page  # the stored name; the "shown as" column is in the user's language
    response = client.post("/admin/pause-reasons/add/", {"name": "Coaching", "position": "5"})
    assert response.status_code == 302
    assert PauseReason.objects.get(name="Coaching").enabled is False  # unchecked box
    duplicate = client.post("/admin/pause-reasons/add/", {"name": "Coaching", "position": "6"})
    assert duplicate.status_code == 200
    assert PauseReason.objects.filter(name="Coaching").count() == 1


@pytest.mark.django_db
def test_agent_role_phones_become_dynamic_members_of_the_spec(make_user) -> None:
    from switchboard.pbx.services import queue_spec

    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    queue = Queue.objects.create(server=server, name="sales", number="500")
    anne = make_user("anne", "user", "queue-agent--sales")
    bob = make_user("bob", "user")
    Phone.objects.create(server=server, extension="201", user=anne)
    Phone.objects.create(server=server, extension="202", user=bob)
    static = Phone.objects.create(server=server, extension="203", user=anne)
    QueueMember.objects.create(queue=queue, phone=static)
    assert [m.extension for m in agent_member_specs(queue)] == ["201"]
    spec = queue_spec(queue)
    assert {(m.extension, m.dynamic) for m in spec.members} == {("201", True), ("203", False)}


@pytest.mark.django_db
def test_presence_form_refuses_bad_input_and_changes_nothing(client, make_user) -> None:
    anne = make_user("anne", "user")  # no phone: nothing to write in a PBX
    client.force_login(anne)
    page = client.post("/presence/", {"status": "mobile", "mobile": "0612345678"})
    assert "external forward right" in page.content.decode()
    assert not Presence.objects.exists()
    client.force_login(make_user("carol", "user", "external_forward"))
    page = client.post("/presence/", {"status": "mobile", "mobile": ""})
    assert page.status_code == 200 and not Presence.objects.exists()
    page = client.post("/presence/", {"status": "mobile", "mobile": "06 12"})
    assert page.status_code == 200 and not Presence.objects.exists()
    assert client.post("/presence/", {"status": "dnd", "mobile": ""}).status_code == 302
    assert Presence.objects.get().status == "dnd"


@pytest.mark.django_db
def test_colleagues_list_shows_presence_of_users_with_phones(client, make_user) -> None:
    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    anne = make_user("anne", "user", first_name="Anne", last_name="Martin")
    Phone.objects.create(server=server, extension="201", user=anne)
    make_user("nophone", "user")
    Presence.objects.create(user=anne, status="dnd")
    client.force_login(make_user("bob", "user"))
    page = client.get("/colleagues/").content.decode()
    assert 'data-device="PJSIP/201"' in page and "Anne Martin" in page
    assert "do not disturb" in page
    assert "nophone" not in page


@pytest.mark.django_db
def test_console_is_for_agents_and_actions_only_on_their_queues(client, make_user) -> None:
    server = PbxServer.objects.create(name="p", host="h", ami_user="u", ami_secret="s")
    Queue.objects.create(server=server, name="sales", number="500")
    other = Queue.objects.create(server=server, name="support", number="501")
    client.force_login(make_user("bob", "user"))
    assert client.get("/agent/").status_code == 403
    anne = make_user("anne", "user", "queue-agent--sales")
    client.force_login(anne)
    response = client.post("/agent/action/", {"action": "login", "queue": other.pk})
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["You are not an agent of this queue."]
    response = client.post("/agent/action/", {"action": "explode"})
    assert [str(m) for m in response.wsgi_request._messages][-1] == "Unknown action."
