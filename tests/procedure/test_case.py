"""Every step of the procedure, and every refusal it can give."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from asylon.procedure.case import (
    APPEAL_PERIOD,
    LATE_APPEAL_GRACE,
    STEPS,
    ApproveAssessment,
    Case,
    Close,
    DecideAppeal,
    Finalize,
    HoldInterview,
    LodgeAppeal,
    Notify,
    NotifyAppeal,
    OpenCancellation,
    OpenCessation,
    Outcome,
    Proceeding,
    ProcessingMode,
    Reopen,
    ReopeningGround,
    ReturnAssessment,
    ScheduleInterview,
    Screen,
    State,
    Withdraw,
    available_steps,
    refusals,
    take,
)
from asylon.procedure.refusals import Code, Refused
from tests.procedure.personas import (
    TODAY,
    appeal_officer,
    assessment,
    decision,
    eligibility,
    eligibility_reviewer,
    interview_held,
    outsider,
    path,
    registrar,
    reviewer,
    walk,
)


def codes(case, step, actor, today=TODAY):
    return [r.code for r in refusals(case, step, actor, today)]


@pytest.mark.parametrize(("index",), [(i,) for i in range(8)])
def test_the_ordinary_path_moves_one_stage_per_step(index):
    case = Case()
    for step, actor, _reached in path()[: index + 1]:
        case = take(case, step, actor, TODAY)
    assert case.state == path()[index][2]


def test_every_step_is_refused_to_an_outsider():
    for step_type in STEPS:
        assert step_type.roles, step_type
        for state in step_type.sources:
            case = Case(state=state)
            step = _example(step_type)
            assert Code.ROLE_NOT_PERMITTED in codes(case, step, outsider)


def test_every_step_is_refused_at_a_stage_it_does_not_start_from():
    for step_type in STEPS:
        for state in set(State) - step_type.sources:
            step = _example(step_type)
            actor = _holder(step_type)
            assert codes(Case(state=state), step, actor) == [Code.STATE_DOES_NOT_ALLOW]


def test_a_refused_step_raises_with_every_reason_and_leaves_the_case_as_it_was():
    case = walk(State.INTERVIEW_SCHEDULED)
    with pytest.raises(Refused) as refused:
        take(case, replace(interview_held(), rights_informed=False, read_back_confirmed=False), eligibility, TODAY)
    assert refused.value.codes == [Code.RIGHTS_NOT_READ, Code.READ_BACK_MISSING]
    assert case.state == State.INTERVIEW_SCHEDULED


def test_screening_needs_a_reason_for_the_processing_mode():
    case = walk(State.REGISTERED)
    assert codes(case, Screen(mode=ProcessingMode.ACCELERATED, reason=" "), registrar) == [
        Code.PROCESSING_MODE_REASON_MISSING
    ]


def test_screening_records_the_processing_mode():
    case = take(
        walk(State.REGISTERED),
        Screen(mode=ProcessingMode.ACCELERATED, reason="Manifestly well-founded"),
        registrar,
        TODAY,
    )
    assert case.processing_mode == ProcessingMode.ACCELERATED


def test_an_interview_needs_a_language():
    assert codes(walk(State.SCREENED), ScheduleInterview(language=""), eligibility) == [Code.INTERVIEW_LANGUAGE_MISSING]


def test_an_interview_can_be_rescheduled():
    case = walk(State.INTERVIEW_SCHEDULED)
    assert take(case, ScheduleInterview(language="ko"), eligibility, TODAY).state == State.INTERVIEW_SCHEDULED


def test_holding_the_interview_records_the_interviewer():
    assert walk(State.INTERVIEWED).interviewer_id == eligibility.id


def test_an_interview_record_must_end_after_it_started():
    case = walk(State.INTERVIEW_SCHEDULED)
    held = interview_held()
    assert codes(case, replace(held, ended_at=held.started_at), eligibility) == [Code.INTERVIEW_END_NOT_AFTER_START]
    earlier = held.started_at - timedelta(minutes=1)
    assert codes(case, replace(held, ended_at=earlier), eligibility) == [Code.INTERVIEW_END_NOT_AFTER_START]


def test_an_interview_cannot_be_recorded_as_held_on_a_day_still_to_come():
    case = walk(State.INTERVIEW_SCHEDULED)
    tomorrow = interview_held(ended=datetime.combine(TODAY + timedelta(days=1), time(10), tzinfo=UTC))
    assert codes(case, tomorrow, eligibility) == [Code.INTERVIEW_IN_FUTURE]
    # Ending just after midnight UTC on the next day is still tomorrow, whatever began today.
    overnight = replace(interview_held(), ended_at=datetime.combine(TODAY + timedelta(days=1), time(0, 5), tzinfo=UTC))
    assert codes(case, overnight, eligibility) == [Code.INTERVIEW_IN_FUTURE]


def test_an_interview_ending_late_today_is_recorded_with_every_reason_at_once():
    case = walk(State.INTERVIEW_SCHEDULED)
    late = interview_held(ended=datetime.combine(TODAY, time(23, 59), tzinfo=UTC))
    assert codes(case, late, eligibility) == []
    backwards = HoldInterview(
        rights_informed=False,
        read_back_confirmed=True,
        started_at=datetime.combine(TODAY + timedelta(days=2), time(9), tzinfo=UTC),
        ended_at=datetime.combine(TODAY + timedelta(days=2), time(8), tzinfo=UTC),
    )
    assert codes(case, backwards, eligibility) == [
        Code.RIGHTS_NOT_READ,
        Code.INTERVIEW_END_NOT_AFTER_START,
        Code.INTERVIEW_IN_FUTURE,
    ]


def test_interview_times_in_another_offset_are_judged_in_utc():
    case = walk(State.INTERVIEW_SCHEDULED)
    seoul = timezone(timedelta(hours=9))
    # 08:00 in Seoul on the day after TODAY is 23:00 UTC on TODAY: the interview is over.
    ended = datetime.combine(TODAY + timedelta(days=1), time(8), tzinfo=seoul)
    assert codes(case, interview_held(ended=ended), eligibility) == []


def test_an_assessment_needs_every_part():
    incomplete = replace(assessment(), exclusion="")
    assert codes(walk(State.INTERVIEWED), incomplete, eligibility) == [Code.ASSESSMENT_INCOMPLETE]


def test_the_drafter_may_not_review_their_own_assessment():
    case = walk(State.INTERVIEWED)
    case = take(case, assessment(), eligibility_reviewer, TODAY)
    assert codes(case, ApproveAssessment(), eligibility_reviewer) == [Code.REVIEWER_IS_DRAFTER]
    assert Code.REVIEWER_IS_DRAFTER in codes(case, ReturnAssessment(comments="Redo"), eligibility_reviewer)


def test_a_returned_assessment_needs_comments_and_goes_back_to_the_drafter():
    case = walk(State.ASSESSMENT_DRAFTED)
    assert codes(case, ReturnAssessment(comments=""), reviewer) == [Code.REVIEW_COMMENTS_MISSING]
    returned = take(case, ReturnAssessment(comments="Credibility findings per fact, please."), reviewer, TODAY)
    assert returned.state == State.INTERVIEWED
    assert returned.drafter_id is None


def test_the_drafter_may_not_decide():
    case = walk(State.INTERVIEWED)
    case = take(case, assessment(), eligibility_reviewer, TODAY)
    case = replace(case, state=State.ASSESSMENT_REVIEWED)
    assert codes(case, decision(), eligibility_reviewer) == [Code.DECISION_MAKER_IS_DRAFTER]


def test_a_decision_needs_reasons_and_the_countries_assessed():
    case = walk(State.ASSESSMENT_REVIEWED)
    bad = replace(decision(), reasons="", countries_assessed=frozenset())
    assert codes(case, bad, reviewer) == [Code.REASONS_MISSING, Code.COUNTRIES_ASSESSED_MISSING]


def test_notification_needs_a_language():
    assert codes(walk(State.DECIDED), Notify(language=""), registrar) == [Code.NOTIFICATION_LANGUAGE_MISSING]


def test_notifying_a_rejection_opens_a_thirty_day_appeal_window():
    case = walk(State.APPEAL_WINDOW)
    assert case.notified_on == TODAY
    assert case.appeal_deadline == TODAY + APPEAL_PERIOD == TODAY + timedelta(days=30)
    assert case.final_outcome is None


def test_notifying_a_recognition_makes_it_final_at_once():
    case = walk(State.DECIDED, outcome=Outcome.REFUGEE_STATUS)
    case = take(case, Notify(language="ko"), registrar, TODAY)
    assert case.state == State.FINAL
    assert case.final_outcome == Outcome.REFUGEE_STATUS


@pytest.mark.parametrize("outcome", [Outcome.COMPLEMENTARY_PROTECTION, Outcome.HUMANITARIAN_STATUS])
def test_a_protection_short_of_refugee_status_can_be_appealed(outcome):
    case = take(walk(State.DECIDED, outcome=outcome), Notify(language="ko"), registrar, TODAY)
    assert case.state == State.APPEAL_WINDOW


def test_the_decision_is_not_final_while_a_late_appeal_may_still_be_heard():
    case = walk(State.APPEAL_WINDOW)
    assert case.appeal_deadline is not None
    assert codes(case, Finalize(), registrar, case.appeal_deadline) == [Code.APPEAL_WINDOW_OPEN]
    last_late_day = case.appeal_deadline + LATE_APPEAL_GRACE
    assert codes(case, Finalize(), registrar, last_late_day) == [Code.APPEAL_WINDOW_OPEN]
    final = take(case, Finalize(), registrar, last_late_day + timedelta(days=1))
    assert (final.state, final.final_outcome) == (State.FINAL, Outcome.REJECTED)


def test_a_late_appeal_needs_a_reason_and_is_heard_within_six_weeks():
    case = walk(State.APPEAL_WINDOW)
    assert case.appeal_deadline is not None
    late = case.appeal_deadline + timedelta(days=1)
    assert codes(case, LodgeAppeal(), registrar, late) == [Code.LATE_APPEAL_REASON_MISSING]
    assert codes(case, LodgeAppeal(late_reason="Was in hospital."), registrar, late) == []
    too_late = case.appeal_deadline + LATE_APPEAL_GRACE + timedelta(days=1)
    assert codes(case, LodgeAppeal(late_reason="Was in hospital."), registrar, too_late) == [
        Code.APPEAL_DEADLINE_PASSED
    ]


def test_the_first_instance_decision_maker_may_not_decide_the_appeal():
    case = walk(State.APPEAL_LODGED)
    dual = replace(reviewer, roles=reviewer.roles | {appeal_officer.roles.__iter__().__next__()})
    step = DecideAppeal(outcome=Outcome.REJECTED, reasons="Upheld.", countries_assessed=frozenset({"KP"}))
    assert codes(case, step, dual) == [Code.APPEAL_OFFICER_IS_FIRST_INSTANCE_DECISION_MAKER]


def test_the_officer_who_heard_the_claim_may_not_decide_the_appeal():
    case = walk(State.INTERVIEW_SCHEDULED)
    case = take(case, interview_held(), eligibility_reviewer, TODAY)
    case = take(case, assessment(), eligibility, TODAY)
    case = walk(State.APPEAL_LODGED, case=case)
    step = DecideAppeal(outcome=Outcome.REJECTED, reasons="Upheld.", countries_assessed=frozenset({"KP"}))
    assert codes(case, step, eligibility_reviewer) == [Code.APPEAL_OFFICER_HEARD_CLAIM]


def test_an_appeal_decision_needs_reasons_and_countries():
    case = walk(State.APPEAL_LODGED)
    step = DecideAppeal(outcome=Outcome.REJECTED, reasons="", countries_assessed=frozenset())
    assert codes(case, step, appeal_officer) == [Code.REASONS_MISSING, Code.COUNTRIES_ASSESSED_MISSING]


def test_an_appeal_can_overturn_the_first_decision():
    case = walk(State.APPEAL_LODGED)
    step = DecideAppeal(
        outcome=Outcome.REFUGEE_STATUS,
        reasons="Sur place claim made out.",
        countries_assessed=frozenset({"KP", "CN"}),
    )
    case = take(case, step, appeal_officer, TODAY)
    assert case.final_outcome == Outcome.REFUGEE_STATUS
    assert case.countries_assessed == {"KP", "CN"}
    case = take(case, NotifyAppeal(language="ko"), registrar, TODAY)
    assert case.state == State.FINAL
    assert codes(case, NotifyAppeal(language="ko"), registrar) == [Code.STATE_DOES_NOT_ALLOW]


def test_a_person_who_fears_return_is_never_closed_out_at_intake():
    assert codes(Case(fear_expressed=True), Close(reason="No claim"), eligibility) == [Code.SCREENING_REQUIRED]
    no_return = Case(fear_expressed=False, no_return_nationality=True)
    assert codes(no_return, Close(reason="No claim"), eligibility) == [Code.SCREENING_REQUIRED]
    free = Case(fear_expressed=False, no_return_nationality=False)
    assert take(free, Close(reason="Seeks no protection"), eligibility, TODAY).state == State.CLOSED


def test_closing_needs_a_reason():
    assert codes(walk(State.FINAL), Close(reason=""), eligibility) == [Code.REASON_MISSING]


def test_withdrawal_needs_a_reason_and_can_be_reopened():
    case = walk(State.SCREENED)
    assert codes(case, Withdraw(reason=""), registrar) == [Code.REASON_MISSING]
    case = take(case, Withdraw(reason="Applicant withdrew in writing."), registrar, TODAY)
    assert case.state == State.WITHDRAWN
    case = take(case, Reopen(ground=ReopeningGround.ABANDONMENT_EXPLAINED, reason="Was detained."), eligibility, TODAY)
    assert case.state == State.REGISTERED


def test_reopening_needs_a_reason_and_restarts_with_screening():
    case = walk(State.FINAL)
    step = Reopen(ground=ReopeningGround.NEW_EVIDENCE, reason="")
    assert codes(case, step, eligibility) == [Code.REASON_MISSING]
    reopened = take(case, replace(step, reason="Medical report on torture scars."), eligibility, TODAY)
    assert reopened.state == State.REGISTERED
    assert reopened.final_outcome is None
    assert reopened.drafter_id is None


def test_a_recognition_is_not_reopened_but_ended_by_cessation():
    case = take(walk(State.DECIDED, Outcome.REFUGEE_STATUS), Notify(language="ko"), registrar, TODAY)
    assert codes(case, Reopen(ground=ReopeningGround.NEW_EVIDENCE, reason="x"), eligibility) == [
        Code.STATE_DOES_NOT_ALLOW
    ]


@pytest.mark.parametrize(
    ("step_type", "proceeding"),
    [(OpenCessation, Proceeding.CESSATION), (OpenCancellation, Proceeding.CANCELLATION)],
)
def test_cessation_and_cancellation_run_the_full_procedure_while_status_holds(step_type, proceeding):
    case = take(walk(State.DECIDED, Outcome.REFUGEE_STATUS), Notify(language="ko"), registrar, TODAY)
    assert codes(case, step_type(reason=""), eligibility) == [Code.REASON_MISSING]
    case = take(case, step_type(reason="Naturalised in a third state."), eligibility, TODAY)
    assert (case.state, case.proceeding, case.final_outcome) == (
        State.SCREENED,
        proceeding,
        Outcome.REFUGEE_STATUS,
    )
    assert codes(case, Withdraw(reason="x"), registrar) == [Code.STATE_DOES_NOT_ALLOW]


def test_cessation_needs_a_protection_to_end():
    assert codes(walk(State.FINAL), OpenCessation(reason="x"), eligibility) == [Code.NO_PROTECTION_TO_END]
    assert codes(walk(State.FINAL), OpenCancellation(reason="x"), eligibility) == [Code.NO_PROTECTION_TO_END]


def test_an_officer_is_offered_only_the_steps_of_their_role_at_this_stage():
    case = walk(State.ASSESSMENT_DRAFTED)
    assert {s.__name__ for s in available_steps(case, reviewer)} == {"ApproveAssessment", "ReturnAssessment"}
    assert available_steps(case, outsider) == []
    assert {s.__name__ for s in available_steps(case, eligibility)} == {"Withdraw", "Close"}


def _holder(step_type):
    from asylon.procedure.roles import Actor

    return Actor(99, step_type.roles)


def _example(step_type):
    examples = {
        "Screen": lambda: Screen(mode=ProcessingMode.REGULAR, reason="r"),
        "ScheduleInterview": lambda: ScheduleInterview(language="ko"),
        "HoldInterview": interview_held,
        "DraftAssessment": assessment,
        "ReturnAssessment": lambda: ReturnAssessment(comments="c"),
        "Decide": decision,
        "Notify": lambda: Notify(language="ko"),
        "LodgeAppeal": LodgeAppeal,
        "DecideAppeal": lambda: DecideAppeal(
            outcome=Outcome.REJECTED, reasons="r", countries_assessed=frozenset({"KP"})
        ),
        "NotifyAppeal": lambda: NotifyAppeal(language="ko"),
        "Close": lambda: Close(reason="r"),
        "Withdraw": lambda: Withdraw(reason="r"),
        "Reopen": lambda: Reopen(ground=ReopeningGround.NEW_EVIDENCE, reason="r"),
        "OpenCessation": lambda: OpenCessation(reason="r"),
        "OpenCancellation": lambda: OpenCancellation(reason="r"),
    }
    return examples.get(step_type.__name__, step_type)()
