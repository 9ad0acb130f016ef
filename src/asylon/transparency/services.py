"""Appending to the log in the same transaction as the record, proofs, checkpoints, witnesses.

An entry's public body names no one. Every body is canonical JSON with `"v": 1`, its `kind`,
the UTC `day`, and a `commitment` to the full private record: SHA-256(salt || canonical
record), so that destroying the salt makes the record unlinkable without breaking the tree.
People, cases, officers and disclosures appear only as keyed pseudonyms. The kinds:

- `event`, one per case event: `type`, `case`, `actor`, `from`, `to`, and the public data
  (PUBLIC_DATA). Removal attempts are case events (`removal_allowed`, `removal_refused`
  with its `refusals`, `removal_carried_out`), with their `destination` and the `person`
  removed, so that a monitor can tie a removal to the person's documents.
- `document`: `action` (issued, revoked), `type`, `valid_from`, `valid_until`, `person`,
  the person's `cases`, `actor`.
- `register`: `action` (listed, delisted, attestation), `country`, `actor`.
- `disclosure_decision`: a disclosure request refused or pending, or its approval or
  rejection: `status`, `disclosure`, the recipient's kind, country and onward countries,
  the countries the origin guard protects, `refusals`, `actor`.
- `disclosure`: an export that left (asylon.safeguards.export).
- `trust_list`: a trust list whose authority, version or document-signer keys differ from the
  last one logged (a key added or withdrawn): `authority`, `version`, and per key its `kid`,
  `office` and signing period (`from`, `until`), all of which the signed list publishes anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from asylon.credentials.keys import spki
from asylon.dataprotection import runtime
from asylon.transparency import storage
from asylon.transparency.bundle import bundle_make
from asylon.transparency.merkle import HASH_SIZE, TILE_HEIGHT, HashMissing, MemoryHashStore, MerkleTree
from asylon.transparency.models import Checkpoint, Cosignature, LogEntry, LogHead, LogTile
from asylon.transparency.note import Checkpoint as CheckpointBody
from asylon.transparency.note import Note, NoteError, NoteSigner, VerifierKey, open_note, sign_note

if TYPE_CHECKING:
    from asylon.accounts.models import User
    from asylon.credentials.trust import TrustList
    from asylon.documents.models import Document
    from asylon.safeguards.models import Attestation, Disclosure, NoReturnListing

# Event data that is public: codes and countries, never text an officer wrote.
PUBLIC_DATA = ("outcome", "proposed_outcome", "mode", "refusals", "destination", "countries_assessed", "channel")
REMOVAL_EVENTS = frozenset({"removal_allowed", "removal_refused", "removal_carried_out"})


# Dates and dataclasses are refused, as Python's json module refuses them, rather than written
# in orjson's own way; a str or int subclass (an enum's code) is written as its value, as json does.
_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def canonical(value: Any) -> bytes:
    """The JSON an entry commits to: keys sorted, no spaces, UTF-8. The bytes Python's json
    module writes (sort_keys, separators (",", ":"), ensure_ascii=False) for strings,
    integers, booleans, null, lists and objects, a dozen times faster: 0.2 µs an entry's
    body, where json took 2, a sixth of a batched append."""
    return orjson.dumps(value, option=_CANONICAL)


def pseudonym(kind: str, identifier: object) -> str:
    # Keyed, so a monitor links one case's entries together but cannot tell whose case it is;
    # by the log's own key, not the blind-index key, so that a rotation of the blind index
    # leaves every pseudonym, and the monitor's audit across it, as it was. HMAC-SHA256 over
    # "log-<kind>", 0x1f, the identifier, cut to 64 bits: what blind_index computed before.
    message = f"log-{kind}".encode() + b"\x1f" + str(identifier).encode()
    return hmac.new(runtime.keyring().log_pseudonym, message, hashlib.sha256).hexdigest()[:16]


def commitment(salt: bytes, record: dict[str, Any]) -> str:
    return hashlib.sha256(salt + canonical(record)).hexdigest()


def entry_body(kind: str, public: dict[str, Any], record: dict[str, Any], salt: bytes) -> bytes:
    return canonical({**public, "v": 1, "kind": kind, "commitment": commitment(salt, record)})


def entry_log(
    kind: str,
    public: dict[str, Any],
    record: dict[str, Any],
    *,
    record_id: int | None = None,
    event_id: int | None = None,
) -> int:
    """Add one entry: `public` as published, committing to the private `record`; returns its
    row id. Called inside the record's own transaction, so that neither exists without the
    other (`storage.log_add`: on PostgreSQL it takes its index right after the commit)."""
    salt = secrets.token_bytes(32)
    body = entry_body(kind, public, record, salt)
    return storage.log_add(storage.NewEntry(kind, body, salt, event_id, record_id))


def entries_log(kind: str, entries: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> range:
    """Append many entries of one kind, each (public, record), in one round trip: for a
    transaction that writes many records at once. Returns their indices."""
    new = []
    for public, record in entries:
        salt = secrets.token_bytes(32)
        new.append(storage.NewEntry(kind, entry_body(kind, public, record, salt), salt))
    return storage.log_append(new)


def _day(at: datetime) -> str:
    return at.astimezone(UTC).date().isoformat()


def _actor(user_id: int | None) -> str | None:
    return pseudonym("actor", user_id) if user_id else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


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


def event_public(event: Any) -> dict[str, Any]:
    public = {
        "type": event.type,
        "day": event.at.date().isoformat(),
        "case": pseudonym("case", event.case_id),
        "actor": _actor(event.actor_id),
        "from": event.state_before,
        "to": event.state_after,
    }
    public.update({k: event.data[k] for k in PUBLIC_DATA if k in event.data})
    if event.type in REMOVAL_EVENTS and "removal" in event.data:
        from asylon.safeguards.models import Removal

        # A removal is of one person, logged on each of their cases: the person's pseudonym
        # ties the attempt to that person's `document` entries.
        person_id = Removal.objects.filter(pk=event.data["removal"]).values_list("person_id", flat=True).first()
        public["person"] = pseudonym("person", person_id) if person_id is not None else None
    return public


def event_body(event: Any, salt: bytes) -> bytes:
    return entry_body("event", event_public(event), event_record(event), salt)


def event_log(event: Any) -> int:
    """Append the event's entry; called inside the event's own transaction, so neither exists alone."""
    return entry_log("event", event_public(event), event_record(event), event_id=event.pk)


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


def disclosure_public(export: Any) -> dict[str, Any]:
    # No case or person pseudonym: a monitor counts what left and to what kind of recipient
    # where, but cannot link a disclosure to a case's history.
    disclosure = export.disclosure
    return {
        "type": "disclosure_exported",
        "day": export.at.date().isoformat(),
        "disclosure": pseudonym("disclosure", disclosure.pk),
        "recipient_kind": disclosure.recipient.kind,
        "recipient_country": disclosure.recipient.country,
        "legal_basis": disclosure.legal_basis,
        "fields": sorted(disclosure.fields),
        "rows": export.row_count,
    }


def disclosure_body(export: Any, salt: bytes) -> bytes:
    return entry_body("disclosure", disclosure_public(export), disclosure_record(export), salt)


def disclosure_log(export: Any) -> LogEntry:
    """Append an export's entry, in the export's own transaction; the caller links the two."""
    return LogEntry.objects.get(pk=entry_log("disclosure", disclosure_public(export), disclosure_record(export)))


def document_log(document: Document, *, action: str, actor_id: int | None, at: datetime) -> int:
    """Append a document's issuance or revocation ("issued", "revoked") in the transaction that
    writes it. The person and each of their cases appear by pseudonym, so that a monitor can
    check from the log alone that no applicant is left without a valid document."""
    from asylon.cases.models import CaseMember

    cases = CaseMember.objects.filter(person_id=document.person_id).values_list("case_id", flat=True)
    public = {
        "action": action,
        "type": document.type,
        "valid_from": _iso(document.valid_from),
        "valid_until": _iso(document.valid_until),
        "person": pseudonym("person", document.person_id),
        # Sorted by pseudonym, not by id: the order must not tell which case came first.
        "cases": sorted({pseudonym("case", case_id) for case_id in cases}),
        "actor": _actor(actor_id),
        "day": _day(at),
    }
    record = {
        "document": document.pk,
        "action": action,
        "person": document.person_id,
        "case": document.case_id,
        "type": document.type,
        "number": document.number,
        "valid_from": _iso(document.valid_from),
        "valid_until": _iso(document.valid_until),
        "issued_by": document.issued_by_id,
        "issued_at": _iso(document.issued_at),
        "revoked_on": _iso(document.revoked_on),
        "revoked_reason": document.revoked_reason,
        "actor": actor_id,
        "at": at.isoformat(),
    }
    return entry_log("document", public, record, record_id=document.pk)


def listing_log(listing: NoReturnListing, *, action: str, actor_id: int | None, at: datetime) -> int:
    """A country put on ("listed") or taken off ("delisted") the no-return register."""
    public = {"action": action, "country": listing.country, "actor": _actor(actor_id), "day": _day(at)}
    record = {
        "listing": listing.pk,
        "action": action,
        "country": listing.country,
        "reason": listing.reason,
        "listed_on": _iso(listing.listed_on),
        "listed_by": listing.listed_by_id,
        "delisted_on": _iso(listing.delisted_on),
        "delisted_by": listing.delisted_by_id,
        "at": at.isoformat(),
    }
    return entry_log("register", public, record, record_id=listing.pk)


def attestation_log(attestation: Attestation, *, at: datetime) -> int:
    """A monitor's attestation on a listed country: the step towards its delisting."""
    public = {
        "action": "attestation",
        "country": attestation.country,
        "actor": _actor(attestation.monitor_id),
        "day": _day(at),
    }
    record = {
        "attestation": attestation.pk,
        "country": attestation.country,
        "monitor": attestation.monitor_id,
        "organisation": attestation.organisation,
        "attested_on": _iso(attestation.attested_on),
        "statement": attestation.statement,
        "at": at.isoformat(),
    }
    # No record_id: the kind "register" already names listings by theirs.
    return entry_log("register", public, record)


