from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from asylon.matching.score import DEFAULT_MODEL, DEFAULT_THRESHOLD, Record, scan

COLUMNS = ("record_id", "source", "name", "name_alt", "sex", "dob", "province", "county", "unit")


class Command(BaseCommand):
    help = "Find likely duplicates in a list of people (CSV, names in any script); write the pairs to review."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scan_parser = sub.add_parser("scan", help="score every candidate pair in one file")
        scan_parser.add_argument("file")
        scan_parser.add_argument("--out", required=True)
        scan_parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"probability in 0..1 (default {DEFAULT_THRESHOLD}, fitted for precision 0.99; docs/duplicates.md)",
        )

    def handle(self, *args: Any, action: str, file: str, out: str, threshold: float, **options: Any) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise CommandError("--threshold is a probability between 0 and 1")
        try:
            with open(file, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                if "record_id" not in (reader.fieldnames or []) or "name" not in (reader.fieldnames or []):
                    raise CommandError("the file needs at least the columns record_id and name")
                records = [Record(**{c: (row.get(c) or "").strip() for c in COLUMNS}) for row in reader]
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        pairs = list(scan(records, DEFAULT_MODEL, threshold))
        with open(out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(("record_id_a", "record_id_b", "score"))
            writer.writerows((p.record_id_a, p.record_id_b, f"{p.score:.4f}") for p in pairs)
        self.stdout.write(f"{len(pairs)} candidate pair(s) among {len(records)} records written to {out}")
