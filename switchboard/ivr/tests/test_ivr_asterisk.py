"""IVR applications on a real Asterisk 22: a DID reaches the scenario, keys pressed by a SIPp
caller (SIP INFO) choose the phone, and a time range, a holiday and an incident switched from
the web each take the call to another branch."""

from __future__ import annotations

import datetime
import json
import re

import pytest

from switchboard.ivr.models import Holiday, Incident, Ivr
from switchboard.ivr.tests.dtmf import call_with_dtmf
from switchboard.pbx.models import Generation
from switchboard.pbx.services import apply_configuration

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]

DID = "0140000700"


def transfer(number: str) -> list[dict]:
    return [{"type": "transfer", "kind": "phone", "number": number}]


def answered(phones) -> dict[str, int]:
    return {name: phone.stats().answered for name, phone in phones.items()}


def test_a_did_reaches_the_ivr_and_keys_choose_the_phone(
    portal_server, portal_pbx, phones, carrier_port
) -> None:
    Ivr.objects.create(
        server=portal_server,
        name="Reception",
        number="700",
        did=DID,
        scenario={
            "blocks": [
                {
                    "name": "incoming",
                    "actions": [
                        {"type": "play", "sound": "beep"},
                        {
                            "type": "menu",
                            "sound": "beep",
                            "timeout": 8,
                            "keys": [["1", "anne"], ["2", "boris"]],
                        },
                    ],
                },
                {"name": "anne", "actions": transfer("201")},
                {"name": "boris", "actions": transfer("202")},
            ]
        },
    )
    entry = apply_configuration(portal_server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message
    assert "blk_incoming" in portal_pbx.cli("dialplan show sb-ivr-700")
    call = call_with_dtmf(portal_pbx.sip_port, DID, "2", local_port=carrier_port)
    assert call.answered, call.diagnostics
    assert answered(phones) == {"201": 0, "202": 1, "203": 0}
    call = call_with_dtmf(portal_pbx.sip_port, DID, "1", local_port=carrier_port)
    assert call.answered, call.diagnostics
    assert answered(phones) == {"201": 1, "202": 1, "203": 0}
    # A key the menu does not know hangs up (no on_invalid): nobody's phone rings.
    call_with_dtmf(portal_pbx.sip_port, DID, "9", local_port=carrier_port, hold_ms=500)
    assert answered(phones) == {"201": 1, "202": 1, "203": 0}

    # Inactive: the number is not answered by the scenario; its fallback (203) takes the call.
    Ivr.objects.filter(number="700").update(active=False, fallback="203")
    assert apply_configuration(portal_server).outcome == Generation.Outcome.LIVE
    call = call_with_dtmf(portal_pbx.sip_port, DID, "", local_port=carrier_port, hold_ms=500)
    assert call.answered, call.diagnostics
    assert answered(phones) == {"201": 1, "202": 1, "203": 1}
    # Outside its dates, without fallback: busy.
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    Ivr.objects.filter(number="700").update(active=True, fallback="", start_date=tomorrow)
    assert apply_configuration(portal_server).outcome == Generation.Outcome.LIVE
    call = call_with_dtmf(portal_pbx.sip_port, DID, "", local_port=carrier_port, hold_ms=500)
    assert 486 in call.final_codes, call.diagnostics


def test_time_holiday_and_incident_switch_the_branch(
    portal_server, portal_pbx, phones, carrier_port, client, make_user
) -> None:
    now = datetime.datetime.now()
    later = (now.hour + 3) % 24
    elsewhere = [f"{later:02d}:00", f"{later:02d}:59"]
    outage = Incident.objects.create(code="closed", name="Closed")
    ivr = Ivr.objects.create(
        server=portal_server,
        name="Reception",
        number="700",
        did=DID,
        scenario={
            "blocks": [
                {
                    "name": "incoming",
                    "actions": [
                        {"type": "incident", "incident": "closed", "target": "incident"},
                        {"type": "holiday", "target": "holiday"},
                        {
                            "type": "time",
                            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                            "ranges": [["00:00", "23:59"]],
                            "target": "open",
                        },
                        {"type": "hangup"},
                    ],
                },
                {"name": "incident", "actions": transfer("202")},
                {"name": "holiday", "actions": transfer("201")},
                {"name": "open", "actions": transfer("203")},
            ]
        },
    )
    assert apply_configuration(portal_server).outcome == Generation.Outcome.LIVE

    def call() -> None:
        result = call_with_dtmf(
            portal_pbx.sip_port, DID, "", local_port=carrier_port, wait_ms=200, hold_ms=800
        )
        assert result.answered, result.diagnostics

    call()  # open hours: 203
    assert answered(phones) == {"201": 0, "202": 0, "203": 1}

    Holiday.objects.create(name="Today", day=datetime.date.today())
    assert apply_configuration(portal_server).outcome == Generation.Outcome.LIVE
    call()  # a holiday: 201
    assert answered(phones) == {"201": 1, "202": 0, "203": 1}

    # The incident is switched from the web: no apply, no reload, the next call sees it.
    client.force_login(make_user("boss", "incident_supervisor"))
    applies = Generation.objects.count()
    response = client.post(f"/admin/incidents/{outage.pk}/switch/", {"on": "1"})
    assert response.status_code == 302
    assert Incident.objects.get(pk=outage.pk).active
    assert Generation.objects.count() == applies
    call()  # incident on: 202
    assert answered(phones) == {"201": 1, "202": 1, "203": 1}
    client.post(f"/admin/incidents/{outage.pk}/switch/", {"on": "0"})
    call()  # incident off: the holiday again
    assert answered(phones) == {"201": 2, "202": 1, "203": 1}

    # No holiday, outside the time range: the scenario hangs up, no phone rings.
    Holiday.objects.all().delete()
    scenario = ivr.scenario
    scenario["blocks"][0]["actions"][2]["ranges"] = [elsewhere]
    Ivr.objects.filter(pk=ivr.pk).update(scenario=scenario)
    assert apply_configuration(portal_server).outcome == Generation.Outcome.LIVE
    call()
    assert answered(phones) == {"201": 2, "202": 1, "203": 1}


def test_a_spoken_text_saved_in_the_editor_plays_before_the_menu(
    portal_server, portal_pbx, phones, carrier_port, client, make_user
) -> None:
    """Speech goes through the media app (espeak-ng): synthesised on save, deployed on apply,
    played by Asterisk (PLAYBACKSTATUS seen through the AMI), then the menu takes the key."""
    sounds = portal_pbx.layout.chroot / "usr/share/asterisk/sounds"
    sounds.mkdir(parents=True, exist_ok=True)
    portal_server.sounds_dir = str(sounds)
    portal_server.save()
    ivr = Ivr.objects.create(server=portal_server, name="Reception", number="700", did=DID)
    client.force_login(make_user("boss", "administrator"))
    scenario = {
        "blocks": [
            {
                "name": "incoming",
                "actions": [
                    {"type": "speech", "text": "Welcome to the reception", "language": "en"},
                    {"type": "menu", "timeout": 8, "keys": [["1", "anne"]]},
                ],
            },
            {"name": "anne", "actions": transfer("201")},
        ]
    }
    response = client.post(
        f"/admin/ivr/{ivr.pk}/scenario/",
        data=json.dumps({"scenario": scenario}),
        content_type="application/json",
    )
    answer = response.json()
    assert answer["ok"] and answer["live"], answer
    shown = portal_pbx.cli("dialplan show blk_incoming@sb-ivr-700")
    sound = re.search(r"Playback\((switchboard/[^)]+)\)", shown).group(1)
    assert (sounds / f"{sound}.wav").is_file()
    with portal_pbx.ami() as ami:
        call = call_with_dtmf(portal_pbx.sip_port, DID, "1", local_port=carrier_port, wait_ms=3000)
        event = ami.wait_for_event("VarSet", Variable="PLAYBACKSTATUS", timeout_s=20)
    assert call.answered, call.diagnostics
    assert event["Value"] == "SUCCESS"
    assert answered(phones) == {"201": 1, "202": 0, "203": 0}


def test_a_digit_sequence_matching_a_pattern_timeout_and_invalid_input(
    portal_server, portal_pbx, phones, carrier_port
) -> None:
    Ivr.objects.create(
        server=portal_server,
        name="Accounts",
        number="701",
        did="0140000701",
        scenario={
            "blocks": [
                {
                    "name": "incoming",
                    "actions": [
                        {
                            "type": "menu",
                            "sound": "beep",
                            "max_digits": 3,
                            "timeout": 3,
                            "keys": [["9", "boris"]],
                            "patterns": [["^7[0-9]{2}$", "carol"]],
                            "on_timeout": "boris",
                            "on_invalid": "anne",
                        }
                    ],
                },
                {"name": "anne", "actions": transfer("201")},
                {"name": "boris", "actions": transfer("202")},
                {"name": "carol", "actions": transfer("203")},
            ]
        },
    )
    assert apply_configuration(portal_server).outcome == Generation.Outcome.LIVE

    def call(digits: str) -> None:
        result = call_with_dtmf(
            portal_pbx.sip_port, "0140000701", digits, local_port=carrier_port, hold_ms=6000
        )
        assert result.answered, result.diagnostics

    call("712")  # three digits matching ^7[0-9]{2}$: 203
    assert answered(phones) == {"201": 0, "202": 0, "203": 1}
    call("55")  # nothing matches: on invalid, 201
    assert answered(phones) == {"201": 1, "202": 0, "203": 1}
    call("")  # no key: on timeout, 202
    assert answered(phones) == {"201": 1, "202": 1, "203": 1}
