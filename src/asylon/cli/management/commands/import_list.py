from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from asylon.accounts.models import User
from asylon.people.imports import FIELDS, ListUnreadable, list_import, read_rows
from asylon.procedure import case as procedure
from asylon.procedure.refusals import Refused


class Command(BaseCommand):
    help = (
        "Import a list of persons (CSV or XLSX) as intakes, reporting every row's fate: created, "
        "duplicate of a person or of an earlier row, or the error and its column. A file with any "
        "error imports nothing unless --accept-valid-rows."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="who wrote the list, e.g. an NGO's name")
        parser.add_argument("--user", required=True, help="the registration officer importing it (username)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help=f"read a column as a field; fields: {', '.join(FIELDS)}. Columns named as a field need none.",
        )
        parser.add_argument("--channel", choices=[c.value for c in procedure.Channel], default="alert")
        parser.add_argument("--dry-run", action="store_true", help="report every row's fate; change nothing")
        parser.add_argument("--accept-valid-rows", action="store_true", help="import the valid rows despite errors")

    def handle(self, *args: Any, **options: Any) -> None:
        mapping = {}
        for item in options["map"]:
            column, sep, field_name = item.partition("=")
            if not sep or not column or not field_name:
                raise CommandError(f"--map takes COLUMN=FIELD, not {item!r}")
            mapping[column] = field_name
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"cannot read {path}: no such file")

        def progress(rows: Any, total: int) -> Any:
            return tqdm(rows, total=total, desc="Reading rows", unit="row", file=self.stderr._out)

        try:
            report = list_import(
                user=user,
                table=read_rows(path),
                source=options["source"],
                mapping=mapping,
                dry_run=options["dry_run"],
                accept_valid_rows=options["accept_valid_rows"],
                channel=procedure.Channel(options["channel"]),
                progress=progress,
            )
        except ListUnreadable as error:
            raise CommandError(str(error)) from None
        except Refused as refused:
            raise CommandError("; ".join(r.sentence for r in refused.refusals)) from None
        for fate in report.rows:
            label = f" [{fate.label}]" if fate.label else ""
            self.stdout.write(f"row {fate.row}{label}: {fate.describe()}")
        total = len(report.rows)
        if report.imported:
            self.stdout.write(f"Imported {report.created} of {total} rows; {report.errors} row(s) in error left out.")
        elif options["dry_run"]:
            self.stdout.write(f"Dry run: {total - report.errors} of {total} rows would be imported; nothing changed.")
        else:
            raise CommandError(
                f"{report.errors} of {total} rows in error: nothing imported. "
                "Correct them, or import the valid rows with --accept-valid-rows."
            )
