"""The merge rule in the core: who decides, and the merges refused whatever the evidence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asylon.procedure.identity import (
    IDENTITY_DECIDERS,
    PairView,
    Side,
    Verdict,
    distinct_refusals,
    merge_refusals,
    unmerge_refusals,
)
from asylon.procedure.refusals import Code
from asylon.procedure.roles import Actor, Role
from tests.procedure.strategies import actors

sides = st.builds(Side, person=st.integers(1, 3), merged=st.booleans(), readable=st.booleans())
pairs = st.builds(
    PairView, a=sides, b=sides, verdict=st.sampled_from(list(Verdict)), related=st.booleans(), twin_like=st.booleans()
)
reasons = st.sampled_from(["", "  ", "Same fingerprints of the detention record and the same mother's name."])
REGISTRAR = Actor(1, frozenset({Role.REGISTRATION_OFFICER}))
REASON = "Same mother's name and village; the NGO wrote the name given first."


def clean(**changes) -> PairView:
    base = {
        "a": Side(1, merged=False, readable=True),
        "b": Side(2, merged=False, readable=True),
        "verdict": Verdict.OPEN,
    }
    return PairView(**{**base, **changes})


@given(actors, pairs, reasons)
def test_a_merge_is_allowed_only_when_every_condition_holds(actor, pair, reason):
    allowed = not merge_refusals(actor, pair, reason)
    assert allowed == (
        actor.has_any(IDENTITY_DECIDERS)
        and pair.a.readable
        and pair.b.readable
        and pair.a.person != pair.b.person
        and pair.verdict is Verdict.OPEN
        and not (pair.a.merged or pair.b.merged)
        and not pair.related
        and not pair.twin_like
        and bool(reason.strip())
    )


@given(actors, pairs, reasons)
def test_relatives_and_twins_are_never_merged(actor, pair, reason):
    if pair.related or pair.twin_like:
        assert merge_refusals(actor, pair, reason)


@given(actors, pairs, reasons)
def test_an_officer_who_cannot_read_both_learns_only_that(actor, pair, reason):
    if actor.has_any(IDENTITY_DECIDERS) and not (pair.a.readable and pair.b.readable):
        for found in (
            merge_refusals(actor, pair, reason),
            distinct_refusals(actor, pair),
            unmerge_refusals(actor, pair, reason),
        ):
            assert [r.code for r in found] == [Code.MERGE_OUTSIDE_REACH]


def test_a_merge_of_relatives_names_every_reason():
    refusals = merge_refusals(REGISTRAR, clean(related=True, twin_like=True), "")
    assert [r.code for r in refusals] == [Code.MERGE_FAMILY_LINK, Code.MERGE_TWIN_LIKE, Code.REASON_MISSING]


def test_only_registration_officers_and_supervisors_decide():
    eligibility = Actor(2, frozenset({Role.ELIGIBILITY_OFFICER}))
    assert [r.code for r in merge_refusals(eligibility, clean(), REASON)] == [Code.ROLE_NOT_PERMITTED]
    assert not merge_refusals(Actor(3, frozenset({Role.SUPERVISOR})), clean(), REASON)


def test_relatives_may_always_be_marked_distinct_but_a_decided_pair_not_twice():
    assert not distinct_refusals(REGISTRAR, clean(related=True, twin_like=True))
    assert [r.code for r in distinct_refusals(REGISTRAR, clean(verdict=Verdict.DISTINCT))] == [
        Code.PAIR_ALREADY_DECIDED
    ]


def test_only_a_merged_pair_is_unmerged_and_with_a_reason():
    assert not unmerge_refusals(REGISTRAR, clean(verdict=Verdict.SAME), REASON)
    assert [r.code for r in unmerge_refusals(REGISTRAR, clean(), "")] == [Code.PAIR_NOT_MERGED, Code.REASON_MISSING]
    assert [
        r.code for r in merge_refusals(REGISTRAR, clean(a=Side(1, True, True), b=Side(1, False, True)), REASON)
    ] == [
        Code.MERGE_OF_ONE_RECORD,
        Code.PERSON_ALREADY_MERGED,
    ]
