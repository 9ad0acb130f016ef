"""`asylon verify`: the verdict on a document's QR text or a photo of its card, offline.

It needs no database: only the files `asylon document-lists` writes (trust list, status list,
root public key). Exit status 0 only for a valid document; 1 for any other verdict; 2 when the
lists themselves cannot be used.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand, CommandError, CommandParser

from asylon.credentials import status, trust, verify

NOT_VALID = 1
LISTS_UNUSABLE = 2


def qr_texts_in_image(path: Path) -> list[str]:
    """Every QR code's text in a photo or scan (zxing-cpp, wheels for every platform)."""
    import zxingcpp
    from PIL import Image

    with Image.open(path) as image:
        return [found.text for found in zxingcpp.read_barcodes(image) if found.format == zxingcpp.BarcodeFormat.QRCode]


class Command(BaseCommand):
    help = "Verify a document's QR text (argument or standard input) or a photo of its card (--image)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", help="the ASY1: text; read from standard input when absent")
        parser.add_argument("--image", type=Path, help="a photo or scan of the card (PNG, JPEG)")
        parser.add_argument("--lists", type=Path, default=Path("."), help="folder of `asylon document-lists`")
        parser.add_argument("--root", type=Path, help="the pinned root public key (default: LISTS/root.pem)")
        parser.add_argument("--at", type=datetime.fromisoformat, help="verify as of this time (ISO 8601, with offset)")

    def _lists(self, folder: Path, root_file: Path | None) -> tuple[trust.TrustList, status.StatusList | None]:
        try:
            root = serialization.load_pem_public_key((root_file or folder / "root.pem").read_bytes())
            if not isinstance(root, ec.EllipticCurvePublicKey):
                raise ValueError("the root key is not an EC key")
            trusted = trust.trust_list_load((folder / "trust-list.cose").read_bytes(), roots=[root])
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot use the trust list: {error}", returncode=LISTS_UNUSABLE) from None
        try:
            listed: status.StatusList | None = status.status_list_load(
                (folder / "status-list.cose").read_bytes(), trust=trusted
            )
        except (OSError, ValueError) as error:
            # No usable list: the verdict says "status unknown", never "valid".
            self.stderr.write(f"No usable status list ({error}).")
            listed = None
        return trusted, listed

    def handle(self, *args: Any, **options: Any) -> None:
        trusted, listed = self._lists(options["lists"], options["root"])
        if options["image"] is not None:
            texts = qr_texts_in_image(options["image"])
            if not texts:
                self.stdout.write("NOT VALID: no QR code was found in the image.")
                sys.exit(NOT_VALID)
        else:
            texts = [(options["text"] or sys.stdin.read()).strip()]
        now = options["at"] or datetime.now(UTC)
        if now.utcoffset() is None:
            raise CommandError("--at needs a UTC offset, e.g. 2026-11-20T10:30+09:00", returncode=LISTS_UNUSABLE)
        verdicts = [verify.document_verify(text, now=now, trust=trusted, status=listed) for text in texts]
        for verdict in verdicts:
            self.stdout.write(f"{'VALID' if verdict.valid else 'NOT VALID'}: {verdict.code.value}")
            self.stdout.write(verdict.reason)
            document = verdict.document
            if document is not None:
                # Shown only for a genuine document, so a guard can compare it with the card.
                self.stdout.write(f"  {document.family_name} {document.given_name}".rstrip())
                self.stdout.write(f"  {document.family_name_latin} {document.given_name_latin}".rstrip())
                self.stdout.write(f"  {document.type.name.lower()} {document.number}")
                self.stdout.write(f"  born {document.date_of_birth or '?'}; office {document.office}")
                self.stdout.write(f"  valid {document.valid_from.isoformat()} to {document.valid_until.isoformat()}")
            if listed is not None:
                self.stdout.write(f"Status list of {listed.issued_at.isoformat()}.")
        if not all(v.valid for v in verdicts):
            sys.exit(NOT_VALID)
