"""Two officers acting on the same case at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from asylon.cases import services
from asylon.cases.models import Case, Decision, Event
from asylon.procedure import case as p
from asylon.procedure.refusals import Code, Refused
from asylon.procedure.roles import Role
from tests.services.helpers import open_case, walk_to

THREADS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite has one writer"),
]


def test_many_reviewers_deciding_the_same_case_at_once_make_exactly_one_decision(staff, make_user):
    case = walk_to(staff, open_case(staff), p.State.ASSESSMENT_REVIEWED)
    reviewers = [make_user(f"reviewer{i}", Role.REVIEWER) for i in range(THREADS)]
    start = threading.Barrier(THREADS)
    won: list[int] = []
    refused: list[list[Code]] = []
    errors: list[BaseException] = []

    def decide(index: int) -> None:
        step = p.Decide(
            outcome=p.Outcome.REFUGEE_STATUS if index % 2 else p.Outcome.REJECTED,
            reasons=f"Reasons of reviewer {index}.",
            countries_assessed=frozenset({"KP"}),
        )
        try:
            start.wait()
            services.case_take(user=reviewers[index], case_id=case.pk, step=step)
            won.append(index)
        except Refused as refusal:
            refused.append(refusal.codes)
        except BaseException as error:  # reported by the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(won) == 1
    assert refused == [[Code.STATE_DOES_NOT_ALLOW]] * (THREADS - 1)
    decision = Decision.objects.get(case=case)
    assert decision.decided_by == reviewers[won[0]]
    assert Event.objects.filter(case=case, type="decide").count() == 1
    assert Case.objects.get(pk=case.pk).state == p.State.DECIDED
