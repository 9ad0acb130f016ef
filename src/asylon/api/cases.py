"""Intake, cases, their steps and history, and alerts.

No `from __future__ import annotations` in the router modules: Ninja reads the views'
annotations (`Annotated[..., Query(...)]`) at import time.
"""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Query, Router, Schema, Status
from ninja.pagination import paginate

from asylon.accounts.models import User
from asylon.api.auth import sign_in_again_unless_recent
from asylon.api.pages import Pages
from asylon.api.problems import Gone, problems
from asylon.api.schemas import (
    NUL,
    AlertIn,
    AlertOut,
    CaseOut,
    CaseSearchIn,
    CaseSummaryOut,
    DetentionOut,
    DocumentOut,
    EventOut,
    IntakeIn,
    NameOut,
    PersonOut,
    StepFieldOut,
    StepOut,
    StepRecordIn,
    holds_nul,
)
from asylon.cases import selectors, services
from asylon.cases.models import CaseMember
from asylon.cases.selectors import alerts_for_user
from asylon.cases.steps import step_build, step_fields
from asylon.procedure import case as procedure

router = Router(tags=["cases"])

RECORD_FIELDS = tuple(StepRecordIn.model_fields)
STEP_NAME = {kind: name for name, kind in procedure.STEP_NAMES.items()}


def _steps_help() -> str:
    lines = ["The body holds the step's fields:", ""]
    for name, kind in procedure.STEP_NAMES.items():
        fields = ", ".join(f"`{f.name}`" + ("" if f.required else " (optional)") for f in step_fields(kind))
        lines.append(f"- `{name}`: {fields or 'no fields'}")
    record = ", ".join(f"`{name}`" for name in RECORD_FIELDS)
    lines += ["", f"and, for an interview, what the officer records with it: {record}."]
    return "\n".join(lines)


def _attributes(obj: Any, schema: type[Schema], *, besides: set[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in schema.model_fields if name not in besides}


def case_out(user: User, case_id: int, purpose: str) -> CaseOut:
    """The case as this user may see it, with the steps the core says they may take now."""
    case = selectors.case_get_for_user(user, case_id, purpose=purpose)
    available = procedure.available_steps(case.to_domain(), user.actor())
    return CaseOut(
        **_attributes(case, CaseOut, besides={"people", "available_steps"}),
        people=[_person(member) for member in case.members.all()],
        available_steps=[
            StepOut(name=STEP_NAME[kind], fields=[StepFieldOut(**vars(f)) for f in step_fields(kind)])
            for kind in available
        ],
    )


def _person(member: CaseMember) -> PersonOut:
    person = member.person
    return PersonOut(
        **_attributes(person, PersonOut, besides={"relation", "names", "documents", "detentions"}),
        relation=member.relation,
        names=[NameOut.model_validate(n) for n in person.names.all()],
        documents=[DocumentOut.model_validate(d) for d in person.documents.all()],
        detentions=[DetentionOut.model_validate(d) for d in person.detentions.all()],
    )


@router.post("/intakes", response={201: CaseOut, **problems(403, 404, body=True)})
def intake_open(request: HttpRequest, payload: IntakeIn) -> Status:
    """Register a person, and the family who came with them, and open their case."""
    user = request.auth
    case = services.intake_open(
        user=user,
        people=[p.to_input() for p in payload.people],
        channel=payload.channel,
        fear_expressed=payload.fear_expressed,
        detained=payload.detention.to_input() if payload.detention else None,
        alert_id=payload.alert_id,
    )
    return Status(201, case_out(user, case.pk, "api intake"))


@router.get("/cases", response={200: list[CaseSummaryOut], **problems(410, 422)})
@paginate(Pages)
def case_list(
    request: HttpRequest,
    state: Annotated[procedure.State | None, Query(description="Only cases at this stage.")] = None,
) -> Any:
    """The cases you may see, most recently changed first. To search, POST to `/cases/search`."""
    if "q" in request.GET:
        raise Gone("Search by POST to /api/cases/search with the text in the JSON body, not in the address.")
    return selectors.case_search(request.auth, "", state or "")


@router.post("/cases/search", response={200: list[CaseSummaryOut], **problems(body=True)})
@paginate(Pages)
def case_search(request: HttpRequest, payload: CaseSearchIn) -> Any:
    """Cases matching a name in any script, a case number or a document number, most recently
    changed first. A search is sent in the body, so that no name enters an address or a log."""
    return selectors.case_search(request.auth, payload.q, payload.state or "")


@router.get("/cases/{int:case_id}", response={200: CaseOut, **problems(404)})
def case_get(request: HttpRequest, case_id: int) -> CaseOut:
    """The case with its people, their names in every script, documents and detention."""
    return case_out(request.auth, case_id, "api case")


@router.get("/cases/{int:case_id}/timeline", response={200: list[EventOut], **problems(404)})
def case_timeline(request: HttpRequest, case_id: int) -> Any:
    """Every event of the case, oldest first."""
    case = selectors.case_get_for_user(request.auth, case_id, purpose="api timeline")
    return selectors.case_timeline(case)


@router.post(
    "/cases/{int:case_id}/steps/{step}",
    response={200: CaseOut, **problems(403, 404, 409, body=True)},
    description=_steps_help(),
)
def case_step_take(
    request: HttpRequest, case_id: int, step: str, payload: Annotated[dict[str, Any] | None, Body()] = None
) -> CaseOut:
    """Take one step of the procedure; 409 with every reason when the procedure refuses it.

    A case the caller may not see is a 404 from `case_take` itself, whatever the step. A signed-in
    browser must have signed in again within the last 5 minutes before a decision, closing,
    withdrawing, or opening cessation or cancellation."""
    if procedure.STEP_NAMES.get(step) in procedure.SIGN_IN_AGAIN_BEFORE:
        sign_in_again_unless_recent(request)
    user = request.auth
    data = payload or {}
    fields = {k: v for k, v in data.items() if k not in RECORD_FIELDS}
    if nul := {k: NUL for k, v in fields.items() if holds_nul(v)}:
        raise services.InvalidInput(nul)
    record = StepRecordIn.model_validate({k: v for k, v in data.items() if k in RECORD_FIELDS})
    services.case_take(
        user=user,
        case_id=case_id,
        step=step_build(step, fields),
        record=services.StepRecord(**record.model_dump()),
    )
    return case_out(user, case_id, "api step")


@router.post("/alerts", response={201: AlertOut, **problems(403, body=True)}, tags=["alerts"])
def alert_raise(request: HttpRequest, payload: AlertIn) -> Status:
    """A partner NGO or a monitor names someone at risk."""
    alert = services.alert_raise(user=request.auth, **payload.model_dump())
    return Status(201, alert)


@router.get("/alerts", response={200: list[AlertOut], **problems()}, tags=["alerts"])
@paginate(Pages)
def alert_list(request: HttpRequest) -> Any:
    """The alerts you may see, newest first."""
    return alerts_for_user(request.auth)