def disclosure_decision_log(disclosure: Disclosure, *, origins: Iterable[str], at: datetime) -> int:
    """A disclosure request as the guard answered it (refused, pending), or as it was decided
    (approved, rejected). `origins` are the countries the origin guard protects for it.

    Publishing the origins is a privacy trade-off: a country code says where a person fled
    from, which for a small caseload narrows who they are. It is the one thing a monitor
    needs to check, from the log alone, that nothing went to a country-of-origin authority;
    no name, case or person pseudonym goes with it, so it links to no case history.
    """
    recipient = disclosure.recipient
    decided = disclosure.status in ("approved", "rejected")
    actor_id = disclosure.decided_by_id if decided else disclosure.requested_by_id
    public = {
        "status": disclosure.status,
        "disclosure": pseudonym("disclosure", disclosure.pk),
        "recipient_kind": recipient.kind,
        "recipient_country": recipient.country,
        "forwards_to": sorted(recipient.forwards_to),
        "origins": sorted(set(origins)),
        "refusals": list(disclosure.refusal_codes),
        "actor": _actor(actor_id),
        "day": _day(at),
    }
    record = {
        "disclosure": disclosure.pk,
        "status": disclosure.status,
        "person": disclosure.person_id,
        "recipient": disclosure.recipient_id,
        "purpose": disclosure.purpose,
        "legal_basis": disclosure.legal_basis,
        "fields": disclosure.fields,
        "refusals": disclosure.refusal_codes,
        "requested_by": disclosure.requested_by_id,
        "requested_at": _iso(disclosure.requested_at),
        "decided_by": disclosure.decided_by_id,
        "decided_at": _iso(disclosure.decided_at),
        "approved_digest": disclosure.approved_digest,
        "at": at.isoformat(),
    }
    return entry_log("disclosure_decision", public, record, record_id=disclosure.pk)


