from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from asylon.accounts.models import User
from asylon.cases.services import NotFound
from asylon.procedure.refusals import Refused
from asylon.safeguards.export import disclosure_export


class Command(BaseCommand):
    help = (
        "Write the file of an approved disclosure, as the requester or a data protection officer; "
        "the one way personal data leaves Asylon. The export is recorded and logged."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("disclosure_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="the officer exporting")
        parser.add_argument("--out", required=True, type=Path, help="a new file; an existing one is not replaced")

    def handle(self, *args: Any, disclosure_id: int, username: str, out: Path, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        if out.exists():
            raise CommandError(f"{out} exists; choose a new file")
        written = False
        try:
            # The file is written inside the export's transaction: if it cannot be written, no
            # export is recorded; if the record cannot be committed, the file is removed.
            with transaction.atomic():
                file = disclosure_export(user=user, disclosure_id=disclosure_id)
                descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                written = True
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(file.content)
        except NotFound:
            raise CommandError(f"there is no disclosure {disclosure_id} that {username} may see") from None
        except Refused as refused:
            reasons = " ".join(f"{r.sentence} ({r.code})" for r in refused.refusals)
            raise CommandError(f"refused: {reasons}") from None
        except BaseException:
            if written:
                out.unlink(missing_ok=True)
            raise
        record = file.record
        self.stdout.write(
            f"Wrote disclosure {disclosure_id} to {out}: {record.row_count} row(s), watermark {record.watermark}."
        )
