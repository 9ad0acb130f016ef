"""The monitor's verifier: an exported log checked with no database and no Asylon server.

The export (`asylon log-export DIR`) is a static c2sp.org/tlog-tiles tree:

    DIR/checkpoint             the latest signed checkpoint, with the witnesses' cosignatures
    DIR/checkpoints/<size>     every signed checkpoint up to it, likewise
    DIR/tile/<L>/<N>[.p/<W>]   hash tiles: 256 hashes of tree level 8·L, 32 bytes each
    DIR/tile/entries/<N>[.p/<W>]  entry bundles: each entry as a big-endian uint16 length and its body
    DIR/log.vkey               the log's verifier key, for those who have no copy out of band

`verify` checks every checkpoint's signature with the log's key, the cosignatures against the
witnesses the monitor trusts, consistency between successive checkpoints with proofs computed
from the hash tiles, then reads every entry once: it recomputes the tree and compares each
stored tile hash and each signed root with it, naming the first entry that disagrees, and
replays the procedure (asylon.transparency.audit). With a state it starts where the last run
stopped. `python -m asylon.transparency.monitor DIR` runs it without Django.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import bisect
import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from asylon.transparency.audit import LOG_RULES, Finding, ProcedureAudit
from asylon.transparency.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    HashMissing,
    MerkleError,
    MerkleTree,
    node_hash,
    tile_width,
    verify_consistency,
)
from asylon.transparency.note import Checkpoint, Note, NoteError, UnverifiedNote, VerifierKey, open_note

MAX_ENTRY_SIZE = 0xFFFF  # an entry bundle's length prefix is two bytes
STATE_VERSION = 1


# The layout (c2sp.org/tlog-tiles §Merkle Tree, §Log Entries)


def index_path(n: int) -> str:
    """`1234067` → `x001/x234/067`: 3-digit elements, all but the last prefixed with x."""
    if n < 0:
        raise ValueError(f"a tile index is not negative: {n}")
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        parts.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(parts))


def tile_path(level: int | str, index: int, width: int = TILE_WIDTH) -> str:
    """`tile/<level>/<N>[.p/<width>]`; level "entries" for entry bundles."""
    if not 1 <= width <= TILE_WIDTH:
        raise ValueError(f"a tile holds 1 to {TILE_WIDTH} hashes, not {width}")
    suffix = f".p/{width}" if width < TILE_WIDTH else ""
    return f"tile/{level}/{index_path(index)}{suffix}"


def bundle_encode(bodies: Iterable[bytes]) -> bytes:
    parts = []
    for body in bodies:
        if len(body) > MAX_ENTRY_SIZE:
            raise ValueError(f"an entry of {len(body)} bytes does not fit a bundle's 2-byte length")
        parts += [len(body).to_bytes(2, "big"), body]
    return b"".join(parts)


class MalformedBundle(ValueError):
    pass


def bundle_decode(data: bytes) -> list[bytes]:
    bodies = []
    position, end = 0, len(data)
    while position < end:
        if position + 2 > end:
            raise MalformedBundle(f"a length is cut off at byte {position}")
        length = int.from_bytes(data[position : position + 2], "big")
        position += 2
        if position + length > end:
            raise MalformedBundle(f"an entry of {length} bytes runs past the end at byte {position}")
        bodies.append(data[position : position + length])
        position += length
    return bodies


def write_file(path: Path, data: bytes) -> None:
    """Written aside and moved over: a reader never sees half a tile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    os.replace(part, path)


class TileHashes:
    """A read-only HashStore over an export's hash tiles, for MerkleTree's proofs at `size`.

    A hash at tree level 8·k + r is folded from 2^r hashes of tile level k, as tlog-tiles
    clients do.
    """

    def __init__(self, directory: Path, size: int) -> None:
        self.directory = directory
        self._size = size
        self._tiles: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        k, r = divmod(level, TILE_HEIGHT)
        first, count = index << r, 1 << r
        tile, offset = divmod(first, TILE_WIDTH)
        data = self._tile(k, tile)
        hashes = [data[i : i + HASH_SIZE] for i in range((offset) * HASH_SIZE, (offset + count) * HASH_SIZE, HASH_SIZE)]
        if len(hashes) != count or any(len(h) != HASH_SIZE for h in hashes):
            raise HashMissing(f"{tile_path(k, tile)} lacks the hashes of level {level}, index {index}")
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def _tile(self, k: int, tile: int) -> bytes:
        if (k, tile) not in self._tiles:
            width = tile_width(self._size >> (TILE_HEIGHT * k), tile)
            path = self.directory / tile_path(k, tile, width or TILE_WIDTH)
            if not width or not path.is_file():
                raise HashMissing(f"{path.relative_to(self.directory)} is missing")
            self._tiles[(k, tile)] = path.read_bytes()
        return self._tiles[(k, tile)]

    def put(self, level: int, first: int, run: bytes) -> None:
        raise TypeError("an export is read-only")

    def size(self) -> int:
        return self._size

    def set_size(self, size: int) -> None:
        raise TypeError("an export is read-only")


