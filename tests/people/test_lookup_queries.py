"""What a duplicate lookup asks the database: the keys ranked, the candidates with the numbers of
their readable cases, and the names of those who could reach the threshold; nothing more, and
no case number the officer may not read."""

from __future__ import annotations

import pytest

from asylon.cases import services
from asylon.cases.models import Case, CaseMember
from asylon.people.duplicates import possible_duplicates
from tests.services.helpers import open_case, principal

pytestmark = pytest.mark.django_db


def newcomer() -> services.PersonInput:
    return services.PersonInput(
        names=[services.NameInput(text="Ri Sun-hui", script="Latn", romanization="dprk")],
        sex="F",
        birth_year=1991,
        birth_month=3,
    )


def test_a_candidate_shows_the_numbers_of_the_cases_the_officer_may_read_and_no_other(staff):
    case = open_case(staff, principal("리순희"))
    elsewhere = open_case(staff, principal("박철민"))
    CaseMember.objects.create(case=elsewhere, person=case.principal, relation="sibling")
    Case.objects.filter(pk=elsewhere.pk).update(office="bangkok")
    [candidate] = possible_duplicates(staff.registrar, newcomer())
    assert candidate.person_id == case.principal_id
    assert candidate.case_numbers == (case.number,)


def test_a_lookup_reads_the_keys_the_candidates_and_their_names_in_three_queries(staff, django_assert_num_queries):
    for _ in range(3):
        open_case(staff, principal("리순희"))
    staff.registrar.actor()  # the officer's roles, read once per loaded user
    with django_assert_num_queries(3):
        found = possible_duplicates(staff.registrar, newcomer())
    assert len(found) == 3
    assert all(len(c.case_numbers) == 1 for c in found)
