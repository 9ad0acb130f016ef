"""The signed payload: a CBOR Web Token (RFC 8392) holding only what is printed on the card.

Claims ``{1: iss, 4: exp, 5: nbf, 6: iat, -65537: document}`` (RFC 8392 §3.1). The document
sits under a private-use claim key (RFC 8392 §9.1: keys below -65536): HCERT's -260 is
registered to health certificates and is not ours to reuse. Inside, small integer keys:

    1 type · 2 number · 3/4 family/given name as recorded · 5/6 in Latin script
    7 date of birth as recorded ("1991", "1991-03", "1991-03-15"; absent when unknown)
    8/9 valid from/until (days since 1970-01-01, the count of RFC 8943 tag 100, untagged)
    10 issuing office · 11 status-list index · 12 nationality (ISO 3166-1 alpha-3, optional)

3/4 are left out when the name is recorded only in Latin script. Data minimization: no
case number, no photo, no address, no status reason; nationality only where the issuer
chooses, since the code can be read by anyone who holds the card.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import IntEnum

import cbor2

ISS, EXP, NBF, IAT = 1, 4, 5, 6
DOCUMENT_CLAIM = -65537

TYPE, NUMBER, FAMILY, GIVEN, FAMILY_LATIN, GIVEN_LATIN, BIRTH, FROM, UNTIL, OFFICE, INDEX, NATIONALITY = range(1, 13)
_REQUIRED = {TYPE, NUMBER, FAMILY_LATIN, GIVEN_LATIN, FROM, UNTIL, OFFICE, INDEX}
_KNOWN = _REQUIRED | {FAMILY, GIVEN, BIRTH, NATIONALITY}

# Korea keeps one offset all year; the printed dates are calendar days there.
KST = timezone(timedelta(hours=9), "KST")
_EPOCH = date(1970, 1, 1)
_LAST_DAY = (date(9999, 12, 30) - _EPOCH).days
_LAST_SECOND = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())
_MAX_TEXT = 100  # longer than anything printed on a card, short enough to keep the QR readable
_BIRTH = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_NATIONALITY = re.compile(r"[A-Z]{3}")


class DocumentMalformed(ValueError):
    """The document or its claims are not of the expected form; the message names the field."""


class DocumentType(IntEnum):
    """Wire codes; the names are those of `asylon.procedure.documents.DocumentType`, so adapters map by name."""

    TEMPORARY_CERTIFICATE = 1
    REFUGEE_CERTIFICATE = 2
    COMPLEMENTARY_PROTECTION_DOCUMENT = 3
    HUMANITARIAN_STATUS_DOCUMENT = 4


def _check_text(value: str, field: str, *, empty: bool = False) -> None:
    if not empty and not value:
        raise DocumentMalformed(f"{field} is empty")
    if len(value) > _MAX_TEXT:
        raise DocumentMalformed(f"{field} is longer than {_MAX_TEXT} characters")
    # HCERT asks for NFC strings; requiring it at issuance makes equal names equal bytes.
    if not unicodedata.is_normalized("NFC", value):
        raise DocumentMalformed(f"{field} is not in Unicode NFC")


def _check_birth(value: str) -> None:
    match = _BIRTH.fullmatch(value)
    if match is None:
        raise DocumentMalformed(f"date of birth {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise DocumentMalformed(f"date of birth {value!r} is not a calendar date") from None


@dataclass(frozen=True)
class Document:
    """What the card prints, and so all the code may carry."""

    type: DocumentType
    number: str
    family_name: str
    given_name: str
    family_name_latin: str
    given_name_latin: str
    date_of_birth: str | None
    valid_from: date
    valid_until: date
    office: str
    status_index: int
    nationality: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.number, "the document number")
        _check_text(self.office, "the issuing office")
        for value, field in (
            (self.family_name, "the family name"),
            (self.given_name, "the given name"),
            (self.family_name_latin, "the Latin family name"),
            (self.given_name_latin, "the Latin given name"),
        ):
            # A mononym leaves one of the two empty, as ICAO Doc 9303 Part 3 allows.
            _check_text(value, field, empty=True)
        if not (self.family_name or self.given_name) or not (self.family_name_latin or self.given_name_latin):
            raise DocumentMalformed("a name needs a family name or a given name in each script")
        if self.date_of_birth is not None:
            _check_birth(self.date_of_birth)
        if self.valid_until < self.valid_from:
            raise DocumentMalformed("the document would end before it starts")
        if self.status_index < 0:
            raise DocumentMalformed("the status-list index is negative")
        if self.nationality is not None and not _NATIONALITY.fullmatch(self.nationality):
            raise DocumentMalformed(f"nationality {self.nationality!r} is not an ISO 3166-1 alpha-3 code")


@dataclass(frozen=True)
class Claims:
    """The whole token: who issued it, when, for how long, and the document."""

    issuer: str
    issued_at: datetime
    not_before: datetime
    expires: datetime
    document: Document

    def __post_init__(self) -> None:
        _check_text(self.issuer, "the issuer")
        for moment in (self.issued_at, self.not_before, self.expires):
            if moment.utcoffset() is None:
                raise DocumentMalformed("claim times must be timezone-aware")
        if self.expires <= self.not_before or self.expires <= self.issued_at:
            raise DocumentMalformed("the token would expire before it starts or before it was issued")


def validity_instants(document: Document, zone: tzinfo = KST) -> tuple[datetime, datetime]:
    """nbf and exp for the printed dates: from the first moment of `valid_from` to the end of `valid_until`."""
    start = datetime.combine(document.valid_from, time(), zone)
    end = datetime.combine(document.valid_until + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _numeric_date(moment: datetime) -> int:
    # RFC 8392 §2 NumericDate; whole seconds are all a card needs and save a float's 9 bytes.
    return int(moment.timestamp())


def claims_encode(claims: Claims) -> bytes:
    document = claims.document
    fields: dict[int, object] = {TYPE: int(document.type), NUMBER: document.number}
    if (document.family_name, document.given_name) != (document.family_name_latin, document.given_name_latin):
        fields[FAMILY] = document.family_name
        fields[GIVEN] = document.given_name
    fields[FAMILY_LATIN] = document.family_name_latin
    fields[GIVEN_LATIN] = document.given_name_latin
    if document.date_of_birth is not None:
        fields[BIRTH] = document.date_of_birth
    fields[FROM] = (document.valid_from - _EPOCH).days
    fields[UNTIL] = (document.valid_until - _EPOCH).days
    fields[OFFICE] = document.office
    fields[INDEX] = document.status_index
    if document.nationality is not None:
        fields[NATIONALITY] = document.nationality
    return cbor2.dumps(
        {
            ISS: claims.issuer,
            EXP: _numeric_date(claims.expires),
            NBF: _numeric_date(claims.not_before),
            IAT: _numeric_date(claims.issued_at),
            DOCUMENT_CLAIM: fields,
        }
    )


def _text(fields: dict[object, object], key: int, name: str) -> str:
    value = fields[key]
    if type(value) is not str:
        raise DocumentMalformed(f"{name} (key {key}) is not text")
    return value


def _int(fields: dict[object, object], key: int, name: str, low: int, high: int) -> int:
    value = fields[key]
    # type() rather than isinstance(): CBOR true and false decode to bool, a subclass of int.
    if type(value) is not int or not low <= value <= high:
        raise DocumentMalformed(f"{name} (key {key}) is not an integer from {low} to {high}")
    return value


def claims_decode(payload: bytes) -> Claims:
    """The inverse of `claims_encode`; raises `DocumentMalformed` for anything it would not write."""
    try:
        claims = cbor2.loads(payload, max_depth=4, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception:
        # Every decoding failure of cbor2 means the same thing here: not our payload.
        raise DocumentMalformed("the payload is not CBOR") from None
    if not isinstance(claims, dict) or set(claims) != {ISS, EXP, NBF, IAT, DOCUMENT_CLAIM}:
        raise DocumentMalformed("the payload must hold exactly iss, exp, nbf, iat and the document")
    fields = claims[DOCUMENT_CLAIM]
    if not isinstance(fields, dict):
        raise DocumentMalformed("the document claim is not a map")
    # An ASY1 verifier cannot show a field it does not know, and a hidden field could restrict
    # the document, so an unknown key refuses the document rather than being skipped.
    if not set(fields) >= _REQUIRED or not set(fields) <= _KNOWN:
        raise DocumentMalformed("the document claim lacks a required field or has an unknown one")
    if (FAMILY in fields) != (GIVEN in fields):
        raise DocumentMalformed("a name in the recorded script needs both its parts")
    try:
        document_type = DocumentType(_int(fields, TYPE, "the document type", 1, 255))
    except ValueError:
        raise DocumentMalformed(f"unknown document type {fields[TYPE]!r}") from None
    family_latin = _text(fields, FAMILY_LATIN, "the Latin family name")
    given_latin = _text(fields, GIVEN_LATIN, "the Latin given name")
    document = Document(
        type=document_type,
        number=_text(fields, NUMBER, "the document number"),
        family_name=_text(fields, FAMILY, "the family name") if FAMILY in fields else family_latin,
        given_name=_text(fields, GIVEN, "the given name") if GIVEN in fields else given_latin,
        family_name_latin=family_latin,
        given_name_latin=given_latin,
        date_of_birth=_text(fields, BIRTH, "the date of birth") if BIRTH in fields else None,
        valid_from=_EPOCH + timedelta(days=_int(fields, FROM, "valid from", 0, _LAST_DAY)),
        valid_until=_EPOCH + timedelta(days=_int(fields, UNTIL, "valid until", 0, _LAST_DAY)),
        office=_text(fields, OFFICE, "the issuing office"),
        status_index=_int(fields, INDEX, "the status-list index", 0, 2**32 - 1),
        nationality=_text(fields, NATIONALITY, "the nationality") if NATIONALITY in fields else None,
    )

    def moment(key: int, name: str) -> datetime:
        return datetime.fromtimestamp(_int(claims, key, name, 0, _LAST_SECOND), UTC)

    decoded = Claims(
        issuer=_text(claims, ISS, "the issuer"),
        issued_at=moment(IAT, "iat"),
        not_before=moment(NBF, "nbf"),
        expires=moment(EXP, "exp"),
        document=document,
    )
    if claims_encode(decoded) != payload:
        # cbor2 ignores trailing bytes and accepts other key orders; one document, one payload.
        raise DocumentMalformed("the payload is not in the one encoding claims_encode writes")
    return decoded
