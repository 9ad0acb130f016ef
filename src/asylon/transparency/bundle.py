"""An offline proof that an entry is in the log, checked with the log's public key alone.

After c2sp.org/tlog-proof, in JSON: `entry` is the entry's body in base64, `index` its place
in the log, `inclusion` the RFC 9162 inclusion path from the leaf up in hex, and `checkpoint`
the signed checkpoint note the path leads to, with any witnesses' cosignatures. An
applicant's lawyer keeps it with the decision or the document and can show, years later and
with no network, that the log committed to it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from asylon.transparency.merkle import InvalidProof, leaf_hash, verify_inclusion
from asylon.transparency.note import Checkpoint, Note, NoteError, VerifierKey, open_note


def bundle_make(body: bytes, index: int, inclusion: Sequence[bytes], checkpoint_note: str) -> dict[str, Any]:
    return {
        "entry": base64.b64encode(body).decode(),
        "index": index,
        "inclusion": [h.hex() for h in inclusion],
        "checkpoint": checkpoint_note,
    }


def verify_bundle(
    bundle: Mapping[str, Any] | str | bytes,
    verifier_key: VerifierKey | str,
    *,
    witnesses: Iterable[VerifierKey] = (),
    quorum: int = 0,
) -> bool:
    """Whether the log (`verifier_key`) signed a checkpoint whose tree holds the bundle's entry
    at its index; and, with a `quorum`, whether that many of `witnesses` cosigned it too."""
    try:
        data = json.loads(bundle) if isinstance(bundle, str | bytes) else bundle
        key = VerifierKey.parse(verifier_key) if isinstance(verifier_key, str) else verifier_key
        body = base64.b64decode(data["entry"], validate=True)
        index = data["index"]
        inclusion = [bytes.fromhex(h) for h in data["inclusion"]]
        note = Note.parse(data["checkpoint"])
        open_note(note, [key])
        checkpoint = Checkpoint.parse(note.text)
        if not isinstance(index, int) or isinstance(index, bool):
            return False
        verify_inclusion(leaf_hash(body), index, checkpoint.size, inclusion, checkpoint.root)
        if quorum > 0:
            cosigned = open_note(note, witnesses).verified
            if len({(k.name, k.key_id) for k, _ in cosigned}) < quorum:
                return False
    except (NoteError, InvalidProof, KeyError, TypeError, ValueError, binascii.Error):
        return False
    return True
