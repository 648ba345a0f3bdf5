"""``manage.py import_cdr``: load call history into a PBX's call records, from an
asteriskcdrdb (MySQL / MariaDB) or from a Master.csv file, then print the summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from switchboard.records.import_cdr import MysqlSource, check_mysql, run_import
from switchboard.records.models import ImportRun
from switchboard.telephony.models import PbxServer


class Command(BaseCommand):
    help = "Import call history from an asteriskcdrdb database or a Master.csv file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--server", required=True, help="Name of the PBX the calls belong to.")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--csv", type=Path, help="A Master.csv file.")
        source.add_argument("--mysql-database", help="An asteriskcdrdb database name.")
        parser.add_argument("--mysql-host", default="127.0.0.1")
        parser.add_argument("--mysql-port", type=int, default=3306)
        parser.add_argument("--mysql-user", default="root")
        parser.add_argument("--mysql-password", default="")
        parser.add_argument("--mysql-table", default="cdr")
        parser.add_argument("--since", type=dt.date.fromisoformat, help="First day (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        server = PbxServer.objects.filter(name=options["server"]).first()
        if server is None:
            raise CommandError(f"no PBX named {options['server']!r}")
        mysql = path = None
        if options["csv"]:
            path = options["csv"]
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            location = str(path)
        else:
            mysql = MysqlSource(
                host=options["mysql_host"],
                port=options["mysql_port"],
                user=options["mysql_user"],
                password=options["mysql_password"],
                database=options["mysql_database"],
                table=options["mysql_table"],
            )
            problem = check_mysql(mysql)
            if problem:
                raise CommandError(problem)
            location = mysql.location
        run = ImportRun.objects.create(
            server=server,
            source=ImportRun.Source.CSV if path else ImportRun.Source.MYSQL,
            location=location,
            since=options["since"],
        )
        run = run_import(run, mysql=mysql, path=path)
        self.stdout.write(
            f"{run.get_state_display()}: {run.rows_read} read, {run.imported} imported, "
            f"{run.existing} already there, {run.rejected} rejected"
        )
        for reason in run.reasons:
            self.stdout.write(f"  {reason}")
        if run.state == ImportRun.State.FAILED:
            raise CommandError(run.error)
