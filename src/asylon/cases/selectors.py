"""Reading cases: the one access chokepoint, search and lists."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from asylon.accounts.models import User
from asylon.cases.access import CASEWORK, cases_for_user, emergency_access_for
from asylon.cases.models import Alert, Case, CaseMember, CaseRead, Event
from asylon.cases.services import INTAKE_ROLES, NotFound
from asylon.dataprotection import runtime
from asylon.dataprotection.blind import blind_index
from asylon.people.models import Name, fold


@transaction.atomic
def case_get_for_user(user: User, case_id: int, *, purpose: str) -> Case:
    """The case file, if this user may see it; the same answer for a case that does not exist
    and one they may not see. The read is recorded in the same transaction: if the record
    cannot be written, the file is not shown (fail closed)."""
    case = (
        cases_for_user(user)
        .select_related("principal")
        .prefetch_related(
            Prefetch("members__person__names", queryset=Name.objects.order_by("-is_primary", "pk")),
            "members__person__documents",
            "members__person__detentions",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(f"case {case_id}")
    at = timezone.now()
    emergency = emergency_access_for(user, case, at)
    CaseRead.objects.create(case=case, user=user, purpose=purpose, at=at, emergency=emergency)
    return case


def case_search(user: User, query: str = "", state: str = "") -> QuerySet[Case]:
    """Cases matching a name in any script, a case number or a document number."""
    cases = cases_for_user(user)
    if state:
        cases = cases.filter(state=state)
    query = query.strip()
    if query:
        key = fold(query)
        # Each way of finding a case is its own indexed subquery: joined in one query, every
        # case would be joined to every member, document and name key before the filter.
        members = CaseMember.objects.values_list("case_id", flat=True)
        found = (
            Case.objects.filter(number__iexact=query)
            .values_list("pk", flat=True)
            .union(members.filter(person__documents__number__iexact=query))
        )
        if key:
            # Names are encrypted: the typed text is matched through its blind index only.
            digest = blind_index(runtime.keyring(), "name", key)
            found = found.union(members.filter(person__name_keys__digest=digest))
        cases = cases.filter(pk__in=found)
    return (
        cases.select_related("principal")
        .prefetch_related(Prefetch("principal__names", queryset=Name.objects.order_by("-is_primary", "pk")))
        .order_by("-updated_at", "-pk")
    )


def alerts_for_user(user: User) -> QuerySet[Alert]:
    """The alerts `access.may_see_alert` lets this user see: those they raised and, for a
    registration officer, those raised to their unit."""
    alerts = Alert.objects.select_related("raised_by").order_by("-raised_at", "-pk")
    if not user.is_active:
        return alerts.none()
    if user.actor().has_any(INTAKE_ROLES):
        return alerts.filter(Q(raised_by=user) | Q(office=user.office))
    return alerts.filter(raised_by=user)


def case_timeline(case: Case) -> QuerySet[Event]:
    return case.events.select_related("actor").order_by("seq")


__all__ = ["CASEWORK", "alerts_for_user", "case_get_for_user", "case_search", "case_timeline", "cases_for_user"]
