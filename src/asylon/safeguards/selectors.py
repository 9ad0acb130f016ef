"""Reading removals and the no-return register."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from asylon.accounts.models import User
from asylon.cases.access import cases_for_user
from asylon.safeguards.models import NoReturnListing, Removal


def removals_for_user(user: User) -> QuerySet[Removal]:
    """Removals of the people in the cases this user may see."""
    visible = cases_for_user(user).values("members__person")
    return Removal.objects.filter(person__in=visible).select_related("requested_by").order_by("-requested_at", "-pk")


def register_active(today: date) -> QuerySet[NoReturnListing]:
    """The listings in force today (for the guards; readers go through `register_for_user`)."""
    in_force = Q(delisted_on__isnull=True) | Q(delisted_on__gt=today)
    return NoReturnListing.objects.filter(in_force, listed_on__lte=today).order_by("country")


def register_for_user(user: User, today: date) -> QuerySet[NoReturnListing]:
    from asylon.cases.services import require_role
    from asylon.procedure.register import READERS

    require_role(user, READERS)
    return register_active(today)
