"""The case services against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from asylon.cases import services
from asylon.cases.models import Case, Decision, Event, NumberSeries
from asylon.documents.models import Document
from asylon.procedure import case as p
from asylon.procedure.refusals import Code, Refused
from tests.services.helpers import T0, open_case, principal, walk_to

pytestmark = pytest.mark.django_db


def test_intake_opens_a_case_with_its_people_detention_and_first_event(staff):
    child = services.PersonInput(
        names=[services.NameInput(text="김명철", script="Hang", is_primary=True)],
        sex="M",
        birth_year=2016,
        nationalities=["KP"],
        relation="child",
        specific_needs=["child"],
    )
    case = open_case(staff, principal(), child)
    assert case.number == "AS-2026-000001"
    assert (case.kind, case.state, case.channel) == ("family", "intake", "detained")
    assert [m.relation for m in case.members.order_by("pk")] == ["principal", "child"]
    assert case.principal.detentions.get().next_review_on >= T0.date()
    assert list(case.events.values_list("seq", "type")) == [(1, "intake_opened")]


def test_numbers_run_on_from_those_drawn_before_the_series_were_kept(staff):
    first = walk_to(staff, open_case(staff), p.State.REGISTERED)
    # A database numbered before series were kept: its numbers are there, its series are not.
    NumberSeries.objects.all().delete()

    second = walk_to(staff, open_case(staff, principal("박민준")), p.State.REGISTERED)

    assert (first.number, second.number) == ("AS-2026-000001", "AS-2026-000002")
    assert [d.number[:10] for d in Document.objects.order_by("pk")] == ["T260000001", "T260000002"]
    assert NumberSeries.objects.get(prefix="AS-2026-").last == 2


def test_only_a_registration_officer_opens_an_intake(staff):
    with pytest.raises(Refused) as refused:
        services.intake_open(user=staff.ngo, people=[principal()], channel=p.Channel.SELF_PRESENTED)
    assert refused.value.codes == [Code.ROLE_NOT_PERMITTED]
    assert Case.objects.count() == 0


def test_registration_issues_a_temporary_certificate_to_every_family_member(staff):
    child = services.PersonInput(names=[services.NameInput(text="김명철", script="Hang")], sex="M", relation="child")
    case = walk_to(staff, open_case(staff, principal(), child), p.State.REGISTERED)
    documents = Document.objects.filter(case=case)
    assert sorted(d.type for d in documents) == ["temporary_certificate"] * 2
    assert all(d.valid_from == T0.date() for d in documents)


def test_a_step_appends_one_event_naming_actor_and_reason(staff):
    case = walk_to(staff, open_case(staff), p.State.SCREENED)
    screened = case.events.get(type="screen")
    assert (screened.actor, screened.state_before, screened.state_after) == (staff.registrar, "registered", "screened")
    assert screened.reason == "Detained over a year."
    assert screened.data["mode"] == "prioritized"


def test_a_refused_step_changes_nothing(staff):
    case = walk_to(staff, open_case(staff), p.State.ASSESSMENT_DRAFTED)
    events_before = list(Event.objects.values_list("pk", flat=True))
    with pytest.raises(Refused) as refused:
        services.case_take(user=staff.eligibility, case_id=case.pk, step=p.ApproveAssessment())
    assert refused.value.codes == [Code.ROLE_NOT_PERMITTED]
    case.refresh_from_db()
    assert case.state == "assessment_drafted"
    assert list(Event.objects.values_list("pk", flat=True)) == events_before


def test_decision_records_reasons_and_the_appeal_deadline_follows_notification(staff):
    case = walk_to(staff, open_case(staff), p.State.APPEAL_WINDOW)
    decision = Decision.objects.get(case=case)
    assert (decision.instance, decision.outcome, decision.decided_by) == ("first", "rejected", staff.reviewer)
    assert decision.notified_on == T0.date()
    assert case.appeal_deadline == T0.date() + timedelta(days=30)


def test_a_positive_final_decision_issues_the_status_document(staff):
    case = walk_to(staff, open_case(staff), p.State.FINAL, outcome=p.Outcome.REFUGEE_STATUS)
    assert set(Document.objects.filter(case=case).values_list("type", flat=True)) == {
        "temporary_certificate",
        "refugee_certificate",
    }


def test_events_cannot_be_changed_or_deleted_through_the_application(staff):
    case = open_case(staff)
    event = case.events.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.filter(case=case).update(reason="rewritten")
    with pytest.raises(PermissionError):
        Event.objects.filter(case=case).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_events_cannot_be_changed_even_bypassing_the_application(staff):
    case = open_case(staff)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_event SET type = 'rewritten' WHERE case_id = %s", [case.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_event WHERE case_id = %s", [case.pk])
    assert case.events.get().type == "intake_opened"


def test_the_same_event_number_cannot_be_written_twice(staff):
    case = open_case(staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(case=case, seq=1, type="forged", at=T0)


def test_a_bad_intake_names_every_wrong_field_and_writes_nothing(staff):
    from asylon.people.models import Name, Person

    bad = services.PersonInput(
        names=[services.NameInput(text=" ", script="Cyrl", romanization="x")],
        sex="?",
        birth_year=1990,
        birth_month=2,
        birth_day=30,
        nationalities=["north korea"],
        specific_needs=["tall"],
    )
    with pytest.raises(services.InvalidInput) as invalid:
        services.intake_open(user=staff.registrar, people=[principal(), bad], channel=p.Channel.DETAINED)
    assert set(invalid.value.errors) == {
        "people[1].names[0].text",
        "people[1].names[0].script",
        "people[1].names[0].romanization",
        "people[1].sex",
        "people[1].birth_day",
        "people[1].nationalities",
        "people[1].specific_needs",
    }
    assert invalid.value.errors["people[1].birth_day"] == "1990-02 has no day 30."
    assert (Case.objects.count(), Person.objects.count(), Name.objects.count(), Event.objects.count()) == (0, 0, 0, 0)


def test_a_detention_review_sets_the_next_review_and_is_recorded_on_the_case(staff):
    case = open_case(staff)
    episode = case.principal.detentions.get()
    later = T0 + timedelta(days=3)
    with pytest.raises(Refused) as refused:
        services.detention_review(user=staff.reviewer, episode_id=episode.pk, release=False, reason="", at=later)
    assert refused.value.codes == [Code.ROLE_NOT_PERMITTED, Code.REASON_MISSING]
    services.detention_review(
        user=staff.eligibility, episode_id=episode.pk, release=False, reason="Risk of transfer.", at=later
    )
    episode.refresh_from_db()
    assert episode.next_review_on == later.date() + timedelta(days=30)
    services.detention_review(
        user=staff.eligibility, episode_id=episode.pk, release=True, reason="Released to shelter.", at=later
    )
    episode.refresh_from_db()
    assert episode.released_on == later.date()
    assert list(case.events.values_list("type", flat=True)) == [
        "intake_opened",
        "detention_reviewed",
        "detention_released",
    ]


def test_a_step_on_a_case_the_user_may_not_see_is_answered_as_if_it_did_not_exist(staff):
    case = open_case(staff)
    with pytest.raises(services.NotFound):
        services.case_take(user=staff.monitor, case_id=case.pk, step=p.Register())
    with pytest.raises(services.NotFound):
        services.case_take(user=staff.registrar, case_id=case.pk + 1000, step=p.Register())


def test_rescheduling_moves_the_interview_instead_of_adding_one(staff):
    case = walk_to(staff, open_case(staff), p.State.INTERVIEW_SCHEDULED)
    record = services.StepRecord(place="Room 2", interviewer_gender="F", interpreter_gender="F")
    services.case_take(user=staff.eligibility, case_id=case.pk, step=p.ScheduleInterview(language="ko"), record=record)
    interview = case.interviews.get()
    assert (interview.place, interview.interviewer_gender) == ("Room 2", "F")


def test_interview_preferences_are_checked(staff):
    case = walk_to(staff, open_case(staff), p.State.SCREENED)
    with pytest.raises(services.InvalidInput) as invalid:
        services.case_take(
            user=staff.eligibility,
            case_id=case.pk,
            step=p.ScheduleInterview(language="ko"),
            record=services.StepRecord(interviewer_gender="female"),
        )
    assert invalid.value.errors == {"interviewer_gender": "Must be F, M or empty (no preference)."}
    assert not case.interviews.exists()


def test_the_interview_record_keeps_its_start_and_end_and_the_event_names_them(staff):
    from asylon.cases.models import Interview
    from tests.procedure.personas import interview_held

    case = walk_to(staff, open_case(staff), p.State.INTERVIEW_SCHEDULED)
    held = interview_held(ended=T0 - timedelta(minutes=20))

    services.case_take(user=staff.eligibility, case_id=case.pk, step=held, at=T0)

    interview = Interview.objects.get(case=case)
    assert (interview.started_at, interview.ended_at, interview.held_at) == (held.started_at, held.ended_at, T0)
    event = case.events.get(type="hold_interview")
    assert (event.data["started_at"], event.data["ended_at"]) == (
        held.started_at.isoformat(),
        held.ended_at.isoformat(),
    )


def test_an_interview_ending_before_it_started_is_refused_and_nothing_is_written(staff):
    from dataclasses import replace

    from asylon.cases.models import Interview
    from tests.procedure.personas import interview_held

    case = walk_to(staff, open_case(staff), p.State.INTERVIEW_SCHEDULED)
    held = interview_held(ended=T0)
    events = case.events.count()

    with pytest.raises(Refused) as refused:
        services.case_take(user=staff.eligibility, case_id=case.pk, step=replace(held, ended_at=held.started_at), at=T0)

    assert refused.value.codes == [Code.INTERVIEW_END_NOT_AFTER_START]
    case.refresh_from_db()
    assert (case.state, case.events.count()) == (p.State.INTERVIEW_SCHEDULED, events)
    interview = Interview.objects.get(case=case)
    assert (interview.held_at, interview.started_at, interview.ended_at) == (None, None, None)


def test_an_alias_is_stored_as_one_and_never_becomes_the_primary_name(staff):
    person = services.PersonInput(
        names=[
            services.NameInput(text="김영희", script="Hang", source="chinese_police", is_alias=True),
            services.NameInput(text="리순희", script="Hang"),
        ],
        sex="F",
    )

    case = services.intake_open(user=staff.registrar, people=[person], channel=p.Channel.SELF_PRESENTED, at=T0)

    names = {n.text: (n.is_primary, n.is_alias) for n in case.principal.names.all()}
    assert names == {"김영희": (False, True), "리순희": (True, False)}


def test_a_primary_alias_or_a_person_known_only_by_aliases_is_refused(staff):
    alias = services.NameInput(text="김영희", script="Hang", is_alias=True, is_primary=True)
    only_aliases = [services.NameInput(text="김영희", script="Hang", is_alias=True)]
    before = Case.objects.count()

    with pytest.raises(services.InvalidInput) as invalid:
        services.intake_open(
            user=staff.registrar,
            people=[
                services.PersonInput(names=[alias, services.NameInput(text="리순희", script="Hang")], sex="F"),
                services.PersonInput(names=only_aliases, sex="M"),
            ],
            channel=p.Channel.SELF_PRESENTED,
            at=T0,
        )

    assert invalid.value.errors == {
        "people[0].names[0].is_alias": "The primary name cannot be an alias.",
        "people[1].names": "At least one name must be the person's own, not an alias.",
    }
    assert Case.objects.count() == before
