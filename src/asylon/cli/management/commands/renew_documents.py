from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from asylon.documents.services import documents_renew_due


class Command(BaseCommand):
    help = (
        "The daily renewal run: renew every document about to expire that is still needed, and issue "
        "any document a person needs but holds none of (after a day the run was missed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        issued = documents_renew_due(today=timezone.now().date(), progress=True)
        self.stdout.write(f"Issued {issued} document{'' if issued == 1 else 's'}.")
