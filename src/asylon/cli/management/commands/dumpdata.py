"""Django's dumpdata, refused. It would copy whole tables past the disclosure service:
ciphertext only, but personal data leaves Asylon by one path, approved, watermarked and
logged. Defining the command here replaces Django's for `asylon`, `django-admin` and
`call_command` alike."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Disabled: personal data leaves Asylon only through an approved disclosure."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "dumpdata is disabled. Personal data leaves Asylon only through an approved "
            "disclosure: asylon disclosure-export <id> --as <username> --out FILE."
        )
