from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from asylon.transparency import monitor


class Command(BaseCommand):
    help = (
        "Verify an exported log (asylon log-export) as a monitor, with no database: every checkpoint's "
        "signature and cosignatures, consistency, the whole tree, then the procedure it records. "
        "Prints a report; exits non-zero on any finding."
    )
    # A monitor runs this far from Asylon's server: nothing here needs the database or its checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        monitor.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(desc="Verifying entries", unit="entry", disable=None) as bar:
            status = monitor.run(options, self.stdout.write, bar.update)
        if status == 2:
            raise CommandError("the monitor could not run", returncode=2)
        if status:
            raise CommandError("the log or the procedure it records has findings (see above)")
