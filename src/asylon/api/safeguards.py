"""Removals, disclosures and the no-return register.

Removals and disclosures are recorded whatever the guard answers: the service saves the
attempt and returns it, and only then does the API answer 409 (or 403), pointing at it.
A disclosure's file comes from asylon.safeguards.export, the only way personal data leaves.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from asylon.api.auth import sign_in_again_unless_recent
from asylon.api.pages import Pages
from asylon.api.problems import AttemptRefused, problems
from asylon.api.schemas import (
    AttestationIn,
    AttestationOut,
    DisclosureDecisionIn,
    DisclosureIn,
    DisclosureOut,
    ListingIn,
    ListingOut,
    RecipientIn,
    RecipientOut,
    RemovalIn,
    RemovalOut,
)
from asylon.safeguards import export
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import Disclosure, Removal
from asylon.safeguards.selectors import register_for_user, removals_for_user

removals = Router(tags=["removals"])
disclosures = Router(tags=["disclosures"])
register = Router(tags=["no-return register"])


def _answer(removal: Removal, status: int) -> Status:
    if removal.status == Removal.Status.REFUSED:
        raise AttemptRefused(removal.refusal_codes, instance=f"/api/removals/{removal.pk}")
    return Status(status, removal)


@removals.post("/removals", response={201: RemovalOut, **problems(403, 404, 409, body=True)})
def removal_request(request: HttpRequest, payload: RemovalIn) -> Status:
    """Ask whether a person may be removed to a destination; refused attempts are kept too."""
    removal = safeguards.removal_request(user=request.auth, **payload.model_dump())
    return _answer(removal, 201)


@removals.post("/removals/{int:removal_id}/carry-out", response={200: RemovalOut, **problems(403, 404, 409)})
def removal_carry_out(request: HttpRequest, removal_id: int) -> Status:
    """The guard is asked again at the moment of removal."""
    removal = safeguards.removal_carry_out(user=request.auth, removal_id=removal_id)
    return _answer(removal, 200)


@removals.get("/removals", response={200: list[RemovalOut], **problems()})
@paginate(Pages)
def removal_list(request: HttpRequest) -> Any:
    """Removal attempts for the people in the cases you may see, newest first."""
    return removals_for_user(request.auth)


@disclosures.post("/recipients", response={201: RecipientOut, **problems(403, body=True)})
def recipient_create(request: HttpRequest, payload: RecipientIn) -> Status:
    """Someone personal data may be disclosed to, with where they are and whom they share with."""
    return Status(201, safeguards.recipient_create(user=request.auth, **payload.model_dump()))


@disclosures.post("/disclosures", response={201: DisclosureOut, **problems(403, 404, 409, body=True)})
def disclosure_request(request: HttpRequest, payload: DisclosureIn) -> Status:
    """Ask to disclose a person's data; never to the state they fled. Refused requests are kept."""
    disclosure = safeguards.disclosure_request(user=request.auth, **payload.model_dump())
    if disclosure.status == Disclosure.Status.REFUSED:
        raise AttemptRefused(disclosure.refusal_codes, instance=f"/api/disclosures/{disclosure.pk}")
    return Status(201, disclosure)


class DisclosureApprovalIn(DisclosureDecisionIn):
    digest: str | None = Field(
        None, description="The `digest` of the preview you looked at: the approval is refused if the data changed."
    )


class DisclosurePreviewOut(Schema):
    disclosure: DisclosureOut
    fields: list[str] = Field(description="Exactly the fields the file will hold.")
    rows: list[dict[str, Any]] = Field(description="Exactly the rows the file will hold, one per person.")
    digest: str = Field(description="SHA-256 of the canonical content; an export goes out only while it holds.")


@disclosures.post(
    "/disclosures/{int:disclosure_id}/decision", response={200: DisclosureOut, **problems(403, 404, 409, body=True)}
)
def disclosure_decide(request: HttpRequest, disclosure_id: int, payload: DisclosureApprovalIn) -> Disclosure:
    """A data protection officer other than the requester approves or rejects."""
    return safeguards.disclosure_decide(
        user=request.auth, disclosure_id=disclosure_id, approve=payload.approve, seen_digest=payload.digest
    )


@disclosures.get(
    "/disclosures/{int:disclosure_id}/preview", response={200: DisclosurePreviewOut, **problems(403, 404, 409)}
)
def disclosure_preview(request: HttpRequest, disclosure_id: int) -> dict[str, Any]:
    """Exactly what a file would hold, for the approver (and the requester) to see first."""
    preview = export.disclosure_preview(user=request.auth, disclosure_id=disclosure_id)
    content = preview.content
    return {"disclosure": preview.disclosure, "fields": content.fields, "rows": content.rows, "digest": preview.digest}


EXPORTED = {
    "description": "The watermarked file, as an attachment: canonical JSON in UTF-8.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["disclosure", "fields", "rows"],
                "properties": {
                    "disclosure": {
                        "type": "object",
                        "description": "The watermark header: number, recipient, purpose, legal basis, "
                        "approver's pseudonym, export time, watermark id, content digest and the statement.",
                    },
                    "fields": {"type": "array", "items": {"type": "string"}},
                    "rows": {
                        "type": "array",
                        "items": {"type": "object", "description": "The approved fields and the watermark id."},
                    },
                },
            }
        }
    },
}


@disclosures.post(
    "/disclosures/{int:disclosure_id}/export",
    response=problems(403, 404, 409),
    openapi_extra={
        "responses": {
            200: {**EXPORTED, "headers": {"Content-Disposition": {"required": True, "schema": {"type": "string"}}}}
        }
    },
)
def disclosure_export(request: HttpRequest, disclosure_id: int) -> HttpResponse:
    """The file of an approved disclosure, exactly as approved; each export is recorded and logged.
    A signed-in browser must have signed in again within the last 5 minutes."""
    sign_in_again_unless_recent(request)
    file = export.disclosure_export(user=request.auth, disclosure_id=disclosure_id)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name}"'
    response["Cache-Control"] = "no-store"
    return response


@register.get("/register", response={200: list[ListingOut], **problems(403)})
def register_show(request: HttpRequest) -> Any:
    """The countries to which no one is returned, today."""
    return register_for_user(request.auth, timezone.now().date())


@register.post("/register", response={201: ListingOut, **problems(403, 409, body=True)})
def register_add(request: HttpRequest, payload: ListingIn) -> Status:
    """Put a country on the no-return register (administrators and monitors)."""
    return Status(201, safeguards.register_list(user=request.auth, **payload.model_dump()))


@register.post("/register/{country}/attestations", response={201: AttestationOut, **problems(403, 409, body=True)})
def attestation_record(request: HttpRequest, country: str, payload: AttestationIn) -> Status:
    """A monitor attests that treatment in a country has markedly improved."""
    attestation = safeguards.attestation_record(user=request.auth, country=country, **payload.model_dump())
    return Status(201, attestation)


@register.delete("/register/{country}", response={200: ListingOut, **problems(403, 409, 422)})
def register_delist(request: HttpRequest, country: str) -> Any:
    """Take a country off the register: administrators, on a quorum of recent attestations."""
    return safeguards.register_delist(user=request.auth, country=country)
