"""Assigning cases, and emergency (break-glass) access with its review.

Each change is an event on the case's history, so it enters the transparency log: monitors
can count emergency accesses and how many were found unjustified without learning whose
case was opened.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from asylon.accounts.models import User
from asylon.cases.access import case_reach, cases_for_user
from asylon.cases.models import Case, CaseAssignment, EmergencyAccess
from asylon.cases.services import InvalidInput, NotFound, event_append, require_role
from asylon.procedure import access as rules
from asylon.procedure.refusals import Refused


def _assignee(user_id: int) -> User:
    assignee = User.objects.filter(pk=user_id, is_active=True).first()
    if assignee is None:
        raise InvalidInput({"user": f"No active officer with id {user_id}."})
    return assignee


@transaction.atomic
def case_assign(*, user: User, case_id: int, assignee_id: int, at: datetime | None = None) -> CaseAssignment:
    require_role(user, rules.ASSIGNERS)
    at = at or timezone.now()
    case = cases_for_user(user, at).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(f"case {case_id}")
    assignee = _assignee(assignee_id)
    refusals = rules.assignment_refusals(user.reader(), case_reach(case, at), assignee.actor())
    if refusals:
        raise Refused(refusals)
    current = case.assignments.filter(user=assignee, ended_at__isnull=True).first()
    if current is not None:
        return current  # assigning twice changes nothing
    assignment = CaseAssignment.objects.create(case=case, user=assignee, assigned_by=user, assigned_at=at)
    event_append(case=case, type="assigned", actor=user, at=at, data={"assignee": assignee.pk})
    return assignment


@transaction.atomic
def assignment_end(*, user: User, assignment_id: int, at: datetime | None = None) -> CaseAssignment:
    require_role(user, rules.ASSIGNERS)
    at = at or timezone.now()
    assignment = (
        CaseAssignment.objects.select_for_update()
        .select_related("case", "user")
        .filter(pk=assignment_id, case__in=cases_for_user(user, at), ended_at__isnull=True)
        .first()
    )
    if assignment is None:
        raise NotFound(f"assignment {assignment_id}")
    # Only the assigner is judged: the assignee's roles may have changed since.
    refusals = rules.assigner_refusals(user.reader(), case_reach(assignment.case, at))
    if refusals:
        raise Refused(refusals)
    assignment.ended_at = at
    assignment.ended_by = user
    assignment.save(update_fields=["ended_at", "ended_by"])
    event_append(case=assignment.case, type="unassigned", actor=user, at=at, data={"assignee": assignment.user_id})
    return assignment


@transaction.atomic
def emergency_access_open(
    *, user: User, case_number: str, reason: str, hours: float, at: datetime | None = None
) -> EmergencyAccess:
    """Break the glass. Only caseworkers reach the lookup: anyone else learns nothing of what exists."""
    require_role(user, rules.CASEWORK)
    at = at or timezone.now()
    duration = timedelta(hours=hours)
    refusals = rules.break_glass_request_refusals(user.reader(), reason, duration)
    if refusals:
        raise Refused(refusals)
    case = Case.objects.select_for_update().filter(number=case_number.strip()).first()
    if case is None:
        raise NotFound(f"case {case_number}")
    refusals = rules.break_glass_refusals(user.reader(), case_reach(case, at), reason, duration)
    if refusals:
        raise Refused(refusals)
    access = EmergencyAccess.objects.create(
        case=case, office=case.office, user=user, reason=reason.strip(), opened_at=at, expires_at=at + duration
    )
    event_append(case=case, type="emergency_access", actor=user, at=at, reason=reason.strip(), data={"hours": hours})
    return access


@transaction.atomic
def emergency_access_review(
    *, user: User, access_id: int, justified: bool, note: str = "", at: datetime | None = None
) -> EmergencyAccess:
    require_role(user, rules.BREAK_GLASS_REVIEWERS)
    at = at or timezone.now()
    access = _to_review_by(user).select_for_update().select_related("case").filter(pk=access_id).first()
    if access is None:
        raise NotFound(f"emergency access {access_id}")
    refusals = rules.break_glass_review_refusals(
        user.reader(), access.case.office, access.user_id, access.reviewed_at is not None
    )
    if refusals:
        raise Refused(refusals)
    if not justified and not note.strip():
        raise InvalidInput({"note": "Say why the access was not justified."})
    access.reviewed_by = user
    access.reviewed_at = at
    access.finding = EmergencyAccess.Finding.JUSTIFIED if justified else EmergencyAccess.Finding.NOT_JUSTIFIED
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_by", "reviewed_at", "finding", "review_note_sealed"])
    case = Case.objects.select_for_update().get(pk=access.case_id)
    event_append(case=case, type="emergency_access_reviewed", actor=user, at=at, data={"finding": access.finding})
    return access


def _to_review_by(user: User) -> QuerySet[EmergencyAccess]:
    """The emergency accesses this data protection officer may review: those to their own
    unit's cases (`rules.break_glass_review_refusals` as a query; deny by default: another
    unit's access is not found)."""
    return EmergencyAccess.objects.filter(case__office=user.office)


def emergency_accesses_to_review(user: User) -> QuerySet[EmergencyAccess]:
    """Unreviewed emergency accesses to the user's unit's cases, oldest first; a reviewer never
    sees their own to review. No personal data: the case number, the officer, the times and the
    count of reads."""
    if not user.is_active or not user.actor().has_any(rules.BREAK_GLASS_REVIEWERS):
        return EmergencyAccess.objects.none()
    return (
        _to_review_by(user)
        .filter(reviewed_at__isnull=True)
        .exclude(user=user)
        .select_related("case", "user")
        .order_by("opened_at", "pk")
    )


def emergency_access_overdue(access: EmergencyAccess, at: datetime | None = None) -> bool:
    return access.reviewed_at is None and (at or timezone.now()) - access.opened_at > rules.BREAK_GLASS_REVIEW_DUE


def assignable_officers(case: Case) -> QuerySet[User]:
    """Who a supervisor may assign the case to: active caseworkers not assigned to it now."""
    current = case.assignments.filter(ended_at__isnull=True).values("user_id")
    return (
        User.objects.filter(is_active=True, role_grants__role__in=[r.value for r in rules.CASEWORK])
        .exclude(pk__in=current)
        .distinct()
        .order_by("username")
    )