def trust_list_public(trust_list: TrustList) -> dict[str, Any]:
    """What the log publishes of a trust list: its keys as verifiers see them, not when it was signed."""
    return {
        "authority": trust_list.authority,
        "version": trust_list.version,
        "keys": [
            {"kid": k.kid.hex(), "office": k.office, "from": _iso(k.signs_from), "until": _iso(k.signs_until)}
            for k in trust_list.keys
        ],
    }


def _trust_list_logged() -> dict[str, Any] | None:
    # The latest added, whether or not it has its index yet.
    body = LogEntry.objects.filter(kind="trust_list").order_by("-pk").values_list("body", flat=True).first()
    return json.loads(bytes(body)) if body is not None else None


def _trust_list_unchanged(public: dict[str, Any], logged: dict[str, Any] | None) -> bool:
    return logged is not None and all(logged.get(k) == v for k, v in public.items())


def trust_list_log(trust_list: TrustList, *, at: datetime) -> int | None:
    """Append a trust list that differs from the last one logged (a document-signer key added or
    withdrawn, a new version), before it is signed and in the same transaction, so that no list
    reaches a verifier without its entry; returns the entry's id, or None when the log holds it already.

    Signing the same keys again is no change: the list is re-signed each time it is served.
    """
    public = trust_list_public(trust_list)
    # Unlocked first: most calls find the list logged and should not take the log's lock.
    if _trust_list_unchanged(public, _trust_list_logged()):
        return None
    with transaction.atomic():
        # The head's lock: two processes serving a new list at once log it once.
        LogHead.objects.select_for_update().filter(pk=1).first()
        if _trust_list_unchanged(public, _trust_list_logged()):
            return None
        record = {
            **public,
            "keys": [
                {**shown, "spki": spki(k.public_key).hex()}
                for shown, k in zip(public["keys"], trust_list.keys, strict=True)
            ],
            "issued_at": trust_list.issued_at.isoformat(),
            "at": at.isoformat(),
        }
        return entry_log("trust_list", {**public, "day": _day(at)}, record)


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


