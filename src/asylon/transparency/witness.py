"""A witness cosigns a log's checkpoint only if it extends the last one the witness cosigned.

This is c2sp.org/tlog-witness §add-checkpoint without the HTTP: a monitor (UNHCR, a UN
Special Procedure) keeps one checkpoint per log, and by refusing to cosign anything that
does not extend it, makes a forked or rewritten log impossible to present as published.
Each refusal carries a stable reason, mapped in a comment to the status code the spec
gives it, so the HTTP and command-line front ends can answer without re-deciding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from asylon.transparency.merkle import EMPTY_ROOT, InvalidProof, verify_consistency
from asylon.transparency.note import (
    Checkpoint,
    Cosigner,
    InvalidSignature,
    Note,
    NoteError,
    NoteSignature,
    UnverifiedNote,
    VerifierKey,
    open_note,
)

# c2sp.org/tlog-witness: "The client MUST NOT send more than 63 consistency proof lines."
MAX_PROOF_HASHES = 63


class Reason(StrEnum):
    MALFORMED = "malformed"  # 400: not a signed note holding a checkpoint
    UNKNOWN_LOG = "unknown_log"  # 404: no log with this origin is configured
    LOG_SIGNATURE_MISSING = "log_signature_missing"  # 403: no signature by a key the witness holds for the log
    LOG_SIGNATURE_INVALID = "log_signature_invalid"  # 403: the log's key signed, but not this text
    OLD_SIZE_MISMATCH = "old_size_mismatch"  # 409: the caller proves from a size the witness is not at
    TREE_SHRANK = "tree_shrank"  # 400: smaller than the checkpoint last cosigned
    FORK = "fork"  # 409: the same size with a different root
    CONSISTENCY_PROOF_INVALID = "consistency_proof_invalid"  # 422


class CosignRefused(Exception):
    """The witness will not cosign; `reason` says why, `latest_size` is its own size for the log."""

    def __init__(self, reason: Reason, detail: str, *, latest_size: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.latest_size = latest_size


def signed_checkpoint_open(
    signed_checkpoint: str | bytes, log_keys: Mapping[str, Sequence[VerifierKey]]
) -> tuple[Checkpoint, Note]:
    """Parse a signed checkpoint and check the log's signature; raises CosignRefused.

    The origin is read before the signature is checked only to pick the log's keys.
    """
    try:
        note = Note.parse(signed_checkpoint)
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as error:
        raise CosignRefused(Reason.MALFORMED, str(error)) from None
    keys = log_keys.get(checkpoint.origin)
    if not keys:
        raise CosignRefused(Reason.UNKNOWN_LOG, f"no log with origin {checkpoint.origin!r} is known")
    try:
        open_note(note, keys)
    except UnverifiedNote:
        raise CosignRefused(Reason.LOG_SIGNATURE_MISSING, "no signature by the log's known key") from None
    except InvalidSignature as error:
        raise CosignRefused(Reason.LOG_SIGNATURE_INVALID, str(error)) from None
    return checkpoint, note


def checkpoint_extends(
    latest: Checkpoint | None,
    checkpoint: Checkpoint,
    consistency_proof: Sequence[bytes],
    *,
    old_size: int | None = None,
) -> None:
    """Check that `checkpoint` extends `latest` (None: nothing cosigned yet); raises CosignRefused.

    `old_size`, when the caller sends it (tlog-witness's `old` line), must be the size of
    `latest`, and the proof is from that size.
    """
    if latest is not None and latest.origin != checkpoint.origin:
        raise ValueError(f"the latest checkpoint is for {latest.origin!r}, not {checkpoint.origin!r}")
    latest_size = latest.size if latest is not None else 0
    latest_root = latest.root if latest is not None else EMPTY_ROOT
    if old_size is not None:
        if old_size > checkpoint.size:
            raise CosignRefused(
                Reason.TREE_SHRANK,
                f"old size {old_size} is larger than the checkpoint's {checkpoint.size}",
                latest_size=latest_size,
            )
        if old_size != latest_size:
            raise CosignRefused(
                Reason.OLD_SIZE_MISMATCH,
                f"the proof is from size {old_size}, the witness is at {latest_size}",
                latest_size=latest_size,
            )
    if checkpoint.size < latest_size:
        raise CosignRefused(
            Reason.TREE_SHRANK,
            f"size {checkpoint.size} is smaller than the {latest_size} already cosigned",
            latest_size=latest_size,
        )
    if checkpoint.size == latest_size and checkpoint.root != latest_root:
        raise CosignRefused(
            Reason.FORK,
            f"a second root for size {latest_size}: the log has forked",
            latest_size=latest_size,
        )
    if len(consistency_proof) > MAX_PROOF_HASHES:
        raise CosignRefused(
            Reason.CONSISTENCY_PROOF_INVALID,
            f"more than {MAX_PROOF_HASHES} hashes in the proof",
            latest_size=latest_size,
        )
    try:
        verify_consistency(latest_size, checkpoint.size, consistency_proof, latest_root, checkpoint.root)
    except InvalidProof as error:
        raise CosignRefused(Reason.CONSISTENCY_PROOF_INVALID, str(error), latest_size=latest_size) from None


class Witness:
    """A witness's key, the logs it follows, and the checkpoint it last cosigned for each.

    Pure and in memory: a persistent witness must read `latest`, decide and store the new
    checkpoint in one transaction, or two concurrent requests could roll the log back
    (c2sp.org/tlog-witness describes the race).
    """

    def __init__(
        self,
        cosigner: Cosigner,
        logs: Mapping[str, Iterable[VerifierKey]],
        latest: Mapping[str, Checkpoint] | None = None,
    ) -> None:
        self.cosigner = cosigner
        self._logs = {origin: tuple(keys) for origin, keys in logs.items()}
        self._latest = dict(latest or {})

    @property
    def verifier_key(self) -> VerifierKey:
        return self.cosigner.verifier_key

    def latest(self, origin: str) -> Checkpoint | None:
        return self._latest.get(origin)

    def cosign(
        self,
        checkpoint_note: str | bytes,
        consistency_proof: Sequence[bytes],
        *,
        now: datetime,
        old_size: int | None = None,
    ) -> NoteSignature:
        """Cosign a signed checkpoint that extends the last one cosigned, or raise CosignRefused."""
        if now.utcoffset() != timedelta(0):
            raise ValueError("now must be a timezone-aware UTC datetime")
        checkpoint, note = signed_checkpoint_open(checkpoint_note, self._logs)
        checkpoint_extends(self._latest.get(checkpoint.origin), checkpoint, consistency_proof, old_size=old_size)
        cosignature = self.cosigner.cosign(note.text, int(now.timestamp()))
        self._latest[checkpoint.origin] = checkpoint
        return cosignature
