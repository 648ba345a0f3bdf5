"""The desk without a PBX: pop detection and the team rule, call-control checks, figures,
teams, interactions and adding a caller's number to a contact (SPEC C1, C2, C4, C8, C10, L5)."""

from __future__ import annotations

import datetime

import pytest

from switchboard.accounts.models import AuditEntry
from switchboard.desk import control, delivery, figures
from switchboard.desk.models import Interaction, Team
from switchboard.desk.pops import Pop, detect
from switchboard.pbx.models import InboundRoute, Phone, Queue
from switchboard.telephony.live.state import Bridge, Channel, ParkedCall, PbxState, add_channel
from switchboard.telephony.models import PbxServer


def channel(uniqueid: str, name: str, linkedid: str, **kw: object) -> Channel:
    device = name.rpartition("-")[0]
    return Channel(uniqueid, linkedid, name, device, kw.pop("state", "Up"), **kw)  # type: ignore[arg-type]


def ringing_state() -> PbxState:
    state = PbxState()
    add_channel(
        state,
        channel(
            "1.1",
            "PJSIP/trunk-01",
            "1.1",
            caller_num="0612",
            exten="0140000000",
            dialed="0140000000",
            application="Queue",
            application_data="sales,t",
        ),
    )
    add_channel(state, channel("1.2", "PJSIP/201-02", "1.1", state="Ringing"))
    state.waiting["1.1"] = "sales"
    return state


DIAL_BEGIN = {
    "Channel": "PJSIP/trunk-01",
    "Uniqueid": "1.1",
    "Linkedid": "1.1",
    "CallerIDNum": "0612",
    "CallerIDName": "Mme Durand",
    "DestChannel": "PJSIP/201-02",
    "DestUniqueid": "1.2",
    "DestLinkedid": "1.1",
}


def test_ring_answer_and_end_are_detected_with_queue_and_did() -> None:
    state, seen = ringing_state(), set()
    # The trunk's leg dials too ("dial" for a phone named "trunk"): the database finds no
    # such phone later (see test_team_rule_decides_who_gets_the_pop).
    [ring] = [p for p in detect(state, "DialBegin", DIAL_BEGIN, seen) if p.kind == "ring"]
    assert ring == Pop(
        "ring",
        "201",
        "PJSIP/201-02",
        "1.2",
        "1.1",
        "0612",
        "Mme Durand",
        "sales",
        "0140000000",
        "PJSIP/trunk-01",
    )
    [answer] = detect(state, "DialEnd", {**DIAL_BEGIN, "DialStatus": "ANSWER"}, seen)
    assert answer.kind == "answer" and answer.extension == "201"
    assert detect(state, "DialEnd", {**DIAL_BEGIN, "DialStatus": "NOANSWER"}, seen) == []
    [end] = detect(state, "Hangup", {"Channel": "PJSIP/201-02", "Uniqueid": "1.2"}, seen)
    assert end.kind == "end"
    assert detect(state, "Hangup", {"Channel": "PJSIP/201-02", "Uniqueid": "1.2"}, seen) == []
    # A local channel is no phone: no ring (the source leg still "dials").
    local = {**DIAL_BEGIN, "DestChannel": "Local/x@y-1;1"}
    assert [p.kind for p in detect(state, "DialBegin", local, set())] == ["dial"]


def test_an_operator_dialling_out_is_an_outgoing_interaction() -> None:
    state = PbxState()
    add_channel(state, channel("2.1", "PJSIP/201-05", "2.1", dialed="0611223344"))
    fields = {
        "Channel": "PJSIP/201-05",
        "Uniqueid": "2.1",
        "Linkedid": "2.1",
        "DestChannel": "PJSIP/trunk-06",
        "DestUniqueid": "2.2",
    }
    [dial] = [p for p in detect(state, "DialBegin", fields, set()) if p.kind == "dial"]
    assert (dial.kind, dial.extension, dial.number) == ("dial", "201", "0611223344")


