"""Who may see which cases: deny by default, filtered in the database.

Every read and every write of a case goes through `cases_for_user`; the data-protection
work narrows it to assignments and units.
"""

from __future__ import annotations

from django.db.models import QuerySet

from asylon.accounts.models import User
from asylon.cases.models import Case
from asylon.procedure.roles import Role

# Roles whose work is the case file itself. Monitors and partner NGOs see no personal data
# through this: their pseudonymous views come with the transparency log.
CASEWORK = frozenset(
    {
        Role.REGISTRATION_OFFICER,
        Role.ELIGIBILITY_OFFICER,
        Role.REVIEWER,
        Role.APPEAL_OFFICER,
        Role.DOCUMENTATION_OFFICER,
        Role.REMOVAL_OFFICER,
        Role.DATA_PROTECTION_OFFICER,
    }
)


def cases_for_user(user: User) -> QuerySet[Case]:
    """Every case this user may see."""
    if not user.is_active:
        return Case.objects.none()
    if not user.actor().has_any(CASEWORK):
        return Case.objects.none()
    return Case.objects.all()
