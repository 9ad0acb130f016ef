"""Verifying: from the text of a QR code to a verdict a guard can act on, with no network.

The checks run in a fixed order, and the first that fails names the verdict: prefix, Base45,
zlib, COSE structure, signer key, signature, payload, issuer, signer period, validity dates,
revocation. The signature is checked before the payload is read (HCERT "Input Data
Validation"). `document_verify` never raises on any text and answers `valid` only when every
check passed, including a fresh status list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from asylon.credentials import cose, cwt, transport
from asylon.credentials.status import StatusList
from asylon.credentials.trust import TrustList


class Code(StrEnum):
    VALID = "valid"
    WRONG_PREFIX = "wrong_prefix"
    NOT_BASE45 = "not_base45"
    NOT_ZLIB = "not_zlib"
    NOT_COSE = "not_cose"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    MALFORMED_PAYLOAD = "malformed_payload"
    WRONG_ISSUER = "wrong_issuer"
    KEY_EXPIRED = "key_expired"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    STATUS_UNKNOWN = "status_unknown"


_READ_AGAIN = "Scan the code again; if this persists, the card is damaged or not an Asylon document."
REASONS = {
    Code.VALID: "The document is genuine, in force and not revoked.",
    Code.WRONG_PREFIX: f"This is not an Asylon document code: it does not start with {transport.PREFIX}",
    Code.NOT_BASE45: f"The code holds characters an Asylon document code never has. {_READ_AGAIN}",
    Code.NOT_ZLIB: f"The code is incomplete or damaged: its content does not unpack. {_READ_AGAIN}",
    Code.NOT_COSE: f"The code holds no signed document in the expected form. {_READ_AGAIN}",
    Code.UNKNOWN_KEY: (
        "The document was signed with a key this verifier does not trust. Update the trust list;"
        " if it is current, treat the document as forged."
    ),
    Code.BAD_SIGNATURE: "The signature does not match the content: the document was altered or forged.",
    Code.MALFORMED_PAYLOAD: "The document is signed, but its content is not in the expected form.",
    Code.WRONG_ISSUER: "The document names an authority or office to which its signing key does not belong.",
    Code.KEY_EXPIRED: "The document was signed with a key outside the period in which that key may sign.",
    Code.NOT_YET_VALID: "The document is genuine but not yet in force.",
    Code.EXPIRED: "The document is genuine but has expired.",
    Code.REVOKED: "The document is genuine but has been revoked.",
    Code.STATUS_UNKNOWN: (
        "The document is genuine and in force, but whether it was revoked cannot be checked:"
        " the verifier has no current status list."
    ),
}


@dataclass(frozen=True)
class Verdict:
    """`claims` is present only for a genuine document (signed by a trusted key of its own office
    within that key's period), so a guard may read whose it is even when it has expired or was
    revoked; a forgery's fields are never shown."""

    code: Code
    reason: str
    claims: cwt.Claims | None = None

    @property
    def valid(self) -> bool:
        return self.code is Code.VALID

    @property
    def document(self) -> cwt.Document | None:
        return self.claims.document if self.claims is not None else None


def _verdict(code: Code, claims: cwt.Claims | None = None, detail: str = "") -> Verdict:
    return Verdict(code=code, reason=f"{REASONS[code]} {detail}".strip(), claims=claims)


def document_verify(text: str, *, now: datetime, trust: TrustList, status: StatusList | None) -> Verdict:
    """The verdict on a QR text at `now`; `status` is None when the verifier holds no list."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    try:
        return examine(text, now=now, trust=trust, status=status)
    except Exception:
        # The last line of the promise never to crash on a scanned text: every failure the
        # checks know of is a named verdict, and the tests drive `examine` directly so that
        # an exception reaching here is a bug they would see.
        return _verdict(Code.MALFORMED_PAYLOAD)


def examine(text: str, *, now: datetime, trust: TrustList, status: StatusList | None) -> Verdict:
    """`document_verify` without its safety net."""
    try:
        data = transport.qr_text_decode(text)
    except transport.WrongPrefix:
        return _verdict(Code.WRONG_PREFIX)
    except transport.NotBase45:
        return _verdict(Code.NOT_BASE45)
    except transport.NotZlib:
        return _verdict(Code.NOT_ZLIB)
    try:
        message = cose.parse_sign1(data)
    except cose.CoseError:
        return _verdict(Code.NOT_COSE)
    candidates = trust.find(message.kid)
    if not candidates:
        return _verdict(Code.UNKNOWN_KEY)
    signers = [key for key in candidates if cose.verify_sign1(message, key.public_key)]
    if not signers:
        return _verdict(Code.BAD_SIGNATURE)
    try:
        claims = cwt.claims_decode(message.payload)
    except cwt.DocumentMalformed:
        return _verdict(Code.MALFORMED_PAYLOAD)
    document = claims.document
    signers = [key for key in signers if key.office == document.office]
    if claims.issuer != trust.authority or not signers:
        return _verdict(Code.WRONG_ISSUER)
    # HCERT: iat lies within the signer's period. A thief could backdate iat, which is why a
    # stolen key is taken off the trust list rather than left to expire.
    if not any(key.signs_at(claims.issued_at) for key in signers):
        return _verdict(Code.KEY_EXPIRED)
    # RFC 8392 §3.1.5 and §3.1.4: not accepted before nbf, nor on or after exp.
    if now < claims.not_before:
        return _verdict(Code.NOT_YET_VALID, claims, f"It is valid from {document.valid_from.isoformat()}.")
    if now >= claims.expires:
        return _verdict(Code.EXPIRED, claims, f"It was valid until {document.valid_until.isoformat()}.")
    if status is None:
        return _verdict(Code.STATUS_UNKNOWN, claims, "(No status list is loaded.)")
    if status.authority != claims.issuer or not status.covers(document.status_index):
        return _verdict(Code.STATUS_UNKNOWN, claims, "(The status list does not cover this document.)")
    # A set bit is final even in a stale list: revocation is never undone, a new document is issued instead.
    if status.is_revoked(document.status_index):
        return _verdict(Code.REVOKED, claims)
    if not status.is_fresh(now):
        issued = status.issued_at.date().isoformat()
        return _verdict(Code.STATUS_UNKNOWN, claims, f"(The status list of {issued} is past its time to live.)")
    return _verdict(Code.VALID, claims)
