"""Who works in the procedure, and the actor who takes a step."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REGISTRATION_OFFICER = "registration_officer"
    ELIGIBILITY_OFFICER = "eligibility_officer"
    REVIEWER = "reviewer"
    APPEAL_OFFICER = "appeal_officer"
    DOCUMENTATION_OFFICER = "documentation_officer"
    REMOVAL_OFFICER = "removal_officer"
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    SUPERVISOR = "supervisor"
    MONITOR = "monitor"
    PARTNER_NGO = "partner_ngo"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Actor:
    id: int
    roles: frozenset[Role]

    def has_any(self, roles: frozenset[Role]) -> bool:
        return not self.roles.isdisjoint(roles)
