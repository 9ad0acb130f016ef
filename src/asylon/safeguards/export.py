"""The one way personal data leaves Asylon: an approved disclosure, previewed, watermarked and logged.

A disclosure names a person, a recipient, a purpose, a legal basis and the exact fields. Its
content is built here and nowhere else, so the preview a data protection officer approves and
the file made later are the same function of the same data: the file goes out only while the
content still has the digest that was approved. tests/disclosure/test_one_path.py fails on any
other download, CSV writer, route or command that would let personal data out another way.

Rows: a disclosure names one person (`Disclosure.person`), so its content has one row. Members
of the same case are disclosed by requests of their own; the `family` field names relatives by
relation and primary name, and then their origins count for the origin guard as well.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from asylon.accounts.models import User
from asylon.cases.access import cases_for_user
from asylon.cases.models import CaseMember, CaseRead
from asylon.cases.services import NotFound, require_role
from asylon.documents.models import Document
from asylon.people.models import DetentionEpisode, FamilyLink, Person
from asylon.procedure import disclosure as disclosure_rules
from asylon.procedure.refusals import Refused
from asylon.safeguards.models import Disclosure, DisclosureExport
from asylon.safeguards.services import _disclosure_domain, disclosed_origins
from asylon.transparency.services import canonical, disclosure_log, pseudonym

CONTENT_TYPE = "application/json; charset=utf-8"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _names(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "text": name.text,
            "family_name": name.family_name,
            "given_name": name.given_name,
            "script": name.script,
            "romanization": name.romanization,
            "source": name.source,
            "primary": name.is_primary,
        }
        for name in person.names.order_by("-is_primary", "pk")
    ]


def _family(person: Person) -> list[dict[str, Any]]:
    links = FamilyLink.objects.filter(person=person).select_related("relative").order_by("pk")
    found = []
    for link in links:
        name = link.relative.primary_name()
        found.append({"relation": link.relation, "name": name.text if name else None})
    return found


def _documents(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "type": document.type,
            "number": document.number,
            "valid_from": _day(document.valid_from),
            "valid_until": _day(document.valid_until),
            "revoked_on": _day(document.revoked_on),
        }
        for document in Document.objects.filter(person=person).order_by("pk")
    ]


def _detention(person: Person) -> list[dict[str, Any]]:
    return [
        {"site": e.site, "detained_since": _day(e.detained_since), "released_on": _day(e.released_on)}
        for e in DetentionEpisode.objects.filter(person=person).order_by("pk")
    ]


def _case_status(person: Person) -> list[dict[str, Any]]:
    # Every case of the person, whoever looks: the content may not depend on the viewer, or the
    # requester's export would differ from what the approver saw.
    memberships = CaseMember.objects.filter(person=person).select_related("case").order_by("case_id")
    return [
        {
            "case": m.case.number,
            "relation": m.relation,
            "state": m.case.state,
            "outcome": m.case.final_outcome or m.case.outcome or None,
        }
        for m in memberships
    ]


# One entry per name in asylon.safeguards.services.DISCLOSABLE_FIELDS.
FIELDS: dict[str, Callable[[Person], Any]] = {
    "names": _names,
    "birth_date": lambda person: person.birth_date or None,
    "sex": lambda person: person.sex,
    "nationalities": lambda person: sorted(person.nationalities),
    "languages": lambda person: list(person.languages),
    "specific_needs": lambda person: sorted(person.specific_needs),
    "family": _family,
    "documents": _documents,
    "detention": _detention,
    "case_status": _case_status,
}


@dataclass(frozen=True)
class Content:
    """Exactly the approved fields for exactly the approved rows; nothing else goes in a file."""

    fields: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]

    def canonical(self) -> bytes:
        return canonical({"fields": list(self.fields), "rows": list(self.rows)})

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def disclosure_content(disclosure: Disclosure) -> Content:
    """The disclosure's content as it is now; callers check the guard first."""
    fields = tuple(sorted(disclosure.fields))
    person = disclosure.person
    row = {field: FIELDS[field](person) for field in fields}
    return Content(fields, (row,))


@dataclass(frozen=True)
class Preview:
    disclosure: Disclosure
    content: Content
    digest: str


@dataclass(frozen=True)
class ExportedFile:
    record: DisclosureExport
    name: str
    content: bytes
    content_type: str = CONTENT_TYPE


def _disclosure_for(user: User, disclosure_id: int) -> Disclosure:
    """A disclosure of a person in a case this user may see; the same answer for missing and
    forbidden. The rows of the disclosure and its recipient are locked here, and every record of
    the person by the origin guard (`disclosed_origins`, in primary-key order, as a merge locks
    them): a change to the recipient's register entry or to the origins lands before the guard
    looks, or waits."""
    visible = Person.objects.filter(memberships__case__in=cases_for_user(user)).values("pk")
    disclosure = (
        Disclosure.objects.select_for_update(of=("self", "recipient"))
        .select_related("recipient", "person")
        .filter(pk=disclosure_id, person__in=visible)
        .first()
    )
    if disclosure is None:
        raise NotFound(f"disclosure {disclosure_id}")
    return disclosure