# The report


@dataclass
class Report:
    origin: str = ""
    size: int = 0
    started_at: int = 0
    checkpoints: int = 0
    cosigners: int = 0
    witnesses: int = 0
    quorum: int = 0
    key_source: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    pending: int = 0
    listed: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    earlier_findings: int = 0
    seconds: float = 0.0

    @property
    def first_bad_index(self) -> int | None:
        indices = [f.index for f in self.findings if f.rule in LOG_RULES and f.index is not None]
        return min(indices) if indices else None

    def text(self) -> str:
        counts = self.counts
        kinds = ("event", "document", "register", "disclosure_decision", "disclosure", "trust_list")
        others = sum(n for k, n in counts.items() if ":" not in k and k not in kinds)
        read = self.size - self.started_at
        rate = f", {read / self.seconds:,.0f} entries/s" if self.seconds > 0 and read else ""
        lines = [
            f"Log {self.origin}: {self.size} entries; checked {read} of them in {self.seconds:.1f} s{rate}"
            + (f" (the first {self.started_at} were verified by an earlier run)" if self.started_at else "")
            + ".",
            f"Log key: {self.key_source}.",
            f"Checkpoints: {self.checkpoints} verified; the latest is cosigned by {self.cosigners} of the "
            f"{self.witnesses} witnesses given (quorum {self.quorum}).",
            "Entries: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in kinds) + (f", other {others}" if others else ""),
            f"Procedure: {self.cases} cases, {self.pending} from registration to the end of the appeal window; "
            f"{counts.get('event:decide', 0)} first-instance and {counts.get('event:decide_appeal', 0)} appeal "
            f"decisions; removals {counts.get('event:removal_carried_out', 0)} carried out, "
            f"{counts.get('event:removal_refused', 0)} refused; disclosures "
            f"{counts.get('disclosure_decision:approved', 0)} approved, {counts.get('disclosure', 0)} sent; "
            f"no-return register: {', '.join(self.listed) or 'empty'}; document-signer keys "
            f"{counts.get('trust_list:key_added', 0)} added, {counts.get('trust_list:key_withdrawn', 0)} withdrawn.",
        ]
        lines += [finding.line() for finding in self.findings]
        if self.earlier_findings:
            lines.append(f"{self.earlier_findings} finding(s) were reported by earlier runs (kept in the state).")
        if self.first_bad_index is not None:
            lines.append(f"First bad index: {self.first_bad_index}.")
        if self.findings:
            lines.append(f"{len(self.findings)} finding(s).")
        else:
            lines.append("Clean: the log verifies and the procedure it records keeps every rule checked.")
        return "\n".join(lines) + "\n"


class StateDamaged(ValueError):
    """The state file is not one this verifier wrote, or it was damaged since."""


