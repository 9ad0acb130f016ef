"""The transparency log: checkpoints, entries, proofs, proof bundles, witnesses' cosignatures.

What the log publishes names no one, so anyone signed in with a role reads it; a proof
bundle of a case's event or a document is for those who may see the case.
No `from __future__ import annotations` here: Ninja reads the views' annotations.
"""

import base64
import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from asylon.api.problems import problems
from asylon.api.schemas import In
from asylon.cases.services import require_role
from asylon.procedure.transparency import COSIGNATURE_SUBMITTERS, LOG_READERS
from asylon.transparency import services

router = Router(tags=["transparency log"])

HASHES = "RFC 9162 proof hashes in hex, lowest first."
MAX_SIZE = 2**63 - 1


class CheckpointOut(Schema):
    id: int
    size: int
    root: str = Field(description="The tree's root hash, base64, as the checkpoint writes it.")
    signed_at: datetime
    note: str = Field(description="The C2SP signed note: the log's signature, then witnesses' cosignatures.")
    published: bool = Field(description="Whether a quorum of configured witnesses cosigned it.")


class EntryOut(Schema):
    index: int
    kind: str
    body: str = Field(description="The entry exactly as the tree hashes it, base64.")
    public: dict[str, Any] = Field(description="The same body, read as JSON: it names no one.")


class InclusionProofOut(Schema):
    index: int
    size: int
    hashes: list[str] = Field(description=HASHES)


class ConsistencyProofOut(Schema):
    old: int
    new: int
    hashes: list[str] = Field(description=HASHES)


class BundleOut(Schema):
    """After c2sp.org/tlog-proof; checked offline by asylon.transparency.bundle.verify_bundle."""

    entry: str = Field(description="The entry's body, base64.")
    index: int
    inclusion: list[str] = Field(description=HASHES)
    checkpoint: str = Field(description="The signed checkpoint note the proof leads to, with any cosignatures.")


class CosignatureIn(In):
    line: str = Field(max_length=1000, description="The witness's cosignature line, as `asylon witness` prints it.")


class CosignatureOut(Schema):
    id: int
    checkpoint_id: int
    witness: str
    key_id: str
    at: datetime
    published: bool = Field(description="Whether the checkpoint now has its quorum of witnesses.")


def _checkpoint(checkpoint: Any) -> dict[str, Any]:
    return {
        "id": checkpoint.pk,
        "size": checkpoint.size,
        "root": base64.b64encode(bytes(checkpoint.root)).decode(),
        "signed_at": checkpoint.signed_at,
        "note": services.checkpoint_note(checkpoint),
        "published": services.checkpoint_published(checkpoint),
    }


@router.get("/log/checkpoint", response={200: CheckpointOut, **problems(403, 404)})
def checkpoint_show(request: HttpRequest, published: bool = True) -> Any:
    """The latest published checkpoint with its cosignatures (`Accept: text/plain` for the note
    alone); `published=false`: the latest signed, for witnesses to cosign."""
    require_role(request.auth, LOG_READERS)
    checkpoint = services.checkpoint_latest(published=published)
    if "text/plain" in request.headers.get("Accept", ""):
        return HttpResponse(services.checkpoint_note(checkpoint), content_type="text/plain; charset=utf-8")
    return _checkpoint(checkpoint)


@router.get("/log/entries/{int:index}", response={200: EntryOut, **problems(403, 404)})
def entry_show(request: HttpRequest, index: int) -> Any:
    """One entry of the log, as published."""
    require_role(request.auth, LOG_READERS)
    entry = services.entry_get(index)
    body = bytes(entry.body)
    return {
        "index": entry.index,
        "kind": entry.kind,
        "body": base64.b64encode(body).decode(),
        "public": json.loads(body),
    }


@router.get("/log/proof/inclusion", response={200: InclusionProofOut, **problems(403)})
def inclusion_proof(
    request: HttpRequest,
    index: int = Query(..., ge=0, le=MAX_SIZE),
    size: int | None = Query(
        None, ge=0, le=MAX_SIZE, description="A past size of the log; the current one if left out."
    ),
) -> Any:
    """That entry `index` is in the tree of `size` entries."""
    require_role(request.auth, LOG_READERS)
    return services.inclusion_proof(index, size).as_json()


@router.get("/log/proof/consistency", response={200: ConsistencyProofOut, **problems(403)})
def consistency_proof(
    request: HttpRequest, old: int = Query(..., ge=0, le=MAX_SIZE), new: int = Query(..., ge=0, le=MAX_SIZE)
) -> Any:
    """That the tree of `new` entries extends the tree of `old` entries: nothing was rewritten."""
    require_role(request.auth, LOG_READERS)
    return services.consistency_proof(old, new).as_json()


@router.post(
    "/log/checkpoints/{int:checkpoint_id}/cosignatures",
    response={201: CosignatureOut, **problems(403, 404, body=True)},
)
def cosignature_add(request: HttpRequest, checkpoint_id: int, payload: CosignatureIn) -> Status:
    """A monitor hands in its witness's cosignature of a checkpoint."""
    require_role(request.auth, COSIGNATURE_SUBMITTERS)
    cosignature = services.cosignature_add(checkpoint_id, payload.line)
    answer = {
        "id": cosignature.pk,
        "checkpoint_id": cosignature.checkpoint_id,
        "witness": cosignature.witness,
        "key_id": cosignature.key_id,
        "at": cosignature.at,
        "published": services.checkpoint_published(cosignature.checkpoint),
    }
    return Status(201, answer)


@router.get("/cases/{int:case_id}/events/{int:seq}/proof", response={200: BundleOut, **problems(404)})
def case_event_proof(request: HttpRequest, case_id: int, seq: int) -> Any:
    """The offline proof bundle that an event of the case (a decision, say) is in the log."""
    return services.case_event_bundle(user=request.auth, case_id=case_id, seq=seq)


@router.get("/documents/{int:document_id}/proof", response={200: BundleOut, **problems(404)})
def document_proof(request: HttpRequest, document_id: int) -> Any:
    """The offline proof bundle that the document's issuance is in the log."""
    return services.document_bundle(user=request.auth, document_id=document_id)
