"""Appending to the log in the same transaction as the record, signing checkpoints, auditing.

An entry's public body names no one: the event type, the day, keyed pseudonyms of the case
and of the officer, the stages, outcomes and refusal codes, a removal's destination, and a
commitment to the full record (SHA-256 of a random salt and the record).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from asylon.dataprotection import runtime
from asylon.dataprotection.blind import blind_index
from asylon.transparency.merkle import HashMissing, MemoryHashStore, MerkleTree
from asylon.transparency.models import Checkpoint, LogEntry, LogHash, LogHead
from asylon.transparency.note import Checkpoint as CheckpointBody
from asylon.transparency.note import NoteSigner, sign_note

# Event data that is public: codes and countries, never text an officer wrote.
PUBLIC_DATA = ("outcome", "proposed_outcome", "mode", "refusals", "destination", "countries_assessed", "channel")


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def pseudonym(kind: str, identifier: object) -> str:
    # Keyed, so a monitor links one case's entries together but cannot tell whose case it is.
    return blind_index(runtime.keyring(), f"log-{kind}", str(identifier))[:16]


class DatabaseHashStore:
    """The tree's HashStore in the database; the caller holds the LogHead lock."""

    def __init__(self, head: LogHead) -> None:
        self.head = head
        self.cache: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self.cache:
            row = LogHash.objects.filter(level=level, index=index).values_list("hash", flat=True).first()
            if row is None:
                raise HashMissing(f"no hash at level {level}, index {index}")
            self.cache[key] = bytes(row)
        return self.cache[key]

    def put(self, level: int, index: int, value: bytes) -> None:
        LogHash.objects.update_or_create(level=level, index=index, defaults={"hash": value})
        self.cache[(level, index)] = value

    def size(self) -> int:
        return self.head.size

    def set_size(self, size: int) -> None:
        self.head.size = size
        self.head.save(update_fields=["size"])


def _head() -> LogHead:
    head = LogHead.objects.select_for_update().filter(pk=1).first()
    return head or LogHead.objects.create(pk=1, size=0)


def event_record(event: Any) -> dict[str, Any]:
    """The full record an event's entry commits to (private: it holds the reason in clear)."""
    return {
        "case": event.case_id,
        "seq": event.seq,
        "type": event.type,
        "actor": event.actor_id,
        "at": event.at.isoformat(),
        "state_before": event.state_before,
        "state_after": event.state_after,
        "reason": event.reason,
        "data": event.data,
    }


def commitment(salt: bytes, record: dict[str, Any]) -> str:
    return hashlib.sha256(salt + canonical(record)).hexdigest()


def event_body(event: Any, salt: bytes) -> bytes:
    public = {
        "v": 1,
        "kind": "event",
        "type": event.type,
        "day": event.at.date().isoformat(),
        "case": pseudonym("case", event.case_id),
        "actor": pseudonym("actor", event.actor_id) if event.actor_id else None,
        "from": event.state_before,
        "to": event.state_after,
        "commitment": commitment(salt, event_record(event)),
    }
    public.update({k: event.data[k] for k in PUBLIC_DATA if k in event.data})
    return canonical(public)


def event_log(event: Any) -> LogEntry:
    """Append the event's entry; called inside the event's own transaction, so neither exists alone."""
    assert transaction.get_connection().in_atomic_block, "an entry is appended in its record's transaction"
    salt = secrets.token_bytes(32)
    body = event_body(event, salt)
    store = DatabaseHashStore(_head())
    index = MerkleTree(store).append(body)
    return LogEntry.objects.create(index=index, kind="event", body=body, event_id=event.pk, salt=salt)


def disclosure_record(export: Any) -> dict[str, Any]:
    """The full record a disclosure export's entry commits to (private: it names the recipient)."""
    disclosure = export.disclosure
    return {
        "disclosure": disclosure.pk,
        "recipient": disclosure.recipient_id,
        "exported_by": export.exported_by_id,
        "at": export.at.isoformat(),
        "digest": export.digest,
        "file_digest": export.file_digest,
        "watermark": export.watermark,
        "rows": export.row_count,
    }


