"""Identity documents."""

from django.http import HttpRequest
from ninja import Router

from asylon.api.problems import problems
from asylon.api.schemas import DocumentRevokedOut, RevocationIn
from asylon.documents import services
from asylon.documents.models import Document

router = Router(tags=["documents"])


@router.post(
    "/documents/{int:document_id}/revocation", response={200: DocumentRevokedOut, **problems(403, 404, 409, body=True)}
)
def document_revoke(request: HttpRequest, document_id: int, payload: RevocationIn) -> Document:
    """Revoke a document; refused when it would leave an applicant without a valid one."""
    return services.document_revoke(user=request.auth, document_id=document_id, reason=payload.reason)
