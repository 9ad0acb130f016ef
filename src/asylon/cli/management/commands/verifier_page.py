from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from asylon.credentials import status, trust
from asylon.documents import credential, keys
from asylon.documents.verifier_page import verifier_page_html


class Command(BaseCommand):
    help = "Write one self-contained HTML page that verifies documents offline with today's lists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        # The status list first: in the demo, signing it may add the key the trust list must hold.
        signed_status = credential.status_list_signed(now=now)
        trusted = trust.trust_list_load(keys.trust_list_signed(now), roots=[keys.issuer_keys().root_public])
        listed = status.status_list_load(signed_status, trust=trusted)
        options["out"].write_text(verifier_page_html(trusted, listed), encoding="utf-8")
        self.stdout.write(f"Wrote {options['out']}.")
