"""Identity documents: no applicant is ever left without one.

Letter of 21 September 2023 and Art. 46, Exit and Entry Administration Law (2012): a
temporary identity certificate during screening, a refugee identity certificate after
recognition. Refugee Convention Art. 27; UNHCR EXCOM Conclusion No. 91 (2001).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from asylon.procedure.case import DOCUMENTED, Case, Outcome, State
from asylon.procedure.refusals import Code, Refusal
from asylon.procedure.roles import Actor, Role

TEMPORARY_VALIDITY = timedelta(days=180)
STATUS_VALIDITY = timedelta(days=365 * 2)
# Documents expiring within this window are renewed by the daily renewal run.
RENEWAL_WINDOW = timedelta(days=30)


class DocumentType(StrEnum):
    TEMPORARY_CERTIFICATE = "temporary_certificate"
    REFUGEE_CERTIFICATE = "refugee_certificate"
    COMPLEMENTARY_PROTECTION_DOCUMENT = "complementary_protection_document"
    HUMANITARIAN_STATUS_DOCUMENT = "humanitarian_status_document"


STATUS_DOCUMENT = {
    Outcome.REFUGEE_STATUS: DocumentType.REFUGEE_CERTIFICATE,
    Outcome.COMPLEMENTARY_PROTECTION: DocumentType.COMPLEMENTARY_PROTECTION_DOCUMENT,
    Outcome.HUMANITARIAN_STATUS: DocumentType.HUMANITARIAN_STATUS_DOCUMENT,
}


@dataclass(frozen=True)
class Document:
    id: int
    type: DocumentType
    valid_from: date
    valid_until: date
    revoked: bool = False

    def valid_on(self, day: date) -> bool:
        return not self.revoked and self.valid_from <= day <= self.valid_until


def needs_document(cases: tuple[Case, ...]) -> bool:
    """From registration to the end of the appeal window, the applicant holds a document."""
    return any(c.state in DOCUMENTED for c in cases)


def entitlements(cases: tuple[Case, ...]) -> frozenset[DocumentType]:
    found = set()
    if needs_document(cases):
        found.add(DocumentType.TEMPORARY_CERTIFICATE)
    for case in cases:
        if case.final_outcome in STATUS_DOCUMENT and case.state in (State.FINAL, *DOCUMENTED):
            found.add(STATUS_DOCUMENT[case.final_outcome])
    return frozenset(found)


def validity(document_type: DocumentType, today: date) -> tuple[date, date]:
    length = TEMPORARY_VALIDITY if document_type == DocumentType.TEMPORARY_CERTIFICATE else STATUS_VALIDITY
    return today, today + length


ISSUERS = frozenset({Role.DOCUMENTATION_OFFICER, Role.REGISTRATION_OFFICER})
REVOKERS = frozenset({Role.DOCUMENTATION_OFFICER})
# The API's verifier answers everyone who works in the system (deny by default); a guard or a
# clinic checks a card with the offline page or `asylon verify`, with no account at all.
VERIFIERS = frozenset(Role)


def issue_refusals(document_type: DocumentType, cases: tuple[Case, ...], actor: Actor) -> list[Refusal]:
    found = []
    if not actor.has_any(ISSUERS):
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))
    if document_type not in entitlements(cases):
        found.append(Refusal.of(Code.NO_ENTITLEMENT))
    return found


def revocation_refusals(
    document: Document, held: tuple[Document, ...], cases: tuple[Case, ...], actor: Actor, today: date
) -> list[Refusal]:
    """A document is revoked only if the person keeps another valid one while they need it:
    valid today and tomorrow, since the daily run renews only what is still valid on its day
    and may already have run today."""
    found = []
    if not actor.has_any(REVOKERS):
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))
    if not document.valid_on(today):
        found.append(Refusal.of(Code.DOCUMENT_NOT_VALID))
    others = [d for d in held if d.id != document.id]
    kept = all(any(d.valid_on(day) for d in others) for day in (today, today + timedelta(days=1)))
    if needs_document(cases) and not kept:
        found.append(Refusal.of(Code.DOCUMENTATION_GAP))
    return found


def due_for_renewal(document: Document, held: tuple[Document, ...], today: date) -> bool:
    """About to expire, and not yet renewed: no unrevoked document of its type lasts longer."""
    if not document.valid_on(today) or document.valid_until - today > RENEWAL_WINDOW:
        return False
    return not any(d.type == document.type and not d.revoked and d.valid_until > document.valid_until for d in held)


def renewals_due(cases: tuple[Case, ...], held: tuple[Document, ...], today: date) -> list[Document]:
    """The documents held that are to be renewed now: about to expire, not yet renewed, and of
    a type the person is still entitled to (a temporary certificate is not renewed once the
    case is final, nor a status document once the protection has ended)."""
    entitled = entitlements(cases)
    return [d for d in held if d.type in entitled and due_for_renewal(d, held, today)]


def documents_to_issue(cases: tuple[Case, ...], held: tuple[Document, ...], today: date) -> list[DocumentType]:
    """What the person must be issued after a step: a temporary certificate whenever they
    need a document and hold none valid (at registration, and again on reopening), and the
    status document of a protection they hold but have no valid document for."""
    valid = {d.type for d in held if d.valid_on(today)}
    due = []
    if needs_document(cases) and not valid:
        due.append(DocumentType.TEMPORARY_CERTIFICATE)
    for document_type in sorted(entitlements(cases) - {DocumentType.TEMPORARY_CERTIFICATE}):
        if document_type not in valid:
            due.append(document_type)
    # A document about to expire is renewed with the step, not left to the daily run, which
    # renews only documents still valid on its day: a case reopened on its document's last
    # day would otherwise be left a day without one.
    if needs_document(cases):
        for document in held:
            if document.type not in due and due_for_renewal(document, held, today):
                due.append(document.type)
    return due


@dataclass(frozen=True)
class Due:
    """One line of the documentation desk's work: the renewal of `document`, or a first issue
    of `type` when `document` is None."""

    type: DocumentType
    document: Document | None = None


def documents_due(cases: tuple[Case, ...], held: tuple[Document, ...], today: date) -> list[Due]:
    """What the person is due today: each renewal beside the document it renews, then every
    other document to issue. A renewal that `documents_to_issue` also names is listed once."""
    renewals = renewals_due(cases, held, today)
    renewing = {d.type for d in renewals}
    due = [Due(d.type, d) for d in renewals]
    due += [Due(t) for t in documents_to_issue(cases, held, today) if t not in renewing]
    return due


@dataclass(frozen=True)
class DuePeriod:
    """`due` holds on every day from `start` to `end` (None: until the cases or documents change)."""

    due: Due
    start: date
    end: date | None


def due_periods(cases: tuple[Case, ...], held: tuple[Document, ...], since: date) -> list[DuePeriod]:
    """`documents_due` on every day from `since` on, while the cases and documents stay as they
    are. Only time moves its answer, and only on the days a document becomes valid, enters its
    renewal window or has expired, so the core is asked on those days alone; a store of these
    periods answers "what is due today" with one query instead of the core per person."""
    turns = {since}
    for d in held:
        turns |= {d.valid_from, d.valid_until - RENEWAL_WINDOW, d.valid_until + timedelta(days=1)}
    periods = []
    started: dict[Due, date] = {}
    for day in sorted(t for t in turns if t >= since):
        now = documents_due(cases, held, day)
        for due in [d for d in started if d not in now]:
            periods.append(DuePeriod(due, started.pop(due), day - timedelta(days=1)))
        for due in now:
            started.setdefault(due, day)
    periods += [DuePeriod(due, start, None) for due, start in started.items()]
    return periods
