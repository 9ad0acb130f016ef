"""The disclosure guard: no personal data to the state a person fled.

UNHCR Policy on the Protection of Personal Data of Persons of Concern (2015) §6
(transfers to third parties); PS §2.1.3; COI letter of 16 December 2013 (A/HRC/25/CRP.1
para. 1197): passing information on escapees to DPRK authorities may amount to aiding
and abetting crimes against humanity. The refusal is absolute: no role overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from asylon.procedure.refusals import Code, Refusal
from asylon.procedure.roles import Actor, Role


class RecipientKind(StrEnum):
    AUTHORITY = "authority"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    NGO = "ngo"
    COURT = "court"
    LEGAL_REPRESENTATIVE = "legal_representative"
    RESETTLEMENT_STATE = "resettlement_state"


class LegalBasis(StrEnum):
    # UNHCR DPP Policy 2015 §2.2: the legitimate bases for processing.
    CONSENT = "consent"
    VITAL_INTEREST = "vital_interest"
    BEST_INTERESTS_OF_CHILD = "best_interests_of_child"
    MANDATE = "mandate"
    LEGAL_OBLIGATION = "legal_obligation"


@dataclass(frozen=True)
class Recipient:
    name: str
    kind: RecipientKind
    country: str
    # Countries the recipient is known to pass data on to.
    forwards_to: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Disclosure:
    recipient: Recipient
    purpose: str
    legal_basis: LegalBasis | None
    fields: frozenset[str]


REQUESTERS = frozenset(
    {
        Role.REGISTRATION_OFFICER,
        Role.ELIGIBILITY_OFFICER,
        Role.REVIEWER,
        Role.APPEAL_OFFICER,
        Role.DOCUMENTATION_OFFICER,
        Role.DATA_PROTECTION_OFFICER,
    }
)


def origin_refusals(recipient: Recipient, origins: frozenset[str]) -> list[Refusal]:
    """The absolute part of the guard: whatever the request says, whoever asks."""
    found = []
    if recipient.country in origins and recipient.kind == RecipientKind.AUTHORITY:
        found.append(Refusal.of(Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY))
    elif recipient.country in origins:
        # Data held there can be seized by the authorities the person fled.
        found.append(Refusal.of(Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN))
    if not recipient.forwards_to.isdisjoint(origins):
        found.append(Refusal.of(Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN))
    return found


def request_refusals(disclosure: Disclosure, origins: frozenset[str], requester: Actor) -> list[Refusal]:
    """Every reason a disclosure of a person's data cannot even be asked for."""
    found = origin_refusals(disclosure.recipient, origins)
    if not requester.has_any(REQUESTERS):
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))
    if not disclosure.purpose.strip():
        found.append(Refusal.of(Code.PURPOSE_MISSING))
    if disclosure.legal_basis is None:
        found.append(Refusal.of(Code.LEGAL_BASIS_MISSING))
    if not disclosure.fields:
        found.append(Refusal.of(Code.FIELDS_MISSING))
    return found


def approval_refusals(
    disclosure: Disclosure, origins: frozenset[str], requester_id: int, approver: Actor
) -> list[Refusal]:
    """Approval re-checks everything: the registers may have changed since the request."""
    found = [r for r in request_refusals(disclosure, origins, approver) if r.code != Code.ROLE_NOT_PERMITTED]
    if Role.DATA_PROTECTION_OFFICER not in approver.roles:
        found.append(Refusal.of(Code.ROLE_NOT_PERMITTED))
    if approver.id == requester_id:
        found.append(Refusal.of(Code.APPROVER_IS_REQUESTER))
    return found
