"""Tariffs in the web: CSV import (all or nothing), edit, re-rating (audited), review page."""

from __future__ import annotations

from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile

from switchboard.accounts.models import AuditEntry
from switchboard.billing.models import CallCharge, RatingRun, Tariff, Zone

GOOD = """zone;prefix;lengths;per_call;per_minute;first_period;next_period
Local;;6;0;0,05;60;60
Mobile;06;10;0.10;0.20;30;6
International;00;;0.20;0.90;1;1
Short numbers;1;7;0;0.5;;
"""


def upload(text: str, name: str = "zones.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def zones_of(tariff: Tariff) -> list[tuple]:
    return sorted(
        tariff.zones.values_list(
            "name", "prefix", "lengths", "per_call", "per_minute", "first_period", "next_period"
        )
    )


def test_import_replaces_the_zones(client, world) -> None:
    client.force_login(world.users["accounting"])
    response = client.post(
        "/admin/tariff-zones/import/", {"tariff": world.tariff.pk, "file": upload(GOOD)}
    )
    assert response.status_code == 302
    assert zones_of(world.tariff) == [
        ("International", "00", "", D("0.2"), D("0.9"), 1, 1),
        ("Local", "", "6", D(0), D("0.05"), 60, 60),
        ("Mobile", "06", "10", D("0.1"), D("0.2"), 30, 6),
        ("Short numbers", "1", "7", D(0), D("0.5"), 60, 60),
    ]
    entry = AuditEntry.objects.get(object_type="billing.tariff")
    assert entry.action == "update" and len(entry.after["zones"]) == 4


def test_a_bad_line_imports_nothing_and_is_named(client, world) -> None:
    before = zones_of(world.tariff)
    bad = (
        "zone,prefix,lengths,per_call,per_minute,first_period,next_period\n"
        "Local,,6,0,0.05,60,60\n"
        "Broken,0x1,,0,0.1,60,60\n"
        "Free,08,,0,abc,60,60\n"
        ",09,,0,0.1,60,60\n"
        "Slow,07,,0,0.1,0,60\n"
        "Twice,,6,0,0.05,60,60\n"
    )
    client.force_login(world.users["admin"])
    response = client.post(
        "/admin/tariff-zones/import/", {"tariff": world.tariff.pk, "file": upload(bad)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3: prefix: “0x1” is not a number prefix" in page
    assert "Line 4: per_minute: “abc” is not a number" in page
    assert "Line 5: zone: a name of 1 to 80 characters is required" in page
    assert "Line 6: first_period: “0” must be a whole number of seconds from 1 to 3600" in page
    assert "Line 7: the same prefix and lengths as line 2" in page
    assert zones_of(world.tariff) == before
    response = client.post(
        "/admin/tariff-zones/import/",
        {"tariff": world.tariff.pk, "file": upload("name,price\nx,1\n")},
    )
    assert response.status_code == 400
    assert "Line 1: the header must name the columns" in response.content.decode()
    assert zones_of(world.tariff) == before


def test_import_needs_the_right(client, world) -> None:
    client.force_login(world.users["head"])
    response = client.post(
        "/admin/tariff-zones/import/", {"tariff": world.tariff.pk, "file": upload(GOOD)}
    )
    assert response.status_code == 403
    assert world.tariff.zones.count() == 3


def test_tariff_and_zone_edited_in_the_web(client, world) -> None:
    client.force_login(world.users["accounting"])
    response = client.post(
        "/admin/tariffs/add/",
        {"name": "Second default", "currency": "EUR", "decimals": "2", "tax_rate": "0"},
    )
    assert response.status_code == 200  # refused: there is already a default tariff
    assert "There is already a default tariff" in response.content.decode()
    response = client.post(
        "/admin/tariffs/add/",
        {
            "name": "Tahiti",
            "server": world.server.pk,
            "currency": "XPF",
            "decimals": "0",
            "tax_rate": "13",
        },
    )
    assert response.status_code == 302
    tahiti = Tariff.objects.get(name="Tahiti")
    response = client.post(
        "/admin/tariff-zones/add/",
        {
            "tariff": tahiti.pk,
            "name": "All",
            "prefix": "",
            "lengths": "1-2,x",
            "per_call": "0",
            "per_minute": "17.5",
            "first_period": "60",
            "next_period": "60",
        },
    )
    assert response.status_code == 200 and not tahiti.zones.exists()
    assert "Number lengths" in response.content.decode()
    response = client.post(
        "/admin/tariff-zones/add/",
        {
            "tariff": tahiti.pk,
            "name": "All",
            "prefix": "",
            "lengths": "",
            "per_call": "0",
            "per_minute": "17.5",
            "first_period": "60",
            "next_period": "60",
        },
    )
    assert response.status_code == 302
    page = client.get("/admin/tariff-zones/").content.decode()
    assert "Tahiti" in page and "17.5" in page
    # the PBX now has its own tariff: re-rating March uses it (XPF, no cents, 13 % tax)
    response = client.post(
        "/admin/billing/rerate/", {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    assert response.status_code == 302
    charge = CallCharge.objects.get(record=world.calls["carol_national"])
    assert (charge.currency, charge.amount, charge.amount_with_tax) == ("XPF", D(175), D(198))
    april = CallCharge.objects.get(record=world.calls["carol_april"])
    assert april.currency == "EUR"  # outside the period: unchanged


def test_rerate_applies_new_prices_and_is_audited(client, world) -> None:
    Zone.objects.filter(tariff=world.tariff, name="National").update(per_minute=D("0.60"))
    client.force_login(world.users["accounting"])
    response = client.post(
        "/admin/billing/rerate/",
        {"date_from": "2026-03-01", "date_to": "2026-03-31", "server": world.server.pk},
    )
    assert response.status_code == 302
    # 600 s at 0.60 + 0.10 per call
    charge = CallCharge.objects.get(record=world.calls["carol_national"])
    assert (charge.amount, charge.amount_with_tax) == (D("6.10"), D("7.32"))
    assert CallCharge.objects.get(record=world.calls["carol_april"]).amount == D("0.22")
    run = RatingRun.objects.get()
    assert (run.calls, run.unmatched, run.user) == (5, 1, world.users["accounting"])
    assert AuditEntry.objects.filter(object_type="billing.ratingrun", action="create").exists()
    page = client.get("/admin/billing/rerate/").content.decode()
    assert 'id="rerate-history"' in page and "2026" in page


def test_rerate_refuses_bad_input(client, world) -> None:
    client.force_login(world.users["admin"])
    Zone.objects.filter(tariff=world.tariff).update(per_minute=D("9"))
    response = client.post(
        "/admin/billing/rerate/", {"date_from": "2026-03-31", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    assert not RatingRun.objects.exists()
    assert CallCharge.objects.get(record=world.calls["carol_national"]).amount == D("1.30")
    client.force_login(world.users["alice"])
    response = client.post(
        "/admin/billing/rerate/", {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )
    assert response.status_code == 403
    assert not RatingRun.objects.exists()


def test_review_lists_unmatched_calls_until_a_rule_matches(client, world) -> None:
    client.force_login(world.users["accounting"])
    page = client.get("/admin/billing/review/").content.decode()
    assert "1234567" in page and "no matching rule" in page
    assert "0140000000" not in page
    Zone.objects.create(tariff=world.tariff, name="Short", prefix="1", per_minute=D("1"))
    client.post("/admin/billing/rerate/", {"date_from": "2026-03-12", "date_to": "2026-03-12"})
    page = client.get("/admin/billing/review/").content.decode()
    assert "1234567" not in page
    charge = CallCharge.objects.get(record=world.calls["alice_unmatched"])
    assert (charge.status, charge.zone_name, charge.amount) == ("rated", "Short", D("1.00"))


def test_calls_without_any_tariff_are_flagged(world) -> None:
    from switchboard.billing import services

    Tariff.objects.all().delete()
    result = services.rate_records([c.pk for c in world.calls.values()])
    assert (result.calls, result.no_tariff) == (6, 6)
    assert set(CallCharge.objects.values_list("status", flat=True)) == {"no_tariff"}


def test_a_zone_rule_is_unique_per_tariff(client, world) -> None:
    client.force_login(world.users["admin"])
    data = {
        "tariff": world.tariff.pk,
        "name": "Twice",
        "prefix": "",
        "lengths": "6-6",
        "per_call": "0",
        "per_minute": "1",
        "first_period": "60",
        "next_period": "60",
    }
    response = client.post("/admin/tariff-zones/add/", data)
    assert response.status_code == 200  # the "Local" rule already takes 6-digit numbers
    assert not Zone.objects.filter(name="Twice").exists()
    response = client.post("/admin/tariff-zones/add/", {**data, "lengths": "7, 6-6 ,8"})
    assert response.status_code == 302
    assert Zone.objects.get(name="Twice").lengths == "6,7,8"
