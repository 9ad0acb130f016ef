"""The log written out for monitors as a static c2sp.org/tlog-tiles tree.

The tree exported is the one the latest checkpoint signs (the latest a quorum of witnesses
cosigned, when ASYLON_WITNESS_QUORUM asks for one): entries appended since are left for the
next export, since nothing signed vouches for them yet. Entries and tiles are read from
the database in index order, a chunk at a time, and never all held at once; the hash tiles
are the stored tiles (LogTile.hashes) as they are, so that a monitor recomputing them from
the entries (asylon.transparency.monitor) sees any stored hash that was changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from tqdm import tqdm

from asylon.transparency.merkle import HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, tile_width
from asylon.transparency.models import Checkpoint, LogEntry, LogHead, LogTile
from asylon.transparency.monitor import bundle_encode, tile_path, write_file
from asylon.transparency.note import Note
from asylon.transparency.services import LogKey, checkpoint_note, checkpoint_published

CHUNK = 2000


class ExportError(Exception):
    """The database cannot give a complete tree: `asylon audit-log` says more."""


@dataclass(frozen=True)
class Exported:
    size: int
    checkpoints: int
    published: bool
    unsigned: int  # entries appended after the checkpoint exported


def log_export(directory: Path, *, progress: bool | None = False) -> Exported:
    """Write the log into `directory`; `progress` None shows a bar on a terminal only."""
    latest, published = _latest()
    size = latest.size
    directory.mkdir(parents=True, exist_ok=True)
    write_file(directory / "log.vkey", f"{LogKey.load().signer.verifier_key}\n".encode())
    checkpoints = _checkpoints(directory, size)
    write_file(directory / "checkpoint", checkpoint_note(latest).encode())
    levels = []
    count = size
    while count:
        levels.append(count)
        count >>= TILE_HEIGHT
    with tqdm(
        total=size + sum(levels),
        desc="Exporting the log",
        unit="hash",
        disable=None if progress is None else not progress,
    ) as bar:
        _entries(directory, size, bar)
        for k, count in enumerate(levels):
            _hashes(directory, k, count, bar)
    head = LogHead.objects.filter(pk=1).first()
    return Exported(size, checkpoints, published, (head.size if head else 0) - size)


def _latest() -> tuple[Checkpoint, bool]:
    signed = Checkpoint.objects.order_by("-size", "-pk")
    latest = signed.first()
    if latest is None:
        raise ExportError("no checkpoint is signed yet: run `asylon checkpoint` first")
    if settings.ASYLON_WITNESS_QUORUM <= 0:
        return latest, True
    for checkpoint in signed.filter(cosignatures__isnull=False).distinct().prefetch_related("cosignatures"):
        if checkpoint_published(checkpoint):
            return checkpoint, True
    # No quorum yet: the monitor, given the quorum, says so.
    return latest, False


def _checkpoints(directory: Path, size: int) -> int:
    """checkpoints/<size>, each with every cosignature it received; a second root for one size
    (which only a forked log has) goes beside it as <size>.<n> rather than hiding it."""
    notes: dict[tuple[int, bytes], Note] = {}
    for checkpoint in Checkpoint.objects.filter(size__lte=size).order_by("size", "pk").prefetch_related("cosignatures"):
        note = Note.parse(checkpoint_note(checkpoint))
        key = (checkpoint.size, bytes(checkpoint.root))
        notes[key] = notes[key].with_signatures(*note.signatures) if key in notes else note
    written: dict[int, int] = {}
    for (n, _), note in notes.items():
        written[n] = written.get(n, 0) + 1
        name = str(n) if written[n] == 1 else f"{n}.{written[n]}"
        write_file(directory / "checkpoints" / name, str(note).encode())
    return len(notes)


def _rows(rows: Iterable[tuple[int, Any]], size: int, what: str) -> Iterator[tuple[int, bytes]]:
    expected = 0
    for index, data in rows:
        if index != expected:
            raise ExportError(f"{what} {expected} is missing from the database: run `asylon audit-log`")
        yield index, bytes(data)
        expected += 1
    if expected != size:
        raise ExportError(f"{what} {expected} is missing from the database: run `asylon audit-log`")


def _entries(directory: Path, size: int, bar: Any) -> None:
    rows = LogEntry.objects.filter(index__lt=size).order_by("index").values_list("index", "body")
    bodies: list[bytes] = []
    for index, body in _rows(rows.iterator(chunk_size=CHUNK), size, "entry"):
        bodies.append(body)
        if len(bodies) == TILE_WIDTH or index == size - 1:
            try:
                bundle = bundle_encode(bodies)
            except ValueError as error:
                raise ExportError(f"entry bundle {index // TILE_WIDTH}: {error}") from None
            write_file(directory / tile_path("entries", index // TILE_WIDTH, len(bodies)), bundle)
            bar.update(len(bodies))
            bodies = []


def _hashes(directory: Path, k: int, count: int, bar: Any) -> None:
    """Tile level k, holding `count` hashes of tree level 8·k: the stored tiles as they are,
    a partial one cut to the width it had at the checkpoint's size."""
    tiles = -(-count // TILE_WIDTH)
    rows = LogTile.objects.filter(level=k, index__lt=tiles).order_by("index").values_list("index", "hashes")
    for index, hashes in _rows(rows.iterator(chunk_size=100), tiles, f"the tile at level {k}, index"):
        width = tile_width(count, index)
        if len(hashes) < width * HASH_SIZE:
            raise ExportError(f"tile {k}/{index} holds {len(hashes) // HASH_SIZE} hashes, not {width}")
        write_file(directory / tile_path(k, index, width), hashes[: width * HASH_SIZE])
        bar.update(width)
