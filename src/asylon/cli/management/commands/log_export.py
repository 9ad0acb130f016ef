from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from asylon.transparency.export import ExportError, log_export


class Command(BaseCommand):
    help = (
        "Export the transparency log as a static C2SP tlog-tiles tree into DIR, for monitors: "
        "the latest signed checkpoint, every checkpoint before it, the hash tiles, the entry bundles "
        "and the log's verifier key. Serve DIR as it is, or hand it over."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="where to write the tree (created if missing)")

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        try:
            exported = log_export(Path(directory), progress=None)
        except ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Exported {exported.size} entries and {exported.checkpoints} checkpoint(s) to {directory}.")
        if not exported.published:
            self.stdout.write("No checkpoint has its quorum of witnesses yet: the latest signed one was exported.")
        if exported.unsigned:
            self.stdout.write(
                f"{exported.unsigned} entries appended since were left out: run `asylon checkpoint` to include them."
            )
