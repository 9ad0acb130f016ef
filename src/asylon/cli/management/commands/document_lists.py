from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from asylon.documents import credential, keys


class Command(BaseCommand):
    help = "Write the signed trust list, the signed status list and the root public key that verifiers load."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        # The status list first: in the demo, signing it may add the key the trust list must hold.
        (folder / "status-list.cose").write_bytes(credential.status_list_signed(now=now))
        (folder / "trust-list.cose").write_bytes(keys.trust_list_signed(now))
        (folder / "root.pem").write_bytes(keys.root_public_pem())
        self.stdout.write(f"Wrote trust-list.cose, status-list.cose and root.pem to {folder}.")
