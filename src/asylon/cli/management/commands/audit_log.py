from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from asylon.transparency.models import LogHead
from asylon.transparency.services import log_audit


class Command(BaseCommand):
    help = "Check the transparency log against the records: exits non-zero, naming each finding."

    def handle(self, *args: Any, **options: Any) -> None:
        findings = log_audit()
        head = LogHead.objects.filter(pk=1).first()
        size = head.size if head else 0
        for finding in findings:
            where = f"entry {finding.index}" if finding.index is not None else "log"
            self.stdout.write(f"FINDING {where}: {finding.problem}")
        indices = [finding.index for finding in findings if finding.index is not None]
        if indices:
            self.stdout.write(f"First bad index: {min(indices)}.")
        if findings:
            raise CommandError(f"{len(findings)} finding(s) in a log of {size} entries")
        self.stdout.write(f"The log of {size} entries matches every record.")
