"""Who may see which cases: deny by default, filtered in the database.

Every read and every write of a case goes through `cases_for_user`. It is the core's
`asylon.procedure.access.may_read` written as a query; a property test holds the two equal.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from asylon.accounts.models import User
from asylon.cases.models import Case, CaseAssignment, EmergencyAccess
from asylon.procedure.access import CASEWORK, CaseReach

__all__ = ["CASEWORK", "case_reach", "cases_for_user", "emergency_access_for", "readable_by"]


def _open_emergencies(at: datetime) -> QuerySet[EmergencyAccess]:
    return EmergencyAccess.objects.filter(opened_at__lte=at, expires_at__gt=at)


def cases_for_user(user: User, at: datetime | None = None) -> QuerySet[Case]:
    """Every case this user may see: their unit's, those assigned to them, and those they hold
    an unexpired emergency access to."""
    if not user.is_active or not user.actor().has_any(CASEWORK):
        return Case.objects.none()
    return Case.objects.filter(readable_by(user, at))


def readable_by(user: User, at: datetime | None = None, *, case: str = "") -> Q:
    """The condition of `cases_for_user`, on the case a row of another table reaches through
    the lookup path `case` (e.g. "person__memberships__case__"): a join where a subquery of
    every readable case would be searched once per candidate row."""
    if not user.is_active or not user.actor().has_any(CASEWORK):
        return Q(**{f"{case}pk__in": []})
    at = at or timezone.now()
    assigned = CaseAssignment.objects.filter(user=user, ended_at__isnull=True).values("case_id")
    emergency = _open_emergencies(at).filter(user=user).values("case_id")
    return Q(**{f"{case}office": user.office}) | Q(**{f"{case}pk__in": assigned}) | Q(**{f"{case}pk__in": emergency})


def case_reach(case: Case, at: datetime | None = None) -> CaseReach:
    """The case as the core's need-to-know rule sees it."""
    at = at or timezone.now()
    return CaseReach(
        unit=case.office,
        assignees=frozenset(case.assignments.filter(ended_at__isnull=True).values_list("user_id", flat=True)),
        emergency=frozenset(_open_emergencies(at).filter(case=case).values_list("user_id", flat=True)),
    )


def emergency_access_for(user: User, case: Case, at: datetime | None = None) -> EmergencyAccess | None:
    """The emergency access a read goes through, when the user reaches the case no other way."""
    if case.office == user.office or case.assignments.filter(user=user, ended_at__isnull=True).exists():
        return None
    return _open_emergencies(at or timezone.now()).filter(user=user, case=case).order_by("-expires_at").first()
