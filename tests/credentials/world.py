"""One authority, its Seoul and Busan offices, and the documents they issue, in memory."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from asylon.credentials import base45, cose, cwt, keys, status, transport, trust
from asylon.credentials.issue import document_sign

AUTHORITY = "KR-MOJ"
NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # 10:30 in Seoul
ROTATION = NOW - timedelta(days=60)

RI_SUN_HUI = cwt.Document(
    type=cwt.DocumentType.TEMPORARY_CERTIFICATE,
    number="T26-0004417-K",
    family_name="리",
    given_name="순희",
    family_name_latin="RI",
    given_name_latin="SUN HUI",
    date_of_birth="1991-03",
    valid_from=date(2026, 11, 20),
    valid_until=date(2027, 5, 18),
    office="SEOUL",
    status_index=734_512,
)


def signer(office: str, signs_from: datetime, days: int = 425) -> trust.DocumentSigner:
    # One year of use plus two months of overlap (BSI TR-03137), as the research notes advise.
    return trust.DocumentSigner(
        office=office,
        private_key=keys.private_key_generate(),
        signs_from=signs_from,
        signs_until=signs_from + timedelta(days=days),
    )


@dataclass
class Authority:
    root: ec.EllipticCurvePrivateKey = field(default_factory=keys.private_key_generate)
    seoul: trust.DocumentSigner = field(default_factory=lambda: signer("SEOUL", NOW - timedelta(days=30)))
    busan: trust.DocumentSigner = field(default_factory=lambda: signer("BUSAN", NOW - timedelta(days=30)))
    revoked: set[int] = field(default_factory=set)

    @property
    def signers(self) -> list[trust.DocumentSigner]:
        return [self.seoul, self.busan]

    def trust_list(self, *signers: trust.DocumentSigner, version: int = 1) -> trust.TrustList:
        """The list as a verifier holds it: signed by the root, then loaded against the pinned root."""
        chosen = signers or tuple(self.signers)
        unsigned = trust.TrustList(
            authority=AUTHORITY, version=version, issued_at=NOW, keys=tuple(s.trusted for s in chosen)
        )
        signed = trust.trust_list_sign(unsigned, root=self.root)
        return trust.trust_list_load(signed, roots=[self.root.public_key()])

    def status_list(self, *, issued_at: datetime = NOW, ttl: timedelta = timedelta(days=7)) -> status.StatusList:
        built = status.status_list_build(
            authority=AUTHORITY, size=status.MIN_SIZE * 8, revoked=self.revoked, issued_at=issued_at, ttl=ttl
        )
        signed = status.status_list_sign(built, signer=self.seoul)
        return status.status_list_load(signed, trust=self.trust_list())

    def issue(self, document: cwt.Document = RI_SUN_HUI, *, now: datetime = NOW, **changes: object) -> str:
        document = replace(document, **changes) if changes else document
        office_signer = self.seoul if document.office == "SEOUL" else self.busan
        return document_sign(document, issuer=AUTHORITY, signer=office_signer, now=now)


def forge(claims: cwt.Claims | bytes, *, key: ec.EllipticCurvePrivateKey, kid: bytes | None = None) -> str:
    """A QR text signed with any key over any payload, past the checks `document_sign` makes."""
    payload = claims if isinstance(claims, bytes) else cwt.claims_encode(claims)
    kid = kid if kid is not None else keys.kid_of(key.public_key())
    return transport.qr_text_encode(cose.sign1(payload, key=key, kid=kid))


def claims_for(
    document: cwt.Document = RI_SUN_HUI, *, issued_at: datetime = NOW, issuer: str = AUTHORITY
) -> cwt.Claims:
    not_before, expires = cwt.validity_instants(document)
    return cwt.Claims(issuer=issuer, issued_at=issued_at, not_before=not_before, expires=expires, document=document)


def inflate(text: str) -> bytes:
    """The COSE bytes inside a QR text, by the standard libraries alone."""
    return zlib.decompress(base45.decode(text.removeprefix(transport.PREFIX)))


def cose_parts(text: str) -> list[bytes | dict[object, object]]:
    return list(cbor2.loads(inflate(text)).value)


def rewrap(parts: list[bytes | dict[object, object]]) -> str:
    """A QR text around a COSE_Sign1 array whose parts a test has changed."""
    return transport.qr_text_encode(cbor2.dumps(cbor2.CBORTag(cose.COSE_SIGN1_TAG, parts)))
