"""Two records of one person: who decides, and when a merge is refused.

Registering one person twice splits their history (two claims, two documents, a removal
guard that sees half the file); merging two people is worse, a protection incident that
hands one person's claim and documents to another. So the software never merges on its
own: an officer reviews a pair the matching found, with the evidence, and decides "same
person" (a merge: the later record is linked to the earlier one, nothing is deleted) or
"not the same person" (remembered, so the pair is not suggested again). A merge can be
undone.

- UNHCR Procedural Standards for RSD (2020) §3.2: registration records each applicant once,
  accurately, and keeps the record up to date; the registration officers and their
  supervisors are the ones who correct it.
- UNHCR Policy on the Protection of Personal Data of Persons of Concern (2015) §2.5
  (accuracy) and §2.7 (confidentiality, need to know): the decision is taken only by an
  officer who may read every case of both persons, and it is refused, not merely warned,
  where the records are of relatives (a family link between them, or the core's twin-like
  evidence: same surname and birthday, another given name).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from asylon.procedure.refusals import Code, Refusal
from asylon.procedure.roles import Actor, Role

IDENTITY_DECIDERS = frozenset({Role.REGISTRATION_OFFICER, Role.SUPERVISOR})


class Verdict(StrEnum):
    OPEN = ""
    SAME = "same"
    DISTINCT = "distinct"


@dataclass(frozen=True)
class Side:
    """One person of the pair as the rule sees them."""

    person: int
    merged: bool  # already linked to another record
    readable: bool  # the officer may read every case of this person


@dataclass(frozen=True)
class PairView:
    a: Side
    b: Side
    verdict: Verdict = Verdict.OPEN
    related: bool = False  # a family link between the two, either way
    twin_like: bool = False  # the matching core's family level


def _common(actor: Actor, pair: PairView) -> list[Refusal]:
    """Role first, then reach: an officer who may not read both learns nothing further."""
    if not actor.has_any(IDENTITY_DECIDERS):
        return [Refusal.of(Code.ROLE_NOT_PERMITTED)]
    if not (pair.a.readable and pair.b.readable):
        return [Refusal.of(Code.MERGE_OUTSIDE_REACH)]
    return []


def merge_refusals(actor: Actor, pair: PairView, reason: str) -> list[Refusal]:
    """Every reason the two records cannot be merged now."""
    found = _common(actor, pair)
    if found:
        return found
    if pair.a.person == pair.b.person:
        found.append(Refusal.of(Code.MERGE_OF_ONE_RECORD))
    if pair.verdict is not Verdict.OPEN:
        found.append(Refusal.of(Code.PAIR_ALREADY_DECIDED))
    if pair.a.merged or pair.b.merged:
        found.append(Refusal.of(Code.PERSON_ALREADY_MERGED))
    if pair.related:
        found.append(Refusal.of(Code.MERGE_FAMILY_LINK))
    if pair.twin_like:
        found.append(Refusal.of(Code.MERGE_TWIN_LIKE))
    if not reason.strip():
        found.append(Refusal.of(Code.REASON_MISSING))
    return found


def distinct_refusals(actor: Actor, pair: PairView) -> list[Refusal]:
    """Whether the officer may record "not the same person"; relatives always may be."""
    found = _common(actor, pair)
    if not found and pair.verdict is not Verdict.OPEN:
        found.append(Refusal.of(Code.PAIR_ALREADY_DECIDED))
    return found


def unmerge_refusals(actor: Actor, pair: PairView, reason: str) -> list[Refusal]:
    """Undoing a merge restores both records; it needs the reason the merge was wrong."""
    found = _common(actor, pair)
    if found:
        return found
    if pair.verdict is not Verdict.SAME:
        found.append(Refusal.of(Code.PAIR_NOT_MERGED))
    if not reason.strip():
        found.append(Refusal.of(Code.REASON_MISSING))
    return found
