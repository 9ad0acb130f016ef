"""Possible duplicates while registering: found across scripts, shown only within need to know."""

from __future__ import annotations

import pytest
from django.utils import timezone

from asylon.cases import services
from asylon.cases.models import Case, CaseAssignment
from asylon.people.duplicates import Candidate, possible_duplicates
from asylon.people.models import NameKey
from tests.services.helpers import open_case, principal

pytestmark = pytest.mark.django_db


def newcomer(*names: tuple[str, str, str], sex: str = "F", year: int | None = 1991, month: int | None = 3):
    return services.PersonInput(
        names=[services.NameInput(text=t, script=s, romanization=r) for t, s, r in names],
        sex=sex,
        birth_year=year,
        birth_month=month if year else None,
    )


def test_a_person_known_in_hangul_is_found_from_the_north_korean_romanization(staff):
    case = open_case(staff, principal("리순희"))
    [candidate] = possible_duplicates(staff.registrar, newcomer(("Ri Sun-hui", "Latn", "dprk")))
    assert isinstance(candidate, Candidate)
    assert candidate.person_id == case.principal_id
    assert 0.2 <= candidate.score <= 1.0
    assert candidate.case_numbers == (case.number,)
    evidence = {e.field: e for e in candidate.evidence}
    assert evidence["name"].ours == "Ri Sun-hui"
    assert evidence["name"].theirs in ("리순희", "Ri Sun Hui")
    assert evidence["name"].agreement == "exact"
    assert (evidence["birth_date"].ours, evidence["birth_date"].theirs) == ("1991-03", "1991-03")
    assert (evidence["sex"].agreement, evidence["province"].agreement) == ("agree", "missing")


def test_a_chinese_officials_hanzi_finds_the_hangul_record(staff):
    case = open_case(staff, principal("김영호"))
    found = possible_duplicates(staff.registrar, newcomer(("金英浩", "Hani", "")))
    assert [c.person_id for c in found] == [case.principal_id]


def test_a_different_person_is_not_suggested(staff):
    open_case(staff, principal("리순희"))
    assert possible_duplicates(staff.registrar, newcomer(("박철민", "Hang", ""), sex="M", year=1970)) == []


def test_a_person_in_a_case_the_officer_may_not_read_is_never_returned(staff):
    case = open_case(staff, principal("리순희"))
    Case.objects.filter(pk=case.pk).update(office="bangkok")
    assert possible_duplicates(staff.registrar, newcomer(("Lee Soon Hee", "Latn", "passport"))) == []
    assert possible_duplicates(staff.outsider, newcomer(("리순희", "Hang", ""))) == []


def test_a_case_assigned_by_name_is_read_until_the_assignment_ends(staff):
    case = open_case(staff, principal("리순희"))
    Case.objects.filter(pk=case.pk).update(office="bangkok")
    assignment = CaseAssignment.objects.create(
        case=case, user=staff.registrar, assigned_by=staff.admin, assigned_at=timezone.now()
    )
    [candidate] = possible_duplicates(staff.registrar, newcomer(("Ri Sun-hui", "Latn", "dprk")))
    assert candidate.person_id == case.principal_id
    CaseAssignment.objects.filter(pk=assignment.pk).update(ended_at=timezone.now())
    assert possible_duplicates(staff.registrar, newcomer(("Ri Sun-hui", "Latn", "dprk"))) == []


def test_the_limit_caps_the_candidates(staff):
    for _ in range(3):
        open_case(staff, principal("리순희"))
    assert len(possible_duplicates(staff.registrar, newcomer(("리순희", "Hang", "")), limit=2)) == 2
    assert possible_duplicates(staff.registrar, newcomer(("리순희", "Hang", "")), limit=0) == []


def test_blocking_keys_are_stored_as_digests_only(staff):
    case = open_case(staff, principal("리순희"))
    digests = list(NameKey.objects.filter(person=case.principal, kind=NameKey.MATCH).values_list("digest", flat=True))
    assert digests
    assert all(len(d) == 32 and int(d, 16) >= 0 for d in digests)
    assert not any("sun" in d.lower() or "n:" in d for d in digests)


def test_names_written_before_match_keys_are_indexed_by_the_reindex(staff):
    from asylon.dataprotection import rotation

    case = open_case(staff, principal("리순희"))
    NameKey.objects.filter(kind=NameKey.MATCH).delete()
    assert possible_duplicates(staff.registrar, newcomer(("Lee Soon Hee", "Latn", "passport"))) == []
    assert sum(rotation.name_keys_recompute(batch=1)) == 2
    assert [
        c.person_id for c in possible_duplicates(staff.registrar, newcomer(("Lee Soon Hee", "Latn", "passport")))
    ] == [case.principal_id]


def test_a_person_in_two_readable_cases_is_one_candidate_with_both_numbers(staff):
    from asylon.cases.models import CaseMember

    case = open_case(staff, principal("리순희"))
    other = open_case(staff, principal("박철민"))
    CaseMember.objects.create(case=other, person=case.principal, relation="sibling")
    found = possible_duplicates(staff.registrar, newcomer(("리순희", "Hang", "")))
    assert [c.person_id for c in found].count(case.principal_id) == 1
    [candidate] = [c for c in found if c.person_id == case.principal_id]
    assert candidate.case_numbers == tuple(sorted((case.number, other.number)))


def test_candidates_turned_away_by_need_to_know_leave_room_for_the_next(staff, monkeypatch):
    from asylon.people import duplicates

    monkeypatch.setattr(duplicates, "SHORTLIST", 1)
    monkeypatch.setattr(duplicates, "SLICE", 1)
    cases = [open_case(staff, principal("리순희")) for _ in range(3)]  # equally ranked: by id
    Case.objects.filter(pk__in=[c.pk for c in cases[:2]]).update(office="bangkok")
    found = possible_duplicates(staff.registrar, newcomer(("리순희", "Hang", "")))
    assert [c.person_id for c in found] == [cases[2].principal_id]


def test_excluded_persons_are_passed_over(staff, monkeypatch):
    from asylon.people import duplicates

    monkeypatch.setattr(duplicates, "SHORTLIST", 2)
    monkeypatch.setattr(duplicates, "SLICE", 1)
    a, b, c = (open_case(staff, principal("리순희")).principal_id for _ in range(3))
    records = duplicates.input_records(newcomer(("리순희", "Hang", "")))
    assert [p.pk for p in duplicates.shortlist(records)] == [a, b]
    assert [p.pk for p in duplicates.shortlist(records, exclude=[a])] == [b, c]
    assert [p.pk for p in duplicates.shortlist(records, exclude=[a, b])] == [c]