@pytest.fixture
def office(db, make_user):
    server = PbxServer.objects.create(name="pbx", host="h", ami_user="u", ami_secret="s")
    alice, bob, carol = (
        make_user("alice", "user"),
        make_user("bob", "user"),
        make_user("carol", "user"),
    )
    Phone.objects.create(server=server, extension="201", user=alice)
    Phone.objects.create(server=server, extension="202", user=bob)
    Phone.objects.create(server=server, extension="203", user=carol)
    sales = Queue.objects.create(server=server, name="sales", number="500")
    route = InboundRoute.objects.create(server=server, did="0140000000", kind="queue", queue=sales)
    team = Team.objects.create(name="Sales desk")
    team.members.add(alice)
    team.queues.add(sales)
    numbers = Team.objects.create(name="Reception")
    numbers.members.add(carol)
    numbers.numbers.add(route)
    return server, alice, bob, carol


def pop(kind: str, extension: str, **kw: str) -> Pop:
    return Pop(
        kind, extension, f"PJSIP/{extension}-1", f"u-{extension}", "l-1", number="0612", **kw
    )


def test_team_rule_decides_who_gets_the_pop(office) -> None:
    server, alice, bob, carol = office
    assert delivery.recipients(server.pk, pop("ring", "201", queue="sales"))[1] == [alice]
    assert (
        delivery.recipients(server.pk, pop("ring", "202", queue="sales"))[1] == []
    )  # not in the team
    # Through a DID (no queue): the DID's team.
    assert delivery.recipients(server.pk, pop("ring", "203", did="0140000000"))[1] == [carol]
    assert delivery.recipients(server.pk, pop("ring", "201", did="0140000000"))[1] == []
    # A queue no team answers for: nobody; a direct call: the phone's own user.
    assert delivery.recipients(server.pk, pop("ring", "202", queue="other"))[1] == []
    assert delivery.recipients(server.pk, pop("ring", "202"))[1] == [bob]
    assert delivery.recipients(server.pk, pop("ring", "299"))[1] == []  # no such phone


def test_resolve_keeps_the_interaction(office) -> None:
    server, alice, _bob, _carol = office
    now = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC).timestamp()
    [(user_id, payload)] = delivery.resolve(server.pk, pop("ring", "201", queue="sales"), now)
    assert user_id == alice.pk and payload["number"] == "0612" and payload["queue"] == "sales"
    interaction = Interaction.objects.get()
    assert (interaction.operator, interaction.direction, interaction.queue) == (
        alice,
        "in",
        "sales",
    )
    delivery.resolve(server.pk, pop("answer", "201", queue="sales"), now + 3)
    delivery.resolve(server.pk, pop("end", "201"), now + 60)
    interaction.refresh_from_db()
    assert interaction.answered and interaction.ended and interaction.outcome == ""
    # Not answered: missed. Not shown (outside the team): no interaction, no message.
    delivery.resolve(
        server.pk, Pop("ring", "201", "PJSIP/201-9", "u-9", "l-9", "0613", queue="sales"), now
    )
    delivery.resolve(server.pk, Pop("end", "201", "PJSIP/201-9", "u-9", "l-9"), now + 5)
    assert Interaction.objects.get(uniqueid="u-9").outcome == Interaction.Outcome.MISSED
    assert delivery.resolve(server.pk, pop("ring", "202", queue="sales"), now) == []
    assert delivery.resolve(server.pk, pop("end", "202"), now) == []


def talking_state() -> PbxState:
    state = PbxState()
    caller = channel("1.1", "PJSIP/trunk-01", "1.1", caller_num="0612", bridge_id="b1")
    mine = channel("1.2", "PJSIP/201-02", "1.1", bridge_id="b1")
    for c in (caller, mine):
        add_channel(state, c)
    state.bridges["b1"] = Bridge("b1", "basic", channels={"1.1", "1.2"})
    return state


