"""The IVR pages for the project's access table (switchboard/accounts/tests/test_access.py).

``ivr_urls()`` makes one object of each kind and gives every URL name of the app with an
example URL. Administrators open them all; the incident supervisor role also opens the
incident list (``ROLE_PAGES``); switching an incident is a POST (``POST_ONLY``).
"""

from __future__ import annotations

POST_ONLY = ("ivr:incident_switch",)
ROLE_PAGES = {"ivr:incident_list": ("incident_supervisor",)}


def ivr_urls() -> dict[str, str]:
    import datetime

    from switchboard.ivr.models import Holiday, Incident, Ivr
    from switchboard.telephony.models import PbxServer

    server, _ = PbxServer.objects.get_or_create(
        name="ivr-access", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    ivr, _ = Ivr.objects.get_or_create(server=server, number="700", defaults={"name": "Desk"})
    holiday, _ = Holiday.objects.get_or_create(name="May Day", day=datetime.date(2026, 5, 1))
    incident, _ = Incident.objects.get_or_create(code="closed", defaults={"name": "Closed"})
    return {
        "ivr:ivr_list": "/admin/ivr/",
        "ivr:ivr_add": "/admin/ivr/add/",
        "ivr:ivr_edit": f"/admin/ivr/{ivr.pk}/",
        "ivr:ivr_delete": f"/admin/ivr/{ivr.pk}/delete/",
        "ivr:ivr_scenario": f"/admin/ivr/{ivr.pk}/scenario/",
        "ivr:holiday_list": "/admin/holidays/",
        "ivr:holiday_add": "/admin/holidays/add/",
        "ivr:holiday_edit": f"/admin/holidays/{holiday.pk}/",
        "ivr:holiday_delete": f"/admin/holidays/{holiday.pk}/delete/",
        "ivr:incident_list": "/admin/incidents/",
        "ivr:incident_add": "/admin/incidents/add/",
        "ivr:incident_edit": f"/admin/incidents/{incident.pk}/",
        "ivr:incident_delete": f"/admin/incidents/{incident.pk}/delete/",
        "ivr:incident_switch": f"/admin/incidents/{incident.pk}/switch/",
    }
