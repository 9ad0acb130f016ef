"""Any sequence of operations through the services, on a real database, keeps every safeguard.

Each example runs in a transaction that is rolled back at its end. After every step the
invariants are read back from the database, not from the machine's own bookkeeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from asylon.accounts.models import RoleGrant, User
from asylon.cases import services
from asylon.cases.models import Case, Event
from asylon.documents import services as document_services
from asylon.documents.models import Document
from asylon.people.models import Person
from asylon.procedure import case as p
from asylon.procedure.documents import documents_due
from asylon.procedure.refusals import Refused
from asylon.procedure.roles import Role
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import Disclosure, NoReturnListing, OnwardReturn, Recipient, Removal, SafeThirdCountry
from tests.procedure.strategies import next_step, step_and_actor
from tests.services.helpers import principal

START = datetime(2026, 1, 5, 10, tzinfo=UTC)


class ServicesMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.now = START
        self.users: dict[int, User] = {}
        self.seen_events: set[tuple[int, int, int, str]] = set()
        self.registrar = self._user(100, {Role.REGISTRATION_OFFICER})
        self.admin = self._user(101, {Role.ADMINISTRATOR})
        NoReturnListing.objects.create(country="KP", reason="COI 2014", listed_on=START.date())
        OnwardReturn.objects.create(country="CN", origin="KP", noted_on=START.date())
        SafeThirdCountry.objects.create(country="MN", nationality="KP", designated_on=START.date())
        self.recipients = [
            Recipient.objects.create(name="Ministry of State Security", kind="authority", country="KP"),
            Recipient.objects.create(name="Border police", kind="authority", country="CN", forwards_to=["KP"]),
            Recipient.objects.create(name="Resettlement desk", kind="resettlement_state", country="CA"),
        ]

    def teardown(self) -> None:
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def _user(self, number: int, roles: set[Role]) -> User:
        """Officer `number`, now holding at least these roles: roles pile up, as careers do."""
        user = self.users.get(number)
        if user is None:
            user = User.objects.create(username=f"officer{number}")
            self.users[number] = user
        for role in roles:
            RoleGrant.objects.get_or_create(user=user, role=role)
        return user

    def _cases(self) -> list[Case]:
        return list(Case.objects.order_by("pk"))

    @precondition(lambda self: Case.objects.count() < 2)
    @rule(fear=st.booleans(), nationality=st.sampled_from(["KP", "KP", "KP", "CN"]))
    def open_intake(self, fear: bool, nationality: str) -> None:
        services.intake_open(
            user=self.registrar,
            people=[principal(nationality=nationality)],
            channel=p.Channel.DETAINED,
            fear_expressed=fear,
            at=self.now,
        )

    def _take(self, case: Case, step: p.Step, number: int, roles: frozenset[Role]) -> None:
        user = self._user(number, set(roles))
        try:
            taken = services.case_take(user=user, case_id=case.pk, step=step, at=self.now)
            event(f"reached {taken.state}")
        except (Refused, services.NotFound):
            # NotFound: an officer whose roles give no access to case files.
            pass

    @precondition(lambda self: Case.objects.exists())
    @rule(data=st.data())
    def take_step(self, data: st.DataObject) -> None:
        case = data.draw(st.sampled_from(self._cases()))
        step, actor = step_and_actor(data, case.to_domain())
        self._take(case, step, actor.id, actor.roles)

    @precondition(lambda self: Case.objects.exists())
    @rule(data=st.data(), times=st.integers(1, 16))
    def take_next_steps(self, data: st.DataObject, times: int) -> None:
        case = data.draw(st.sampled_from(self._cases()))
        for _ in range(times):
            case.refresh_from_db()
            step, actor = next_step(data, case.to_domain())
            self._take(case, step, actor.id, actor.roles)

    @rule(days=st.integers(1, 40))
    def advance_time(self, days: int) -> None:
        for _ in range(days):
            self.now += timedelta(days=1)
            document_services.documents_renew_due(today=self.now.date())

    @precondition(lambda self: Case.objects.exists())
    @rule(data=st.data(), destination=st.sampled_from(["KP", "CN", "MN"]), number=st.integers(1, 4))
    def remove(self, data: st.DataObject, destination: str, number: int, case: Case | None = None) -> None:
        case = case or data.draw(st.sampled_from(self._cases()))
        user = self._user(number, {Role.REMOVAL_OFFICER})
        removal = safeguards.removal_request(
            user=user, person_id=case.principal_id, destination=destination, at=self.now
        )
        if removal.status == Removal.Status.ALLOWED:
            removal = safeguards.removal_carry_out(user=user, removal_id=removal.pk, at=self.now)
        if removal.status == Removal.Status.CARRIED_OUT:
            event("removal carried out")
            # Read back, independently of the guard: the person's every case is final and rejected,
            # the destination was assessed, and it is not on the register today.
            for person_case in Case.objects.filter(members__person_id=case.principal_id):
                assert person_case.state in (p.State.FINAL, p.State.CLOSED)
                assert person_case.final_outcome == p.Outcome.REJECTED
                assert destination in person_case.countries_assessed
            assert destination not in safeguards.no_return_countries(self.now.date())

    @precondition(lambda self: Case.objects.exists())
    @rule(data=st.data(), requester=st.integers(1, 4), approver=st.integers(1, 4), approve=st.booleans())
    def disclose(self, data: st.DataObject, requester: int, approver: int, approve: bool) -> None:
        case = data.draw(st.sampled_from(self._cases()))
        recipient = data.draw(st.sampled_from(self.recipients))
        asking = self._user(requester, {data.draw(st.sampled_from(list(Role)))})
        try:
            d = safeguards.disclosure_request(
                user=asking,
                person_id=case.principal_id,
                recipient_id=recipient.pk,
                purpose="Resettlement",
                legal_basis="consent",
                fields=["names"],
                at=self.now,
            )
        except (Refused, services.NotFound):
            return
        if d.status == Disclosure.Status.PENDING:
            deciding = self._user(approver, {data.draw(st.sampled_from(list(Role)))})
            try:
                safeguards.disclosure_decide(user=deciding, disclosure_id=d.pk, approve=approve, at=self.now)
            except Refused:
                pass

    @precondition(lambda self: Case.objects.filter(state=p.State.FINAL, final_outcome=p.Outcome.REJECTED).exists())
    @rule(data=st.data(), number=st.integers(1, 4))
    def remove_after_a_final_rejection(self, data: st.DataObject, number: int) -> None:
        rejected = list(Case.objects.filter(state=p.State.FINAL, final_outcome=p.Outcome.REJECTED).order_by("pk"))
        case = data.draw(st.sampled_from(rejected))
        destination = data.draw(st.sampled_from(sorted(case.countries_assessed)))
        self.remove(data, destination, number, case)

    @precondition(lambda self: Document.objects.exists())
    @rule(data=st.data(), number=st.integers(1, 4))
    def revoke(self, data: st.DataObject, number: int) -> None:
        document = data.draw(st.sampled_from(list(Document.objects.order_by("pk"))))
        user = self._user(number, {Role.DOCUMENTATION_OFFICER})
        try:
            document_services.document_revoke(user=user, document_id=document.pk, reason="Lost", at=self.now)
        except Refused:
            pass

    @rule(country=st.sampled_from(["KP", "CN"]), monitors=st.integers(0, 2))
    def change_register(self, country: str, monitors: int) -> None:
        for i in range(monitors):
            monitor = self._user(10 + i, {Role.MONITOR})
            safeguards.attestation_record(
                user=monitor, country=country, organisation=f"Monitor body {i}", statement="Improved.", at=self.now
            )
        for change in (safeguards.register_delist, safeguards.register_list):
            try:
                if change is safeguards.register_list:
                    change(user=self.admin, country=country, reason="Renewed concern.", at=self.now)
                else:
                    change(user=self.admin, country=country, at=self.now)
                break
            except Refused:
                continue

    @invariant()
    def no_disclosure_to_or_through_the_country_of_origin(self) -> None:
        for d in Disclosure.objects.filter(status=Disclosure.Status.APPROVED).select_related("recipient", "person"):
            assert d.recipient.country not in d.person.origins
            assert not set(d.recipient.forwards_to) & d.person.origins
            assert d.decided_by_id != d.requested_by_id

    @invariant()
    def duties_are_separated(self) -> None:
        for case in Case.objects.all():
            if case.reviewer_id:
                assert case.reviewer_id != case.drafter_id
            if case.decision_maker_id:
                assert case.decision_maker_id != case.drafter_id
            if case.appeal_officer_id:
                assert case.appeal_officer_id not in (case.decision_maker_id, case.drafter_id, case.interviewer_id)

    @invariant()
    def every_applicant_holds_a_valid_document(self) -> None:
        today = self.now.date()
        for case in Case.objects.filter(state__in=list(p.DOCUMENTED)):
            for member in case.members.all():
                valid = Document.objects.filter(
                    person_id=member.person_id, revoked_on__isnull=True, valid_from__lte=today, valid_until__gte=today
                )
                assert valid.exists(), (case.number, case.state, today)

    @invariant()
    def the_documents_due_are_the_cores_on_any_coming_day(self) -> None:
        """The stored periods the documentation queue reads say what the core says, today and
        on the days ahead that no step will touch (windows opening, documents running out)."""
        for person in Person.objects.filter(memberships__isnull=False).distinct():
            cases = services.domain_cases_of(person)
            held = tuple(d.to_domain() for d in person.documents.all())
            periods = list(person.documents_due.all())
            for ahead in (0, 1, 29, 31, 150, 181, 400, 800):
                day = self.now.date() + timedelta(days=ahead)
                stored = {
                    (d.type, d.document_id)
                    for d in periods
                    if d.due_from <= day and (d.due_until is None or day <= d.due_until)
                }
                core = {(d.type.value, d.document.id if d.document else None) for d in documents_due(cases, held, day)}
                assert stored == core, (person.pk, day)

    @invariant()
    def events_are_only_appended(self) -> None:
        rows = set(Event.objects.values_list("pk", "case_id", "seq", "type"))
        assert self.seen_events <= rows
        self.seen_events = rows
        for case in Case.objects.all():
            seqs = list(case.events.order_by("seq").values_list("seq", flat=True))
            assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.django_db
def test_services_keep_every_safeguard_under_any_sequence():
    run_state_machine_as_test(
        ServicesMachine, settings=settings(max_examples=200, stateful_step_count=40, deadline=None)
    )
