"""Against a real Asterisk 22: a phone calls out over a line (SIPp provider) and a colleague;
the collector reads the CDRs, the rating pass rates the outgoing call once, not the internal one;
the billing report of the phone's user shows it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest

from switchboard.accounts.models import Department
from switchboard.billing.models import CallCharge, Tariff, Zone
from switchboard.billing.services import rate_new_calls
from switchboard.pbx.models import DialPattern, Generation, Phone, Trunk
from switchboard.pbx.services import apply_configuration
from switchboard.records.collector import Collector
from switchboard.records.models import CallRecord
from switchboard.testing.asterisk import free_port
from switchboard.testing.sipp import place_call

pytestmark = [pytest.mark.asterisk, pytest.mark.django_db(transaction=True)]


def test_outgoing_call_is_rated_when_collected(
    portal_pbx, portal_server, answering_phone_factory, make_user, client
) -> None:
    pbx, server = portal_pbx, portal_server
    server.log_dir = str(pbx.log_dir)
    server.save()
    provider = answering_phone_factory("provider", answer_after_ms=100)
    Trunk.objects.create(
        server=server,
        name="provider",
        host=f"127.0.0.1:{provider.port}",
        outbound_pattern=r"^\+?[0-9]+$",
    )
    DialPattern.objects.create(server=server, dial_class="local", pattern="_0[1-5]XXXXXXXX")
    colleague = answering_phone_factory("201", answer_after_ms=100)
    Phone.objects.create(
        server=server, extension="201", fixed_address=f"127.0.0.1:{colleague.port}"
    )
    it = Department.objects.create(short_name="IT", name="Information technology")
    alice = make_user("alice", "user", department=it)
    port = free_port("udp")
    Phone.objects.create(
        server=server,
        extension="210",
        display_name="Alice",
        fixed_address=f"127.0.0.1:{port}",
        dial_classes=["internal", "local"],
        user=alice,
        department=it,
    )
    tariff = Tariff.objects.create(name="France", tax_rate=D("20"))
    Zone.objects.create(
        tariff=tariff, name="National", prefix="0", per_call=D("0.10"), per_minute=D("0.12")
    )
    entry = apply_configuration(server)
    assert entry.outcome == Generation.Outcome.LIVE, entry.message

    out = place_call(pbx.sip_port, "0145678901", local_port=port, hold_ms=2500)
    assert out.answered, out.diagnostics
    inside = place_call(pbx.sip_port, "201", local_port=port, hold_ms=500)
    assert inside.answered, inside.diagnostics
    rows = pbx.wait_for_cdr_rows(2, timeout_s=20)
    assert len(rows) >= 2, pbx.failure_report()

    result = Collector(server).run_once()
    assert result.cdr.created == len(rows)
    outgoing = CallRecord.objects.get(server=server, dst="0145678901")
    assert outgoing.direction == CallRecord.Direction.OUTBOUND
    assert 1 <= outgoing.billsec <= 60
    # The collector did not rate (it never waits for the rating): the call is queued for
    # the rating pass the worker and collect_records --follow run next to the collection.
    assert not CallCharge.objects.exists()
    assert rate_new_calls().calls == 1
    assert rate_new_calls().calls == 0  # rated once
    charge = CallCharge.objects.get(record=outgoing)
    # first period 60 s whatever the exact talk time: 0.10 + 0.12, tax 20 %
    assert (charge.status, charge.zone_name, charge.billed_seconds) == ("rated", "National", 60)
    assert (charge.amount, charge.amount_with_tax) == (D("0.22"), D("0.26"))
    internal = CallRecord.objects.get(server=server, dst="201")
    assert not CallCharge.objects.filter(record=internal).exists()

    client.force_login(alice)
    day = outgoing.start.astimezone().date().isoformat()
    response = client.get(
        "/billing/", {"date_from": day, "date_to": day, "kind": "summary", "format": "csv"}
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[-3][1:3] == ["Alice (210)", "1"]
    assert lines[-2][1:3] == ["DEPARTMENT TOTAL", "1"]
    assert lines[-1][0] == "TOTAL" and lines[-1][4:] == ["0.22", "0.26", "EUR"]