def disclosure_body(export: Any, salt: bytes) -> bytes:
    # No case or person pseudonym: a monitor counts what left and to what kind of recipient
    # where, but cannot link a disclosure to a case's history.
    disclosure = export.disclosure
    public = {
        "v": 1,
        "kind": "disclosure",
        "type": "disclosure_exported",
        "day": export.at.date().isoformat(),
        "disclosure": pseudonym("disclosure", disclosure.pk),
        "recipient_kind": disclosure.recipient.kind,
        "recipient_country": disclosure.recipient.country,
        "legal_basis": disclosure.legal_basis,
        "fields": sorted(disclosure.fields),
        "rows": export.row_count,
        "commitment": commitment(salt, disclosure_record(export)),
    }
    return canonical(public)


def disclosure_log(export: Any) -> LogEntry:
    """Append an export's entry, in the export's own transaction; the caller links the two."""
    assert transaction.get_connection().in_atomic_block, "an entry is appended in its record's transaction"
    salt = secrets.token_bytes(32)
    body = disclosure_body(export, salt)
    index = MerkleTree(DatabaseHashStore(_head())).append(body)
    return LogEntry.objects.create(index=index, kind="disclosure", body=body, salt=salt)


@dataclass(frozen=True)
class LogKey:
    signer: NoteSigner

    @classmethod
    def load(cls) -> LogKey:
        """The log's Ed25519 key from ASYLON_LOG_KEY(_FILE); the demo makes its own."""
        from asylon.config.settings import env

        skey = env("ASYLON_LOG_KEY")
        if not skey:
            path = Path(settings.DATA_DIR) / "log.key"
            if not settings.ASYLON_DEMO:
                raise RuntimeError("ASYLON_LOG_KEY (or ASYLON_LOG_KEY_FILE) is required outside the demo")
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(NoteSigner.generate(settings.ASYLON_LOG_ORIGIN).skey(), encoding="utf-8")
                os.chmod(path, 0o600)
            skey = path.read_text(encoding="utf-8").strip()
        return cls(NoteSigner.from_skey(skey))


@transaction.atomic
def checkpoint_sign(at: datetime | None = None) -> Checkpoint:
    head = _head()
    tree = MerkleTree(DatabaseHashStore(head))
    root = tree.root()
    body = CheckpointBody(origin=settings.ASYLON_LOG_ORIGIN, size=head.size, root=root).text()
    note = str(sign_note(body, LogKey.load().signer))
    return Checkpoint.objects.create(size=head.size, root=root, note=note, signed_at=at or timezone.now())


@dataclass(frozen=True)
class Finding:
    index: int | None
    problem: str


def log_audit() -> list[Finding]:
    """Recompute the tree from the entries and each entry's commitment from its record.

    Finds entries whose record was altered or deleted, records with no entry, and stored
    hashes or signed checkpoints that disagree with the entries.
    """
    from asylon.cases.models import Event

    findings: list[Finding] = []
    memory = MerkleTree(MemoryHashStore())
    entries = LogEntry.objects.order_by("index")
    events = {e.pk: e for e in Event.objects.all()}
    logged: set[int] = set()
    checkpoints = {c.size: bytes(c.root) for c in Checkpoint.objects.all()}
    for entry in entries.iterator():
        if entry.index != memory.size:
            findings.append(Finding(entry.index, f"entry out of order: expected index {memory.size}"))
            break
        memory.append(bytes(entry.body))
        if memory.size in checkpoints and checkpoints[memory.size] != memory.root():
            findings.append(Finding(entry.index, "a signed checkpoint's root does not match the entries"))
        if entry.event_id is None or entry.salt is None:
            continue
        logged.add(entry.event_id)
        event = events.get(entry.event_id)
        if event is None:
            findings.append(Finding(entry.index, f"the event it records (id {entry.event_id}) was deleted"))
            continue
        public = json.loads(bytes(entry.body))
        if public.get("commitment") != commitment(bytes(entry.salt), event_record(event)):
            findings.append(Finding(entry.index, f"the event it records (id {entry.event_id}) was altered"))
    stored = MerkleTree(DatabaseHashStore(LogHead.objects.filter(pk=1).first() or LogHead(size=0)))
    if stored.size != memory.size or (memory.size and stored.root() != memory.root()):
        findings.append(Finding(None, "the stored tree does not match the entries"))
    for event_id in sorted(set(events) - logged):
        findings.append(Finding(None, f"event id {event_id} has no log entry: inserted behind the application's back"))
    return findings
