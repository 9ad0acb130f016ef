"""Cases, their append-only event history, and the records each step leaves.

Models are adapters around the procedure core: `Case.to_domain()` builds the value the
core judges. No rule lives here; every write goes through `asylon.cases.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper

from asylon.dataprotection.runtime import sealed
from asylon.people.models import SealedRow
from asylon.procedure import case as procedure
from asylon.procedure.case import Outcome, State

USER = settings.AUTH_USER_MODEL


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ")) for m in enum]


class Case(models.Model):
    number = models.CharField(max_length=20, unique=True)
    # The office whose keys seal the case's records: the principal applicant's.
    office = models.CharField(max_length=40, default="main")
    kind = models.CharField(max_length=10, choices=[("individual", "individual"), ("family", "family")])
    principal = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="principal_cases")
    state = models.CharField(max_length=30, choices=_choices(State), default=State.INTAKE, db_index=True)
    channel = models.CharField(max_length=20, choices=_choices(procedure.Channel))
    fear_expressed = models.BooleanField(default=True)
    no_return_nationality = models.BooleanField(default=False)
    proceeding = models.CharField(
        max_length=20, choices=_choices(procedure.Proceeding), default=procedure.Proceeding.DETERMINATION
    )
    processing_mode = models.CharField(max_length=20, choices=_choices(procedure.ProcessingMode), blank=True)
    interviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drafter = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_maker = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    appeal_officer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_outcome = models.CharField(max_length=30, choices=_choices(Outcome), blank=True)
    outcome = models.CharField(max_length=30, choices=_choices(Outcome), blank=True)
    final_outcome = models.CharField(max_length=30, choices=_choices(Outcome), blank=True)
    countries_assessed = models.JSONField(default=list)
    notified_on = models.DateField(null=True, blank=True)
    appeal_deadline = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["state", "updated_at"]),
            # The search box finds a case number typed in any case (`number__iexact`).
            models.Index(Upper("number"), name="case_number_any_case"),
        ]

    def __str__(self) -> str:
        return self.number

    def to_domain(self) -> procedure.Case:
        return procedure.Case(
            state=State(self.state),
            channel=procedure.Channel(self.channel),
            fear_expressed=self.fear_expressed,
            no_return_nationality=self.no_return_nationality,
            proceeding=procedure.Proceeding(self.proceeding),
            processing_mode=procedure.ProcessingMode(self.processing_mode) if self.processing_mode else None,
            interviewer_id=self.interviewer_id,
            drafter_id=self.drafter_id,
            proposed_outcome=Outcome(self.proposed_outcome) if self.proposed_outcome else None,
            reviewer_id=self.reviewer_id,
            decision_maker_id=self.decision_maker_id,
            outcome=Outcome(self.outcome) if self.outcome else None,
            countries_assessed=frozenset(self.countries_assessed),
            notified_on=self.notified_on,
            appeal_deadline=self.appeal_deadline,
            appeal_officer_id=self.appeal_officer_id,
            final_outcome=Outcome(self.final_outcome) if self.final_outcome else None,
        )

    # The fields `from_domain` writes back, for save(update_fields=...).
    DOMAIN_FIELDS = (
        "state",
        "proceeding",
        "processing_mode",
        "interviewer",
        "drafter",
        "proposed_outcome",
        "reviewer",
        "decision_maker",
        "outcome",
        "countries_assessed",
        "notified_on",
        "appeal_deadline",
        "appeal_officer",
        "final_outcome",
        "updated_at",
    )

    def from_domain(self, case: procedure.Case) -> None:
        self.state = case.state
        self.proceeding = case.proceeding
        self.processing_mode = case.processing_mode or ""
        self.interviewer_id = case.interviewer_id
        self.drafter_id = case.drafter_id
        self.proposed_outcome = case.proposed_outcome or ""
        self.reviewer_id = case.reviewer_id
        self.decision_maker_id = case.decision_maker_id
        self.outcome = case.outcome or ""
        self.countries_assessed = sorted(case.countries_assessed)
        self.notified_on = case.notified_on
        self.appeal_deadline = case.appeal_deadline
        self.appeal_officer_id = case.appeal_officer_id
        self.final_outcome = case.final_outcome or ""


class CaseMember(models.Model):
    """Principal applicant and dependants of a (family) case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(max_length=20)  # "principal", "spouse", "child", "parent", "sibling"
    # What the person asked for to be heard (PS §4.3): an interpreter's language and the gender
    # of interviewer and interpreter, "" for no preference.
    interpreter_language = models.CharField(max_length=20, blank=True)
    interviewer_gender = models.CharField(max_length=1, blank=True)
    interpreter_gender = models.CharField(max_length=1, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="one_membership_per_case")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.person_id} ({self.relation})"