# Country of origin, and what the answer reveals. The origin guard runs before any content is
# built, on every preview and every export, against the registers as they are at that moment:
# for a recipient of, in, or sharing with a country of origin nothing is built, so no file, no
# preview and no row count can go out, and no export is recorded in the public log. The refusal
# itself depends on the person's origins, but only a user who may already see the person gets
# it: everyone else gets the 404 a nonexistent disclosure gets, from `_disclosure_for`, before
# the guard is asked. The recipient, outside the system, learns nothing either way.


@transaction.atomic
def disclosure_preview(*, user: User, disclosure_id: int, at: datetime | None = None) -> Preview:
    """The exact content a data protection officer approves; the read is recorded."""
    require_role(user, disclosure_rules.REQUESTERS)
    at = at or timezone.now()
    disclosure = _disclosure_for(user, disclosure_id)
    refusals = disclosure_rules.preview_refusals(
        _disclosure_domain(disclosure),
        disclosed_origins(disclosure.person, disclosure.fields),
        closed=disclosure.status in (Disclosure.Status.REFUSED, Disclosure.Status.REJECTED),
        requester_id=disclosure.requested_by_id,
        viewer=user.actor(),
    )
    if refusals:
        raise Refused(refusals)
    content = disclosure_content(disclosure)
    purpose = f"preview of disclosure {disclosure.pk}"
    for case in cases_for_user(user).filter(members__person=disclosure.person).order_by("pk"):
        CaseRead.objects.create(case=case, user=user, purpose=purpose, at=at)
    return Preview(disclosure, content, content.digest)


def _statement(disclosure: Disclosure, watermark: str) -> str:
    recipient = disclosure.recipient
    agreement = f"data-sharing agreement {recipient.agreement}" if recipient.agreement else "no data-sharing agreement"
    return (
        f"Disclosed to {recipient.name} ({recipient.kind.replace('_', ' ')}, {recipient.country}) "
        f"for the stated purpose only, on the legal basis {disclosure.legal_basis.replace('_', ' ')}, "
        f"under {agreement}. Onward transfer to any third party is prohibited, and to any authority "
        f"of the person's country of origin in every case. Every copy and excerpt of this file "
        f"carries watermark {watermark} and is traceable to this export."
    )


def _file(disclosure: Disclosure, content: Content, watermark: str, at: datetime) -> bytes:
    assert disclosure.decided_at is not None
    recipient = disclosure.recipient
    header = {
        "number": disclosure.pk,
        "recipient": recipient.name,
        "recipient_kind": recipient.kind,
        "recipient_country": recipient.country,
        "agreement": recipient.agreement,
        "purpose": disclosure.purpose,
        "legal_basis": disclosure.legal_basis,
        "approved_by": pseudonym("actor", disclosure.decided_by_id),
        "approved_at": disclosure.decided_at.isoformat(),
        "exported_at": at.isoformat(),
        "watermark": watermark,
        "digest": content.digest,
        "statement": _statement(disclosure, watermark),
    }
    assert "watermark" not in content.fields
    rows = [{**row, "watermark": watermark} for row in content.rows]
    # Canonical JSON: keys sorted, so the header ("disclosure") comes first.
    return canonical({"disclosure": header, "fields": list(content.fields), "rows": rows})


@transaction.atomic
def disclosure_export(*, user: User, disclosure_id: int, at: datetime | None = None) -> ExportedFile:
    """The file, made only from an approved disclosure whose content is still what the approver
    saw; the export and its log entry are written in the same transaction as the file is made."""
    require_role(user, disclosure_rules.REQUESTERS)
    at = at or timezone.now()
    disclosure = _disclosure_for(user, disclosure_id)
    domain = _disclosure_domain(disclosure)
    origins = disclosed_origins(disclosure.person, disclosure.fields)
    approval = None
    if disclosure.status == Disclosure.Status.APPROVED and disclosure.decided_at is not None:
        approval = disclosure_rules.Approval(disclosure.decided_at, disclosure.approved_digest)
    # Asked before the content is even built, then again with the content's digest.
    early = disclosure_rules.preview_refusals(
        domain, origins, closed=approval is None, requester_id=disclosure.requested_by_id, viewer=user.actor()
    )
    if early:
        raise Refused(early)
    content = disclosure_content(disclosure)
    refusals = disclosure_rules.export_refusals(
        domain,
        origins,
        approval=approval,
        content_digest=content.digest,
        requester_id=disclosure.requested_by_id,
        exporter=user.actor(),
        now=at,
    )
    if refusals:
        raise Refused(refusals)
    watermark = secrets.token_hex(16)
    data = _file(disclosure, content, watermark, at)
    export = DisclosureExport(
        disclosure=disclosure,
        exported_by=user,
        at=at,
        digest=content.digest,
        file_digest=hashlib.sha256(data).hexdigest(),
        watermark=watermark,
        row_count=len(content.rows),
    )
    export.log_entry = disclosure_log(export)
    export.save()
    return ExportedFile(export, f"disclosure-{disclosure.pk}-{watermark[:8]}.json", data)
