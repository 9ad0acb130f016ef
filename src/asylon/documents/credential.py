"""A document's signed QR text, and the status list that revokes it.

The QR text is **not stored**: it is signed again each time a card is printed or shown. It
holds the holder's name and birth date in clear, so a stored copy would be a second, readable
copy of sealed personal data, and it would pin the signer key of its day; signing on demand
reads the sealed row through the keyring (so shredding an office's keys also ends its cards'
reprints) and always uses the office's current key, which makes key rotation free. Two prints
of one document differ in `iat` and signature but carry the same status index, so revoking
the document ends both.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from asylon.credentials import cwt, issue, status, trust, verify
from asylon.documents import keys
from asylon.documents.models import Document
from asylon.people.models import Name, Person


class NotPrintable(Exception):
    """The record lacks something the card must print; the message names it."""


class _Taken:
    """Indexes already given out, asked of the database one draw at a time (no million-row set)."""

    def __contains__(self, index: object) -> bool:
        return bool(Document.objects.filter(status_index=index).exists())


def status_index_draw() -> int:
    """A free random index for a new document; the unique column catches a concurrent twin."""
    return status.status_index_random(keys.issuer_keys().status_size, taken=_Taken())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _parts(name: Name) -> tuple[str, str]:
    family, given = _nfc(name.family_name), _nfc(name.given_name)
    if not family and not given:
        given = _nfc(name.text)  # recorded whole, as a mononym or unsplit
    return family, given


def holder_names(person: Person) -> tuple[Name, Name]:
    """The name in its recorded script (the primary one) and the name in Latin script."""
    names = list(person.names.all())
    primary = next((n for n in names if n.is_primary), names[0] if names else None)
    if primary is None:
        raise NotPrintable(f"{person} has no recorded name")
    latin = primary if primary.script == "Latn" else next((n for n in names if n.script == "Latn"), None)
    if latin is None:
        raise NotPrintable(f"{person} has no name in Latin script; record one before printing")
    return primary, latin


def card_content(document: Document) -> cwt.Document:
    """What the card prints, and so all its code carries (cwt: data minimization)."""
    if document.status_index is None:
        raise NotPrintable(f"document {document.number} has no status-list index")
    person = document.person
    primary, latin = holder_names(person)
    family, given = _parts(primary)
    family_latin, given_latin = _parts(latin)
    return cwt.Document(
        type=cwt.DocumentType[document.type.upper()],
        number=document.number,
        family_name=family,
        given_name=given,
        family_name_latin=family_latin,
        given_name_latin=given_latin,
        date_of_birth=person.birth_date or None,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        office=document.case.office,
        status_index=document.status_index,
    )


def document_qr_text(document: Document, *, now: datetime) -> str:
    """The `ASY1:` text for the document's card, signed now by its office's current key."""
    content = card_content(document)
    signer = keys.signer_for(content.office, now)
    return issue.document_sign(content, issuer=keys.issuer_keys().authority, signer=signer, now=now)


def status_list_current(*, now: datetime, revoked: Iterable[int] | None = None) -> status.StatusList:
    """Revocation sets a document's bit: the list is built from the revoked rows each time."""
    issuer = keys.issuer_keys()
    if revoked is None:
        revoked = Document.objects.filter(revoked_on__isnull=False, status_index__isnull=False).values_list(
            "status_index", flat=True
        )
    return status.status_list_build(
        authority=issuer.authority, size=issuer.status_size, revoked=revoked, issued_at=now, ttl=keys.STATUS_TTL
    )


def status_list_signed(*, now: datetime) -> bytes:
    """Signed by the current key of the first office that has one: any trusted key may sign it."""
    issuer = keys.issuer_keys()
    current = [s for s in issuer.signers if s.signs_from <= now <= s.signs_until]
    if current:
        signer = max(current, key=lambda s: s.signs_from)
    else:
        # The demo's first office ("main", see people.models.office_slug); production fails loudly.
        signer = keys.signer_for("main", now)
    return status.status_list_sign(status_list_current(now=now), signer=signer)


def verdict_now(text: str, *, now: datetime) -> verify.Verdict:
    """The verdict with this server's lists, loaded as any verifier loads them (signatures checked)."""
    # The status list first: in the demo, signing it may add a key that the trust list must hold.
    signed_status = status_list_signed(now=now)
    trusted = trust.trust_list_load(keys.trust_list_signed(now), roots=[keys.issuer_keys().root_public])
    listed = status.status_list_load(signed_status, trust=trusted)
    return verify.document_verify(text, now=now, trust=trusted, status=listed)


def shown(document: cwt.Document) -> dict[str, object]:
    """A genuine document's printed fields, for a verifier's screen."""
    return {
        "type": document.type.name.lower(),
        "number": document.number,
        "name": f"{document.family_name} {document.given_name}".strip(),
        "name_latin": f"{document.family_name_latin} {document.given_name_latin}".strip(),
        "date_of_birth": document.date_of_birth,
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat(),
        "office": document.office,
    }
