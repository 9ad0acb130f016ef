"""The case: its stages, the steps between them, and who may take each step.

A case is an immutable value. `take` checks a step against every rule and returns
the case as it stands afterwards, or raises `Refused` with every reason at once.
Sources cited are UNHCR's Procedural Standards for RSD under UNHCR's Mandate
("PS", 2005 numbering) and the Conventions named in DESIGN.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from asylon.procedure.refusals import Code, Refusal, Refused
from asylon.procedure.roles import Actor, Role

# PS §7.1.1: the appeal deadline is not less than 30 days from notification.
APPEAL_PERIOD = timedelta(days=30)
# PS §7.2: a file is not closed if an appeal arrives within six weeks after the deadline.
LATE_APPEAL_GRACE = timedelta(weeks=6)


class State(StrEnum):
    INTAKE = "intake"
    REGISTERED = "registered"
    SCREENED = "screened"
    INTERVIEW_SCHEDULED = "interview_scheduled"
    INTERVIEWED = "interviewed"
    ASSESSMENT_DRAFTED = "assessment_drafted"
    ASSESSMENT_REVIEWED = "assessment_reviewed"
    DECIDED = "decided"
    APPEAL_WINDOW = "appeal_window"
    APPEAL_LODGED = "appeal_lodged"
    APPEAL_DECIDED = "appeal_decided"
    FINAL = "final"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


# The stages at which a claim is still being determined: the person may not be removed.
PENDING = frozenset(State) - {State.FINAL, State.CLOSED, State.WITHDRAWN}
# From registration to the end of the appeal window the applicant must hold a valid document.
DOCUMENTED = PENDING - {State.INTAKE}


class Channel(StrEnum):
    SELF_PRESENTED = "self_presented"
    DETAINED = "detained"
    ALERT = "alert"


class ProcessingMode(StrEnum):
    REGULAR = "regular"
    PRIORITIZED = "prioritized"
    ACCELERATED = "accelerated"


class Proceeding(StrEnum):
    DETERMINATION = "determination"
    CESSATION = "cessation"  # Refugee Convention Art. 1C
    CANCELLATION = "cancellation"  # UNHCR Handbook para. 117; PS §10.1


class Outcome(StrEnum):
    REFUGEE_STATUS = "refugee_status"
    COMPLEMENTARY_PROTECTION = "complementary_protection"
    HUMANITARIAN_STATUS = "humanitarian_status"
    REJECTED = "rejected"


PROTECTIVE = frozenset(Outcome) - {Outcome.REJECTED}


class ReopeningGround(StrEnum):
    # PS §9.2: the only grounds on which a finally rejected or closed file reopens.
    CHANGED_CIRCUMSTANCES = "changed_circumstances"
    NEW_EVIDENCE = "new_evidence"
    IMPROPER_DECISION = "improper_decision"
    ABANDONMENT_EXPLAINED = "abandonment_explained"


@dataclass(frozen=True)
class Case:
    state: State = State.INTAKE
    channel: Channel = Channel.SELF_PRESENTED
    fear_expressed: bool = True
    # True when a nationality of the principal applicant is on the no-return register.
    no_return_nationality: bool = False
    proceeding: Proceeding = Proceeding.DETERMINATION
    processing_mode: ProcessingMode | None = None
    interviewer_id: int | None = None
    drafter_id: int | None = None
    proposed_outcome: Outcome | None = None
    reviewer_id: int | None = None
    decision_maker_id: int | None = None
    outcome: Outcome | None = None
    countries_assessed: frozenset[str] = frozenset()
    notified_on: date | None = None
    appeal_deadline: date | None = None
    appeal_officer_id: int | None = None
    # The outcome that stands once the case is final: first instance or appeal.
    final_outcome: Outcome | None = None

    @property
    def pending(self) -> bool:
        return self.state in PENDING


# Commands: one per step, named in the imperative, carrying what the step needs.


@dataclass(frozen=True)
class Step:
    sources: ClassVar[frozenset[State]]
    roles: ClassVar[frozenset[Role]]

    @property
    def name(self) -> str:
        return _snake(type(self).__name__)

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        """Refusals that depend on what the step carries; the table checks stage and role."""
        return []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        raise NotImplementedError


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _missing(text: str) -> bool:
    return not text.strip()


_REG = Role.REGISTRATION_OFFICER
_ELIG = Role.ELIGIBILITY_OFFICER


@dataclass(frozen=True)
class Register(Step):
    """PS §3.2: register the applicant and open an individual file."""

    sources = frozenset({State.INTAKE})
    roles = frozenset({_REG})

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.REGISTERED)


@dataclass(frozen=True)
class Screen(Step):
    """Aide-Memoire to the 2020 PS: regular, prioritized or accelerated processing."""

    mode: ProcessingMode
    reason: str

    sources = frozenset({State.REGISTERED})
    roles = frozenset({_REG, _ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        return [Refusal.of(Code.PROCESSING_MODE_REASON_MISSING)] if _missing(self.reason) else []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.SCREENED, processing_mode=self.mode)


@dataclass(frozen=True)
class ScheduleInterview(Step):
    """PS §4.3.1: every principal applicant is heard in person; no paper-only decision."""

    language: str

    sources = frozenset({State.SCREENED, State.INTERVIEW_SCHEDULED})
    roles = frozenset({_ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        return [Refusal.of(Code.INTERVIEW_LANGUAGE_MISSING)] if _missing(self.language) else []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.INTERVIEW_SCHEDULED)


@dataclass(frozen=True)
class HoldInterview(Step):
    """PS §3.1.3 (rights explained) and §4.3.9–4.3.11 (transcript read back)."""

    rights_informed: bool
    read_back_confirmed: bool
    # PS §4.3.11: the record states when the interview began and ended (UTC).
    started_at: datetime
    ended_at: datetime

    sources = frozenset({State.INTERVIEW_SCHEDULED})
    roles = frozenset({_ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        found = []
        if not self.rights_informed:
            found.append(Refusal.of(Code.RIGHTS_NOT_READ))
        if not self.read_back_confirmed:
            found.append(Refusal.of(Code.READ_BACK_MISSING))
        if self.ended_at <= self.started_at:
            found.append(Refusal.of(Code.INTERVIEW_END_NOT_AFTER_START))
        # The core's clock is the day: an interview ending on a later day has not been held yet.
        if max(self.started_at, self.ended_at).astimezone(UTC).date() > today:
            found.append(Refusal.of(Code.INTERVIEW_IN_FUTURE))
        return found

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.INTERVIEWED, interviewer_id=actor.id)


@dataclass(frozen=True)
class DraftAssessment(Step):
    """Structured assessment: facts, credibility, Art. 1A(2), Art. 1F, CAT Art. 3 / ICCPR Arts. 6-7."""

    material_facts: str
    credibility: str
    inclusion: str
    exclusion: str
    complementary_protection: str
    proposed_outcome: Outcome

    sources = frozenset({State.INTERVIEWED})
    roles = frozenset({_ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        parts = (
            self.material_facts,
            self.credibility,
            self.inclusion,
            self.exclusion,
            self.complementary_protection,
        )
        return [Refusal.of(Code.ASSESSMENT_INCOMPLETE)] if any(map(_missing, parts)) else []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(
            case,
            state=State.ASSESSMENT_DRAFTED,
            drafter_id=actor.id,
            proposed_outcome=self.proposed_outcome,
        )


def _not_drafter(case: Case, actor: Actor, code: Code) -> list[Refusal]:
    return [Refusal.of(code)] if actor.id == case.drafter_id else []


@dataclass(frozen=True)
class ApproveAssessment(Step):
    """PS §4.7: a review by an officer other than the drafter."""

    sources = frozenset({State.ASSESSMENT_DRAFTED})
    roles = frozenset({Role.REVIEWER})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        return _not_drafter(case, actor, Code.REVIEWER_IS_DRAFTER)

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.ASSESSMENT_REVIEWED, reviewer_id=actor.id)


@dataclass(frozen=True)
class ReturnAssessment(Step):
    """The reviewer sends the draft back with comments; the drafter reworks it."""

    comments: str

    sources = frozenset({State.ASSESSMENT_DRAFTED})
    roles = frozenset({Role.REVIEWER})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        found = _not_drafter(case, actor, Code.REVIEWER_IS_DRAFTER)
        if _missing(self.comments):
            found.append(Refusal.of(Code.REVIEW_COMMENTS_MISSING))
        return found

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.INTERVIEWED, drafter_id=None, proposed_outcome=None)


def _decision_refusals(reasons: str, countries_assessed: frozenset[str]) -> list[Refusal]:
    found = []
    # PS §6.4: written reasons, so the applicant can decide whether to appeal.
    if _missing(reasons):
        found.append(Refusal.of(Code.REASONS_MISSING))
    # Refugee Convention Art. 33; CAT Art. 3: the risk is assessed per country of return.
    if not countries_assessed:
        found.append(Refusal.of(Code.COUNTRIES_ASSESSED_MISSING))
    return found


@dataclass(frozen=True)
class Decide(Step):
    """First-instance decision, by an officer other than the drafter."""

    outcome: Outcome
    reasons: str
    countries_assessed: frozenset[str]

    sources = frozenset({State.ASSESSMENT_REVIEWED})
    roles = frozenset({Role.REVIEWER})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        return _not_drafter(case, actor, Code.DECISION_MAKER_IS_DRAFTER) + _decision_refusals(
            self.reasons, self.countries_assessed
        )

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(
            case,
            state=State.DECIDED,
            decision_maker_id=actor.id,
            outcome=self.outcome,
            countries_assessed=self.countries_assessed,
        )


@dataclass(frozen=True)
class Notify(Step):
    """PS §6: notification in a language the applicant understands, with the appeal deadline."""

    language: str

    sources = frozenset({State.DECIDED})
    roles = frozenset({_REG, _ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        return [Refusal.of(Code.NOTIFICATION_LANGUAGE_MISSING)] if _missing(self.language) else []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        # Only a full recognition leaves nothing to appeal; complementary protection or
        # humanitarian status is a refusal of refugee status and may be appealed (PS §7.1).
        if case.outcome == Outcome.REFUGEE_STATUS:
            return replace(case, state=State.FINAL, notified_on=today, final_outcome=case.outcome)
        return replace(
            case,
            state=State.APPEAL_WINDOW,
            notified_on=today,
            appeal_deadline=today + APPEAL_PERIOD,
        )


@dataclass(frozen=True)
class LodgeAppeal(Step):
    """PS §7.1: every rejected applicant may appeal; late appeals within six weeks are heard."""

    late_reason: str = ""

    sources = frozenset({State.APPEAL_WINDOW})
    roles = frozenset({_REG, Role.APPEAL_OFFICER})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        assert case.appeal_deadline is not None
        if today <= case.appeal_deadline:
            return []
        if today > case.appeal_deadline + LATE_APPEAL_GRACE:
            return [Refusal.of(Code.APPEAL_DEADLINE_PASSED)]
        return [Refusal.of(Code.LATE_APPEAL_REASON_MISSING)] if _missing(self.late_reason) else []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.APPEAL_LODGED)


@dataclass(frozen=True)
class Finalize(Step):
    """The first-instance decision becomes final once the appeal window has closed unused.

    PS §7.2: the file is not closed while a late appeal may still be heard, so the window
    closes six weeks after the deadline the applicant was given.
    """

    sources = frozenset({State.APPEAL_WINDOW})
    roles = frozenset({_REG, _ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        assert case.appeal_deadline is not None
        return [Refusal.of(Code.APPEAL_WINDOW_OPEN)] if today <= case.appeal_deadline + LATE_APPEAL_GRACE else []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.FINAL, final_outcome=case.outcome)


@dataclass(frozen=True)
class DecideAppeal(Step):
    """PS §7.2: decided by an officer other than the one who heard the claim in first instance."""

    outcome: Outcome
    reasons: str
    countries_assessed: frozenset[str]

    sources = frozenset({State.APPEAL_LODGED})
    roles = frozenset({Role.APPEAL_OFFICER})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        found = []
        if actor.id == case.decision_maker_id:
            found.append(Refusal.of(Code.APPEAL_OFFICER_IS_FIRST_INSTANCE_DECISION_MAKER))
        if actor.id in (case.interviewer_id, case.drafter_id):
            found.append(Refusal.of(Code.APPEAL_OFFICER_HEARD_CLAIM))
        return found + _decision_refusals(self.reasons, self.countries_assessed)

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(
            case,
            state=State.APPEAL_DECIDED,
            appeal_officer_id=actor.id,
            final_outcome=self.outcome,
            # An appeal that re-assesses the risk widens what the first instance examined.
            countries_assessed=case.countries_assessed | self.countries_assessed,
        )


@dataclass(frozen=True)
class NotifyAppeal(Step):
    """PS §7: the appeal decision is notified; it is final."""

    language: str

    sources = frozenset({State.APPEAL_DECIDED})
    roles = frozenset({_REG, _ELIG, Role.APPEAL_OFFICER})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        return [Refusal.of(Code.NOTIFICATION_LANGUAGE_MISSING)] if _missing(self.language) else []

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.FINAL)


@dataclass(frozen=True)
class Close(Step):
    """PS §9.1: close a final file, or one abandoned; never skip screening at intake.

    Not in the appeal window, which closes by Finalize once no late appeal can be heard (PS
    §7.2), nor once the appeal is decided, which is notified first (NotifyAppeal): a file
    closed there would end on a decision that never became final, and the removal guard
    counts a closed file's rejection as final."""

    reason: str

    sources = frozenset(State) - {State.CLOSED, State.WITHDRAWN, State.APPEAL_WINDOW, State.APPEAL_DECIDED}
    roles = frozenset({_ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        found = [Refusal.of(Code.REASON_MISSING)] if _missing(self.reason) else []
        # DESIGN.md: any fear of return or a no-return nationality routes the person into the
        # procedure (Refugee Convention Art. 33; EXCOM Conclusion No. 8 (XXVIII) (e)).
        if case.state == State.INTAKE and (case.fear_expressed or case.no_return_nationality):
            found.append(Refusal.of(Code.SCREENING_REQUIRED))
        return found

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.CLOSED)


@dataclass(frozen=True)
class Withdraw(Step):
    """The applicant withdraws the claim; the file can be reopened (PS §9.2)."""

    reason: str

    sources = PENDING - {State.INTAKE}
    roles = frozenset({_REG, _ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        found = [Refusal.of(Code.REASON_MISSING)] if _missing(self.reason) else []
        # Cessation and cancellation are the authority's proceedings: not the person's to withdraw.
        if case.proceeding != Proceeding.DETERMINATION:
            found.append(Refusal.of(Code.STATE_DOES_NOT_ALLOW))
        return found

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return replace(case, state=State.WITHDRAWN)


@dataclass(frozen=True)
class Reopen(Step):
    """PS §9.2: reopen on changed circumstances, new evidence, an improper decision or an
    explained abandonment; the person is screened again."""

    ground: ReopeningGround
    reason: str

    sources = frozenset({State.FINAL, State.CLOSED, State.WITHDRAWN})
    roles = frozenset({_ELIG})

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        found = [Refusal.of(Code.REASON_MISSING)] if _missing(self.reason) else []
        # A person who holds protection is not re-examined by reopening: that is cessation.
        if case.final_outcome in PROTECTIVE:
            found.append(Refusal.of(Code.STATE_DOES_NOT_ALLOW))
        return found

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        return _restart(case, State.REGISTERED, Proceeding.DETERMINATION)


def _restart(case: Case, state: State, proceeding: Proceeding) -> Case:
    # The earlier decision stays in the history; the new proceeding starts with a clean slate
    # so its own separation-of-duty checks count only its own officers. A status held stands
    # until a cessation or cancellation proceeding ends in a final decision.
    held = case.final_outcome if proceeding != Proceeding.DETERMINATION else None
    return Case(
        state=state,
        channel=case.channel,
        fear_expressed=case.fear_expressed,
        no_return_nationality=case.no_return_nationality,
        proceeding=proceeding,
        final_outcome=held,
    )


@dataclass(frozen=True)
class _EndProtection(Step):
    reason: str

    sources = frozenset({State.FINAL})
    roles = frozenset({_ELIG})
    proceeding: ClassVar[Proceeding]

    def refusals(self, case: Case, actor: Actor, today: date) -> list[Refusal]:
        found = [Refusal.of(Code.REASON_MISSING)] if _missing(self.reason) else []
        if case.final_outcome not in PROTECTIVE:
            found.append(Refusal.of(Code.NO_PROTECTION_TO_END))
        return found

    def apply(self, case: Case, actor: Actor, today: date) -> Case:
        # The person keeps their status and documents while the proceeding runs: it goes
        # through interview, review, decision and appeal like any claim (PS §10.1).
        restarted = _restart(case, State.SCREENED, self.proceeding)
        return replace(restarted, processing_mode=ProcessingMode.REGULAR)


@dataclass(frozen=True)
class OpenCessation(_EndProtection):
    """Refugee Convention Art. 1C; UNHCR Guidelines on International Protection No. 3."""

    proceeding = Proceeding.CESSATION


@dataclass(frozen=True)
class OpenCancellation(_EndProtection):
    """UNHCR Handbook para. 117; PS §10.1: recognition wrong from the start."""

    proceeding = Proceeding.CANCELLATION


STEPS: tuple[type[Step], ...] = (
    Register,
    Screen,
    ScheduleInterview,
    HoldInterview,
    DraftAssessment,
    ApproveAssessment,
    ReturnAssessment,
    Decide,
    Notify,
    LodgeAppeal,
    Finalize,
    DecideAppeal,
    NotifyAppeal,
    Close,
    Withdraw,
    Reopen,
    OpenCessation,
    OpenCancellation,
)
STEP_NAMES: dict[str, type[Step]] = {_snake(s.__name__): s for s in STEPS}


def refusals(case: Case, step: Step, actor: Actor, today: date) -> list[Refusal]:
    """Every reason the step is refused, or an empty list when it may be taken."""
    found = []
    if case.state not in step.sources:
        found.append(Refusal.of(Code.STATE_DOES_NOT_ALLOW))
    if not actor.has_any(step.roles):
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))
    if found:
        # What a step carries is judged only at a stage where the step exists.
        return found
    return step.refusals(case, actor, today)


def take(case: Case, step: Step, actor: Actor, today: date) -> Case:
    """The case after the step, or `Refused` with every reason."""
    found = refusals(case, step, actor, today)
    if found:
        raise Refused(found)
    return step.apply(case, actor, today)


def available_steps(case: Case, actor: Actor) -> list[type[Step]]:
    """The steps this actor may start now; what they carry is checked when taken."""
    return [s for s in STEPS if case.state in s.sources and actor.has_any(s.roles)]


# Steps that decide a person's fate or end their case: the officer proves again who they are
# just before (OWASP ASVS 5.0 V6.3: re-authentication before sensitive transactions).
SIGN_IN_AGAIN_BEFORE: frozenset[type[Step]] = frozenset(
    {Decide, DecideAppeal, Close, Withdraw, OpenCessation, OpenCancellation}
)
