"""Issuing: a document becomes the text of its QR code."""

from __future__ import annotations

from datetime import datetime, tzinfo

from asylon.credentials import cose, cwt, transport
from asylon.credentials.trust import DocumentSigner


class SignerKeyNotInUse(Exception):
    """The key is outside the period in which it may sign."""


def document_sign(
    document: cwt.Document, *, issuer: str, signer: DocumentSigner, now: datetime, zone: tzinfo = cwt.KST
) -> str:
    """The QR text for `document`, issued by `issuer` at `now` and valid over its printed dates in `zone`."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not signer.signs_from <= now <= signer.signs_until:
        # HCERT: iat must fall within the signer's period, or every verifier refuses the document.
        raise SignerKeyNotInUse(f"the {signer.office} key signs from {signer.signs_from} until {signer.signs_until}")
    if document.office != signer.office:
        raise cwt.DocumentMalformed(f"office {document.office!r} cannot sign with a key of {signer.office!r}")
    not_before, expires = cwt.validity_instants(document, zone)
    if expires <= now:
        raise cwt.DocumentMalformed("the document would be expired when issued")
    claims = cwt.Claims(issuer=issuer, issued_at=now, not_before=not_before, expires=expires, document=document)
    message = cose.sign1(cwt.claims_encode(claims), key=signer.private_key, kid=signer.trusted.kid)
    return transport.qr_text_encode(message)
