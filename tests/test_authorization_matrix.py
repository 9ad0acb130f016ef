"""The authorization matrix: every endpoint and page × every role × the officer's relation to
the case (assigned to them by name / in their unit / in another unit), from one table.

A cell expects the officer to *reach* the record or to be *kept out*. Reaching means the
answer is neither 401, 403 nor 404 (the procedure may still refuse the step itself with 409),
or, for a list, that the record is listed. Kept out means 401, 403 or 404, or not listed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from asylon.accounts.models import ApiToken, RoleGrant, User
from asylon.cases.models import Alert, Case, CaseAssignment, EmergencyAccess
from asylon.cases.services import ALERT_ROLES, INTAKE_ROLES
from asylon.documents.models import Document
from asylon.people.models import DuplicatePair, Person
from asylon.procedure import case as procedure
from asylon.procedure import disclosure as disclosure_rules
from asylon.procedure import documents as document_rules
from asylon.procedure import register as register_rules
from asylon.procedure import removal as removal_rules
from asylon.procedure.access import ASSIGNERS, BREAK_GLASS_REVIEWERS, CASEWORK
from asylon.procedure.case import State
from asylon.procedure.identity import IDENTITY_DECIDERS
from asylon.procedure.roles import Role
from asylon.procedure.transparency import COSIGNATURE_SUBMITTERS
from asylon.safeguards.models import Disclosure, Recipient, Removal
from asylon.transparency.services import checkpoint_sign
from tests.services.helpers import T0, open_case, walk_to

RELATIONS = ("assigned", "same_unit", "other_unit")
REACHING = frozenset({"assigned", "same_unit"})
ROLES: list[Role | None] = [*Role, None]  # None: an account that holds no role
REASON = "Detainee transferred tonight; the assigned officer is unreachable."
SCREEN = {"mode": "regular", "reason": "No specific needs found."}
# Signed in with any role: what is public anyway (the no-return register).
SIGNED_IN = frozenset(Role)

World = dict[str, Any]


@dataclass(frozen=True)
class Row:
    """One endpoint or page: who reaches it, and whether the relation to the case matters."""

    surface: str  # "api" (token) or "page" (signed-in browser)
    method: str
    path: str  # placeholders filled from the world at the relation: {case}, {person}, ...
    roles: frozenset[Role]
    scoped: bool = True
    body: Callable[[World], dict[str, Any]] | None = None
    listed: Callable[[World], str] | None = None  # a list: reaching means this text is in the answer
    reaching: frozenset[str] = field(default=REACHING)

    @property
    def name(self) -> str:
        return f"{self.surface} {self.method} {self.path}"


def _intake(w: World) -> dict[str, Any]:
    return {"people": [{"names": [{"text": "김영호", "script": "Hang"}], "sex": "M"}], "channel": "detained"}


def _disclosure_body(w: World) -> dict[str, Any]:
    return {
        "person_id": w["person"],
        "recipient_id": w["recipient"],
        "purpose": "Resettlement submission.",
        "legal_basis": "consent",
        "fields": ["names"],
    }


TABLE = [
    # Cases
    Row("api", "POST", "/api/intakes", frozenset({Role.REGISTRATION_OFFICER}), scoped=False, body=_intake),
    Row("api", "GET", "/api/cases", CASEWORK, listed=lambda w: w["number"]),
    Row("api", "POST", "/api/cases/search", CASEWORK, body=lambda w: {"q": w["number"]}, listed=lambda w: w["number"]),
    Row("api", "GET", "/api/cases/{case}", CASEWORK),
    Row("api", "GET", "/api/cases/{case}/timeline", CASEWORK),
    Row(
        "api",
        "POST",
        "/api/cases/{case}/steps/screen",
        procedure.Screen.roles,
        body=lambda w: SCREEN,
    ),
    Row(
        "api",
        "POST",
        "/api/alerts",
        ALERT_ROLES,
        scoped=False,
        body=lambda w: {"organisation": "NGO", "names_given": "김영호", "risk": "Transfer to the border tomorrow."},
    ),
    Row(
        "api",
        "GET",
        "/api/alerts",
        frozenset({Role.REGISTRATION_OFFICER}),
        scoped=False,
        listed=lambda w: f'"id": {w["alert"]}',
    ),
    # Safeguards
    Row(
        "api",
        "POST",
        "/api/removals",
        removal_rules.REMOVERS,
        body=lambda w: {"person_id": w["person"], "destination": "KP"},
    ),
    Row("api", "GET", "/api/removals", CASEWORK, listed=lambda w: f'"id": {w["removal"]}'),
    Row("api", "POST", "/api/removals/{removal}/carry-out", removal_rules.REMOVERS),
    Row(
        "api",
        "POST",
        "/api/recipients",
        frozenset({Role.DATA_PROTECTION_OFFICER, Role.ADMINISTRATOR}),
        scoped=False,
        body=lambda w: {"name": "Resettlement desk", "kind": "ngo", "country": "SE"},
    ),
    Row("api", "POST", "/api/disclosures", disclosure_rules.REQUESTERS, body=_disclosure_body),
    Row(
        "api",
        "POST",
        "/api/disclosures/{disclosure}/decision",
        frozenset({Role.DATA_PROTECTION_OFFICER}),
        body=lambda w: {"approve": False},
    ),
    # The requester (no persona here) or a data protection officer previews and exports.
    Row("api", "GET", "/api/disclosures/{disclosure}/preview", frozenset({Role.DATA_PROTECTION_OFFICER})),
    Row("api", "POST", "/api/disclosures/{disclosure}/export", frozenset({Role.DATA_PROTECTION_OFFICER})),
    Row("api", "GET", "/api/register", SIGNED_IN, scoped=False),
    Row(
        "api",
        "POST",
        "/api/register",
        register_rules.LISTERS,
        scoped=False,
        body=lambda w: {"country": "KP", "reason": "Returnees are imprisoned."},
    ),
    Row(
        "api",
        "POST",
        "/api/register/KP/attestations",
        frozenset({Role.MONITOR}),
        scoped=False,
        body=lambda w: {"organisation": "Monitor", "statement": "Improved."},
    ),
    Row("api", "DELETE", "/api/register/KP", frozenset({Role.ADMINISTRATOR}), scoped=False),
    Row(
        "api",
        "POST",
        "/api/documents/{document}/revocation",
        document_rules.REVOKERS,
        body=lambda w: {"reason": "Lost."},
    ),
    Row(
        "api",
        "POST",
        "/api/documents/{document}/replacement",
        document_rules.ISSUERS & document_rules.REVOKERS,
        body=lambda w: {"reason": "Lost."},
    ),
    # Need to know
    Row("api", "GET", "/api/cases/{case}/assignments", CASEWORK),
    Row("api", "POST", "/api/cases/{case}/assignments", ASSIGNERS, body=lambda w: {"user_id": w["aide"]}),
    Row("api", "POST", "/api/assignments/{assignment}/end", ASSIGNERS),
    Row(
        "api",
        "POST",
        "/api/emergency-accesses",
        CASEWORK,
        reaching=frozenset(RELATIONS),  # opened, or refused as not needed: nothing read either way
        body=lambda w: {"case_number": w["number"], "reason": REASON, "hours": 1},
    ),
    Row(
        "api",
        "GET",
        "/api/emergency-accesses/to-review",
        BREAK_GLASS_REVIEWERS,
        listed=lambda w: f'"id": {w["access"]}',
        reaching=frozenset({"same_unit"}),  # the case's own unit reviews who read it
    ),
    Row(
        "api",
        "POST",
        "/api/emergency-accesses/{access}/review",
        BREAK_GLASS_REVIEWERS,
        body=lambda w: {"justified": True},
        reaching=frozenset({"same_unit"}),
    ),
    Row("api", "GET", "/api/documents/{document}/card.pdf", document_rules.ISSUERS),
    Row("api", "POST", "/api/documents/verify", SIGNED_IN, scoped=False, body=lambda w: {"text": "ASY1:NOT-A-CARD"}),
    # The transparency log: public data, for every role; proof bundles follow the case.
    Row("api", "GET", "/api/log/checkpoint?published=false", SIGNED_IN, scoped=False),
    Row("api", "GET", "/api/log/entries/0", SIGNED_IN, scoped=False),
    Row("api", "GET", "/api/log/proof/inclusion?index=0&size=1", SIGNED_IN, scoped=False),
    Row("api", "GET", "/api/log/proof/consistency?old=1&new=2", SIGNED_IN, scoped=False),
    Row(
        "api",
        "POST",
        "/api/log/checkpoints/{checkpoint}/cosignatures",
        COSIGNATURE_SUBMITTERS,
        scoped=False,
        body=lambda w: {"line": "— witness.example AAAAAAAA\n"},
    ),
    Row("api", "GET", "/api/cases/{case}/events/1/proof", CASEWORK),
    Row("api", "GET", "/api/documents/{document}/proof", CASEWORK),
    # Possible duplicates
    Row(
        "api",
        "POST",
        "/api/duplicates/candidates",
        CASEWORK,
        body=lambda w: {"person": {"names": [{"text": "리순희", "script": "Hang"}], "sex": "F", "birth_year": 1991}},
        listed=lambda w: f'"person_id": {w["person"]}',
    ),
    Row("api", "GET", "/api/duplicates/pairs", CASEWORK, listed=lambda w: f'"id": {w["pair"]}'),
    Row("api", "GET", "/api/duplicates/pairs/{pair}", CASEWORK),
    Row("api", "POST", "/api/duplicates/pairs/{pair}/merge", IDENTITY_DECIDERS, body=lambda w: {"reason": "Same."}),
    Row("api", "POST", "/api/duplicates/pairs/{pair}/distinct", IDENTITY_DECIDERS),
    Row("api", "POST", "/api/duplicates/pairs/{pair}/unmerge", IDENTITY_DECIDERS, body=lambda w: {"reason": "No."}),
    # Pages
    Row("page", "GET", "/cases/", CASEWORK, listed=lambda w: w["number"]),
    # The queues: the registered case waits for screening, a step of these two roles.
    Row(
        "page",
        "GET",
        "/queues/screen/",
        procedure.Screen.roles,
        listed=lambda w: w["number"],
    ),
    Row("page", "GET", "/register/", INTAKE_ROLES, scoped=False),
    Row("page", "GET", "/cases/{case}/", CASEWORK),
    Row("page", "POST", "/cases/{case}/steps/screen/", CASEWORK, body=lambda w: SCREEN),
    Row("page", "GET", "/emergency-access/", CASEWORK, scoped=False),
    Row("page", "GET", "/emergency-access/reviews/", BREAK_GLASS_REVIEWERS, scoped=False),
    Row("page", "GET", "/identity/pairs/", CASEWORK, listed=lambda w: f"/identity/pairs/{w['pair']}/"),
    Row("page", "GET", "/identity/pairs/{pair}/", CASEWORK),
    Row("page", "POST", "/identity/pairs/{pair}/decision/", IDENTITY_DECIDERS, body=lambda w: {"verdict": "distinct"}),
]


def _officer(username: str, role: Role | None, unit: str = "") -> User:
    user = User.objects.create_user(username=username, password="correct horse battery staple", unit=unit)
    if role is not None:
        RoleGrant.objects.create(user=user, role=role)
    return user


@pytest.fixture
def world(staff):
    """Three cases at the registered stage: one in the officers' unit, one in another unit
    assigned by name to every officer, one in another unit assigned to no one; and for each,
    a removal attempt, a pending disclosure, a document, an assignment, an emergency access."""
    officers = {role: _officer(f"matrix.{role or 'none'}", role) for role in ROLES}
    aide = _officer("matrix.aide", Role.ELIGIBILITY_OFFICER)
    requester = _officer("matrix.requester", Role.ELIGIBILITY_OFFICER)
    recipient = Recipient.objects.create(name="Resettlement desk", kind="ngo", country="SE")
    alert = Alert.objects.create(raised_by=staff.ngo, organisation="NGO", names_given="김영호", raised_at=T0)
    worlds = {}
    checkpoint = checkpoint_sign()
    for relation in RELATIONS:
        case = walk_to(staff, open_case(staff), State.REGISTERED)
        if relation != "same_unit":
            Case.objects.filter(pk=case.pk).update(office="bangkok")
        if relation == "assigned":
            CaseAssignment.objects.bulk_create(
                CaseAssignment(case=case, user=u, assigned_by=aide, assigned_at=T0) for u in officers.values()
            )
        person = case.principal
        # A second record in the same case, as a pair to review.
        other = Person.objects.create(office=case.office, sex="F")
        case.members.create(person=other, relation="other")
        worlds[relation] = {
            "pair": DuplicatePair.objects.create(
                person_a=person, person_b=other, score=0.9, found_at=T0, found_by="scan"
            ).pk,
            "case": case.pk,
            "number": case.number,
            "person": person.pk,
            "recipient": recipient.pk,
            "aide": aide.pk,
            "alert": alert.pk,
            "removal": Removal.objects.create(
                person=person, destination="KP", requested_by=aide, requested_at=T0, status="refused"
            ).pk,
            "disclosure": Disclosure.objects.create(
                person=person,
                recipient=recipient,
                purpose="Resettlement.",
                legal_basis="consent",
                fields=["names"],
                requested_by=requester,
                requested_at=T0,
                status="pending",
            ).pk,
            "document": Document.objects.filter(person=person).values_list("pk", flat=True).first(),
            "assignment": CaseAssignment.objects.create(case=case, user=aide, assigned_by=aide, assigned_at=T0).pk,
            "checkpoint": checkpoint.pk,
            "access": EmergencyAccess.objects.create(
                case=case,
                user=aide,
                office=case.office,
                reason=REASON,
                opened_at=T0 - timedelta(days=1),
                expires_at=T0 - timedelta(hours=20),
            ).pk,
        }
    assert all(w["document"] for w in worlds.values()), "registration issues a document"
    return officers, worlds


def _client(row: Row, user: User, sign_in) -> Client:
    if row.surface == "api":
        return Client(headers={"Authorization": f"Bearer {ApiToken.create_for(user)}"})
    return sign_in(Client(), user)


def _call(client: Client, row: Row, w: World):
    path = row.path.format(**w)
    body = row.body(w) if row.body else None
    if row.surface == "api":
        data = json.dumps(body) if body is not None else ""
        return client.generic(row.method, path, data, content_type="application/json")
    if row.method == "GET":
        return client.get(path)
    return client.post(path, body or {})


def _reached(row: Row, response, w: World) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    assert response.status_code < 500, response.content
    if row.listed is not None:
        return row.listed(w) in response.content.decode()
    return True


def _expected(row: Row, role: Role | None, relation: str) -> bool:
    if role is None or role not in row.roles:
        return False
    return not row.scoped or relation in row.reaching


COUNTED: list[int] = []


@pytest.mark.django_db
@pytest.mark.parametrize("row", TABLE, ids=lambda r: r.name)
def test_the_matrix(row, world, sign_in, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: T0 + timedelta(hours=1))
    officers, worlds = world
    wrong = []
    for role in ROLES:
        client = _client(row, officers[role], sign_in)
        for relation in RELATIONS:
            w = worlds[relation]
            reached = _reached(row, _call(client, row, w), w)
            if reached != _expected(row, role, relation):
                wrong.append(f"{role or 'no role'} / {relation}: {'reached' if reached else 'kept out'}")
    COUNTED.append(len(ROLES) * len(RELATIONS))
    assert not wrong, f"{row.name}:\n" + "\n".join(wrong)


def test_the_matrix_covers_every_api_operation_and_case_page():
    from asylon.api.routes import api

    schema = api.get_openapi_schema()
    operations = {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}
    covered = {f"{r.method} {r.path.split('?')[0]}" for r in TABLE if r.surface == "api"}
    generic = {
        op.replace("{case_id}", "{case}")
        .replace("{removal_id}", "{removal}")
        .replace("{disclosure_id}", "{disclosure}")
        .replace("{document_id}", "{document}")
        .replace("{assignment_id}", "{assignment}")
        .replace("{access_id}", "{access}")
        .replace("{country}", "KP")
        .replace("{step}", "screen")
        .replace("{checkpoint_id}", "{checkpoint}")
        .replace("{pair_id}", "{pair}")
        .replace("{index}", "0")
        .replace("/events/{seq}/", "/events/1/")
        for op in operations
    }
    missing = sorted(generic - covered)
    assert not missing, f"operations not in the authorization matrix: {missing}"
    print(
        f"\nauthorization matrix: {len(TABLE)} endpoints and pages × {len(ROLES)} roles × {len(RELATIONS)} relations"
        f" = {len(TABLE) * len(ROLES) * len(RELATIONS)} combinations"
    )
