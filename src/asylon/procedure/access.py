"""Need to know: who may read a case file, deny by default.

A case belongs to the unit (office) that registered it. An officer whose work is the case
file reads the cases of their own unit and the cases assigned to them by name; a supervisor
assigns their unit's cases. Monitors, partner NGOs and administrators read no case file:
monitors see the pseudonymous transparency log. In an emergency an officer may open a case
outside their reach for a few hours, with a written reason, and a second data protection
officer reviews every such access afterwards.

UNHCR Policy on the Protection of Personal Data of Persons of Concern (2015) §2.7
(confidentiality: access on a need-to-know basis) and §2.6 (security); PS §2.1.3
(confidentiality of RSD files, access limited to staff who need it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from asylon.procedure.refusals import Code, Refusal
from asylon.procedure.roles import Actor, Role

# Roles whose work is the case file itself.
CASEWORK = frozenset(
    {
        Role.REGISTRATION_OFFICER,
        Role.ELIGIBILITY_OFFICER,
        Role.REVIEWER,
        Role.APPEAL_OFFICER,
        Role.DOCUMENTATION_OFFICER,
        Role.REMOVAL_OFFICER,
        Role.DATA_PROTECTION_OFFICER,
        Role.SUPERVISOR,
    }
)
ASSIGNERS = frozenset({Role.SUPERVISOR})
BREAK_GLASS_REVIEWERS = frozenset({Role.DATA_PROTECTION_OFFICER})
# Who opens an intake, and who tells the authority that someone is at risk.
INTAKE = frozenset({Role.REGISTRATION_OFFICER})
ALERT_RAISERS = frozenset({Role.PARTNER_NGO, Role.MONITOR})

BREAK_GLASS_LONGEST = timedelta(hours=8)
BREAK_GLASS_REASON_SHORTEST = 20
# An emergency access not reviewed within this time is shown as overdue to every reviewer.
BREAK_GLASS_REVIEW_DUE = timedelta(days=3)


@dataclass(frozen=True)
class Reader:
    """An officer as need-to-know sees them: their roles and their unit."""

    actor: Actor
    unit: str


@dataclass(frozen=True)
class CaseReach:
    """Who can reach one case besides its unit: officers assigned to it by name, and officers
    holding an emergency access that has not expired."""

    unit: str
    assignees: frozenset[int] = frozenset()
    emergency: frozenset[int] = frozenset()


def may_read(reader: Reader, reach: CaseReach) -> bool:
    """The one rule every list and every read of a case file applies (in the database too:
    `asylon.cases.access.cases_for_user` is this rule written as a query)."""
    if not reader.actor.has_any(CASEWORK):
        return False
    me = reader.actor.id
    return reader.unit == reach.unit or me in reach.assignees or me in reach.emergency


def may_see_alert(reader: Reader, unit: str, raised_by: int) -> bool:
    """An alert names someone at risk, before any case exists: whoever raised it follows it,
    and the registration officers of the unit it was raised to (the raiser's) answer it with an
    intake. Other units' officers do not learn of it (`asylon.cases.selectors.alerts_for_user`
    is this rule written as a query)."""
    return reader.actor.id == raised_by or (reader.actor.has_any(INTAKE) and reader.unit == unit)


def assigner_refusals(supervisor: Reader, reach: CaseReach) -> list[Refusal]:
    """Whether this officer assigns the case at all, whoever to: a supervisor of its unit."""
    if not supervisor.actor.has_any(ASSIGNERS):
        return [Refusal.of(Code.ROLE_NOT_PERMITTED)]
    if supervisor.unit != reach.unit:
        return [Refusal.of(Code.CASE_OUTSIDE_UNIT)]
    return []


def assignment_refusals(supervisor: Reader, reach: CaseReach, assignee: Actor) -> list[Refusal]:
    found = assigner_refusals(supervisor, reach)
    if not assignee.has_any(CASEWORK):
        found.append(Refusal.of(Code.ASSIGNEE_NOT_CASEWORKER))
    return found


def break_glass_refusals(reader: Reader, reach: CaseReach, reason: str, duration: timedelta) -> list[Refusal]:
    """Every reason an emergency access cannot be opened. Only caseworkers may break the glass:
    a monitor, a partner NGO or an administrator never reads a case file, emergency or not."""
    found = break_glass_request_refusals(reader, reason, duration)
    if reader.actor.has_any(CASEWORK) and may_read(reader, reach):
        found.insert(0, Refusal.of(Code.ACCESS_ALREADY_GRANTED))
    return found


def break_glass_request_refusals(reader: Reader, reason: str, duration: timedelta) -> list[Refusal]:
    """What is wrong with the request whatever case it names: judged before the case number is
    looked up, so that a request refused for its own sake tells nothing of which cases exist."""
    if not reader.actor.has_any(CASEWORK):
        return [Refusal.of(Code.ROLE_NOT_PERMITTED)]
    found = []
    if len(reason.strip()) < BREAK_GLASS_REASON_SHORTEST:
        found.append(Refusal.of(Code.ACCESS_REASON_TOO_SHORT))
    if duration <= timedelta(0) or duration > BREAK_GLASS_LONGEST:
        found.append(Refusal.of(Code.ACCESS_TOO_LONG))
    return found


def break_glass_review_refusals(reviewer: Reader, unit: str, user_id: int, already_reviewed: bool) -> list[Refusal]:
    """Every reason a data protection officer cannot review an emergency access by `user_id` to
    a case of `unit`. The case's own unit answers for who read its file, and no other unit
    learns which of its cases were opened (`asylon.cases.need_to_know` lists and finds only
    these accesses: this rule written as a query)."""
    if not reviewer.actor.has_any(BREAK_GLASS_REVIEWERS):
        return [Refusal.of(Code.ROLE_NOT_PERMITTED)]
    found = []
    if reviewer.unit != unit:
        found.append(Refusal.of(Code.ACCESS_OUTSIDE_UNIT))
    if reviewer.actor.id == user_id:
        found.append(Refusal.of(Code.REVIEWER_IS_ACCESS_USER))
    if already_reviewed:
        found.append(Refusal.of(Code.ACCESS_ALREADY_REVIEWED))
    return found
