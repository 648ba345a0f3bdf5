"""The call log against a real Asterisk 22: a call recorded by the supervisor's "record"
action (MixMonitor) is collected, shown with its recording to the phone's user, and the
recording is served to them and to nobody outside the call's scope."""

from __future__ import annotations

import re
import time

import pytest

from switchboard.pbx.models import Generation, Phone
from switchboard.pbx.services import apply_configuration
from switchboard.records.collector import Collector
from switchboard.records.models import CallRecord
from switchboard.telephony.actions import ami_request
from switchboard.testing.asterisk import AsteriskInstance
from switchboard.testing.sipp import start_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def channel_of(pbx: AsteriskInstance, endpoint: str, timeout_s: float = 15.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        found = re.findall(
            rf"^(PJSIP/{endpoint}-[0-9a-f]+)!.*!Up!", pbx.cli("core show channels concise"), re.M
        )
        if found:
            return found[0]
        assert time.monotonic() < deadline, pbx.failure_report()
        time.sleep(0.2)


def test_a_recorded_call_is_played_from_the_log(
    client,
    make_user,
    portal_pbx: AsteriskInstance,
    portal_server,
    answering_phone_factory,
    caller_port,
) -> None:
    pbx, server = portal_pbx, portal_server
    monitor = pbx.root / "spool" / "monitor"
    server.log_dir = str(pbx.log_dir)
    server.recordings_dir = str(monitor)
    server.save()
    anne, other = make_user("anne", "user"), make_user("olga", "user")
    answering = answering_phone_factory("201", answer_after_ms=200)
    Phone.objects.create(
        server=server, extension="201", fixed_address=f"127.0.0.1:{answering.port}", user=anne
    )
    Phone.objects.create(server=server, extension="202", user=other)
    assert apply_configuration(server).outcome == Generation.Outcome.LIVE

    call = start_call(pbx.sip_port, "201", local_port=caller_port, hold_ms=4000)
    try:
        channel = channel_of(pbx, "201")
        name, fields = ami_request("record", {"channel": channel})
        with pbx.ami(events=False) as ami:
            assert ami.send_action(name, **fields).get("Response") == "Success"
    finally:
        result = call.wait()
    assert result.answered, result.diagnostics
    pbx.wait_for_cdr_rows(1, timeout_s=20)
    assert Collector(server).run_once().rejected == 0
    record = CallRecord.objects.get(server=server, dst="201")
    assert record.dstchannel == channel and record.recording == ""
    recorded = [f for f in monitor.iterdir() if f.name.startswith("supervisor-")]
    assert len(recorded) == 1, recorded

    client.force_login(anne)
    page = client.get("/calls/").content.decode()
    assert f'data-call="{record.pk}"' in page
    assert f'src="/calls/{record.pk}/recording/"' in page
    response = client.get(f"/calls/{record.pk}/recording/?download=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == recorded[0].read_bytes()
    assert recorded[0].read_bytes()[:4] == b"RIFF"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{recorded[0].name}"')

    client.force_login(other)
    assert f'data-call="{record.pk}"' not in client.get("/calls/").content.decode()
    assert client.get(f"/calls/{record.pk}/recording/").status_code == 404