class Stop(Exception):
    """The export cannot be read further; the finding says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.problem)
        self.finding = finding


# The verifier


@dataclass(frozen=True)
class SignedCheckpoint:
    name: str
    checkpoint: Checkpoint
    note: Note


def _open(name: str, data: bytes, key: VerifierKey) -> SignedCheckpoint:
    try:
        note = open_note(data, [key])
        return SignedCheckpoint(name, Checkpoint.parse(note.text), note.note)
    except NoteError as error:
        raise Stop(Finding(None, "signature", f"{name}: {error}")) from None


def _checkpoints(directory: Path, key: VerifierKey, report: Report) -> tuple[SignedCheckpoint, list[SignedCheckpoint]]:
    path = directory / "checkpoint"
    if not path.is_file():
        raise Stop(Finding(None, "signature", "the export has no checkpoint file"))
    latest = _open("checkpoint", path.read_bytes(), key)
    signed = [latest]
    folder = directory / "checkpoints"
    for file in sorted(folder.iterdir() if folder.is_dir() else [], key=lambda p: p.name):
        if file.name.endswith(".part"):
            continue
        try:
            item = _open(f"checkpoints/{file.name}", file.read_bytes(), key)
        except Stop as stop:
            report.findings.append(stop.finding)
            continue
        if file.name.split(".")[0] != str(item.checkpoint.size):
            report.findings.append(
                Finding(None, "signature", f"checkpoints/{file.name} holds a checkpoint of size {item.checkpoint.size}")
            )
        signed.append(item)
    origins = {s.checkpoint.origin for s in signed}
    if len(origins) > 1:
        raise Stop(Finding(None, "signature", f"checkpoints of more than one log: {', '.join(sorted(origins))}"))
    roots: dict[int, SignedCheckpoint] = {}
    for item in signed:
        seen = roots.setdefault(item.checkpoint.size, item)
        if seen.checkpoint.root != item.checkpoint.root:
            report.findings.append(
                Finding(
                    item.checkpoint.size - 1,
                    "consistency",
                    f"{seen.name} and {item.name} sign two roots for size {item.checkpoint.size}: the log forked",
                )
            )
    report.checkpoints = len(roots)
    covered = sorted((s for s in roots.values() if s.checkpoint.size <= latest.checkpoint.size), key=_size)
    return latest, covered


def _size(item: SignedCheckpoint) -> int:
    return item.checkpoint.size


def _cosigners(item: SignedCheckpoint, witnesses: Sequence[VerifierKey], report: Report) -> int:
    if not witnesses:
        return 0
    try:
        verified = open_note(item.note, witnesses).verified
    except UnverifiedNote:
        return 0
    except NoteError as error:
        report.findings.append(Finding(None, "cosignature", f"{item.name}: {error}"))
        return 0
    return len({(key.name, key.key_id) for key, _ in verified})


def _consistent(directory: Path, size: int, pairs: Iterable[tuple[int, bytes, int, bytes]], report: Report) -> None:
    """RFC 9162 consistency proofs built from the hash tiles, checked against the signed roots."""
    tree = MerkleTree(TileHashes(directory, size))
    for old, old_root, new, new_root in pairs:
        try:
            verify_consistency(old, new, tree.consistency_proof(old, new), old_root, new_root)
        except MerkleError as error:
            report.findings.append(
                Finding(
                    None, "consistency", f"the checkpoint of size {new} does not extend the one of size {old}: {error}"
                )
            )


class _Tree:
    """The tree recomputed from the entries, compared hash by hash with the tiles and the signed roots."""

    def __init__(self, directory: Path, report: Report, roots: dict[int, bytes], state: dict[str, Any] | None) -> None:
        self.directory = directory
        self.report = report
        self.roots = roots
        self.size = state["size"] if state else 0
        self.stack = [bytes.fromhex(h) for h in state["stack"]] if state else []
        # The hashes of each tile level's rightmost, still incomplete tile.
        edges = state["edges"] if state else []
        self.mismatches: list[tuple[int, int, int, str]] = []
        self.edges: list[list[bytes]] = [
            [bytes.fromhex(level[i : i + 64]) for i in range(0, len(level), 64)] for level in edges
        ]

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        h = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            h = node_hash(left, h)
        return h

    def state(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "stack": [h.hex() for h in self.stack],
            "edges": [b"".join(level).hex() for level in self.edges],
        }

    def run(self, size: int, audit: ProcedureAudit, progress: Callable[[int], None] | None) -> None:
        try:
            self._run(size, audit, progress)
        finally:
            self._mismatch_findings()

    def _run(self, size: int, audit: ProcedureAudit, progress: Callable[[int], None] | None) -> None:
        sha256 = hashlib.sha256
        roots, edges = self.roots, self.edges
        if not edges:
            edges.append([])
        inner = sorted(roots)
        tile = self.size // TILE_WIDTH
        while tile * TILE_WIDTH < size:
            width = tile_width(size, tile)
            bodies = self._bundle(tile, width)
            leaves = edges[0]
            done = len(leaves)
            base = tile * TILE_WIDTH
            for j in range(done):
                if sha256(b"\x00" + bodies[j]).digest() != leaves[j]:
                    self._find(base + j, f"entry {base + j} changed since an earlier run verified it")
            signed_inside = bisect.bisect_right(inner, base) < bisect.bisect_left(inner, base + TILE_WIDTH)
            if done == 0 and width == TILE_WIDTH and not signed_inside:
                leaves += self._full_tile(tile, bodies)
            else:
                self._leaves(base + done, bodies[done:], leaves)
            self.size = base + width
            for j in range(done, width):
                audit.entry(base + j, bodies[j])
            if width == TILE_WIDTH:
                self._compare(0, tile, leaves)
                edges[0] = []
            if progress:
                progress(width - done)
            tile += 1
        for k, hashes in enumerate(edges):
            if hashes:
                self._compare(k, (size >> (TILE_HEIGHT * k)) // TILE_WIDTH, hashes)

    def _leaves(self, n: int, bodies: list[bytes], leaves: list[bytes]) -> None:
        """Append entries one by one from size n, checking any signed root on the way."""
        sha256, stack, roots = hashlib.sha256, self.stack, self.roots
        for body in bodies:
            h = sha256(b"\x00" + body).digest()
            leaves.append(h)
            i, level = n, 0
            while i & 1:
                h = sha256(b"\x01" + stack.pop() + h).digest()
                i >>= 1
                level += 1
                if not level & 7:
                    self._edge(level >> 3, h, ((n + 1) >> level) - 1)
            stack.append(h)
            n += 1
            if n in roots:
                self._signed_root(n)

    def _full_tile(self, tile: int, bodies: list[bytes]) -> list[bytes]:
        """A whole tile at once, level by level (the common case, and the fast one); returns its leaves."""
        sha256, stack = hashlib.sha256, self.stack
        leaves = [sha256(b"\x00" + body).digest() for body in bodies]
        row = leaves
        for _ in range(TILE_HEIGHT):
            row = [sha256(b"\x01" + row[i] + row[i + 1]).digest() for i in range(0, len(row), 2)]
        # The stack holds no node below level 8 at a tile's edge: the tile's root goes on at level 8.
        h, i, level = row[0], tile, TILE_HEIGHT
        self._edge(1, h, tile)
        while i & 1:
            h = sha256(b"\x01" + stack.pop() + h).digest()
            i >>= 1
            level += 1
            if not level & 7:
                self._edge(level >> 3, h, ((tile + 1) >> (level - TILE_HEIGHT)) - 1)
        stack.append(h)
        n = (tile + 1) * TILE_WIDTH
        if n in self.roots:
            self._signed_root(n)
        return leaves

    def _edge(self, k: int, h: bytes, index: int) -> None:
        while len(self.edges) <= k:
            self.edges.append([])
        hashes = self.edges[k]
        hashes.append(h)
        if len(hashes) == TILE_WIDTH:
            self._compare(k, index // TILE_WIDTH, hashes)
            self.edges[k] = []

    def _bundle(self, tile: int, width: int) -> list[bytes]:
        name = tile_path("entries", tile, width)
        path = self.directory / name
        if not path.is_file():
            raise Stop(Finding(tile * TILE_WIDTH, "tree", f"{name} is missing"))
        try:
            bodies = bundle_decode(path.read_bytes())
        except MalformedBundle as error:
            raise Stop(Finding(tile * TILE_WIDTH, "tree", f"{name} is malformed: {error}")) from None
        if len(bodies) != width:
            raise Stop(Finding(tile * TILE_WIDTH, "tree", f"{name} holds {len(bodies)} entries, not {width}"))
        return bodies

    def _compare(self, k: int, tile: int, hashes: list[bytes]) -> None:
        name = tile_path(k, tile, len(hashes))
        path = self.directory / name
        first = tile * TILE_WIDTH
        if not path.is_file():
            self._mismatch(k, first, len(hashes), f"{name} is missing")
            return
        stored = path.read_bytes()
        if stored == b"".join(hashes):
            return
        for j, h in enumerate(hashes):
            if stored[j * HASH_SIZE : (j + 1) * HASH_SIZE] != h:
                start = (first + j) << (TILE_HEIGHT * k)
                end = start + (1 << (TILE_HEIGHT * k)) - 1  # a stored hash is of a complete subtree
                if k == 0:
                    problem = (
                        f"entry {start} does not hash to its leaf hash in {name}: the entry or the tile was altered"
                    )
                else:
                    problem = f"{name} holds a hash of entries {start}–{end} that the entries do not give"
                self._mismatch(k, first + j, 1, problem)
                return
        self._mismatch(k, first, len(hashes), f"{name} is {len(stored)} bytes, not {len(hashes) * HASH_SIZE}")

    def _mismatch(self, k: int, first: int, count: int, problem: str) -> None:
        start = first << (TILE_HEIGHT * k)
        end = (first + count) << (TILE_HEIGHT * k)
        self.mismatches.append((k, start, end, problem))

    def _mismatch_findings(self) -> None:
        # A hash above a bad entry or hash is bad too: name only the lowest one under it.
        for k, start, end, problem in self.mismatches:
            if not any(lower < k and start <= at < end for lower, at, _, _ in self.mismatches):
                self._find(start, problem)

    def _signed_root(self, size: int) -> None:
        if self.root() != self.roots[size]:
            self._find(
                size - 1,
                f"the signed checkpoint of size {size} has a root the entries do not give: an entry before {size} "
                "was altered after it was signed",
            )

    def _find(self, index: int, problem: str) -> None:
        self.report.findings.append(Finding(index, "tree", problem))


def verify(
    directory: Path,
    *,
    log_key: VerifierKey | None = None,
    witnesses: Sequence[VerifierKey] = (),
    quorum: int = 0,
    state: dict[str, Any] | None = None,
    as_of: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[Report, dict[str, Any] | None]:
    """Verify the export in `directory`; returns the report and, when the log verified, the
    state for the next run (None if it did not: the next run starts from the old state again)."""
    started = time.monotonic()
    report = Report(witnesses=len(witnesses), quorum=quorum)
    if state is not None:
        _state_check(state)
    try:
        key = _log_key(directory, log_key, state, report)
        new_state = _verify(directory, key, witnesses, quorum, state, as_of, progress, report)
    except Stop as stop:
        report.findings.append(stop.finding)
        new_state = None
    report.seconds = time.monotonic() - started
    return report, new_state


def _state_check(state: dict[str, Any]) -> None:
    if state.get("version") != STATE_VERSION:
        raise StateDamaged(f"not a state of version {STATE_VERSION}")
    try:
        VerifierKey.parse(state["log_key"])
        root = base64.b64decode(state["root"], validate=True)
        tree = state["tree"]
        stack = [bytes.fromhex(h) for h in tree["stack"]]
        ok = isinstance(state["size"], int) and tree["size"] == state["size"] and len(root) == HASH_SIZE
        ok = ok and all(len(h) == HASH_SIZE for h in stack) and isinstance(state["findings"], list)
        ProcedureAudit.from_state(state["audit"])
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as error:
        raise StateDamaged(f"{error.__class__.__name__}: {error}") from None
    if not ok:
        raise StateDamaged("its size, root or tree is not what this verifier writes")


def _log_key(directory: Path, given: VerifierKey | None, state: dict[str, Any] | None, report: Report) -> VerifierKey:
    pinned = VerifierKey.parse(state["log_key"]) if state else None
    if given is not None:
        if pinned is not None and pinned != given:
            raise Stop(Finding(None, "signature", f"the log key given is not the one pinned in the state ({pinned})"))
        report.key_source = f"{given}, given out of band"
        return given
    if pinned is not None:
        report.key_source = f"{pinned}, pinned in the state by an earlier run"
        return pinned
    path = directory / "log.vkey"
    try:
        key = VerifierKey.parse(path.read_text(encoding="utf-8").strip())
    except (OSError, NoteError) as error:
        raise Stop(Finding(None, "signature", f"no usable log.vkey in the export and no --log-key: {error}")) from None
    # Trust on first use: whoever wrote the export chose this key. A key obtained another way
    # (the authority's publication, a witness) is what makes the signatures mean anything.
    report.key_source = f"{key}, read from the export's log.vkey (trusted on first use; prefer --log-key)"
    return key


def _verify(
    directory: Path,
    key: VerifierKey,
    witnesses: Sequence[VerifierKey],
    quorum: int,
    state: dict[str, Any] | None,
    as_of: date | None,
    progress: Callable[[int], None] | None,
    report: Report,
) -> dict[str, Any] | None:
    latest, signed = _checkpoints(directory, key, report)
    checkpoint = latest.checkpoint
    report.origin, report.size = checkpoint.origin, checkpoint.size
    report.cosigners = _cosigners(latest, witnesses, report)
    if report.cosigners < quorum:
        report.findings.append(
            Finding(
                None,
                "cosignature",
                f"the latest checkpoint (size {checkpoint.size}) is cosigned by {report.cosigners} of the witnesses "
                f"given, fewer than the quorum of {quorum}: it is not published",
            )
        )
    old_size, old_root = 0, EMPTY_ROOT
    if state is not None:
        old_size, old_root = state["size"], base64.b64decode(state["root"])
        if state["origin"] != checkpoint.origin:
            raise Stop(
                Finding(None, "signature", f"the state is of the log {state['origin']}, not {checkpoint.origin}")
            )
        if checkpoint.size < old_size:
            raise Stop(
                Finding(
                    None,
                    "consistency",
                    f"the log shrank from {old_size} entries, verified before, to {checkpoint.size}",
                )
            )
    # From the last checkpoint verified (the empty tree at first), each to the next; one of the
    # same size must have the same root.
    later = [s.checkpoint for s in signed if s.checkpoint.size >= old_size]
    chain = [(old_size, old_root)] + [(c.size, c.root) for c in later]
    _consistent(directory, checkpoint.size, [(a, ar, b, br) for (a, ar), (b, br) in itertools.pairwise(chain)], report)
    tree = _Tree(directory, report, {c.size: c.root for c in later}, state["tree"] if state else None)
    if state is not None and tree.root() != old_root:
        raise StateDamaged("its tree does not give its own root")
    audit = ProcedureAudit.from_state(state["audit"]) if state else ProcedureAudit()
    report.started_at = old_size
    tree.run(checkpoint.size, audit, progress)
    report.findings += audit.findings
    report.findings += audit.finish(as_of)
    report.counts = dict(audit.counts)
    report.cases, report.pending, report.listed = len(audit.cases), audit.pending(), sorted(audit.listed)
    report.earlier_findings = len(state["findings"]) if state else 0
    if any(f.rule in LOG_RULES for f in report.findings):
        return None
    return {
        "version": STATE_VERSION,
        "origin": checkpoint.origin,
        "log_key": str(key),
        "size": checkpoint.size,
        "root": base64.b64encode(checkpoint.root).decode(),
        "tree": tree.state(),
        "audit": audit.state(),
        "findings": (state["findings"] if state else []) + [[f.index, f.rule, f.problem] for f in audit.findings],
    }


# The command line, shared with `asylon monitor`


def parse_key(value: str) -> VerifierKey:
    """A verifier key, or the path of a file holding one."""
    text = value
    if "+" not in value or Path(value).is_file():
        try:
            text = Path(value).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise argparse.ArgumentTypeError(f"{value}: {error.strerror}") from None
    try:
        return VerifierKey.parse(text)
    except NoteError as error:
        raise argparse.ArgumentTypeError(f"{value}: {error}") from None


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="the exported log (asylon log-export)")
    parser.add_argument("--log-key", type=parse_key, help="the log's verifier key (or a file with it), out of band")
    parser.add_argument(
        "--witness-key", type=parse_key, action="append", default=[], help="a witness's verifier key (repeatable)"
    )
    parser.add_argument(
        "--quorum", type=int, default=0, help="how many of the witnesses must cosign the latest checkpoint"
    )
    parser.add_argument("--state", help="a file remembering the last verified checkpoint: later runs only catch up")
    parser.add_argument(
        "--today", type=parse_day, help="the day rule (e) checks documents on (default: the last day in the log)"
    )


def run(options: dict[str, Any], write: Callable[[str], object], progress: Callable[[int], None] | None = None) -> int:
    """Verify as the options say, write the report; returns the exit status (1: any finding)."""
    directory = Path(options["directory"])
    if not directory.is_dir():
        write(f"{directory} is not a directory\n")
        return 2
    state_path = Path(options["state"]) if options.get("state") else None
    state = None
    if state_path is not None and state_path.exists():
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            write(f"the state file {state_path} cannot be read: {error}\n")
            return 2
    try:
        report, new_state = verify(
            directory,
            log_key=options.get("log_key"),
            witnesses=options.get("witness_key") or [],
            quorum=options.get("quorum") or 0,
            state=state,
            as_of=options.get("today"),
            progress=progress,
        )
    except StateDamaged as error:
        write(f"the state file {state_path} is damaged: {error}\n")
        return 2
    write(report.text())
    if state_path is not None and new_state is not None:
        write_file(state_path, json.dumps(new_state, separators=(",", ":")).encode())
    return 1 if report.findings else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m asylon.transparency.monitor", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(vars(parser.parse_args(argv)), sys.stdout.write)


if __name__ == "__main__":
    sys.exit(main())
