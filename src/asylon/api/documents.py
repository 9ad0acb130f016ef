"""Identity documents."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from asylon.api.problems import problems
from asylon.api.schemas import DocumentRevokedOut, RevocationIn
from asylon.cases.services import require_role
from asylon.documents import card, credential, services
from asylon.documents.models import Document
from asylon.procedure.documents import VERIFIERS

router = Router(tags=["documents"])


@router.post(
    "/documents/{int:document_id}/revocation", response={200: DocumentRevokedOut, **problems(403, 404, 409, body=True)}
)
def document_revoke(request: HttpRequest, document_id: int, payload: RevocationIn) -> Document:
    """Revoke a document; refused when it would leave an applicant without a valid one."""
    return services.document_revoke(user=request.auth, document_id=document_id, reason=payload.reason)


@router.post(
    "/documents/{int:document_id}/replacement", response={201: DocumentRevokedOut, **problems(403, 404, 409, body=True)}
)
def document_replace(request: HttpRequest, document_id: int, payload: RevocationIn) -> Status:
    """Replace a lost, stolen or damaged document: a new one is issued and this one revoked."""
    return Status(201, services.document_replace(user=request.auth, document_id=document_id, reason=payload.reason))


class VerifyIn(Schema):
    text: str


class VerdictOut(Schema):
    code: str
    valid: bool
    reason: str
    document: dict[str, object] | None = None


@router.get("/documents/{int:document_id}/card.pdf", response={200: None, **problems(403, 404)})
def document_card(request: HttpRequest, document_id: int) -> HttpResponse:
    """The holder's printable card (PDF); issued to the holder, not disclosed to anyone else."""
    document = card.document_for_card(user=request.auth, document_id=document_id)
    pdf = card.card_pdf(document, now=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    return response


@router.post("/documents/verify", response={200: VerdictOut, **problems(403, body=True)})
def document_verify(request: HttpRequest, payload: VerifyIn) -> dict[str, object]:
    """The verdict on a QR text against this server's current trust and status lists."""
    require_role(request.auth, VERIFIERS)
    verdict = credential.verdict_now(payload.text, now=timezone.now())
    document = verdict.document
    return {
        "code": verdict.code.value,
        "valid": verdict.valid,
        "reason": verdict.reason,
        "document": None if document is None else credential.shown(document),
    }