def checkpoint_sign(at: datetime | None = None) -> Checkpoint:
    """Sign the tree head, once every waiting entry is in the tree; the latest checkpoint
    instead when it already signs this size and root, so that a timer may run `asylon
    checkpoint` at any rate and the witnesses see each head once."""
    storage.log_integrate(wait=True)
    return _checkpoint_sign(at)


@transaction.atomic
def _checkpoint_sign(at: datetime | None) -> Checkpoint:
    # A committed hash never changes, so the size and then its hashes need no lock.
    size = storage.log_size()
    root = storage.root_at(size)
    latest = Checkpoint.objects.order_by("-size", "-pk").first()
    if latest is not None and latest.size == size and bytes(latest.root) == root:
        return latest
    body = CheckpointBody(origin=settings.ASYLON_LOG_ORIGIN, size=size, root=root).text()
    note = str(sign_note(body, LogKey.load().signer))
    return Checkpoint.objects.create(size=size, root=root, note=note, signed_at=at or timezone.now())


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
    recomputed = MemoryHashStore()
    memory = MerkleTree(recomputed)
    # The tree's entries in order, then those waiting for their index: their records are
    # checked alike, and an event whose entry waits has its entry.
    entries = LogEntry.objects.order_by(F("index").asc(nulls_last=True), "pk")
    events = {e.pk: e for e in Event.objects.all()}
    logged: dict[int, int | None] = {}
    checkpoints = {c.size: bytes(c.root) for c in Checkpoint.objects.all()}
    for entry in entries.iterator():
        if entry.index is not None:
            if entry.index != memory.size:
                findings.append(Finding(entry.index, f"entry out of order: expected index {memory.size}"))
                break
            memory.append(bytes(entry.body))
            if memory.size in checkpoints and checkpoints[memory.size] != memory.root():
                findings.append(Finding(entry.index, "a signed checkpoint's root does not match the entries"))
        if entry.event_id is None or entry.salt is None:
            continue
        logged[entry.event_id] = entry.index
        event = events.get(entry.event_id)
        if event is None:
            findings.append(Finding(entry.index, f"the event it records (id {entry.event_id}) was deleted"))
            continue
        public = json.loads(bytes(entry.body))
        if public.get("commitment") != commitment(bytes(entry.salt), event_record(event)):
            findings.append(Finding(entry.index, f"the event it records (id {entry.event_id}) was altered"))
    findings += _stored_hash_findings(recomputed, memory.size)
    stored_size = storage.log_size()
    try:
        stored_root = storage.root_at(stored_size)
    except HashMissing:
        stored_root = None
    if stored_size != memory.size or (memory.size and stored_root != memory.root()):
        findings.append(Finding(None, "the stored tree does not match the entries"))
    for event_id in sorted(set(events) - set(logged)):
        event = events[event_id]
        # Where it was slipped in: after its case's last event that the log holds.
        before = [
            index
            for e in events.values()
            if e.case_id == event.case_id and e.seq < event.seq and (index := logged.get(e.pk)) is not None
        ]
        where = f", after entry {max(before)}" if before else ""
        findings.append(
            Finding(
                None,
                f"event id {event_id} ({event.type}, seq {event.seq} of its case{where}) has no log entry: "
                "inserted behind the application's back",
            )
        )
    return findings


