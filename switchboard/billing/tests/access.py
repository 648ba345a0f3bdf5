"""The billing pages for the project's access table (switchboard/accounts/tests/test_access.py).

``billing_urls()`` makes a tariff and a zone and gives every URL name of the app with an
example URL. ``ROLE_PAGES``: which non-administrator roles open each page (administrators open
them all). The report is open to users (own phones), department heads and accounting; the
tariffs, re-rating and review pages to accounting.
"""

from __future__ import annotations

_REPORT = ("user", "department_head", "accounting")
_SETUP = ("accounting",)

ROLE_PAGES = {
    "billing:report": _REPORT,
    "billing:tariff_list": _SETUP,
    "billing:tariff_add": _SETUP,
    "billing:tariff_edit": _SETUP,
    "billing:tariff_delete": _SETUP,
    "billing:zone_list": _SETUP,
    "billing:zone_add": _SETUP,
    "billing:zone_edit": _SETUP,
    "billing:zone_delete": _SETUP,
    "billing:zone_import": _SETUP,
    "billing:rerate": _SETUP,
    "billing:review": _SETUP,
}


def billing_urls() -> dict[str, str]:
    from switchboard.billing.models import Tariff, Zone

    tariff, _ = Tariff.objects.get_or_create(name="access-tariff")
    zone, _ = Zone.objects.get_or_create(tariff=tariff, name="All", prefix="")
    return {
        "billing:report": "/billing/",
        "billing:tariff_list": "/admin/tariffs/",
        "billing:tariff_add": "/admin/tariffs/add/",
        "billing:tariff_edit": f"/admin/tariffs/{tariff.pk}/",
        "billing:tariff_delete": f"/admin/tariffs/{tariff.pk}/delete/",
        "billing:zone_list": "/admin/tariff-zones/",
        "billing:zone_add": "/admin/tariff-zones/add/",
        "billing:zone_edit": f"/admin/tariff-zones/{zone.pk}/",
        "billing:zone_delete": f"/admin/tariff-zones/{zone.pk}/delete/",
        "billing:zone_import": "/admin/tariff-zones/import/",
        "billing:rerate": "/admin/billing/rerate/",
        "billing:review": "/admin/billing/review/",
    }
