"""Possible duplicates: before registering, the review queue, and its decisions.

No `from __future__ import annotations` here: Ninja reads the views' annotations.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from asylon.api.pages import Pages
from asylon.api.problems import problems
from asylon.api.schemas import In, PersonIn
from asylon.people import identity
from asylon.people.duplicates import possible_duplicates

router = Router(tags=["duplicates"])


class EvidenceOut(Schema):
    field: str = Field(description="`name`, `birth_date`, `sex` or `province`.")
    ours: str = Field(description="The value given for the person being registered (or the pair's first person).")
    theirs: str = Field(description="The value on file for the candidate (or the pair's second person).")
    agreement: str = Field(description="How the matching judged the two: `exact`, `close`, `agree`, `missing`...")


class CandidateOut(Schema):
    person_id: int
    score: float = Field(description="Probability, 0..1, that this is the same person.")
    evidence: list[EvidenceOut]
    case_numbers: list[str] = Field(description="The candidate's cases that you may read.")


class CandidateSearchIn(In):
    person: PersonIn
    limit: int = Field(5, ge=1, le=20)


class PairOut(Schema):
    id: int
    person_a_id: int
    person_b_id: int
    score: float
    found_at: datetime
    found_by: str
    verdict: str = Field(description="Empty while to review; `same` (merged) or `distinct`.")
    decided_at: datetime | None


class PairReviewOut(PairOut):
    evidence: list[EvidenceOut]
    cases_a: list[str]
    cases_b: list[str]


class MergeIn(In):
    reason: str = Field(max_length=2000, description="The evidence that these are one person.")


class UnmergeIn(In):
    reason: str = Field(max_length=2000, description="Why the merge was wrong.")


def _pair(pair: Any) -> dict[str, Any]:
    return {name: getattr(pair, name) for name in PairOut.model_fields}


@router.post("/duplicates/candidates", response={200: list[CandidateOut], **problems(body=True)})
def duplicate_candidates(request: HttpRequest, payload: CandidateSearchIn) -> Any:
    """Before registering: persons you may read who may be this one, most likely first, with the
    evidence. Sent in the body, so that no name enters an address or a log."""
    return possible_duplicates(request.auth, payload.person.to_input(), limit=payload.limit)


@router.get("/duplicates/pairs", response={200: list[PairOut], **problems()})
@paginate(Pages)
def duplicate_pairs(request: HttpRequest) -> Any:
    """Pairs to review, of persons you may both read, most likely first."""
    return identity.pairs_for_user(request.auth)


@router.get("/duplicates/pairs/{int:pair_id}", response={200: PairReviewOut, **problems(404)})
def duplicate_pair(request: HttpRequest, pair_id: int) -> Any:
    """One pair with the evidence side by side."""
    review = identity.pair_review(request.auth, pair_id)
    return {
        **_pair(review.pair),
        "score": review.score,
        "evidence": review.evidence,
        "cases_a": review.cases_a,
        "cases_b": review.cases_b,
    }


@router.post("/duplicates/pairs/{int:pair_id}/merge", response={200: PairOut, **problems(403, 404, 409, body=True)})
def duplicate_merge(request: HttpRequest, pair_id: int, payload: MergeIn) -> Any:
    """ "Same person": the later record is linked to the earlier one; both are kept."""
    return identity.pair_merge(user=request.auth, pair_id=pair_id, reason=payload.reason)


@router.post("/duplicates/pairs/{int:pair_id}/distinct", response={200: PairOut, **problems(403, 404, 409)})
def duplicate_distinguish(request: HttpRequest, pair_id: int) -> Any:
    """ "Not the same person": remembered, never suggested again."""
    return identity.pair_distinguish(user=request.auth, pair_id=pair_id)


@router.post("/duplicates/pairs/{int:pair_id}/unmerge", response={200: PairOut, **problems(403, 404, 409, body=True)})
def duplicate_unmerge(request: HttpRequest, pair_id: int, payload: UnmergeIn) -> Any:
    """Undo a merge: both records stand alone again, and the pair is remembered as two persons."""
    return identity.pair_unmerge(user=request.auth, pair_id=pair_id, reason=payload.reason)
