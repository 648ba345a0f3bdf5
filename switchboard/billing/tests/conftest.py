"""Seeded call records for the billing tests: two departments, three users' phones, a tariff."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

_keys = itertools.count(1)


def at(day: str, time: str = "10:00:00") -> dt.datetime:
    naive = dt.datetime.fromisoformat(f"{day}T{time}")
    return timezone.make_aware(naive, timezone.get_current_timezone())


@dataclass
class World:
    server: Any
    it: Any
    sales: Any
    phones: dict[str, Any]
    users: dict[str, Any]
    tariff: Any
    calls: dict[str, Any]


def make_call(server: Any, phone: Any, dst: str, billsec: int, start: dt.datetime, **extra: Any):
    from switchboard.records.models import CallRecord

    fields = {
        "server": server,
        "key": f"k{next(_keys)}",
        "start": start,
        "src": phone.extension if phone else "",
        "dst": dst,
        "duration": billsec + 5,
        "billsec": billsec,
        "disposition": CallRecord.Disposition.ANSWERED,
        "direction": CallRecord.Direction.OUTBOUND,
        "phone": phone,
        "department": phone.department if phone else None,
    }
    fields.update(extra)
    return CallRecord.objects.create(**fields)


@pytest.fixture
def world(make_user) -> World:
    from switchboard.accounts.models import Department
    from switchboard.billing.models import Tariff, Zone
    from switchboard.pbx.models import Phone
    from switchboard.records.models import CallRecord
    from switchboard.telephony.models import PbxServer

    server = PbxServer.objects.create(name="billing-pbx", host="h", ami_user="u", ami_secret="s")
    it = Department.objects.create(short_name="IT", name="Information technology")
    sales = Department.objects.create(short_name="Sales", name="Sales team")
    users = {
        "alice": make_user("alice", "user", department=it),
        "bob": make_user("bob", "user", department=it),
        "carol": make_user("carol", "user", department=sales),
        "nophone": make_user("nophone", "user", department=sales),
        "head": make_user("head", "department_head", department=it),
        "accounting": make_user("acct", "accounting"),
        "admin": make_user("root", "administrator"),
        "calllog": make_user("calllog", "call_log"),
    }
    phones = {
        "201": Phone.objects.create(
            server=server, extension="201", display_name="Alice", user=users["alice"], department=it
        ),
        "202": Phone.objects.create(
            server=server, extension="202", display_name="Bob", user=users["bob"], department=it
        ),
        "301": Phone.objects.create(
            server=server,
            extension="301",
            display_name="Carol",
            user=users["carol"],
            department=sales,
        ),
    }
    tariff = Tariff.objects.create(name="France", currency="EUR", decimals=2, tax_rate=D("20"))
    Zone.objects.create(tariff=tariff, name="Local", prefix="", lengths="6", per_minute=D("0.05"))
    Zone.objects.create(
        tariff=tariff, name="National", prefix="0", per_call=D("0.10"), per_minute=D("0.12")
    )
    Zone.objects.create(
        tariff=tariff,
        name="Mobile",
        prefix="06",
        per_call=D("0.10"),
        per_minute=D("0.25"),
        first_period=30,
        next_period=6,
    )
    p = phones
    calls = {
        # billable, in March 2026
        "alice_national": make_call(server, p["201"], "0140000000", 61, at("2026-03-10")),
        "alice_mobile": make_call(server, p["201"], "061234567", 37, at("2026-03-11")),
        "bob_local": make_call(server, p["202"], "123456", 125, at("2026-03-01", "00:00:00")),
        "carol_national": make_call(
            server, p["301"], "0140000000", 600, at("2026-03-31", "23:59:59")
        ),
        # billable, in April: outside the March report
        "carol_april": make_call(server, p["301"], "0140000000", 60, at("2026-04-01", "00:00:00")),
        # billable, matching no rule: review page
        "alice_unmatched": make_call(server, p["201"], "1234567", 50, at("2026-03-12")),
        # not billable
        "alice_inbound": make_call(
            server, p["201"], "201", 90, at("2026-03-12"), direction=CallRecord.Direction.INBOUND
        ),
        "alice_no_answer": make_call(
            server,
            p["201"],
            "0140000000",
            0,
            at("2026-03-12"),
            disposition=CallRecord.Disposition.NO_ANSWER,
        ),
        "bob_internal": make_call(
            server, p["202"], "201", 30, at("2026-03-12"), direction=CallRecord.Direction.INTERNAL
        ),
    }
    # As the collector stores them: queued for the rating pass, which rates them once.
    from switchboard.billing.services import rate_new_calls
    from switchboard.records.models import NewCall

    NewCall.objects.bulk_create([NewCall(record=c) for c in calls.values()])
    rate_new_calls()
    assert not NewCall.objects.exists()
    return World(server, it, sales, phones, users, tariff, calls)
