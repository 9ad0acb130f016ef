"""Issue, renew and revoke the documents the core says a person must hold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, date, datetime, time

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from asylon.accounts.models import User
from asylon.cases.models import NumberSeries
from asylon.documents.credential import status_index_draw
from asylon.documents.models import Document, DocumentDue
from asylon.people.models import Person
from asylon.procedure import documents as procedure
from asylon.procedure.refusals import Code, Refusal, Refused
from asylon.transparency.services import document_log

PREFIX = {
    procedure.DocumentType.TEMPORARY_CERTIFICATE: "T",
    procedure.DocumentType.REFUGEE_CERTIFICATE: "R",
    procedure.DocumentType.COMPLEMENTARY_PROTECTION_DOCUMENT: "C",
    procedure.DocumentType.HUMANITARIAN_STATUS_DOCUMENT: "H",
}


def check_character(body: str) -> str:
    """ICAO Doc 9303 check digit (weights 7, 3, 1), as on passports' machine-readable zone."""
    values = [int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10 for ch in body.upper()]
    return str(sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10)


def number_is_valid(number: str) -> bool:
    return len(number) > 1 and number[:-1].isalnum() and check_character(number[:-1]) == number[-1]


def _next_number(document_type: procedure.DocumentType, year: int) -> str:
    prefix = f"{PREFIX[document_type]}{year % 100:02d}"
    body = f"{prefix}{NumberSeries.draw(prefix, Document.objects.filter(number__startswith=prefix)):07d}"
    return body + check_character(body)


def _held(person: Person) -> tuple[procedure.Document, ...]:
    return tuple(d.to_domain() for d in person.documents.all())


def document_create(
    *, person: Person, case_id: int, document_type: procedure.DocumentType, user: User | None, at: datetime
) -> Document:
    """Every issuance, renewal included, comes through here; its log entry is written with it."""
    start, end = procedure.validity(document_type, at.date())
    document = Document.objects.create(
        person=person,
        case_id=case_id,
        type=document_type,
        number=_next_number(document_type, at.year),
        valid_from=start,
        valid_until=end,
        issued_by=user,
        issued_at=at,
        status_index=status_index_draw(),
    )
    document_log(document, action="issued", actor_id=user.pk if user else None, at=at)
    documents_due_refresh([person.pk], at.date())
    return document


def documents_due_refresh(person_ids: Collection[int], since: date) -> None:
    """Within the caller's transaction: rewrite what these persons are due from `since` on, as
    the core's `due_periods` says for their cases and documents as they now stand. Called by
    every change to either, so that the documentation queue reads the core's answer."""
    from asylon.cases.models import CaseMember

    cases = defaultdict(list)
    latest_first = CaseMember.objects.filter(person_id__in=person_ids).order_by("-case__opened_at", "-case_id")
    for member in latest_first.select_related("case"):
        cases[member.person_id].append(member.case)
    held = defaultdict(list)
    for document in Document.objects.filter(person_id__in=person_ids):
        held[document.person_id].append(document.to_domain())
    DocumentDue.objects.filter(person_id__in=person_ids).delete()
    DocumentDue.objects.bulk_create(
        DocumentDue(
            person_id=person_id,
            case_id=cases[person_id][0].pk,
            type=period.due.type,
            document_id=period.due.document.id if period.due.document else None,
            due_from=period.start,
            due_until=period.end,
        )
        for person_id in person_ids
        if cases[person_id]
        for period in procedure.due_periods(
            tuple(c.to_domain() for c in cases[person_id]), tuple(held[person_id]), since
        )
    )


def documents_issue_due(*, case: object, user: User | None, at: datetime) -> list[Document]:
    """Within the caller's transaction: issue what each person of the case must now hold."""
    from asylon.cases.services import case_persons, domain_cases_of

    issued = []
    persons = case_persons(case)  # type: ignore[arg-type]
    for person in persons:
        due = procedure.documents_to_issue(domain_cases_of(person), _held(person), at.date())
        for document_type in due:
            issued.append(
                document_create(person=person, case_id=case.pk, document_type=document_type, user=user, at=at)
            )  # type: ignore[attr-defined]
    # The step moved the case: what its persons are due next moves with it.
    documents_due_refresh([p.pk for p in persons], at.date())
    return issued


