"""Officers acting at the same moment: exactly one wins a step, and each draws a number of its own."""

from __future__ import annotations

import pytest
from django.db import connection

from asylon.cases import services
from asylon.cases.models import Case, Decision, Event
from asylon.documents import services as document_services
from asylon.documents.models import Document
from asylon.procedure import case as p
from asylon.procedure.refusals import Code, Refused
from asylon.procedure.roles import Role
from tests.services.helpers import at_once, open_case, principal, walk_to

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