def test_call_control_requests_and_refusals() -> None:
    state, held = talking_state(), {}
    hold = control.requests_for(
        state, "hold", {"extension": "201", "channel": "PJSIP/201-02"}, held
    )
    assert hold == [
        (
            "Redirect",
            {
                "Channel": "PJSIP/trunk-01",
                "Context": "sb-hold",
                "Exten": "s",
                "Priority": "1",
                "ExtraChannel": "PJSIP/201-02",
                "ExtraContext": "sb-held",
                "ExtraExten": "s",
                "ExtraPriority": "1",
            },
        )
    ]
    blind = control.requests_for(
        state,
        "blind_transfer",
        {"extension": "201", "channel": "PJSIP/201-02", "target": "203"},
        held,
    )
    assert blind == [
        ("BlindTransfer", {"Channel": "PJSIP/201-02", "Context": "sb-desk-dial", "Exten": "203"})
    ]
    park = control.requests_for(state, "park", {"extension": "201", "channel": ""}, held)
    assert park[0][0] == "Park" and park[0][1]["Channel"] == "PJSIP/trunk-01"
    refusals = {
        "not_your_call": ("hangup", {"extension": "202", "channel": "PJSIP/201-02"}),
        "bad_number": (
            "blind_transfer",
            {"extension": "201", "channel": "PJSIP/201-02", "target": "2,3"},
        ),
        "bad_extension": ("hangup", {"extension": "20 1"}),
        "not_on_hold": ("resume", {"extension": "201", "channel": "PJSIP/201-02"}),
        "already_answered": ("answer", {"extension": "201", "channel": "PJSIP/201-02"}),
        "no_parked_call": ("retrieve", {"extension": "201", "slot": "701"}),
        "unknown_action": ("explode", {"extension": "201"}),
    }
    for code, (action, params) in refusals.items():
        with pytest.raises(control.Refused) as refused:
            control.requests_for(state, action, params, held)
        assert refused.value.code == code, action
    state.parked["1.1"] = ParkedCall("1.1", "1.1", "PJSIP/trunk-01", "switchboard", "701")
    [(name, fields)] = control.requests_for(
        state, "retrieve", {"extension": "201", "slot": "701"}, held
    )
    assert (name, fields["Channel"], fields["Context"], fields["Exten"]) == (
        "Originate",
        "PJSIP/201",
        "sb-parked",
        "701",
    )


def test_figures_of_the_operator_queues() -> None:
    views = {
        1: {"queues": [{"name": "sales", "callers": [{}, {}]}, {"name": "other", "callers": [{}]}]}
    }
    data = figures.figures_of({1: {"sales", "support"}}, views, {(1, "sales"): (5, 2)})
    assert data["waiting"] == 2 and data["answered"] == 5 and data["lost"] == 2
    assert [q["queue"] for q in data["queues"]] == ["sales", "support"]


def test_operator_queues_and_today_counts(office) -> None:
    from django.utils import timezone

    from switchboard.records.models import QueueLogEntry

    server, alice, _bob, _carol = office
    assert figures.operator_queues(alice) == {server.pk: {"sales"}}
    now = timezone.now()
    for n, event in enumerate(("CONNECT", "CONNECT", "ABANDON", "ENTERQUEUE")):
        QueueLogEntry.objects.create(
            server=server,
            key=f"k{n}",
            time=now,
            callid=str(n),
            queue="sales",
            agent="",
            event=event,
        )
    assert figures.today_counts({server.pk: {"sales"}}) == {(server.pk, "sales"): (2, 1)}


# --- pages ---------------------------------------------------------------------------------


