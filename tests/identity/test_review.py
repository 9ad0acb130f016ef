"""The review queue against a real database: merge, "not the same person", un-merge."""

from __future__ import annotations

import pytest

from asylon.cases import need_to_know
from asylon.cases.models import Case, CaseRead, Event
from asylon.cases.services import NotFound
from asylon.people import identity
from asylon.people.duplicates import pairs_find
from asylon.people.models import DuplicatePair, FamilyLink, Person
from asylon.procedure.refusals import Code, Refused
from asylon.transparency.models import LogEntry
from tests.services.helpers import T0, open_case, registered

pytestmark = pytest.mark.django_db
REASON = "Same mother's name and home village; the NGO list gives the name in the North's spelling."
ACCESS_REASON = "Detainee transferred tonight; the assigned officer is unreachable."


@pytest.fixture
def pair(staff):
    first = open_case(staff, registered("리순희"))
    second = open_case(staff, registered("Ri Sun Hui", "Latn", "dprk"))
    return DuplicatePair.objects.get(person_a=first.principal, person_b=second.principal)


def test_registering_the_same_person_again_puts_the_pair_in_the_queue(staff, pair):
    assert pair.found_by == "registration" and pair.score >= 0.85
    assert list(identity.pairs_for_user(staff.registrar)) == [pair]
    review = identity.pair_review(staff.registrar, pair.pk)
    name = next(e for e in review.evidence if e.field == "name")
    assert {name.ours, name.theirs} == {"리순희", "Ri Sun Hui"}
    assert len(review.cases_a) == len(review.cases_b) == 1


def test_reviewing_a_pair_records_a_read_of_each_case_shown(staff, pair, bangkok_officer):
    identity.pair_review(staff.registrar, pair.pk)
    reads = CaseRead.objects.filter(user=staff.registrar, purpose="duplicate review")
    cases = Case.objects.filter(members__person__in=[pair.person_a_id, pair.person_b_id])
    assert sorted(r.case_id for r in reads) == sorted(c.pk for c in cases)
    assert {r.emergency_id for r in reads} == {None}

    # Read through emergency access, each case's read names the access it rests on.
    accesses = [
        need_to_know.emergency_access_open(user=bangkok_officer, case_number=c.number, reason=ACCESS_REASON, hours=2)
        for c in cases
    ]
    identity.pair_review(bangkok_officer, pair.pk)
    reads = CaseRead.objects.filter(user=bangkok_officer, purpose="duplicate review")
    assert sorted(r.emergency_id for r in reads) == sorted(a.pk for a in accesses)


def test_a_merge_links_the_later_record_and_tells_both_cases_and_the_log(staff, pair):
    entries = LogEntry.objects.count()
    identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON, at=T0)
    b = Person.objects.get(pk=pair.person_b_id)
    assert b.merged_into_id == pair.person_a_id
    assert Person.objects.filter(pk__in=[pair.person_a_id, pair.person_b_id]).count() == 2
    merged = Event.objects.filter(type="identity_merged")
    assert merged.count() == 2 and {e.data["into"] for e in merged} == {pair.person_a_id}
    assert LogEntry.objects.count() == entries + 2
    assert list(identity.pairs_for_user(staff.registrar)) == []


def test_an_unmerge_restores_both_records_and_remembers_two_persons(staff, pair):
    identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON, at=T0)
    identity.pair_unmerge(user=staff.registrar, pair_id=pair.pk, reason="The mother's names differ.", at=T0)
    assert Person.objects.get(pk=pair.person_b_id).merged_into_id is None
    pair.refresh_from_db()
    assert (pair.verdict, pair.undone_by) == (DuplicatePair.DISTINCT, staff.registrar)
    assert Event.objects.filter(type="identity_unmerged").count() == 2


def test_not_the_same_person_is_never_suggested_again(staff, pair):
    identity.pair_distinguish(user=staff.registrar, pair_id=pair.pk, at=T0)
    b = Person.objects.get(pk=pair.person_b_id)
    assert [p.verdict for p in pairs_find(b, found_by="scan", at=T0)] == [DuplicatePair.DISTINCT]
    assert list(identity.pairs_for_user(staff.registrar)) == []
    with pytest.raises(Refused) as refused:
        identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON)
    assert refused.value.codes == [Code.PAIR_ALREADY_DECIDED]


def test_a_merge_of_relatives_is_refused_and_nothing_changes(staff, pair):
    FamilyLink.objects.create(person_id=pair.person_a_id, relative_id=pair.person_b_id, relation="sibling")
    events = Event.objects.count()
    with pytest.raises(Refused) as refused:
        identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON)
    assert refused.value.codes == [Code.MERGE_FAMILY_LINK]
    assert Person.objects.get(pk=pair.person_b_id).merged_into_id is None
    assert Event.objects.count() == events
    pair.refresh_from_db()
    assert pair.verdict == DuplicatePair.OPEN


def test_twins_are_found_but_never_merged(staff):
    first = open_case(staff, registered("김영희"))
    twin = open_case(staff, registered("김영순"))
    pairs_find(twin.principal, found_by="scan", at=T0, threshold=0.0)
    pair = DuplicatePair.objects.get(person_a=first.principal, person_b=twin.principal)
    with pytest.raises(Refused) as refused:
        identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON)
    assert refused.value.codes == [Code.MERGE_TWIN_LIKE]


def test_family_registered_together_is_not_a_pair(staff):
    open_case(staff, registered("김영희"), registered("김영희"))
    assert not DuplicatePair.objects.exists()


def test_a_pair_outside_need_to_know_is_not_found_and_a_half_readable_one_is_refused(staff, pair):
    second = Case.objects.get(members__person_id=pair.person_b_id)
    Case.objects.filter(pk=second.pk).update(office="bangkok")
    assert list(identity.pairs_for_user(staff.registrar)) == []
    with pytest.raises(NotFound):
        identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON)
    # Person b also has a case here now: readable, but one of their cases is not.
    open_case(staff, registered("Ri Sun Hui", "Latn", "dprk"))
    from asylon.cases.models import CaseMember

    here = Case.objects.filter(office="main").exclude(members__person_id=pair.person_a_id).first()
    CaseMember.objects.create(case=here, person_id=pair.person_b_id, relation="spouse")
    with pytest.raises(Refused) as refused:
        identity.pair_merge(user=staff.registrar, pair_id=pair.pk, reason=REASON)
    assert refused.value.codes == [Code.MERGE_OUTSIDE_REACH]


def test_only_identity_deciders_merge(staff, pair):
    with pytest.raises(Refused) as refused:
        identity.pair_merge(user=staff.eligibility, pair_id=pair.pk, reason=REASON)
    assert refused.value.codes == [Code.ROLE_NOT_PERMITTED]
    with pytest.raises(Refused):
        identity.pair_merge(user=staff.monitor, pair_id=pair.pk, reason=REASON)
