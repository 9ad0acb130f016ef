"""Need to know in the core: deny by default, unit, assignment, emergency access and its review."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from asylon.procedure.access import (
    BREAK_GLASS_LONGEST,
    CASEWORK,
    CaseReach,
    Reader,
    assignment_refusals,
    break_glass_refusals,
    break_glass_review_refusals,
    may_read,
    may_see_alert,
)
from asylon.procedure.refusals import Code
from asylon.procedure.roles import Actor, Role
from tests.procedure.strategies import actors

units = st.sampled_from(["seoul", "bangkok", "ulaanbaatar"])
readers = st.builds(Reader, actor=actors, unit=units)
reaches = st.builds(
    CaseReach,
    unit=units,
    assignees=st.frozensets(st.integers(1, 4), max_size=2),
    emergency=st.frozensets(st.integers(1, 4), max_size=2),
)
REASON = "Detainee transferred tonight; the assigned officer is unreachable."


def officer(*roles: Role, id: int = 1, unit: str = "seoul") -> Reader:
    return Reader(Actor(id, frozenset(roles)), unit)


@given(readers, reaches)
def test_a_reader_without_casework_never_reads_a_case(reader, reach):
    if not reader.actor.has_any(CASEWORK):
        assert not may_read(reader, reach)


@given(readers, reaches)
def test_a_caseworker_reads_exactly_their_units_assigned_and_emergency_cases(reader, reach):
    if reader.actor.has_any(CASEWORK):
        me = reader.actor.id
        expected = reader.unit == reach.unit or me in reach.assignees or me in reach.emergency
        assert may_read(reader, reach) == expected


def test_the_unit_reads_its_cases_and_other_units_do_not():
    reach = CaseReach("seoul")
    assert may_read(officer(Role.ELIGIBILITY_OFFICER), reach)
    assert not may_read(officer(Role.ELIGIBILITY_OFFICER, unit="bangkok"), reach)
    assert may_read(officer(Role.ELIGIBILITY_OFFICER, unit="bangkok"), CaseReach("seoul", assignees=frozenset({1})))


def test_monitors_ngos_and_administrators_read_no_case_file_even_in_their_unit():
    for role in (Role.MONITOR, Role.PARTNER_NGO, Role.ADMINISTRATOR):
        assert not may_read(officer(role), CaseReach("seoul", assignees=frozenset({1}), emergency=frozenset({1})))


def test_only_a_supervisor_of_the_cases_unit_assigns_it_and_only_to_a_caseworker():
    reach = CaseReach("seoul")
    reviewer = Actor(2, frozenset({Role.REVIEWER}))
    assert assignment_refusals(officer(Role.SUPERVISOR), reach, reviewer) == []
    assert [r.code for r in assignment_refusals(officer(Role.ELIGIBILITY_OFFICER), reach, reviewer)] == [
        Code.ROLE_NOT_PERMITTED
    ]
    assert [r.code for r in assignment_refusals(officer(Role.SUPERVISOR, unit="bangkok"), reach, reviewer)] == [
        Code.CASE_OUTSIDE_UNIT
    ]
    monitor = Actor(3, frozenset({Role.MONITOR}))
    assert [r.code for r in assignment_refusals(officer(Role.SUPERVISOR), reach, monitor)] == [
        Code.ASSIGNEE_NOT_CASEWORKER
    ]


@given(readers, reaches, st.text(max_size=40), st.integers(-60, 12 * 60))
def test_emergency_access_is_never_opened_by_a_non_caseworker_nor_without_reason_and_limit(
    reader, reach, reason, minutes
):
    refusals = {r.code for r in break_glass_refusals(reader, reach, reason, timedelta(minutes=minutes))}
    if not reader.actor.has_any(CASEWORK):
        assert refusals == {Code.ROLE_NOT_PERMITTED}
    if len(reason.strip()) < 20:
        assert refusals
    if not timedelta(0) < timedelta(minutes=minutes) <= BREAK_GLASS_LONGEST:
        assert refusals


def test_emergency_access_opens_for_a_caseworker_outside_reach_with_reason_and_limit():
    outside = officer(Role.ELIGIBILITY_OFFICER, unit="bangkok")
    assert break_glass_refusals(outside, CaseReach("seoul"), REASON, timedelta(hours=4)) == []
    codes = [r.code for r in break_glass_refusals(officer(Role.REVIEWER), CaseReach("seoul"), REASON, timedelta(1))]
    assert codes == [Code.ACCESS_ALREADY_GRANTED, Code.ACCESS_TOO_LONG]
    codes = [r.code for r in break_glass_refusals(outside, CaseReach("seoul"), "urgent", timedelta(hours=1))]
    assert codes == [Code.ACCESS_REASON_TOO_SHORT]


def test_a_second_data_protection_officer_of_the_cases_unit_reviews_each_emergency_access_once():
    dpo = officer(Role.DATA_PROTECTION_OFFICER, unit="seoul", id=5)
    assert break_glass_review_refusals(dpo, "seoul", user_id=1, already_reviewed=False) == []
    assert [r.code for r in break_glass_review_refusals(dpo, "seoul", user_id=5, already_reviewed=False)] == [
        Code.REVIEWER_IS_ACCESS_USER
    ]
    assert [r.code for r in break_glass_review_refusals(dpo, "seoul", user_id=1, already_reviewed=True)] == [
        Code.ACCESS_ALREADY_REVIEWED
    ]
    assert [r.code for r in break_glass_review_refusals(dpo, "bangkok", user_id=1, already_reviewed=False)] == [
        Code.ACCESS_OUTSIDE_UNIT
    ]
    supervisor = officer(Role.SUPERVISOR, unit="seoul", id=6)
    assert [r.code for r in break_glass_review_refusals(supervisor, "seoul", 1, False)] == [Code.ROLE_NOT_PERMITTED]


@given(readers, units, st.integers(1, 4), st.booleans())
def test_only_a_data_protection_officer_of_the_cases_unit_reviews_its_emergency_access(reader, unit, user_id, reviewed):
    allowed = break_glass_review_refusals(reader, unit, user_id, reviewed) == []
    assert not allowed or (reader.actor.has_any({Role.DATA_PROTECTION_OFFICER}) and reader.unit == unit)


@given(readers, units, st.integers(1, 4))
def test_an_alert_is_seen_by_its_raiser_and_the_registration_officers_of_its_unit_alone(reader, unit, raised_by):
    seen = may_see_alert(reader, unit, raised_by)
    registers_here = reader.actor.has_any({Role.REGISTRATION_OFFICER}) and reader.unit == unit
    assert seen == (reader.actor.id == raised_by or registers_here)
