"""Reads the selectors do not offer yet. Each belongs in its app's selectors module.

They are kept here, small and in one file, until they move; each builds on the existing
chokepoint (`cases_for_user`), on the services' own role sets, or on data about no person.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from asylon.accounts.models import User
from asylon.cases.models import Alert
from asylon.cases.selectors import cases_for_user
from asylon.cases.services import INTAKE_ROLES
from asylon.safeguards.models import NoReturnListing, Removal


def removals_for_user(user: User) -> QuerySet[Removal]:
    """Removals of the people in the cases this user may see. For `safeguards.selectors`."""
    visible = cases_for_user(user).values("members__person")
    return Removal.objects.filter(person__in=visible).select_related("requested_by").order_by("-requested_at", "-pk")


def alerts_for_user(user: User) -> QuerySet[Alert]:
    """Registration officers see every alert (they open the intakes); whoever raised one sees
    their own. For `cases.selectors`."""
    alerts = Alert.objects.select_related("raised_by").order_by("-raised_at", "-pk")
    if not user.is_active:
        return alerts.none()
    if user.actor().has_any(INTAKE_ROLES):
        return alerts
    return alerts.filter(Q(raised_by=user))


def register_active(today: date) -> QuerySet[NoReturnListing]:
    """The listings in force today, the same ones `no_return_countries` names. For `safeguards.selectors`."""
    in_force = Q(delisted_on__isnull=True) | Q(delisted_on__gt=today)
    return NoReturnListing.objects.filter(in_force, listed_on__lte=today).order_by("country")
