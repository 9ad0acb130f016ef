"""Every record the issue names enters the log with it: documents, the register, disclosure
requests and decisions, removal attempts; each body in its published format, naming no one."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest

from asylon.cases import services as cases
from asylon.cases.models import Event
from asylon.documents import services as documents
from asylon.documents.models import Document
from asylon.procedure import case as p
from asylon.procedure.documents import DocumentType
from asylon.procedure.refusals import Code
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import Attestation, Disclosure, NoReturnListing, Recipient, Removal
from asylon.transparency import services as log
from asylon.transparency.models import LogEntry, LogHead, LogTile
from asylon.transparency.services import (
    PUBLIC_DATA,
    canonical,
    commitment,
    event_body,
    event_record,
    log_audit,
    pseudonym,
)
from tests.services.helpers import T0, open_case, principal, walk_to

pytestmark = pytest.mark.django_db

# Names and words that must never reach a public body.
CANARY = "뷁똠"
CLEAR = (CANARY, "Ri Sun Hui", "Canarytown", "Ministry of State Security", "Resettlement desk", "OHCHR")
LATER = T0 + timedelta(days=80)

EVENT = {"v", "kind", "type", "day", "case", "actor", "from", "to", "commitment"}
DOCUMENT = {"v", "kind", "action", "type", "valid_from", "valid_until", "person", "cases", "actor", "day", "commitment"}
REGISTER = {"v", "kind", "action", "country", "actor", "day", "commitment"}
DISCLOSURE_DECISION = {
    *("v", "kind", "status", "disclosure", "recipient_kind", "recipient_country", "forwards_to", "origins"),
    *("refusals", "actor", "day", "commitment"),
}


@pytest.fixture
def _fast_password_hashing(settings):
    # This folder's conftest turns the suite-wide fixture off; these tests need the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(_fast_password_hashing, staff):
    """A rejected case made final, a registered one whose applicant holds two certificates, one
    just opened; KP on the register with two monitors' attestations; two recipients and a
    pending disclosure request."""
    final = walk_to(staff, open_case(staff, principal(CANARY)), p.State.FINAL)
    registered = walk_to(staff, open_case(staff, principal(CANARY)), p.State.REGISTERED)
    first = Document.objects.get(person=registered.principal)
    documents.document_issue(
        user=staff.documentation,
        person_id=registered.principal_id,
        case_id=registered.pk,
        document_type=DocumentType.TEMPORARY_CERTIFICATE,
        at=LATER,
    )
    safeguards.register_list(user=staff.admin, country="KP", reason="Returnees are sent to camps.", at=LATER)
    for monitor, body in ((staff.monitor, "OHCHR"), (staff.second_monitor, "Special Rapporteur")):
        safeguards.attestation_record(
            user=monitor, country="KP", organisation=body, statement=f"{CANARY} was released.", at=LATER
        )
    ministry = Recipient.objects.create(name="Ministry of State Security", kind="authority", country="KP")
    desk = Recipient.objects.create(name="Resettlement desk", kind="resettlement_state", country="CA")
    pending = safeguards.disclosure_request(
        user=staff.dpo,
        person_id=final.principal_id,
        recipient_id=desk.pk,
        purpose=f"Resettlement of {CANARY}",
        legal_basis="consent",
        fields=["names"],
        at=LATER,
    )
    return SimpleNamespace(
        final=final,
        registered=registered,
        opened=open_case(staff, principal(CANARY)),
        first=first,
        ministry=ministry,
        desk=desk,
        pending=pending,
    )


def _bodies(kind: str) -> list[dict]:
    return [json.loads(bytes(e.body)) for e in LogEntry.objects.filter(kind=kind).order_by("index")]


def test_each_record_is_logged_in_its_published_format(world, staff):
    documents.document_revoke(
        user=staff.documentation, document_id=world.first.pk, reason="Lost in Canarytown.", at=LATER
    )
    safeguards.register_delist(user=staff.admin, country="KP", at=LATER)
    safeguards.disclosure_request(
        user=staff.registrar,
        person_id=world.final.principal_id,
        recipient_id=world.ministry.pk,
        purpose="Repatriation",
        legal_basis="legal_obligation",
        fields=["names"],
        at=LATER,
    )
    safeguards.disclosure_decide(user=staff.second_dpo, disclosure_id=world.pending.pk, approve=True, at=LATER)
    safeguards.removal_request(user=staff.removal, person_id=world.final.principal_id, destination="RU", at=LATER)

    issued, *others = [b for b in _bodies("document") if b["person"] == pseudonym("person", world.first.person_id)]
    revoked = others[-1]
    assert set(issued) == set(revoked) == DOCUMENT
    assert (issued["action"], revoked["action"]) == ("issued", "revoked")
    assert revoked["actor"] == pseudonym("actor", staff.documentation.pk)
    assert issued["cases"] == [pseudonym("case", world.registered.pk)]
    assert (revoked["type"], revoked["valid_from"], revoked["day"]) == (
        "temporary_certificate",
        world.first.valid_from.isoformat(),
        LATER.date().isoformat(),
    )

    register = _bodies("register")
    assert all(set(b) == REGISTER for b in register)
    assert [(b["action"], b["country"]) for b in register] == [
        ("listed", "KP"),
        ("attestation", "KP"),
        ("attestation", "KP"),
        ("delisted", "KP"),
    ]
    assert register[1]["actor"] == pseudonym("actor", staff.monitor.pk)

    decisions = _bodies("disclosure_decision")
    assert all(set(b) == DISCLOSURE_DECISION for b in decisions)
    pending, refused, approved = decisions
    assert (pending["status"], approved["status"]) == ("pending", "approved")
    assert pending["disclosure"] == approved["disclosure"] == pseudonym("disclosure", world.pending.pk)
    assert approved["actor"] == pseudonym("actor", staff.second_dpo.pk)
    assert (refused["status"], refused["recipient_kind"], refused["recipient_country"], refused["origins"]) == (
        "refused",
        "authority",
        "KP",
        ["KP"],
    )
    assert refused["refusals"] == [Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY]

    assert all(set(b) >= EVENT and set(b) <= EVENT | {*PUBLIC_DATA, "person"} for b in _bodies("event"))
    assert log_audit() == []


def test_a_removal_attempt_names_the_person_as_their_documents_do(world, staff):
    removal = safeguards.removal_request(
        user=staff.removal, person_id=world.final.principal_id, destination="KP", at=LATER
    )
    event = Event.objects.get(type="removal_refused")
    body = json.loads(bytes(LogEntry.objects.get(event_id=event.pk).body))
    assert (body["destination"], body["refusals"]) == ("KP", removal.refusal_codes)
    assert Code.DESTINATION_ON_NO_RETURN_REGISTER in body["refusals"]
    documents_of_the_person = [b for b in _bodies("document") if b["person"] == body["person"]]
    assert documents_of_the_person and body["case"] in documents_of_the_person[0]["cases"]


def test_no_public_body_names_anyone(world, staff):
    documents.document_revoke(
        user=staff.documentation, document_id=world.first.pk, reason="Lost in Canarytown.", at=LATER
    )
    bodies = b"".join(bytes(e.body) for e in LogEntry.objects.all()).decode()
    clear = [*CLEAR, world.final.number, world.registered.number, world.first.number]
    assert [text for text in clear if text in bodies] == []


def test_an_event_entry_keeps_its_format_through_entry_log(world):
    event = Event.objects.filter(type="decide").first()
    salt = bytes(range(32))
    expected = {
        "v": 1,
        "kind": "event",
        "type": "decide",
        "day": event.at.date().isoformat(),
        "case": pseudonym("case", event.case_id),
        "actor": pseudonym("actor", event.actor_id),
        "from": event.state_before,
        "to": event.state_after,
        "commitment": commitment(salt, event_record(event)),
        "outcome": "rejected",
        "countries_assessed": event.data["countries_assessed"],
    }
    assert event_body(event, salt) == canonical(expected)
    stored = LogEntry.objects.get(event_id=event.pk)
    assert json.loads(bytes(stored.body))["commitment"] == commitment(bytes(stored.salt), event_record(event))


class Boom(Exception):
    pass


def _snapshot() -> dict[str, object]:
    head = LogHead.objects.filter(pk=1).first()
    return {
        "entries": list(LogEntry.objects.order_by("index").values_list("index", "body")),
        "size": head.size if head else 0,
        "tiles": [
            (level, index, bytes(hashes), bytes(folded))
            for level, index, hashes, folded in LogTile.objects.order_by("level", "index").values_list(
                "level", "index", "hashes", "folded"
            )
        ],
        "documents": list(Document.objects.order_by("pk").values_list("pk", "revoked_on")),
        "events": Event.objects.count(),
        "listings": list(NoReturnListing.objects.order_by("pk").values_list("pk", "delisted_on")),
        "attestations": Attestation.objects.count(),
        "disclosures": list(Disclosure.objects.order_by("pk").values_list("pk", "status")),
        "removals": Removal.objects.count(),
    }


WRITES = {
    "registration_issues_a_document": (
        "document",
        lambda s, w: cases.case_take(user=s.registrar, case_id=w.opened.pk, step=p.Register(), at=LATER),
    ),
    "document_revoke": (
        "document",
        lambda s, w: documents.document_revoke(user=s.documentation, document_id=w.first.pk, reason="Lost.", at=LATER),
    ),
    "register_list": (
        "register",
        lambda s, w: safeguards.register_list(user=s.admin, country="CN", reason="Refoulement.", at=LATER),
    ),
    "attestation_record": (
        "register",
        lambda s, w: safeguards.attestation_record(
            user=s.monitor, country="KP", organisation="UNHCR", statement="Improved.", at=LATER
        ),
    ),
    "register_delist": ("register", lambda s, w: safeguards.register_delist(user=s.admin, country="KP", at=LATER)),
    "disclosure_request": (
        "disclosure_decision",
        lambda s, w: safeguards.disclosure_request(
            user=s.dpo,
            person_id=w.final.principal_id,
            recipient_id=w.ministry.pk,
            purpose="Repatriation",
            legal_basis="legal_obligation",
            fields=["names"],
            at=LATER,
        ),
    ),
    "disclosure_decide": (
        "disclosure_decision",
        lambda s, w: safeguards.disclosure_decide(user=s.second_dpo, disclosure_id=w.pending.pk, approve=False),
    ),
    "removal_request": (
        "event",
        lambda s, w: safeguards.removal_request(
            user=s.removal, person_id=w.final.principal_id, destination="KP", at=LATER
        ),
    ),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_record_and_its_entry_are_written_together_or_not_at_all(world, staff, monkeypatch, write):
    kind, act = WRITES[write]
    before = _snapshot()
    append = log.entry_log

    def append_then_fail(entry_kind, *args, **kwargs):
        # The entry is appended, tree and head included; then the transaction fails.
        index = append(entry_kind, *args, **kwargs)
        if entry_kind == kind:
            raise Boom(index)
        return index

    monkeypatch.setattr(log, "entry_log", append_then_fail)
    with pytest.raises(Boom):
        act(staff, world)
    assert _snapshot() == before