@transaction.atomic
def document_issue(
    *, user: User, person_id: int, case_id: int, document_type: procedure.DocumentType, at: datetime | None = None
) -> Document:
    from asylon.cases.access import cases_for_user
    from asylon.cases.services import NotFound, domain_cases_of, require_role

    require_role(user, procedure.ISSUERS)
    at = at or timezone.now()
    visible = cases_for_user(user).filter(pk=case_id).values("pk")
    person = Person.objects.select_for_update().filter(pk=person_id, memberships__case__in=visible).first()
    if person is None:
        raise NotFound(f"person {person_id} in case {case_id}")
    refusals = procedure.issue_refusals(document_type, domain_cases_of(person), user.actor())
    if refusals:
        raise Refused(refusals)
    return document_create(person=person, case_id=case_id, document_type=document_type, user=user, at=at)


def _locked(user: User, document_id: int) -> tuple[Document, Person]:
    """The document, if the user may see its case, and its holder, both locked."""
    from asylon.cases.access import cases_for_user
    from asylon.cases.services import NotFound

    visible = cases_for_user(user).values("pk")
    document = Document.objects.select_for_update().filter(pk=document_id, case__in=visible).first()
    if document is None:
        raise NotFound(f"document {document_id}")
    return document, Person.objects.select_for_update().get(pk=document.person_id)


def _revoke(document: Document, person: Person, *, user: User, reason: str, at: datetime) -> None:
    """Revoke, within the caller's transaction, once the core allows it; logged with it."""
    from asylon.cases.services import domain_cases_of

    refusals = procedure.revocation_refusals(
        document.to_domain(), _held(person), domain_cases_of(person), user.actor(), at.date()
    )
    if not reason.strip():
        refusals.append(Refusal.of(Code.REASON_MISSING))
    if refusals:
        raise Refused(refusals)
    document.revoked_on = at.date()
    document.revoked_reason = reason
    document.save(update_fields=["revoked_on", "revoked_reason"])
    document_log(document, action="revoked", actor_id=user.pk, at=at)
    documents_due_refresh([person.pk], at.date())


@transaction.atomic
def document_revoke(*, user: User, document_id: int, reason: str, at: datetime | None = None) -> Document:
    from asylon.cases.services import require_role

    require_role(user, procedure.REVOKERS)
    document, person = _locked(user, document_id)
    _revoke(document, person, user=user, reason=reason, at=at or timezone.now())
    return document


@transaction.atomic
def document_replace(*, user: User, document_id: int, reason: str, at: datetime | None = None) -> Document:
    """A lost, stolen or damaged document: a new one of the same type is issued and the old one
    revoked, in one transaction, so that the holder is never without a valid document and the
    old card stops verifying once the status list is refreshed. The core is asked both times."""
    from asylon.cases.services import NotFound, domain_cases_of, require_role

    require_role(user, procedure.ISSUERS)
    require_role(user, procedure.REVOKERS)
    at = at or timezone.now()
    old, person = _locked(user, document_id)
    if old.revoked_on is not None:
        raise NotFound(f"valid document {document_id}")
    document_type = procedure.DocumentType(old.type)
    refusals = procedure.issue_refusals(document_type, domain_cases_of(person), user.actor())
    if not reason.strip():
        refusals.append(Refusal.of(Code.REASON_MISSING))
    if refusals:
        raise Refused(refusals)
    new = document_create(person=person, case_id=old.case_id, document_type=document_type, user=user, at=at)
    _revoke(old, person, user=user, reason=reason, at=at)
    return new


def documents_renew_due(*, today: date, progress: bool = False) -> int:
    """The daily run: issue each person what the core says they are due today. That is the
    renewal of each document about to expire, and any document they need but hold none of,
    valid, as after a day the run was missed. The stored periods say whom to ask (one indexed
    query); the core is asked again for each, under the person's lock."""
    from asylon.cases.services import domain_cases_of

    due_today = DocumentDue.objects.filter(Q(due_until__isnull=True) | Q(due_until__gte=today), due_from__lte=today)
    # The case a first issue is filed under: the person's latest, as in the queue.
    latest_case = dict(due_today.values_list("person_id", "case_id"))
    at = datetime.combine(today, time(), tzinfo=UTC)
    issued = 0
    for person_id in tqdm(sorted(latest_case), desc="Issuing documents due", disable=not progress):
        with transaction.atomic():
            person = Person.objects.select_for_update().get(pk=person_id)
            documents = {d.pk: d for d in person.documents.all()}
            held = tuple(d.to_domain() for d in documents.values())
            for due in procedure.documents_due(domain_cases_of(person), held, today):
                case_id = documents[due.document.id].case_id if due.document else latest_case[person_id]
                document_create(person=person, case_id=case_id, document_type=due.type, user=None, at=at)
                issued += 1
    return issued
