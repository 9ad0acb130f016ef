"""Possible duplicates of a person, with the evidence an officer weighs.

A lookup is one indexed query: the blocking keys of the person's names (and the exact
search digests of their whole names) against the stored `NameKey` digests, among the
persons of cases this user may read. The few candidates found are decrypted and scored by
the matching core, name by name; the best pair of names gives the score and the evidence.
Nothing here merges: the officer decides (asylon.people.identity).

Need to know (UNHCR Data Protection Policy 2015 §2.7): a person in no case this user may
read is never a candidate, and is not counted either.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects

from asylon.dataprotection import cipher, runtime
from asylon.dataprotection.blind import blind_index
from asylon.matching.score import (
    DEFAULT_MODEL,
    DEFAULT_THRESHOLD,
    Prepared,
    Record,
    best_possible,
    levels,
    prepare,
    score,
    without_names,
)
from asylon.people.matchkeys import match_digests, name_record, person_records
from asylon.people.models import DuplicatePair, Name, NameKey, Person, fold, partial_date

if TYPE_CHECKING:
    from asylon.accounts.models import User
    from asylon.cases.services import PersonInput

# Shown while registering: recall matters more there than on the review queue, whose pairs
# are kept from the core's DEFAULT_THRESHOLD (asylon.matching.score) up. The same reading of
# a common name with the same sex scores about 0.5 with no birth date to compare, 0.56 with
# the year alone, 0.92 with the year and month; a different given name or a conflicting birth
# date stays under 0.01.
SUGGEST_THRESHOLD = 0.2
# Candidates decrypted and scored per lookup, those sharing the most keys first.
SHORTLIST = 50
# Persons sharing keys ranked per query (ids only, from an index).
SLICE = 2 * SHORTLIST
# What a candidate is read with: what scoring decrypts, and what that binds (asylon.dataprotection.runtime.sealed).
CANDIDATE_COLUMNS = ("uid", "office", "sex", "birth_date_sealed", "province_sealed")
NAME_COLUMNS = ("uid", "office", "person_id", "text_sealed", "romanization", "source")


@dataclass(frozen=True)
class Evidence:
    """One field of both records side by side, and how the core judged them."""

    field: str  # name, birth_date, sex, province
    ours: str
    theirs: str
    agreement: str  # the core's level: exact, close, swapped, agree, disagree, missing, ...


@dataclass(frozen=True)
class Candidate:
    person_id: int
    score: float  # posterior probability of the same person, 0..1
    evidence: tuple[Evidence, ...]
    case_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    score: float
    levels: tuple[str, ...]
    ours: Record
    theirs: Record


def input_records(person: PersonInput) -> list[Record]:
    """The names of a person not yet saved, each as one record for the core."""
    birth_date = partial_date(person.birth_year, person.birth_month, person.birth_day)
    return [
        name_record(
            "new",
            text=name.text,
            romanization=name.romanization,
            source=name.source,
            sex=person.sex,
            birth_date=birth_date,
            province=person.province,
        )
        for name in person.names
        if name.text.strip()
    ]


def compare(ours: Sequence[Record], theirs: Sequence[Record]) -> Comparison | None:
    """The best-scoring pair of names between two persons."""
    return _best([(r, prepare(r)) for r in ours], theirs)


def _best(ours: Sequence[tuple[Record, Prepared]], theirs: Sequence[Record]) -> Comparison | None:
    """`compare`, with our records prepared once for every candidate."""
    best: Comparison | None = None
    prepared_theirs = [(r, prepare(r)) for r in theirs]
    for a, pa in ours:
        for b, pb in prepared_theirs:
            level_set = levels(pa, pb)
            probability = score(DEFAULT_MODEL, level_set)
            if best is None or probability > best.score:
                best = Comparison(round(probability, 4), level_set, a, b)
    return best


def evidence(comparison: Comparison) -> tuple[Evidence, ...]:
    level = dict(lv.split(":", 1) for lv in comparison.levels)
    a, b = comparison.ours, comparison.theirs
    return (
        Evidence("name", a.name or a.name_alt, b.name or b.name_alt, level.get("name", "")),
        Evidence("birth_date", a.dob, b.dob, level.get("dob", "")),
        Evidence("sex", a.sex, b.sex, level.get("sex", "")),
        Evidence("province", a.province, b.province, level.get("province", "")),
    )


def persons_for_user(user: User) -> QuerySet[Person]:
    """Persons in a case this user may read: the need-to-know query, nothing wider."""
    from asylon.cases.access import cases_for_user

    return Person.objects.filter(memberships__case__in=cases_for_user(user)).distinct()


def reach_of(user: User) -> Q:
    """Persons in a case this user may read, as a condition on Person: a join from each
    candidate to its cases, where a list of every readable person would be searched once per
    candidate."""
    from asylon.cases.access import readable_by

    return readable_by(user, case="memberships__case__")


def _digests(records: Iterable[Record]) -> set[str]:
    keyring = runtime.keyring()
    records = list(records)
    found = match_digests(keyring, records)
    # The whole name folded, as the search box finds it: a name the core cannot read still meets its twin.
    found |= {blind_index(keyring, "name", fold(r.name or r.name_alt)) for r in records if fold(r.name or r.name_alt)}
    return found


def ranked(digests: Iterable[str], start: int, count: int) -> list[int]:
    """Persons sharing a key with the digests, those sharing the most distinct keys first
    (then by id): `count` of them from `start`. Counted by the database over the index of
    (digest, person), so no row of the key table itself is read. Written as SQL: the ORM took
    longer to build this query than the database to answer it."""
    digests = list(digests)
    if not digests:
        return []
    marks = ", ".join(["%s"] * len(digests))
    # The distinct (digest, person) pairs come off the index in its order, so the database
    # counts them in a hash instead of sorting every matching key by person first.
    query = (
        f"SELECT person_id FROM (SELECT DISTINCT digest, person_id FROM {NameKey._meta.db_table} "  # noqa: S608 — our own table; the digests are parameters
        f"WHERE digest IN ({marks})) AS shared "
        "GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*digests, count, start])
        return [pk for (pk,) in cursor.fetchall()]


def _ranked_all(digests: set[str], excluded: set[int]) -> Iterator[int]:
    """Every person sharing a key, best ranked first, read from the database a slice at a time
    as they are asked for; those `excluded` passed over (a slice holds as many more)."""
    size = SLICE + len(excluded)
    for start in itertools.count(0, size):
        page = ranked(digests, start, size)
        yield from (pk for pk in page if pk not in excluded)
        if len(page) < size:
            return


def shortlist(records: Sequence[Record], reach: Q | None = None, exclude: Iterable[int] = ()) -> list[Person]:
    """Persons sharing a key with the records, most keys first, read with the columns scoring
    needs (their names are read by `scored`, for those who could reach its threshold); only
    those `reach` (a condition on Person) lets through, when given, and none merged away.

    The best ranked first, as many as the shortlist holds; where
    `reach` or a merge turned some away, twice as many of the next, and so on (need to know
    lets nearly all of them through, so the first read nearly always fills the shortlist).
    Joined in one query, a planner may start from every unmerged person instead."""
    return [person for person, _ in _shortlisted(records, reach, exclude)]


def _shortlisted(
    records: Sequence[Record], reach: Q | None, exclude: Iterable[int] = ()
) -> list[tuple[Person, list[str]]]:
    """`shortlist`, each person with the numbers of the cases `reach` let them through (none
    without `reach`): the rows it joined anyway, so a lookup needs no query of its own for them."""
    digests = _digests(records)
    if not digests:
        return []
    # The columns scoring reads (asylon.people.matchkeys.person_records), no more: a person's
    # lists are JSON, and parsing them for fifty candidates a lookup costs more than the query.
    persons = Person.objects.filter(merged_into__isnull=True).only(*CANDIDATE_COLUMNS)
    if reach is not None:
        # The number of the readable case each row came through: annotated after the filter, so
        # read through its join; in order, as the officer is shown them.
        persons = persons.filter(reach).annotate(case_number=F("memberships__case__number")).order_by("case_number")
    ids = _ranked_all(digests, set(exclude))
    found: dict[int, tuple[Person, list[str]]] = {}  # a person in two readable cases is read twice, kept once
    size = SHORTLIST
    while len(found) < SHORTLIST and (chunk := list(itertools.islice(ids, size))):
        ranks = {pk: i for i, pk in enumerate(chunk)}
        for person in sorted(persons.filter(pk__in=chunk), key=lambda p: ranks[p.pk]):
            numbers = found.setdefault(person.pk, (person, []))[1]
            if reach is not None:
                numbers.append(person.case_number)
        size *= 2
    return list(found.values())[:SHORTLIST]


def scored(records: Sequence[Record], persons: Iterable[Person], threshold: float) -> list[tuple[Person, Comparison]]:
    """The persons whose best pair of names scores at least `threshold`, best first. A person
    whose birth date, sex and province leave no name agreement that could reach it
    (`asylon.matching.score.best_possible`) is passed over before their names are decrypted."""
    found = []
    ours = [(r, prepare(r)) for r in records]
    with runtime.steady():
        hopeful = []
        for person in persons:
            try:
                if _could_reach(ours, person, threshold):
                    hopeful.append(person)
            except cipher.KeysDestroyed:
                continue  # a shredded office's record is no one's candidate
        # Their names in one query (none for a person whose names were read with them).
        names = Prefetch("names", queryset=Name.objects.only(*NAME_COLUMNS).order_by("-is_primary", "pk"))
        prefetch_related_objects(hopeful, names)
        for person in hopeful:
            try:
                theirs = person_records(person)
            except cipher.KeysDestroyed:
                continue
            best = _best(ours, theirs)
            if best is not None and best.score >= threshold:
                found.append((person, best))
    found.sort(key=lambda item: (-item[1].score, item[0].pk))
    return found


def _could_reach(ours: Sequence[tuple[Record, Prepared]], person: Person, threshold: float) -> bool:
    """Whether any name of the person could score `threshold` against ours, as `_best` rounds it."""
    fields = without_names(Record(str(person.pk), "", sex=person.sex, dob=person.birth_date, province=person.province))
    return any(round(best_possible(DEFAULT_MODEL, pa, fields), 4) >= threshold for _, pa in ours)


def possible_duplicates(user: User, person: PersonInput, *, limit: int = 5) -> list[Candidate]:
    """Persons this user may read who may be the one being registered, most likely first, each
    with the numbers of the cases through which this user may read them."""
    records = input_records(person)
    if not records or limit < 1:
        return []
    with runtime.steady():  # the key file read once for the lookup, not once per sealed value
        candidates = _shortlisted(records, reach_of(user))
        found = scored(records, [p for p, _ in candidates], SUGGEST_THRESHOLD)[:limit]
    numbers = {p.pk: tuple(cases) for p, cases in candidates}
    return [
        Candidate(person_id=p.pk, score=best.score, evidence=evidence(best), case_numbers=numbers[p.pk])
        for p, best in found
    ]


def pairs_find(
    person: Person, *, found_by: str, at: datetime, exclude: Iterable[int] = (), threshold: float | None = None
) -> list[DuplicatePair]:
    """Store the review pairs of a saved person against the whole registry (but `exclude`, the
    family registered with them). Officers see a pair only where they may read both persons
    (asylon.people.identity); a pair decided before, either way, is left as it is."""
    with runtime.steady():
        records = person_records(person)
        among = shortlist(records, exclude=[person.pk, *exclude])
        hits = scored(records, among, DEFAULT_THRESHOLD if threshold is None else threshold)
    stored = []
    for other, best in hits:
        a, b = sorted((person.pk, other.pk))
        pair, _ = DuplicatePair.objects.get_or_create(
            person_a_id=a, person_b_id=b, defaults={"score": best.score, "found_at": at, "found_by": found_by}
        )
        stored.append(pair)
    return stored


def pair_evidence(pair: DuplicatePair) -> Comparison | None:
    """The evidence of a stored pair, recomputed from the sealed records."""
    a = Person.objects.prefetch_related("names").get(pk=pair.person_a_id)
    b = Person.objects.prefetch_related("names").get(pk=pair.person_b_id)
    return compare(person_records(a), person_records(b))
