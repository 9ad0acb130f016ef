"""The review of possible duplicates: the queue, and merge, "not the same person", un-merge.

The write routine: atomic() → lock the pair, both persons and every case of theirs → ask
the core (asylon.procedure.identity) → write → an event on every case of both persons, so
that each file's history (and the transparency log, through `event_append`) tells of it.
Locking the pair first means two officers deciding the same pair at once are serialized:
the second one sees the first one's verdict and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from asylon.accounts.models import User
from asylon.cases.models import Case, CaseRead
from asylon.cases.services import NotFound, event_append, now, require_role
from asylon.people.duplicates import Comparison, Evidence, evidence, pair_evidence, persons_for_user
from asylon.people.models import DuplicatePair, FamilyLink, Person
from asylon.procedure import identity as rules
from asylon.procedure.access import CASEWORK
from asylon.procedure.refusals import Refused


def cluster_ids(person: Person | int) -> list[int]:
    """Every record of one human being, by primary key in order: the root of the person's merge
    chain and every record merged into it, directly or through another. Chains form: a merge
    links the later record b to the earlier a when neither is merged yet, and records merged
    into b before stay linked to b, so c → b → a. An un-merge clears one link, splitting the
    tree there. The guards that protect the person (asylon.safeguards.services) judge the
    whole cluster: one record may hold the pending claim, the other the rejection."""
    start = person if isinstance(person, int) else person.pk
    root, seen = start, {start}
    while (parent := Person.objects.filter(pk=root).values_list("merged_into_id", flat=True).first()) is not None:
        if parent in seen:  # a cycle cannot be made by pair_merge; never loop on one all the same
            break
        root = parent
        seen.add(root)
    members, below = {root}, {root}
    while below:
        below = set(Person.objects.filter(merged_into__in=below).values_list("pk", flat=True)) - members
        members |= below
    return sorted(members)


def cluster_lock(person: Person | int) -> list[Person]:
    """The person's cluster (`cluster_ids`), every record locked, in primary-key order, as it
    stands once locked. A merge or un-merge locks both records of its pair (`_locked`), one of
    them in this cluster: one that committed before a lock was taken here is seen by the second
    look (under READ COMMITTED each statement reads what committed before it began), and any
    later one waits for this transaction. A record found by the second look is locked in turn."""
    ids = cluster_ids(person)
    while True:
        locked = list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        now_ids = cluster_ids(person)
        if set(now_ids) <= {p.pk for p in locked}:
            return [p for p in locked if p.pk in now_ids]
        ids = sorted(set(ids) | set(now_ids))


def pairs_for_user(user: User, *, verdict: str = DuplicatePair.OPEN) -> QuerySet[DuplicatePair]:
    """Pairs of persons this user may both read; none else, not even counted."""
    readable = persons_for_user(user)
    return (
        DuplicatePair.objects.filter(verdict=verdict, person_a__in=readable, person_b__in=readable)
        .order_by("-score", "pk")
        .select_related("decided_by")
    )


def pair_get_for_user(user: User, pair_id: int) -> DuplicatePair:
    """The same answer for a pair that does not exist and one this user may not see."""
    readable = persons_for_user(user)
    pair = DuplicatePair.objects.filter(pk=pair_id, person_a__in=readable, person_b__in=readable).first()
    if pair is None:
        raise NotFound(f"pair {pair_id}")
    return pair


@dataclass(frozen=True)
class PairReview:
    """A pair with the evidence side by side, for the review page and the API."""

    pair: DuplicatePair
    score: float
    evidence: tuple[Evidence, ...]
    cases_a: tuple[str, ...]
    cases_b: tuple[str, ...]


@transaction.atomic
def pair_review(user: User, pair_id: int) -> PairReview:
    """The pair's evidence (names, birth dates, places of both persons), shown only with a read
    recorded on every case of theirs the user reads, as a case file's page records its own:
    in the same transaction, and naming the emergency access a read rests on."""
    from asylon.cases.access import cases_for_user, emergency_access_for

    pair = pair_get_for_user(user, pair_id)
    found = pair_evidence(pair)
    readable = cases_for_user(user)
    at = now()
    for case in readable.filter(members__person_id__in=[pair.person_a_id, pair.person_b_id]).distinct():
        emergency = emergency_access_for(user, case, at)
        CaseRead.objects.create(case=case, user=user, purpose="duplicate review", at=at, emergency=emergency)

    def numbers(person_id: int) -> tuple[str, ...]:
        return tuple(readable.filter(members__person_id=person_id).order_by("number").values_list("number", flat=True))

    return PairReview(
        pair=pair,
        score=found.score if found else pair.score,
        evidence=evidence(found) if found else (),
        cases_a=numbers(pair.person_a_id),
        cases_b=numbers(pair.person_b_id),
    )


def _locked(user: User, pair_id: int) -> tuple[DuplicatePair, list[Person], list[Case], rules.PairView]:
    from asylon.cases.access import cases_for_user

    require_role(user, CASEWORK)
    pair_get_for_user(user, pair_id)  # not found before anything is locked
    pair = DuplicatePair.objects.select_for_update().get(pk=pair_id)
    persons = list(
        Person.objects.select_for_update().filter(pk__in=[pair.person_a_id, pair.person_b_id]).order_by("pk")
    )
    # Locked by primary key: PostgreSQL refuses FOR UPDATE on a DISTINCT query, and a join
    # through the members would list a family case once per member.
    case_ids = Case.objects.filter(members__person__in=persons).values("pk")
    cases = list(Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))
    readable = set(cases_for_user(user).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True))

    def side(person: Person) -> rules.Side:
        theirs = {c.pk for c in cases if c.members.filter(person=person).exists()}
        return rules.Side(person.pk, merged=person.merged_into_id is not None, readable=theirs <= readable)

    a, b = persons
    related = FamilyLink.objects.filter(Q(person=a, relative=b) | Q(person=b, relative=a)).exists()
    found: Comparison | None = pair_evidence(pair)
    twin_like = bool(found and "family:twin_like" in found.levels)
    view = rules.PairView(side(a), side(b), rules.Verdict(pair.verdict), related=related, twin_like=twin_like)
    return pair, persons, cases, view


def _tell_cases(cases: list[Case], *, type: str, user: User, at: datetime, reason: str, data: dict[str, int]) -> None:
    for case in cases:
        event_append(case=case, type=type, actor=user, at=at, reason=reason, data=data, state_before=case.state)


@transaction.atomic
def pair_merge(*, user: User, pair_id: int, reason: str, at: datetime | None = None) -> DuplicatePair:
    """ "Same person": the later record is linked to the earlier one; both stay, with their cases."""
    at = at or now()
    pair, (a, b), cases, view = _locked(user, pair_id)
    refusals = rules.merge_refusals(user.actor(), view, reason)
    if refusals:
        raise Refused(refusals)
    b.merged_into = a
    b.save(update_fields=["merged_into"])
    pair.verdict, pair.decided_by, pair.decided_at = DuplicatePair.SAME, user, at
    pair.save(update_fields=["verdict", "decided_by", "decided_at"])
    _tell_cases(cases, type="identity_merged", user=user, at=at, reason=reason, data={"person": b.pk, "into": a.pk})
    return pair


@transaction.atomic
def pair_distinguish(*, user: User, pair_id: int, at: datetime | None = None) -> DuplicatePair:
    """ "Not the same person": remembered, so the pair is not suggested again."""
    at = at or now()
    pair, _, _, view = _locked(user, pair_id)
    refusals = rules.distinct_refusals(user.actor(), view)
    if refusals:
        raise Refused(refusals)
    pair.verdict, pair.decided_by, pair.decided_at = DuplicatePair.DISTINCT, user, at
    pair.save(update_fields=["verdict", "decided_by", "decided_at"])
    return pair


@transaction.atomic
def pair_unmerge(*, user: User, pair_id: int, reason: str, at: datetime | None = None) -> DuplicatePair:
    """The merge was wrong: the link is cleared and the pair is remembered as two persons."""
    at = at or now()
    pair, (a, b), cases, view = _locked(user, pair_id)
    refusals = rules.unmerge_refusals(user.actor(), view, reason)
    if refusals:
        raise Refused(refusals)
    b.merged_into = None
    b.save(update_fields=["merged_into"])
    pair.verdict, pair.undone_by, pair.undone_at = DuplicatePair.DISTINCT, user, at
    pair.save(update_fields=["verdict", "undone_by", "undone_at"])
    _tell_cases(cases, type="identity_unmerged", user=user, at=at, reason=reason, data={"person": b.pk, "from": a.pk})
    return pair
