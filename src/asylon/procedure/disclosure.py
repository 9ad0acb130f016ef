"""The disclosure guard: no personal data to the state a person fled.

UNHCR Policy on the Protection of Personal Data of Persons of Concern (2015) §6
(transfers to third parties); PS §2.1.3; COI letter of 16 December 2013 (A/HRC/25/CRP.1
para. 1197): passing information on escapees to DPRK authorities may amount to aiding
and abetting crimes against humanity. The refusal is absolute: no role overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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


@dataclass(frozen=True)
class Approval:
    """When a second data protection officer approved, and the digest of the content they saw."""

    at: datetime
    digest: str


# An approval judges the data as the approver saw it, that week. Seven days is this project's
# choice, not a legal figure: long enough to send a resettlement file, short enough that the
# judgement still holds (the accuracy and necessity principles of the UNHCR DPP Policy 2015,
# Part 2; GDPR Art. 5(1)(c)-(d) states the same). Older approvals need a new request.
APPROVAL_VALID_FOR = timedelta(days=7)

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


def _handler_refusals(requester_id: int, actor: Actor) -> list[Refusal]:
    # Only the requester or a data protection officer handles the disclosed data: another
    # officer with access to the case has not asked for it and is not accountable for it.
    if not actor.has_any(REQUESTERS):
        return [Refusal.of(Code.ROLE_NOT_PERMITTED)]
    if actor.id != requester_id and Role.DATA_PROTECTION_OFFICER not in actor.roles:
        return [Refusal.of(Code.ROLE_NOT_PERMITTED)]
    return []


def preview_refusals(
    disclosure: Disclosure, origins: frozenset[str], *, closed: bool, requester_id: int, viewer: Actor
) -> list[Refusal]:
    """Showing the content of a pending or approved disclosure, never one refused or rejected,
    and never for a recipient the origin guard refuses now: no content, not even a row count."""
    found = origin_refusals(disclosure.recipient, origins)
    found += _handler_refusals(requester_id, viewer)
    if closed:
        found.append(Refusal.of(Code.DISCLOSURE_NOT_APPROVED))
    return found


def export_refusals(
    disclosure: Disclosure,
    origins: frozenset[str],
    *,
    approval: Approval | None,
    content_digest: str,
    requester_id: int,
    exporter: Actor,
    now: datetime,
) -> list[Refusal]:
    """At the moment the file is made: the origin guard again (the recipient register or the
    person's origins may have changed since the approval), a current approval, and exactly the
    content the approver saw."""
    found = origin_refusals(disclosure.recipient, origins)
    found += _handler_refusals(requester_id, exporter)
    if approval is None:
        found.append(Refusal.of(Code.DISCLOSURE_NOT_APPROVED))
        return found
    if now - approval.at > APPROVAL_VALID_FOR:
        found.append(Refusal.of(Code.DISCLOSURE_APPROVAL_EXPIRED))
    if content_digest != approval.digest:
        found.append(Refusal.of(Code.DISCLOSURE_CONTENT_CHANGED))
    return found
