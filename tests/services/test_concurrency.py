"""Officers acting at the same moment: exactly one wins a step, and each draws a number of its own."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from asylon.cases import services
from asylon.cases.models import Case, Decision, Event
from asylon.documents import services as document_services
from asylon.documents.models import Document
from asylon.people import identity
from asylon.people.models import DuplicatePair
from asylon.procedure import case as p
from asylon.procedure.refusals import Code, Refused
from asylon.procedure.roles import Role
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import NoReturnListing, Removal
from tests.services.helpers import T0, at_once, open_case, principal, walk_to

THREADS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite has one writer"),
]


def test_many_reviewers_deciding_the_same_case_at_once_make_exactly_one_decision(staff, make_user):
    case = walk_to(staff, open_case(staff), p.State.ASSESSMENT_REVIEWED)
    reviewers = [make_user(f"reviewer{i}", Role.REVIEWER) for i in range(THREADS)]
    won: list[int] = []
    refused: list[list[Code]] = []

    def decide(index: int) -> None:
        step = p.Decide(
            outcome=p.Outcome.REFUGEE_STATUS if index % 2 else p.Outcome.REJECTED,
            reasons=f"Reasons of reviewer {index}.",
            countries_assessed=frozenset({"KP"}),
        )
        try:
            services.case_take(user=reviewers[index], case_id=case.pk, step=step)
            won.append(index)
        except Refused as refusal:
            refused.append(refusal.codes)

    assert at_once(decide, THREADS) == []
    assert len(won) == 1
    assert refused == [[Code.STATE_DOES_NOT_ALLOW]] * (THREADS - 1)
    decision = Decision.objects.get(case=case)
    assert decision.decided_by == reviewers[won[0]]
    assert Event.objects.filter(case=case, type="decide").count() == 1
    assert Case.objects.get(pk=case.pk).state == p.State.DECIDED


def test_intakes_opened_at_once_each_get_a_number_of_their_own(staff):
    open_case(staff)  # the series exists, as on any working day
    errors = at_once(lambda index: open_case(staff, principal(f"김영호{index}")), THREADS)

    assert errors == []
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert numbers == [f"AS-2026-{n:06d}" for n in range(1, THREADS + 2)]


def test_documents_issued_at_once_each_get_a_number_of_their_own(staff):
    cases = [walk_to(staff, open_case(staff, principal(f"박민준{i}")), p.State.REGISTERED) for i in range(THREADS)]
    first = set(Document.objects.values_list("number", flat=True))

    def replace(index: int) -> None:
        document = Document.objects.get(case=cases[index])
        document_services.document_replace(user=staff.documentation, document_id=document.pk, reason="Lost")

    errors = at_once(replace, THREADS)

    assert errors == []
    numbers = set(Document.objects.values_list("number", flat=True)) - first
    assert len(numbers) == THREADS
    assert all(document_services.number_is_valid(n) for n in numbers)


def test_a_carry_out_never_commits_after_a_listing_of_its_destination_committed(staff, monkeypatch):
    """The carry-out reads the register, then lingers before it commits; the listing of its
    destination is made in that moment. Either the listing waits for the carry-out (which
    then happened before the country was listed), or the carry-out sees it and is refused:
    never a removal carried out to a country listed before the removal committed."""
    later = T0 + timedelta(days=80)
    case = walk_to(staff, open_case(staff), p.State.FINAL)
    removal = safeguards.removal_request(user=staff.removal, person_id=case.principal_id, destination="KP", at=later)
    assert removal.status == Removal.Status.ALLOWED
    guard_read, listed = threading.Event(), threading.Event()
    listed_while_guard_held: list[bool] = []
    real_country_safety = safeguards.country_safety

    def country_safety_then_linger(today):
        safety = real_country_safety(today)
        guard_read.set()
        listed_while_guard_held.append(listed.wait(timeout=1.5))
        return safety

    monkeypatch.setattr(safeguards, "country_safety", country_safety_then_linger)

    def act(index: int) -> None:
        if index == 0:
            safeguards.removal_carry_out(user=staff.removal, removal_id=removal.pk, at=later)
        else:
            assert guard_read.wait(timeout=10)
            safeguards.register_list(user=staff.admin, country="KP", reason="COI 2014 rec. 1221(a)", at=later)
            listed.set()

    assert at_once(act, 2) == []
    status = Removal.objects.get(pk=removal.pk).status
    assert NoReturnListing.objects.filter(country="KP").exists()
    assert listed_while_guard_held == [False]
    assert status == Removal.Status.CARRIED_OUT  # it came first; the listing waited for it


def test_a_merge_committing_while_a_carry_out_waits_is_seen_by_its_guard(staff, monkeypatch):
    """The merge holds both records when the carry-out begins, and has not committed: the
    carry-out, which found the rejected record alone, waits for it, then looks again and
    finds the pending claim of the record merged in."""
    later = T0 + timedelta(days=80)
    rejected = walk_to(staff, open_case(staff), p.State.FINAL)
    removal = safeguards.removal_request(
        user=staff.removal, person_id=rejected.principal_id, destination="KP", at=later
    )
    assert removal.status == Removal.Status.ALLOWED
    claim = open_case(staff)  # the same person, registered again: a pending claim
    pair = DuplicatePair.objects.get(person_a_id=rejected.principal_id, person_b_id=claim.principal_id)
    merging = threading.Event()
    real_merge_refusals = identity.rules.merge_refusals

    def merge_refusals_then_linger(*args, **kwargs):
        found = real_merge_refusals(*args, **kwargs)  # asked with both records locked
        merging.set()
        threading.Event().wait(1.0)
        return found

    monkeypatch.setattr(identity.rules, "merge_refusals", merge_refusals_then_linger)

    def act(index: int) -> None:
        if index == 0:
            identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason="Same person.", at=later)
        else:
            assert merging.wait(timeout=10)
            safeguards.removal_carry_out(user=staff.removal, removal_id=removal.pk, at=later)

    assert at_once(act, 2) == []
    removal.refresh_from_db()
    assert removal.status == Removal.Status.REFUSED
    assert Code.CASE_PENDING in removal.refusal_codes
