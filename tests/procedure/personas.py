"""The people who work a case in these tests, each in one role."""

from datetime import UTC, date, datetime, timedelta

from asylon.procedure.case import (
    LATE_APPEAL_GRACE,
    ApproveAssessment,
    Case,
    Decide,
    DecideAppeal,
    DraftAssessment,
    Finalize,
    HoldInterview,
    LodgeAppeal,
    Notify,
    NotifyAppeal,
    Outcome,
    ProcessingMode,
    Register,
    ScheduleInterview,
    Screen,
    State,
    Step,
    take,
)
from asylon.procedure.roles import Actor, Role

TODAY = date(2026, 11, 2)


def _actor(id: int, *roles: Role) -> Actor:
    return Actor(id, frozenset(roles))


registrar = _actor(1, Role.REGISTRATION_OFFICER)
eligibility = _actor(2, Role.ELIGIBILITY_OFFICER)
reviewer = _actor(4, Role.REVIEWER)
appeal_officer = _actor(6, Role.APPEAL_OFFICER)
documentation = _actor(7, Role.DOCUMENTATION_OFFICER)
removal_officer = _actor(8, Role.REMOVAL_OFFICER)
dpo = _actor(9, Role.DATA_PROTECTION_OFFICER)
second_dpo = _actor(10, Role.DATA_PROTECTION_OFFICER)
monitor = _actor(11, Role.MONITOR)
ngo = _actor(12, Role.PARTNER_NGO)
administrator = _actor(13, Role.ADMINISTRATOR)
outsider = _actor(14)
# An officer who holds both roles: separation of duties must still hold for them.
eligibility_reviewer = _actor(15, Role.ELIGIBILITY_OFFICER, Role.REVIEWER, Role.APPEAL_OFFICER)

EVERYONE = (
    registrar,
    eligibility,
    reviewer,
    appeal_officer,
    documentation,
    removal_officer,
    dpo,
    monitor,
    ngo,
    administrator,
    outsider,
)


def assessment(outcome: Outcome = Outcome.REJECTED) -> DraftAssessment:
    return DraftAssessment(
        material_facts="Left Hoeryong in 2019; detained in Tumen since 2022.",
        credibility="Consistent and detailed.",
        inclusion="Sur place claim: illegal exit punished as treason.",
        exclusion="No indication of Art. 1F conduct.",
        complementary_protection="Substantial grounds for believing torture on return.",
        proposed_outcome=outcome,
    )


def interview_held(ended: datetime = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)) -> HoldInterview:
    """An interview of an hour and a half, rights explained and the record read back."""
    return HoldInterview(
        rights_informed=True,
        read_back_confirmed=True,
        started_at=ended - timedelta(minutes=90),
        ended_at=ended,
    )


def decision(outcome: Outcome = Outcome.REJECTED, countries: frozenset[str] = frozenset({"KP"})) -> Decide:
    return Decide(outcome=outcome, reasons="Reasons in writing.", countries_assessed=countries)


def path(outcome: Outcome = Outcome.REJECTED) -> list[tuple[Step, Actor, State]]:
    """Every step from intake to a final first-instance decision, with who takes it."""
    return [
        (Register(), registrar, State.REGISTERED),
        (Screen(mode=ProcessingMode.PRIORITIZED, reason="Detained over a year."), registrar, State.SCREENED),
        (ScheduleInterview(language="ko"), eligibility, State.INTERVIEW_SCHEDULED),
        (interview_held(), eligibility, State.INTERVIEWED),
        (assessment(outcome), eligibility, State.ASSESSMENT_DRAFTED),
        (ApproveAssessment(), reviewer, State.ASSESSMENT_REVIEWED),
        (decision(outcome), reviewer, State.DECIDED),
        (Notify(language="ko"), registrar, State.APPEAL_WINDOW),
    ]


def walk(to: State, outcome: Outcome = Outcome.REJECTED, case: Case | None = None) -> Case:
    """A case brought to `to` by the ordinary path, on TODAY."""
    case = case or Case()
    if case.state == to:
        return case
    for step, actor, reached in path(outcome):
        if case.state not in step.sources:
            continue
        case = take(case, step, actor, TODAY)
        if reached == to or case.state == to:
            return case
    if to == State.FINAL:
        assert case.appeal_deadline is not None
        return take(case, Finalize(), registrar, case.appeal_deadline + LATE_APPEAL_GRACE + timedelta(days=1))
    case = take(case, LodgeAppeal(), registrar, TODAY)
    if to == State.APPEAL_LODGED:
        return case
    appeal = DecideAppeal(outcome=outcome, reasons="Upheld.", countries_assessed=frozenset({"KP"}))
    case = take(case, appeal, appeal_officer, TODAY)
    if to == State.APPEAL_DECIDED:
        return case
    return take(case, NotifyAppeal(language="ko"), registrar, TODAY)
