from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from asylon.dataprotection import rotation, runtime


class Command(BaseCommand):
    help = (
        "Crypto-shredding: destroy every data key of an office, so that its records, in this database "
        "and in every backup of it, can never be read again. Cannot be undone."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--office", required=True, help="the office whose keys are destroyed")
        parser.add_argument("--confirm", default="", help="the office's name again, to confirm")

    def handle(self, *args: Any, office: str, confirm: str, **options: Any) -> None:
        keyring = runtime.keyring()
        if office not in keyring.offices:
            known = ", ".join(sorted(keyring.offices)) or "none"
            raise CommandError(f"no keys for office {office!r} (already shredded, or never created); offices: {known}")
        if confirm != office:
            raise CommandError(
                f"this destroys the keys of office {office!r} for good: repeat its name with --confirm {office}"
            )
        shredded = rotation.office_shred(office=office)
        self.stdout.write(
            f"Destroyed the keys of office {office}: {shredded.records} records are unreadable from now on, "
            f"here and in every backup. Removed {shredded.name_keys} name digests."
        )
        self.stdout.write(
            "Copies of the key file made before now still hold these keys: destroy them too. "
            "Backups keep name digests under the current blind-index key; "
            "`asylon rotate-keys --blind-index` makes them unmatchable."
        )