def _stored_hash_findings(recomputed: MemoryHashStore, size: int) -> list[Finding]:
    """Every hash in the stored tiles against the one recomputed from the entries: an entry
    whose body or leaf hash was changed is named by its index, a changed inner hash by its
    first leaf. A tile is compared level by level, and hash by hash only where it differs."""
    bad: list[tuple[int, int, str]] = []
    expected: dict[int, int] = {}  # per tree level, the next index the tiles should hold
    tiles = LogTile.objects.order_by("level", "index").values_list("level", "index", "hashes", "folded")
    for tile_level, tile_index, hashes, folded in tiles.iterator(chunk_size=100):
        tile = storage.Tile(bytes(hashes), bytes(folded))
        for k, row in enumerate(tile.levels()):
            level = TILE_HEIGHT * tile_level + k
            start = tile_index << (TILE_HEIGHT - k)
            count = len(row) // HASH_SIZE
            if not count:
                continue
            if start > expected.get(level, 0):
                missing = expected.get(level, 0)
                bad.append((level, missing << level, f"the stored hash at level {level}, index {missing} is missing"))
            expected[level] = start + count
            if (start + count) << level <= size and recomputed.span(level, start, count) == row[: count * HASH_SIZE]:
                continue
            for index in range(start, start + count):
                value = bytes(row[(index - start) * HASH_SIZE : (index - start + 1) * HASH_SIZE])
                bad += _stored_hash_finding(recomputed, size, level, index, value, bad)
    level = 0
    while size >> level:
        missing = expected.get(level, 0)
        if missing < size >> level:
            bad.append((level, missing << level, f"the stored hash at level {level}, index {missing} is missing"))
        level += 1
    # A hash above a bad one is bad too: only the lowest is named.
    return [
        Finding(first, problem)
        for level, first, problem in bad
        if not any(lower < level and first <= at < first + (1 << level) for lower, at, _ in bad)
    ]


