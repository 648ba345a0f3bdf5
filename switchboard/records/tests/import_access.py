"""The history import pages for the access table (administrators only)."""

from __future__ import annotations


def import_urls() -> dict[str, str]:
    from switchboard.records.models import ImportRun
    from switchboard.telephony.models import PbxServer

    server, _ = PbxServer.objects.get_or_create(
        name="import-access", defaults={"host": "h", "ami_user": "u", "ami_secret": "s"}
    )
    run, _ = ImportRun.objects.get_or_create(
        server=server, source=ImportRun.Source.CSV, location="/nowhere/Master.csv"
    )
    return {
        "records_import:run_list": "/admin/call-import/",
        "records_import:run_detail": f"/admin/call-import/{run.pk}/",
    }