def test_the_desk_shows_only_my_calls(client, office) -> None:
    server, alice, bob, _carol = office
    mine = Interaction.objects.create(
        server=server,
        uniqueid="a",
        number="0611",
        operator=alice,
        started=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
    )
    Interaction.objects.create(
        server=server,
        uniqueid="b",
        number="0622",
        operator=bob,
        started=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
    )
    client.force_login(alice)
    page = client.get("/desk/").content.decode()
    assert 'id="desk-pop"' in page and "0611" in page and "0622" not in page
    assert (
        client.get("/desk/history/?number=0622").content.decode().count('data-interaction="') == 0
    )
    assert (
        client.get("/desk/history/?number=0611").content.decode().count('data-interaction="') == 1
    )
    assert client.get(f"/desk/interactions/{mine.pk}/").status_code == 200
    other = Interaction.objects.get(uniqueid="b")
    assert client.get(f"/desk/interactions/{other.pk}/").status_code == 404
    assert client.post(f"/desk/interactions/{other.pk}/", {"subject": "x"}).status_code == 404
    response = client.post(
        f"/desk/interactions/{mine.pk}/",
        {"subject": "Invoice", "notes": "Sent again", "outcome": "resolved"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.subject, mine.outcome) == ("Invoice", "resolved")
    assert AuditEntry.objects.filter(
        object_type="desk.interaction", object_id=str(mine.pk)
    ).exists()
    # The panel is on every page.
    assert 'id="desk-pop"' in client.get("/account/").content.decode()


def test_call_control_refuses_another_users_phone(client, office) -> None:
    _server, alice, _bob, _carol = office
    client.force_login(alice)
    response = client.post(
        "/desk/action/",
        {
            "action": "hangup",
            "server": str(_server.pk),
            "extension": "202",
            "channel": "PJSIP/202-1",
        },
    )
    assert response.status_code == 403
    assert response.json()["ok"] is False
    response = client.post(
        "/desk/action/", {"action": "explode", "server": str(_server.pk), "extension": "201"}
    )
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(object_type="telephony.pbxserver").exists()


def test_teams_are_configured_by_administrators(client, office, make_user) -> None:
    _server, alice, _bob, _carol = office
    client.force_login(make_user("root", "administrator"))
    sales = Queue.objects.get(name="sales")
    response = client.post(
        "/admin/teams/add/", {"name": "Support desk", "members": [alice.pk], "queues": [sales.pk]}
    )
    assert response.status_code == 302
    team = Team.objects.get(name="Support desk")
    assert list(team.members.all()) == [alice] and list(team.queues.all()) == [sales]
    assert AuditEntry.objects.filter(object_type="desk.team", action="create").exists()
    assert "Support desk" in client.get("/admin/teams/").content.decode()
    client.force_login(alice)
    assert client.get("/admin/teams/").status_code == 403
    assert client.post(f"/admin/teams/{team.pk}/delete/").status_code == 403


def test_adding_a_number_to_a_contact(client, office) -> None:
    from switchboard.directory.models import Contact

    _server, alice, _bob, _carol = office
    alice.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename="edit_shared_contacts")
    )
    client.force_login(alice)
    contact = Contact.objects.create(
        first_name="Jeanne", last_name="Durand", number1="0140000001", owner=alice
    )
    Interaction.objects.create(
        server=_server,
        uniqueid="c",
        number="0611223344",
        operator=alice,
        started=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC),
    )
    page = client.get("/desk/link-number/?number=0611223344&q=Durand").content.decode()
    assert "Jeanne" in page
    # A taken slot is refused, nothing changes.
    response = client.post(
        "/desk/link-number/", {"number": "0611223344", "contact": contact.pk, "slot": "number1"}
    )
    assert response.status_code == 200 and "already taken" in response.content.decode()
    contact.refresh_from_db()
    assert contact.number1 == "0140000001" and not contact.number2
    # The first free slot.
    response = client.post("/desk/link-number/", {"number": "0611223344", "contact": contact.pk})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.number2 == "0611223344"
    assert Interaction.objects.get(uniqueid="c").contact_id == contact.pk
    assert AuditEntry.objects.filter(object_type="directory.contact", action="update").count() == 1
    history = client.get(f"/desk/history/?contact={contact.pk}").content.decode()
    assert history.count('data-interaction="') == 1
    # All three taken: refused with a clear message, nothing changed.
    Contact.objects.filter(pk=contact.pk).update(number3="0699999999")
    response = client.post("/desk/link-number/", {"number": "0655555555", "contact": contact.pk})
    assert "All three numbers of this contact are taken" in response.content.decode()
    contact.refresh_from_db()
    assert contact.numbers == ["0140000001", "0611223344", "0699999999"]
    assert AuditEntry.objects.filter(object_type="directory.contact", action="update").count() == 1


def test_new_contact_from_a_pop_is_prefilled_with_the_number(client, office) -> None:
    from switchboard.directory.models import Contact

    _server, alice, _bob, _carol = office
    client.force_login(alice)
    page = client.get("/desk/new-contact/?number=0611223344").content.decode()
    assert 'value="0611223344"' in page
    response = client.post(
        "/desk/new-contact/",
        {"first_name": "Paul", "last_name": "Roux", "number1": "0611223344", "private": "on"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(last_name="Roux")
    assert contact.number1 == "0611223344" and contact.owner == alice
    assert delivery.contact_links("0611223344")["new_contact"].startswith("/desk/new-contact/")
