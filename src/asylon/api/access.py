"""Need to know: assigning cases, and emergency (break-glass) access with its review.

No `from __future__ import annotations` here: Ninja reads the views' annotations.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from asylon.api.auth import sign_in_again_unless_recent
from asylon.api.problems import problems
from asylon.api.schemas import In
from asylon.cases import need_to_know, selectors
from asylon.procedure.access import BREAK_GLASS_LONGEST

router = Router(tags=["need to know"])


class AssignmentIn(In):
    user_id: int = Field(description="The officer who may read the case from now on.")


class AssignmentOut(Schema):
    id: int
    case_id: int
    user_id: int
    assigned_by_id: int
    assigned_at: datetime
    ended_at: datetime | None


class EmergencyAccessIn(In):
    case_number: str = Field(max_length=20)
    reason: str = Field(max_length=2000, description="Why the case must be read now, by you; at least 20 characters.")
    hours: float = Field(gt=0, le=BREAK_GLASS_LONGEST.total_seconds() / 3600, description="How long access lasts.")


class EmergencyAccessOut(Schema):
    """No personal data, and not the reason either: it may name people."""

    id: int
    case_id: int
    case_number: str = Field(alias="case.number")
    user_id: int
    opened_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None
    finding: str
    reads: int = Field(description="How many times the case was read through this access.")

    @staticmethod
    def resolve_reads(access: Any) -> int:
        return int(access.reads.count())


class ReviewIn(In):
    justified: bool
    note: str = Field("", max_length=2000, description="Required when the access was not justified.")


@router.get("/cases/{int:case_id}/assignments", response={200: list[AssignmentOut], **problems(404)})
def assignment_list(request: HttpRequest, case_id: int) -> Any:
    """The officers the case is assigned to by name, now and before."""
    case = selectors.case_get_for_user(request.auth, case_id, purpose="api assignments")
    return case.assignments.order_by("assigned_at", "pk")


@router.post("/cases/{int:case_id}/assignments", response={201: AssignmentOut, **problems(403, 404, 409, body=True)})
def case_assign(request: HttpRequest, case_id: int, payload: AssignmentIn) -> Status:
    """A supervisor assigns one of their unit's cases to an officer, who may then read it."""
    assignment = need_to_know.case_assign(user=request.auth, case_id=case_id, assignee_id=payload.user_id)
    return Status(201, assignment)


@router.post("/assignments/{int:assignment_id}/end", response={200: AssignmentOut, **problems(403, 404, 409)})
def assignment_end(request: HttpRequest, assignment_id: int) -> Any:
    """End an assignment; the record stays."""
    return need_to_know.assignment_end(user=request.auth, assignment_id=assignment_id)


@router.post("/emergency-accesses", response={201: EmergencyAccessOut, **problems(403, 404, 409, body=True)})
def emergency_access_open(request: HttpRequest, payload: EmergencyAccessIn) -> Status:
    """Break the glass: read a case outside your reach for a few hours, with a written reason.
    Every such access is an event in the transparency log and is reviewed by a data protection
    officer. A signed-in browser must have signed in again within the last 5 minutes."""
    sign_in_again_unless_recent(request)
    access = need_to_know.emergency_access_open(user=request.auth, **payload.model_dump())
    return Status(201, access)


@router.get("/emergency-accesses/to-review", response={200: list[EmergencyAccessOut], **problems()})
def emergency_accesses_to_review(request: HttpRequest) -> Any:
    """For a data protection officer: the emergency accesses not yet reviewed, oldest first."""
    return need_to_know.emergency_accesses_to_review(request.auth)


@router.post(
    "/emergency-accesses/{int:access_id}/review",
    response={200: EmergencyAccessOut, **problems(403, 404, 409, body=True)},
)
def emergency_access_review(request: HttpRequest, access_id: int, payload: ReviewIn) -> Any:
    """Record whether an emergency access was justified."""
    return need_to_know.emergency_access_review(user=request.auth, access_id=access_id, **payload.model_dump())