def _stored_hash_finding(
    recomputed: MemoryHashStore, size: int, level: int, index: int, value: bytes, bad: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    first = index << level
    if first + (1 << level) > size:
        # One finding per level: past a missing entry, every hash is beyond the entries.
        if any(lower == level and "lacks" in problem for lower, _, problem in bad):
            return []
        return [(level, first, f"the stored hashes from level {level}, index {index} on cover entries the log lacks")]
    if recomputed.get(level, index) == value:
        return []
    if level == 0:
        return [
            (level, first, f"entry {first} does not hash to its stored leaf hash: the entry or the hash was altered")
        ]
    return [
        (level, first, f"the stored hash of entries {first}–{first + (1 << level) - 1} is not theirs: it was altered")
    ]


def _invalid(errors: dict[str, str]) -> Exception:
    from asylon.cases.services import InvalidInput

    return InvalidInput(errors)


def _not_found(what: str) -> Exception:
    from asylon.cases.services import NotFound

    return NotFound(what)


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    hashes: tuple[bytes, ...]

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "size": self.size, "hashes": [h.hex() for h in self.hashes]}


@dataclass(frozen=True)
class ConsistencyProof:
    old: int
    new: int
    hashes: tuple[bytes, ...]

    def as_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "hashes": [h.hex() for h in self.hashes]}


