"""The IVR pages without a PBX: the editor's save refuses bad scenarios and changes nothing,
forms refuse clashing numbers, incidents are switched only by who may, and audited."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from switchboard.accounts.models import AuditEntry
from switchboard.ivr.models import Holiday, Incident, Ivr
from switchboard.ivr.scenario import default_scenario
from switchboard.pbx.models import Generation, Phone
from switchboard.telephony.models import PbxServer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def server() -> PbxServer:
    # Port 9 on loopback: nothing listens, so an apply or an AstDB write fails at once.
    return PbxServer.objects.create(
        name="pbx", host="127.0.0.1", ami_port=9, ami_user="u", ami_secret="s"
    )


@pytest.fixture
def ivr(server) -> Ivr:
    Phone.objects.create(server=server, extension="201")
    return Ivr.objects.create(server=server, name="Reception", number="700", did="0140000700")


@pytest.fixture
def admin(client, make_user):
    client.force_login(make_user("boss", "administrator"))
    return client


def post_scenario(client, ivr: Ivr, scenario) -> tuple[int, dict]:
    response = client.post(
        f"/admin/ivr/{ivr.pk}/scenario/",
        data=json.dumps({"scenario": scenario}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_editor_page_carries_the_scenario_and_translated_labels(admin, ivr) -> None:
    page = admin.get(f"/admin/ivr/{ivr.pk}/scenario/").content.decode()
    assert 'id="ivr-data"' in page and 'id="ivr-strings"' in page and "ivr/editor.js" in page
    assert '"save_url": "/admin/ivr/' in page and "Play a sound" in page


def test_a_bad_scenario_is_refused_with_errors_per_block_and_changes_nothing(admin, ivr) -> None:
    bad = {
        "blocks": [
            {"name": "incoming", "actions": [{"type": "menu", "keys": [["1", "sales"]]}]},
            {"name": "orphan", "actions": [{"type": "play", "sound": "x;y"}]},
        ]
    }
    status, answer = post_scenario(admin, ivr, bad)
    assert status == 400 and not answer["ok"]
    found = {(e["block"], e["action"], e["message"]) for e in answer["errors"]}
    assert ("incoming", 0, "There is no block named “sales”.") in found
    assert (
        "orphan",
        0,
        "A sound name has only letters, digits, / - and _ (e.g. digits/1).",
    ) in found
    assert (
        "orphan",
        None,
        "No call can reach this block: link it from another block or delete it.",
    ) in found
    ivr.refresh_from_db()
    assert ivr.scenario == default_scenario()
    assert not Generation.objects.exists()
    status, answer = (
        admin.post(
            f"/admin/ivr/{ivr.pk}/scenario/", data="{not json", content_type="application/json"
        ).status_code,
        None,
    )
    assert status == 400


def test_a_good_scenario_is_saved_audited_and_applied(admin, ivr) -> None:
    good = {
        "blocks": [
            {"name": "incoming", "actions": [{"type": "menu", "keys": [["1", "anne"]]}]},
            {"name": "anne", "actions": [{"type": "transfer", "kind": "phone", "number": "201"}]},
        ]
    }
    status, answer = post_scenario(admin, ivr, good)
    assert status == 200 and answer["ok"]
    # This PBX has no configuration directory: the apply is refused and the page says so.
    assert not answer["live"] and "was not applied" in answer["message"]
    ivr.refresh_from_db()
    assert ivr.scenario["blocks"][1]["actions"][0]["number"] == "201"
    assert Generation.objects.get().outcome == Generation.Outcome.REFUSED
    assert AuditEntry.objects.filter(object_type__icontains="ivr", action="update").exists()


def test_only_who_may_change_an_ivr_saves_its_scenario(client, make_user, ivr) -> None:
    client.force_login(make_user("sam", "incident_supervisor"))
    status = client.post(
        f"/admin/ivr/{ivr.pk}/scenario/", data="{}", content_type="application/json"
    ).status_code
    assert status == 403


def test_ivr_numbers_must_not_clash(admin, ivr, server) -> None:
    response = admin.post(
        "/admin/ivr/add/",
        {
            "server": server.pk,
            "name": "Other",
            "number": "201",
            "did": "0140000700",
            "fallback": "999",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["number"] == ["This number is already used on this PBX."]
    assert form.errors["did"] == ["This DID already has a route on this PBX."]
    assert form.errors["fallback"] == ["No phone, queue or IVR has this number."]
    response = admin.post(
        "/admin/ivr/add/",
        {
            "server": server.pk,
            "name": 'Bad"name',
            "number": "701",
            "start_date": "2026-02-01",
            "end_date": "2026-01-01",
        },
    )
    assert set(response.context["form"].errors) == {"name", "end_date"}
    assert Ivr.objects.count() == 1
    created = admin.post(
        "/admin/ivr/add/", {"server": server.pk, "name": "Night", "number": "701", "active": "on"}
    )
    assert created.status_code == 302
    assert created["Location"].endswith("/scenario/")


def test_incidents_are_switched_by_the_incident_supervisor_and_audited(
    client, make_user, server
) -> None:
    incident = Incident.objects.create(code="it-outage", name="IT outage")
    client.force_login(make_user("plain", "user"))
    assert client.post(f"/admin/incidents/{incident.pk}/switch/", {"on": "1"}).status_code == 403
    assert client.get("/admin/incidents/").status_code == 403
    client.force_login(make_user("sam", "incident_supervisor"))
    page = client.get("/admin/incidents/").content.decode()
    assert "Switch on" in page and "/admin/incidents/add/" not in page
    # Bad input changes nothing.
    client.post(f"/admin/incidents/{incident.pk}/switch/", {"on": "maybe"})
    incident.refresh_from_db()
    assert not incident.active and incident.switched_at is None
    # The PBX is unreachable: the state is recorded, the page names the PBX that missed it.
    response = client.post(f"/admin/incidents/{incident.pk}/switch/", {"on": "1"}, follow=True)
    assert "these PBXs did not take it: pbx" in response.content.decode()
    incident.refresh_from_db()
    assert incident.active and incident.switched_by == "sam"
    entry = AuditEntry.objects.filter(object_type__icontains="incident").latest("pk")
    assert entry.username == "sam"


def test_holiday_changes_apply_to_every_pbx_with_ivrs(admin, ivr) -> None:
    response = admin.post(
        "/admin/holidays/add/",
        {"name": "Labour day", "day": "2026-05-01", "yearly": "on"},
        follow=True,
    )
    assert Holiday.objects.get().yearly
    assert "The configuration of pbx was not applied" in response.content.decode()
    assert Generation.objects.filter(server=ivr.server).count() == 1
    bad = admin.post("/admin/holidays/add/", {"name": "x;y[", "day": "not a date"})
    assert set(bad.context["form"].errors) == {"name", "day"}
