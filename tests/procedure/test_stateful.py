"""Any sequence of steps, by anyone in any role, never breaks a safeguard.

The machine keeps a small world of persons, cases, documents and registers, takes every
step through the core, and after each one checks the invariants against a plain
restatement of DESIGN.md written here, independent of the guard's own code.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from asylon.procedure import case as c
from asylon.procedure import disclosure, removal
from asylon.procedure import documents as docs
from asylon.procedure.refusals import Refused
from asylon.procedure.roles import Actor, Role
from tests.procedure.strategies import actors, destinations, next_step, step_and_actor

START = date(2026, 1, 5)
RECIPIENTS = [
    disclosure.Recipient("Ministry of State Security", disclosure.RecipientKind.AUTHORITY, "KP"),
    disclosure.Recipient("Public Security Bureau", disclosure.RecipientKind.AUTHORITY, "CN", frozenset({"KP"})),
    disclosure.Recipient("Resettlement desk", disclosure.RecipientKind.RESETTLEMENT_STATE, "CA"),
    disclosure.Recipient("Legal aid clinic", disclosure.RecipientKind.LEGAL_REPRESENTATIVE, "CN"),
]


@dataclass
class Applicant:
    origins: frozenset[str]
    case: c.Case
    documents: list[docs.Document] = field(default_factory=list)
    # Whether the decision in force became final: the appeal window closed unused, or the
    # appeal decision was notified (since the latest reopening).
    final: bool = False


@dataclass(frozen=True)
class Removed:
    case: c.Case
    destination: str
    no_return: frozenset[str]
    final: bool


class Procedure(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.today = START
        self.applicants: list[Applicant] = []
        self.no_return = frozenset({"KP"})
        self.removed: list[Removed] = []
        self.disclosed: list[tuple[disclosure.Recipient, frozenset[str]]] = []
        self.next_document = 1
        self.interviews: list[tuple[datetime, datetime, date]] = []

    def _issue(self, applicant: Applicant, kind: docs.DocumentType) -> None:
        start, end = docs.validity(kind, self.today)
        applicant.documents.append(docs.Document(self.next_document, kind, start, end))
        self.next_document += 1

    @precondition(lambda self: len(self.applicants) < 4)
    @rule(fear=st.booleans(), nationality=st.sampled_from(["KP", "CN"]))
    def open_intake(self, fear: bool, nationality: str) -> None:
        case = c.Case(fear_expressed=fear, no_return_nationality=nationality in self.no_return)
        self.applicants.append(Applicant(frozenset({nationality}), case))

    @precondition(lambda self: self.applicants)
    @rule(data=st.data())
    def take_step(self, data: st.DataObject) -> None:
        applicant = data.draw(st.sampled_from(self.applicants))
        self._take(applicant, *step_and_actor(data, applicant.case))

    @precondition(lambda self: self.applicants)
    @rule(data=st.data(), times=st.integers(1, 12))
    def take_next_steps(self, data: st.DataObject, times: int) -> None:
        applicant = data.draw(st.sampled_from(self.applicants))
        for _ in range(times):
            self._take(applicant, *next_step(data, applicant.case))

    def _take(self, applicant: Applicant, step: c.Step, actor: Actor) -> None:
        try:
            after = c.take(applicant.case, step, actor, self.today)
        except Refused:
            return
        applicant.case = after
        event(f"reached {after.state}")
        if after.state == c.State.FINAL:
            applicant.final = True
        elif isinstance(step, c.Reopen | c.OpenCessation | c.OpenCancellation):
            applicant.final = False
        if isinstance(step, c.HoldInterview):
            self.interviews.append((step.started_at, step.ended_at, self.today))
        # The services issue what the core says is due as part of the same step.
        for kind in docs.documents_to_issue((after,), tuple(applicant.documents), self.today):
            self._issue(applicant, kind)

    @rule(days=st.integers(1, 45))
    def advance_time(self, days: int) -> None:
        # Each day the run issues what is due; a long jump runs it every day.
        for _ in range(days):
            self.today += timedelta(days=1)
            for applicant in self.applicants:
                for d in docs.documents_due((applicant.case,), tuple(applicant.documents), self.today):
                    self._issue(applicant, d.type)

    @precondition(lambda self: self.applicants)
    @rule(data=st.data(), destination=destinations, actor=actors, onward=st.booleans())
    def request_removal(self, data: st.DataObject, destination: str, actor: Actor, onward: bool) -> None:
        final = [a for a in self.applicants if a.case.state == c.State.FINAL]
        applicant = data.draw(st.sampled_from(final if final and data.draw(st.booleans()) else self.applicants))
        if data.draw(st.booleans()):
            actor = Actor(actor.id, actor.roles | {Role.REMOVAL_OFFICER})
        if applicant.case.countries_assessed and data.draw(st.booleans()):
            destination = data.draw(st.sampled_from(sorted(applicant.case.countries_assessed)))
        safety = removal.CountrySafety(
            no_return=self.no_return,
            safe_third_countries=frozenset({("MN", "KP"), ("CN", "KP")}),
            onward_returns=frozenset({("CN", "KP")}) if onward else frozenset(),
        )
        person = removal.Person(origins=applicant.origins, cases=(applicant.case,))
        if not removal.removal_refusals(person, destination, safety, actor, self.today):
            event(f"removed to {destination}")
            self.removed.append(Removed(applicant.case, destination, self.no_return, applicant.final))

    @precondition(lambda self: self.applicants)
    @rule(data=st.data(), recipient=st.sampled_from(RECIPIENTS), requester=actors, approver=actors)
    def request_disclosure(self, data, recipient, requester, approver) -> None:
        applicant = data.draw(st.sampled_from(self.applicants))
        asked = disclosure.Disclosure(recipient, "Purpose", disclosure.LegalBasis.CONSENT, frozenset({"names"}))
        if disclosure.request_refusals(asked, applicant.origins, requester):
            return
        if disclosure.approval_refusals(asked, applicant.origins, requester.id, approver):
            return
        self.disclosed.append((recipient, applicant.origins))

    @precondition(lambda self: any(a.documents for a in self.applicants))
    @rule(data=st.data(), actor=actors)
    def revoke_document(self, data: st.DataObject, actor: Actor) -> None:
        applicant = data.draw(st.sampled_from([a for a in self.applicants if a.documents]))
        index = data.draw(st.integers(0, len(applicant.documents) - 1))
        d = applicant.documents[index]
        held = tuple(applicant.documents)
        if not docs.revocation_refusals(d, held, (applicant.case,), actor, self.today):
            applicant.documents[index] = docs.Document(d.id, d.type, d.valid_from, d.valid_until, True)

    @rule(country=st.sampled_from(["KP", "CN"]), listed=st.booleans())
    def change_register(self, country: str, listed: bool) -> None:
        # Delisting is the register service's concern, tested on its own; here the register moves
        # freely so that the guard meets every combination.
        self.no_return = self.no_return | {country} if listed else self.no_return - {country}

    @invariant()
    def no_removal_without_a_final_rejection_of_a_safe_destination(self) -> None:
        for r in getattr(self, "removed", []):
            assert r.final, "removed on a decision that never became final"
            assert r.case.state in (c.State.FINAL, c.State.CLOSED)
            assert r.case.final_outcome == c.Outcome.REJECTED
            assert r.destination in r.case.countries_assessed
            assert r.destination not in r.no_return

    @invariant()
    def nothing_disclosed_to_or_through_the_country_of_origin(self) -> None:
        for recipient, origins in getattr(self, "disclosed", []):
            assert recipient.country not in origins
            assert recipient.forwards_to.isdisjoint(origins)

    @invariant()
    def duties_are_separated(self) -> None:
        for a in getattr(self, "applicants", []):
            case = a.case
            if case.reviewer_id is not None:
                assert case.reviewer_id != case.drafter_id
            if case.decision_maker_id is not None:
                assert case.decision_maker_id != case.drafter_id
            if case.appeal_officer_id is not None:
                assert case.appeal_officer_id not in (
                    case.decision_maker_id,
                    case.drafter_id,
                    case.interviewer_id,
                )

    @invariant()
    def every_interview_recorded_was_over_by_the_day_it_was_recorded(self) -> None:
        for started, ended, day in getattr(self, "interviews", []):
            assert started < ended
            assert ended.astimezone(UTC).date() <= day

    @invariant()
    def every_applicant_holds_a_valid_document(self) -> None:
        for a in getattr(self, "applicants", []):
            if a.case.state in c.DOCUMENTED:
                assert any(d.valid_on(self.today) for d in a.documents), a


Procedure.TestCase.settings = settings(max_examples=200, stateful_step_count=80, deadline=None)
test_procedure = Procedure.TestCase