def inclusion_proof(index: int, size: int | None = None) -> InclusionProof:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` (default: the whole log),
    read from the stored subtree hashes."""
    n = storage.log_size() if size is None else size
    if n < 0:
        raise _invalid({"size": f"{n} is not a size the log had."})
    if not 0 <= index < n:
        raise _invalid({"index": f"There is no entry {index} in a tree of {n} entries."})
    try:
        return InclusionProof(index, n, tuple(storage.inclusion_hashes(index, n)))
    except storage.BeyondTheLog as beyond:
        raise _invalid({"size": f"The log holds {beyond.held} entries; {n} is not a size it had."}) from None


def consistency_proof(old: int, new: int) -> ConsistencyProof:
    """RFC 9162 proof that the tree of `new` entries extends the tree of `old` entries."""
    if new < 0:
        raise _invalid({"new": f"{new} is not a size the log had."})
    if not 0 <= old <= new:
        raise _invalid({"old": f"The old size must be between 0 and {new}."})
    try:
        return ConsistencyProof(old, new, tuple(storage.consistency_hashes(old, new)))
    except storage.BeyondTheLog as beyond:
        raise _invalid({"new": f"The log holds {beyond.held} entries; {new} is not a size it had."}) from None


def entry_get(index: int) -> LogEntry:
    # Bounded first: an index past the log is not found, however large.
    entry = LogEntry.objects.filter(index=index).first() if 0 <= index < storage.log_size() else None
    if entry is None:
        raise _not_found(f"log entry {index}")
    return entry


def witness_keys() -> list[VerifierKey]:
    """The witnesses configured in ASYLON_WITNESS_KEYS (checked when the settings load)."""
    return [VerifierKey.parse(vkey) for vkey in settings.ASYLON_WITNESS_KEYS]


def checkpoint_note(checkpoint: Checkpoint) -> str:
    """The checkpoint's signed note with every cosignature received for it appended."""
    lines = checkpoint.cosignatures.order_by("witness", "key_id").values_list("line", flat=True)
    return checkpoint.note + "".join(lines)


def checkpoint_published(checkpoint: Checkpoint) -> bool:
    """c2sp.org/tlog-policy: cosigned by a quorum of distinct configured witnesses."""
    configured = {(key.name, key.key_id.hex()) for key in witness_keys()}
    cosigned = {(c.witness, c.key_id) for c in checkpoint.cosignatures.all()}
    return len(cosigned & configured) >= settings.ASYLON_WITNESS_QUORUM


def checkpoint_latest(*, published: bool = True) -> Checkpoint:
    """The latest checkpoint a quorum of witnesses cosigned; or, for the witnesses themselves
    (`published=False`), the latest one signed."""
    checkpoints = Checkpoint.objects.order_by("-size", "-pk")
    if not published:
        latest = checkpoints.first()
        if latest is None:
            raise _not_found("a signed checkpoint")
        return latest
    cosigned = checkpoints.filter(cosignatures__isnull=False).distinct().prefetch_related("cosignatures")
    for checkpoint in cosigned:
        if checkpoint_published(checkpoint):
            return checkpoint
    raise _not_found("a published checkpoint")


@transaction.atomic
def cosignature_add(checkpoint_id: int, line: str, *, at: datetime | None = None) -> Cosignature:
    """Keep a witness's cosignature line on a checkpoint, once it verifies against a configured
    witness key. A witness that cosigns the same checkpoint again keeps its first line."""
    checkpoint = Checkpoint.objects.select_for_update().filter(pk=checkpoint_id).first()
    if checkpoint is None:
        raise _not_found(f"checkpoint {checkpoint_id}")
    line = line if line.endswith("\n") else line + "\n"
    if line.count("\n") != 1:
        raise _invalid({"line": "Send one cosignature line."})
    try:
        note = Note.parse(checkpoint.note + line)
        verified = open_note(note, witness_keys()).verified
    except NoteError as error:
        raise _invalid({"line": f"Not a cosignature of this checkpoint by a configured witness: {error}."}) from None
    sent = note.signatures[-1]
    keys = [key for key, signature in verified if signature == sent]
    if not keys:
        raise _invalid({"line": "Not a cosignature of this checkpoint by a configured witness."})
    key = keys[0]
    cosignature, _ = Cosignature.objects.get_or_create(
        checkpoint=checkpoint,
        witness=key.name,
        key_id=key.key_id.hex(),
        defaults={"line": sent.line(), "at": at or timezone.now()},
    )
    return cosignature


def _covering_checkpoint(index: int) -> Checkpoint:
    """The latest published checkpoint whose tree holds entry `index`; failing that, the latest
    signed one; failing that, one signed now."""
    covering = Checkpoint.objects.filter(size__gt=index).order_by("-size", "-pk")
    for checkpoint in covering.filter(cosignatures__isnull=False).distinct().prefetch_related("cosignatures"):
        if checkpoint_published(checkpoint):
            return checkpoint
    return covering.first() or checkpoint_sign()


def proof_bundle(entry: LogEntry) -> dict[str, Any]:
    """An offline proof of the entry (asylon.transparency.bundle), checked with the log's key."""
    if entry.index is None:  # waiting still: the commit that added it has only just ended
        storage.log_integrate(wait=True)
        entry.refresh_from_db()
    checkpoint = _covering_checkpoint(entry.index)
    proof = storage.inclusion_hashes(entry.index, checkpoint.size)
    return bundle_make(bytes(entry.body), entry.index, proof, checkpoint_note(checkpoint))


def case_event_bundle(*, user: User, case_id: int, seq: int) -> dict[str, Any]:
    """The proof bundle of one event of a case the user may read: a decision, an appeal's."""
    from asylon.cases.selectors import case_get_for_user

    case = case_get_for_user(user, case_id, purpose="proof bundle")
    event_id = case.events.filter(seq=seq).values_list("pk", flat=True).first()
    entry = LogEntry.objects.filter(event_id=event_id).first() if event_id is not None else None
    if entry is None:
        raise _not_found(f"event {seq} of case {case_id}")
    return proof_bundle(entry)


def document_bundle(*, user: User, document_id: int) -> dict[str, Any]:
    """The proof bundle of a document's issuance, for a user who may see the document's case."""
    from asylon.cases.access import cases_for_user
    from asylon.documents.models import Document

    visible = cases_for_user(user).values("pk")
    document = Document.objects.filter(pk=document_id, case__in=visible).values_list("pk", flat=True).first()
    # A document's first entry is its issuance; one issued before the log has none.
    issued = (
        None
        if document is None
        else LogEntry.objects.filter(kind="document", record_id=document).order_by("pk").first()
    )
    if issued is None:
        raise _not_found(f"document {document_id}")
    return proof_bundle(issued)