class AppendOnly(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("case events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("case events are append-only")


class Event(SealedRow):
    """One change to a case. Never updated or deleted: enforced here and, on PostgreSQL,
    by a trigger (migration 0002) that catches writes which bypass the application."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    actor = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    state_before = models.CharField(max_length=30, blank=True)
    state_after = models.CharField(max_length=30, blank=True)
    reason_sealed = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    reason = sealed("reason")

    objects = AppendOnly.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="one_event_per_seq")]
        ordering = ["case", "seq"]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or kwargs.get("force_update"):
            raise PermissionError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("case events are append-only")


class Interview(SealedRow):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interviews")
    scheduled_for = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=20)
    interviewer_gender = models.CharField(max_length=1, blank=True)  # as the applicant asked
    interpreter_gender = models.CharField(max_length=1, blank=True)
    held_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)
    # When the interview itself began and ended; empty on records made before they were kept.
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    rights_informed = models.BooleanField(default=False)
    read_back_confirmed = models.BooleanField(default=False)
    notes_sealed = models.TextField(blank=True)

    notes = sealed("notes")

    class Meta:
        constraints = [
            # Rescheduling moves the interview not yet held (`case_take`): queues join it as one row.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(held_at__isnull=True), name="one_interview_to_hold"
            )
        ]

    def __str__(self) -> str:
        return f"interview {self.pk} of case {self.case_id}"


class Assessment(SealedRow):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    drafter = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    material_facts_sealed = models.TextField(default="")
    credibility_sealed = models.TextField(default="")
    inclusion_sealed = models.TextField(default="")
    exclusion_sealed = models.TextField(default="")
    complementary_protection_sealed = models.TextField(default="")
    proposed_outcome = models.CharField(max_length=30, choices=_choices(Outcome))
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review = models.CharField(max_length=10, blank=True)  # "approved" or "returned"
    review_comments_sealed = models.TextField(blank=True)

    material_facts = sealed("material_facts")
    credibility = sealed("credibility")
    inclusion = sealed("inclusion")
    exclusion = sealed("exclusion")
    complementary_protection = sealed("complementary_protection")
    review_comments = sealed("review_comments")

    def __str__(self) -> str:
        return f"assessment {self.pk} of case {self.case_id}"


class Decision(SealedRow):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    instance = models.CharField(max_length=10, choices=[("first", "first instance"), ("appeal", "appeal")])
    outcome = models.CharField(max_length=30, choices=_choices(Outcome))
    reasons_sealed = models.TextField(default="")
    countries_assessed = models.JSONField(default=list)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    notified_on = models.DateField(null=True, blank=True)
    notified_in = models.CharField(max_length=20, blank=True)

    reasons = sealed("reasons")

    def __str__(self) -> str:
        return f"{self.instance} decision {self.pk} of case {self.case_id}"


class Appeal(SealedRow):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appeals")
    lodged_on = models.DateField()
    lodged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    late_reason_sealed = models.TextField(blank=True)

    late_reason = sealed("late_reason")

    def __str__(self) -> str:
        return f"appeal {self.pk} of case {self.case_id}"


class Alert(SealedRow):
    """A partner NGO or a monitor names someone at risk."""

    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(max_length=200)
    names_given_sealed = models.TextField(default="")
    site = models.CharField(max_length=200, blank=True)
    risk_sealed = models.TextField(default="")
    raised_at = models.DateTimeField()
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")

    names_given = sealed("names_given")
    risk = sealed("risk")
    LIMITS = {"names_given": 300}

    def __str__(self) -> str:
        return f"alert {self.pk}"


class CaseAssignment(models.Model):
    """A supervisor gives a case to an officer by name: the officer may then read it even from
    another unit. Ending an assignment keeps the row, so who could read what stays known."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="case_assignments")
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    ended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=models.Q(ended_at__isnull=True), name="one_open_assignment"
            )
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"case {self.case_id} assigned to {self.user_id}"


class EmergencyAccess(SealedRow):
    """Break-glass: an officer opens a case outside their reach, with a written reason and a
    time limit; a data protection officer other than them reviews it afterwards."""

    class Finding(models.TextChoices):
        JUSTIFIED = "justified"
        NOT_JUSTIFIED = "not_justified"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="emergency_accesses")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason_sealed = models.TextField(default="")
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    finding = models.CharField(max_length=20, choices=Finding.choices, blank=True)
    review_note_sealed = models.TextField(blank=True)

    reason = sealed("reason")
    review_note = sealed("review_note")

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"]), models.Index(fields=["reviewed_at"])]

    def __str__(self) -> str:
        return f"emergency access {self.pk} to case {self.case_id}"


class CaseRead(models.Model):
    """Who opened a case file, when, and why. No personal data: the record names the case, the
    officer and the purpose, and is written in the same transaction as the read."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=60)
    at = models.DateTimeField()
    # Set when the officer could read the case only through an emergency access.
    emergency = models.ForeignKey(
        EmergencyAccess, null=True, blank=True, on_delete=models.PROTECT, related_name="reads"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "at"]), models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"read of {self.case_id} by {self.user_id}"


class NumberSeries(models.Model):
    """The last number drawn in a series of case or document numbers ("AS-2026-", "T26").

    Drawing updates this row, which holds its lock until the drawing transaction ends: two
    intakes at once wait on each other for a number instead of counting the same rows and
    colliding, and no draw counts a year's rows.
    """

    prefix = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"

    @classmethod
    def draw(cls, prefix: str, issued: models.QuerySet[Any]) -> int:
        """The next number of the series, within the caller's transaction. A series met for
        the first time starts after the numbers `issued` holds (drawn before series were kept)."""
        series = cls.objects.filter(prefix=prefix)
        if not series.update(last=models.F("last") + 1):
            # Two first draws at once: one insert waits on the other's, then does nothing.
            cls.objects.bulk_create([cls(prefix=prefix, last=issued.count())], ignore_conflicts=True)
            series.update(last=models.F("last") + 1)
        return series.values_list("last", flat=True).get()
