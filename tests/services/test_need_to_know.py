"""Need to know in the database: the query equals the core's rule; assignment; emergency access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asylon.accounts.models import RoleGrant, User
from asylon.cases import need_to_know
from asylon.cases.access import case_reach, cases_for_user
from asylon.cases.models import Case, CaseAssignment, CaseRead, EmergencyAccess, Event
from asylon.cases.selectors import case_get_for_user
from asylon.cases.services import InvalidInput, NotFound
from asylon.people.models import Person
from asylon.procedure.access import may_read
from asylon.procedure.refusals import Code, Refused
from asylon.procedure.roles import Role
from asylon.transparency.models import LogEntry
from tests.services.helpers import T0, open_case

UNITS = ["Seoul office", "Bangkok office", "Ulaanbaatar office"]
REASON = "Detainee transferred tonight; the assigned officer is unreachable."

worlds = st.fixed_dictionaries(
    {
        "users": st.lists(
            st.tuples(st.sampled_from(UNITS), st.frozensets(st.sampled_from(list(Role)), max_size=2), st.booleans()),
            min_size=1,
            max_size=5,
        ),
        "cases": st.lists(st.sampled_from(UNITS), min_size=1, max_size=5),
        "assignments": st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.booleans()), max_size=5),
        # (user, case, opened minutes before now, lasting minutes)
        "emergencies": st.lists(
            st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(-30, 300), st.integers(1, 480)), max_size=5
        ),
    }
)


def _build(world) -> tuple[list[User], list[Case]]:
    users = []
    for i, (unit, roles, active) in enumerate(world["users"]):
        user = User.objects.create(username=f"u{i}", unit=unit, is_active=active)
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=r) for r in roles)
        users.append(user)
    cases = []
    for i, unit in enumerate(world["cases"]):
        office = User(unit=unit).office
        person = Person.objects.create(office=office, sex="F")
        cases.append(
            Case.objects.create(
                number=f"T-{i}", office=office, kind="individual", principal=person, channel="detained",
                opened_at=T0, updated_at=T0,
            )
        )  # fmt: skip
    for u, c, ended in world["assignments"]:
        if u < len(users) and c < len(cases):
            CaseAssignment.objects.get_or_create(
                case=cases[c], user=users[u], ended_at=T0 if ended else None, defaults={"assigned_by": users[u],
                "assigned_at": T0}
            )  # fmt: skip
    now = T0 + timedelta(days=1)
    for u, c, before, minutes in world["emergencies"]:
        if u < len(users) and c < len(cases):
            opened = now - timedelta(minutes=before)
            EmergencyAccess.objects.create(
                case=cases[c], user=users[u], office=cases[c].office, reason=REASON, opened_at=opened,
                expires_at=opened + timedelta(minutes=minutes),
            )  # fmt: skip
    return users, cases


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
def test_the_database_filter_is_the_cores_rule(world):
    now = T0 + timedelta(days=1)
    with transaction.atomic():
        users, cases = _build(world)
        for user in users:
            visible = set(cases_for_user(user, now).values_list("pk", flat=True))
            for case in cases:
                expected = user.is_active and may_read(user.reader(), case_reach(case, now))
                assert (case.pk in visible) == expected, (user.username, case.number)
        transaction.set_rollback(True)


@pytest.fixture
def bangkok(make_user):
    class Bangkok:
        supervisor = make_user("bo.supervisor", Role.SUPERVISOR)
        eligibility = make_user("bee.eligibility", Role.ELIGIBILITY_OFFICER)
        dpo = make_user("bina.dpo", Role.DATA_PROTECTION_OFFICER)

    for user in (Bangkok.supervisor, Bangkok.eligibility, Bangkok.dpo):
        user.unit = "Bangkok office"
        user.save()
    return Bangkok


@pytest.fixture
def seoul_case(staff):
    return open_case(staff)


def test_a_supervisor_assigns_a_case_to_an_officer_of_another_unit_who_then_reads_it(
    staff, make_user, bangkok, seoul_case
):
    supervisor = make_user("sun.supervisor", Role.SUPERVISOR)
    assert not cases_for_user(bangkok.eligibility).filter(pk=seoul_case.pk).exists()

    assignment = need_to_know.case_assign(user=supervisor, case_id=seoul_case.pk, assignee_id=bangkok.eligibility.pk)

    assert cases_for_user(bangkok.eligibility).filter(pk=seoul_case.pk).exists()
    assert seoul_case.events.filter(type="assigned", actor=supervisor).exists()
    need_to_know.assignment_end(user=supervisor, assignment_id=assignment.pk)
    assert not cases_for_user(bangkok.eligibility).filter(pk=seoul_case.pk).exists()
    assert CaseAssignment.objects.get(pk=assignment.pk).ended_by == supervisor


def test_a_supervisor_of_another_unit_cannot_assign_nor_learn_that_the_case_exists(bangkok, seoul_case):
    with pytest.raises(NotFound):
        need_to_know.case_assign(user=bangkok.supervisor, case_id=seoul_case.pk, assignee_id=bangkok.eligibility.pk)
    with pytest.raises(Refused) as refused:
        need_to_know.case_assign(user=bangkok.eligibility, case_id=seoul_case.pk, assignee_id=bangkok.eligibility.pk)
    assert refused.value.codes == [Code.ROLE_NOT_PERMITTED]
    assert not CaseAssignment.objects.exists()


def test_a_case_is_not_assigned_to_a_monitor(staff, make_user, seoul_case):
    supervisor = make_user("sun.supervisor", Role.SUPERVISOR)
    with pytest.raises(Refused) as refused:
        need_to_know.case_assign(user=supervisor, case_id=seoul_case.pk, assignee_id=staff.monitor.pk)
    assert refused.value.codes == [Code.ASSIGNEE_NOT_CASEWORKER]
    with pytest.raises(InvalidInput):
        need_to_know.case_assign(user=supervisor, case_id=seoul_case.pk, assignee_id=999_999)
    assert not CaseAssignment.objects.exists()
    assert not seoul_case.events.filter(type="assigned").exists()


def test_emergency_access_opens_for_its_hours_and_every_read_names_it(bangkok, seoul_case):
    at = T0 + timedelta(hours=1)
    entries = LogEntry.objects.count()
    access = need_to_know.emergency_access_open(
        user=bangkok.eligibility, case_number=seoul_case.number, reason=REASON, hours=2, at=at
    )
    assert access.expires_at == at + timedelta(hours=2)
    assert cases_for_user(bangkok.eligibility, at + timedelta(minutes=119)).filter(pk=seoul_case.pk).exists()
    assert not cases_for_user(bangkok.eligibility, at + timedelta(hours=2)).filter(pk=seoul_case.pk).exists()
    # The opening is an event on the case, and so an entry in the transparency log.
    event = Event.objects.get(case=seoul_case, type="emergency_access")
    assert event.reason == REASON
    assert LogEntry.objects.count() == entries + 1


def test_a_read_through_emergency_access_is_recorded_with_it(bangkok, seoul_case, monkeypatch):
    from django.utils import timezone

    at = T0 + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(minutes=5))
    access = need_to_know.emergency_access_open(
        user=bangkok.eligibility, case_number=seoul_case.number, reason=REASON, hours=1, at=at
    )
    case_get_for_user(bangkok.eligibility, seoul_case.pk, purpose="emergency")
    read = CaseRead.objects.get(user=bangkok.eligibility)
    assert read.emergency == access
    monkeypatch.setattr(timezone, "now", lambda: at + timedelta(hours=2))
    with pytest.raises(NotFound):
        case_get_for_user(bangkok.eligibility, seoul_case.pk, purpose="emergency")
    assert CaseRead.objects.filter(user=bangkok.eligibility).count() == 1


def test_emergency_access_is_refused_without_a_reason_to_non_caseworkers_and_when_not_needed(
    staff, bangkok, seoul_case
):
    with pytest.raises(Refused) as refused:
        need_to_know.emergency_access_open(
            user=bangkok.eligibility, case_number=seoul_case.number, reason="now", hours=9
        )
    assert refused.value.codes == [Code.ACCESS_REASON_TOO_SHORT, Code.ACCESS_TOO_LONG]
    # A request wrong in itself is refused before the lookup, so it cannot probe which numbers exist.
    with pytest.raises(Refused) as refused:
        need_to_know.emergency_access_open(user=bangkok.eligibility, case_number="NO-SUCH-CASE", reason="now", hours=9)
    assert refused.value.codes == [Code.ACCESS_REASON_TOO_SHORT, Code.ACCESS_TOO_LONG]
    # A monitor is refused before the lookup: the answer is the same for a case that does not exist.
    for number in (seoul_case.number, "NO-SUCH-CASE"):
        with pytest.raises(Refused) as refused:
            need_to_know.emergency_access_open(user=staff.monitor, case_number=number, reason=REASON, hours=1)
        assert refused.value.codes == [Code.ROLE_NOT_PERMITTED]
    with pytest.raises(Refused) as refused:
        need_to_know.emergency_access_open(
            user=staff.eligibility, case_number=seoul_case.number, reason=REASON, hours=1
        )
    assert refused.value.codes == [Code.ACCESS_ALREADY_GRANTED]
    assert not EmergencyAccess.objects.exists()
    assert not seoul_case.events.filter(type="emergency_access").exists()


def test_a_second_data_protection_officer_reviews_the_access(staff, bangkok, seoul_case):
    access = need_to_know.emergency_access_open(user=bangkok.dpo, case_number=seoul_case.number, reason=REASON, hours=1)
    assert list(need_to_know.emergency_accesses_to_review(bangkok.dpo)) == []  # not their own
    assert list(need_to_know.emergency_accesses_to_review(staff.dpo)) == [access]
    assert list(need_to_know.emergency_accesses_to_review(staff.eligibility)) == []
    # Their own access, to another unit's case: not theirs to review twice over.
    with pytest.raises(NotFound):
        need_to_know.emergency_access_review(user=bangkok.dpo, access_id=access.pk, justified=True)
    with pytest.raises(InvalidInput):
        need_to_know.emergency_access_review(user=staff.dpo, access_id=access.pk, justified=False)

    need_to_know.emergency_access_review(user=staff.dpo, access_id=access.pk, justified=False, note="No urgency.")

    access.refresh_from_db()
    assert (access.finding, access.review_note, access.reviewed_by) == ("not_justified", "No urgency.", staff.dpo)
    assert seoul_case.events.get(type="emergency_access_reviewed").data == {"finding": "not_justified"}
    assert list(need_to_know.emergency_accesses_to_review(staff.dpo)) == []
    with pytest.raises(Refused) as refused:
        need_to_know.emergency_access_review(user=staff.second_dpo, access_id=access.pk, justified=True)
    assert refused.value.codes == [Code.ACCESS_ALREADY_REVIEWED]


def test_an_access_is_reviewed_by_a_data_protection_officer_of_the_case_s_unit(staff, bangkok, seoul_case):
    # Found by the API's schemathesis run: any DPO listed every unit's accesses, with case
    # numbers of cases outside their reach. The case's own unit answers for who read it.
    access = need_to_know.emergency_access_open(
        user=bangkok.eligibility, case_number=seoul_case.number, reason=REASON, hours=1
    )
    assert list(need_to_know.emergency_accesses_to_review(bangkok.dpo)) == []
    with pytest.raises(NotFound):
        need_to_know.emergency_access_review(user=bangkok.dpo, access_id=access.pk, justified=True)
    access.refresh_from_db()
    assert access.reviewed_at is None
    assert not seoul_case.events.filter(type="emergency_access_reviewed").exists()

    assert list(need_to_know.emergency_accesses_to_review(staff.dpo)) == [access]


def test_overdue_reviews_are_flagged(bangkok, seoul_case):
    access = need_to_know.emergency_access_open(
        user=bangkok.eligibility, case_number=seoul_case.number, reason=REASON, hours=1, at=T0
    )
    assert not need_to_know.emergency_access_overdue(access, T0 + timedelta(days=2))
    assert need_to_know.emergency_access_overdue(access, T0 + timedelta(days=4))
