"""The log's tables, read and written in as few round trips and rows as the tree allows.

The hashes live in c2sp.org/tlog-tiles tiles (LogTile): one row per tile of 256 hashes of
tree level 8·L, with the seven levels above them inside the tile stored beside them, so
that any complete subtree hash is a slice of one row. A proof or a root knows from the
sizes alone which hashes it reads (`merkle.inclusion_nodes` and its kin), hence which tiles:
at 10M entries three, plus the partial tiles of the right edge, read by primary key in one
query. A proof is planned from the sizes too: while its path runs up inside a full tile,
the siblings are that tile's, at offsets worked out once per position (`_UP_THE_TILE`), and
only the hashes outside full tiles are located one by one. The process keeps the tiles above
the leaves that a signed checkpoint covers (`KeptTiles`), so a proof reads one leaf tile:
on PostgreSQL only the hashes it needs of it (`Slices`).

An append locks the head, reads in the same query the right edge it builds on (the partial
tile of each tile level it reaches: one row, 255 appends in 256), extends those tiles in
memory, and writes the tiles it changed, its entries and the new size together (one
statement on PostgreSQL): a single append rewrites the partial tile of level 0, and that of
level L once every 256^L entries. Full tiles are never written again. On PostgreSQL an
entry added alone tries the integration lock in the round trip that locks the head, and
waits for its index while another process integrates (`log_add`).

Why the seven levels are stored, though tlog-tiles derives them: folding them costs one
SHA-256 per node, some 650 for a proof at 10M entries (≈ 0.25 ms in CPython), where reading
them costs nothing but bytes in rows that are read anyway. The export writes `hashes` alone.

It uses DB-API cursors on Django's connection, so everything happens inside the caller's
transaction. On PostgreSQL the cursors bind on the server and prepare a statement from its
fifth run, which Django's own cursors never do, and read tiles in binary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from asylon.transparency.merkle import (
    HASH_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    HashMissing,
    MerkleTree,
    Node,
    SizeOutOfRange,
    node_hash,
    path_pieces,
    root_nodes,
    tile_width,
)
from asylon.transparency.models import Checkpoint, LogEntry, LogHead, LogTile

TileKey = tuple[int, int]  # (tile level, tile index)
TileRow = tuple[int, int, bytes, bytes]  # (level, index, hashes, folded), as LogTile stores it


@dataclass(frozen=True)
class NewEntry:
    kind: str
    body: bytes
    salt: bytes | None
    event_id: int | None = None
    record_id: int | None = None


# Per tile width, per tree level k in the tile: where its hashes start, in bytes (in `hashes`
# for k = 0, in `folded` above), and how many there are.
_SPANS = [
    [(sum(width >> j for j in range(1, k)) * HASH_SIZE, width >> k) for k in range(TILE_HEIGHT)]
    for width in range(TILE_WIDTH + 1)
]


class Tile:
    """One stored tile: `hashes` (tree level 8·L) and `folded` (levels 8·L + 1 … 8·L + 7) as
    the row holds them, read in place; split into growable levels once an append puts a hash."""

    __slots__ = ("_levels", "folded", "hashes", "width")

    def __init__(self, hashes: bytes = b"", folded: bytes = b"") -> None:
        self.hashes = hashes
        self.folded = folded
        self.width = min(len(hashes) // HASH_SIZE, TILE_WIDTH)
        self._levels: list[bytearray] | None = None

    def hash_at(self, k: int, position: int) -> bytes:
        """The hash at `position` of the tile's tree level k; short or empty if the tile lacks it."""
        if self._levels is not None:
            start = position * HASH_SIZE
            return bytes(self._levels[k][start : start + HASH_SIZE])
        start, count = _SPANS[self.width][k]
        if position >= count:
            return b""
        start += position * HASH_SIZE
        return (self.folded if k else self.hashes)[start : start + HASH_SIZE]

    def levels(self) -> list[bytearray]:
        """The tile's tree levels 0…7, to be extended in place."""
        if self._levels is None:
            spans = _SPANS[self.width]
            self._levels = [bytearray(self.hashes)] + [
                bytearray(self.folded[start : start + count * HASH_SIZE]) for start, count in spans[1:]
            ]
        return self._levels

    def at(self, column: int, offset: int) -> bytes:
        """The hash at byte `offset` of `hashes` (column 0) or `folded` (1); short if there is none."""
        return (self.folded if column else self.hashes)[offset : offset + HASH_SIZE]

    def full(self) -> bool:
        return self.width == TILE_WIDTH and len(self.folded) == _FULL_FOLDED

    def prefix(self, width: int) -> Tile:
        """The tile as it was when it held `width` hashes (≤ its own): the first of each level."""
        if self._levels is None:
            spans = _SPANS[self.width]
            rows = [self.hashes[: width * HASH_SIZE]] + [
                self.folded[start : start + (width >> k) * HASH_SIZE] for k, (start, _) in enumerate(spans) if k
            ]
        else:
            rows = [bytes(row[: (width >> k) * HASH_SIZE]) for k, row in enumerate(self._levels)]
        return Tile(bytes(rows[0]), b"".join(rows[1:]))

    def row(self, level: int, index: int) -> TileRow:
        if self._levels is None:
            return level, index, bytes(self.hashes), bytes(self.folded)
        return level, index, bytes(self._levels[0]), b"".join(self._levels[1:])

    def nodes(self, level: int, index: int) -> Iterator[tuple[Node, bytes]]:
        """Every hash the tile holds, with its (tree level, index)."""
        for k, row in enumerate(self.levels()):
            first = index << (TILE_HEIGHT - k)
            for p in range(len(row) // HASH_SIZE):
                yield (TILE_HEIGHT * level + k, first + p), bytes(row[p * HASH_SIZE : (p + 1) * HASH_SIZE])


@dataclass
class Heads:
    """What a read learns of the log besides its tiles."""

    size: int = 0  # the log's
    signed: int = 0  # its latest checkpoint's size
    signed_root: bytes | None = None  # and root
    kept_root: bytes | None = None  # the root of its checkpoint of the size asked for


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


class Slices:
    """Some hashes of a full leaf tile (tile level 0), read one by one: a proof needs eight of
    its 510, and on PostgreSQL reading the 16 KB row costs more than the round trip."""

    __slots__ = ("found",)
    width = TILE_WIDTH

    def __init__(self, found: dict[tuple[int, int], bytes]) -> None:
        self.found = found  # (column, byte offset) → hash

    def at(self, column: int, offset: int) -> bytes:
        return self.found.get((column, offset), b"")

    def hash_at(self, k: int, position: int) -> bytes:
        return self.at(int(k > 0), _SPANS[TILE_WIDTH][k][0] + position * HASH_SIZE)

    def full(self) -> bool:
        return True


def tiles_of(nodes: Sequence[Node]) -> list[TileKey]:
    """The tiles that hold `nodes`, each once (merkle.tile_key, inlined)."""
    keys = {(level // TILE_HEIGHT, index >> (TILE_HEIGHT - level % TILE_HEIGHT)): None for level, index in nodes}
    return list(keys)


class TileHashes:
    """A HashStore over the tiles one query fetched; what the tree puts extends the tiles, and
    `written` names the tiles to write back."""

    def __init__(self, size: int, tiles: dict[TileKey, Tile]) -> None:
        self._size = size
        self._tiles = tiles
        self.written: dict[TileKey, Tile] = {}

    def get(self, level: int, index: int) -> bytes:
        k = level % TILE_HEIGHT
        tile = self._tiles.get((level // TILE_HEIGHT, index >> (TILE_HEIGHT - k)))
        value = tile.hash_at(k, index & ((TILE_WIDTH >> k) - 1)) if tile is not None else b""
        if len(value) != HASH_SIZE:
            raise HashMissing(f"no stored hash at level {level}, index {index}")
        return value

    def put(self, level: int, first: int, run: bytes) -> None:
        k = level % TILE_HEIGHT
        width = TILE_WIDTH >> k  # the tile's hashes at this level
        while run:
            key = (level // TILE_HEIGHT, first >> (TILE_HEIGHT - k))
            tile = self._tiles.get(key)
            if tile is None:
                tile = self._tiles[key] = Tile()
            row = tile.levels()[k]
            position = first & (width - 1)
            start = position * HASH_SIZE
            if start > len(row):
                raise HashMissing(f"the hash at level {level}, index {first} would leave a gap in tile {key}")
            taken = run[: (width - position) * HASH_SIZE]
            # Over hashes put before when an append is retried: the same, since the leaves are.
            row[start : start + len(taken)] = taken
            self.written[key] = tile
            run = run[len(taken) :]
            first += len(taken) // HASH_SIZE

    def size(self) -> int:
        return self._size

    def set_size(self, size: int) -> None:
        self._size = size


class LogTables:
    """LogTile, LogEntry and LogHead on Django's default connection."""

    def __init__(self) -> None:
        q = connection.ops.quote_name
        self.postgres = connection.vendor == "postgresql"
        # Whether an entry added alone waits for its commit to go into the tree (`log_add`).
        self.waits = self.postgres
        self.mark = "%s" if self.postgres else "?"  # a parameter, on the raw cursor
        self.tile = q(LogTile._meta.db_table)
        self.entry = q(LogEntry._meta.db_table)
        self.head = q(LogHead._meta.db_table)
        self.index = q("index")
        self.checkpoint = q(Checkpoint._meta.db_table)
        self._fetch_sql: dict[tuple[bool, int, tuple[tuple[int, ...], ...]], str] = {}
        self._edge_sqls: dict[bool, str] = {}
        self._write_sql: dict[tuple[bool, bool], str] = {}

    @classmethod
    def for_connection(cls) -> LogTables:
        """The tables on the default connection's database, named once per process: a proof
        costs some 100 µs, and quoting the names again took a tenth of it."""
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        tables = _TABLES.get(vendor)
        if tables is None:
            tables = _TABLES[vendor] = cls()
        return tables

    def cursor(self) -> closing[Any]:
        # The connection handler once: each `connection.x` looks it up again (a few µs).
        wrapper = connections[DEFAULT_DB_ALIAS]
        wrapper.ensure_connection()
        raw = wrapper.connection
        if not self.postgres:
            return closing(raw.cursor())
        import psycopg

        raw.prepare_threshold = 5
        return closing(psycopg.Cursor(raw))

    def size(self, cursor: Any) -> int:
        cursor.execute(f"SELECT size FROM {self.head} WHERE id = 1")  # noqa: S608 — table names, not input
        row = cursor.fetchone()
        return int(row[0]) if row else 0

    def fetch(self, cursor: Any, keys: Sequence[TileKey]) -> dict[TileKey, Tile]:
        """The stored tiles `keys`, whole, in one round trip."""
        return {key: tile for key, tile in self.read(cursor, keys, kept=None)[1].items() if isinstance(tile, Tile)}

    def read(
        self,
        cursor: Any,
        keys: Sequence[TileKey],
        sliced: Sequence[tuple[int, Sequence[tuple[int, int]]]] = (),
        *,
        kept: int | None = 0,
    ) -> tuple[Heads, dict[TileKey, Tile | Slices]]:
        """The tiles `keys` and, of each leaf tile (tile level 0) in `sliced`, the hashes at
        (column, byte offset) it names, in one round trip; with the log's size, its latest
        checkpoint and the root of its checkpoint of size `kept`, unless `kept` is None."""
        shape = (kept is not None, len(keys), tuple(tuple(c for c, _ in reads) for _, reads in sliced))
        if not any(shape):
            return Heads(), {}
        sql = self._fetch_sql.get(shape) or self._fetch_text(*shape)
        params: list[Any] = [kept] if kept is not None else []
        params += [x for key in keys for x in key]
        for index, reads in sliced:
            params += [offset + 1 for _, offset in reads] + [index]
        if self.postgres:
            # Binary: a tile's bytes come as they are, not as hex text twice their size.
            cursor.execute(sql, params, binary=True)
        else:
            cursor.execute(sql, params)
        heads = Heads()
        tiles: dict[TileKey, Tile | Slices] = {}
        reads_of = dict(sliced)
        for level, index, hashes, folded in cursor.fetchall():
            if level == -1:
                heads.size = int(index)
            elif level == -3:
                heads.signed, heads.signed_root, heads.kept_root = int(index), _bytes(hashes), _bytes(folded)
            elif level == -2:
                reads = reads_of[index]
                found = bytes(hashes or b"")
                tiles[(0, index)] = Slices(
                    {read: found[i * HASH_SIZE : (i + 1) * HASH_SIZE] for i, read in enumerate(reads)}
                )
            else:
                tiles[(level, index)] = Tile(hashes, folded)
        return heads, tiles

    def _fetch_text(self, heads: bool, count: int, sliced: tuple[tuple[int, ...], ...] = ()) -> str:
        # The log's size comes as a row of level -1, a leaf tile's slices as one of level -2,
        # the latest checkpoint (size, root, and the root of the one of the kept size) as one
        # of level -3: no tile has those levels.
        parts = []
        if heads:
            none = "CAST(NULL AS bytea)"  # typed: a union of several parts resolves NULL as text
            c = self.checkpoint
            latest = f"(SELECT size, root FROM {c} ORDER BY size DESC, id DESC LIMIT 1)"  # noqa: S608
            kept_root = f"(SELECT root FROM {c} WHERE size = %s ORDER BY id DESC LIMIT 1)"  # noqa: S608
            parts.append(f"SELECT -3, l.size, l.root, {kept_root} FROM {latest} l")  # noqa: S608
            parts.append(f"SELECT -1, size, {none}, {none} FROM {self.head} WHERE id = 1")  # noqa: S608
        if count or not parts:
            # Each OR term probes the primary key once (a row-value IN list or an unnest join
            # costs more here: SQLite scans, PostgreSQL plans a join for five rows).
            terms = " OR ".join([f"(t.level = %s AND t.{self.index} = %s)"] * count) or "false"
            parts.append(f"SELECT t.level, t.{self.index}, t.hashes, t.folded FROM {self.tile} t WHERE {terms}")  # noqa: S608
        leaf_tile = f"FROM {self.tile} t WHERE t.level = 0 AND t.{self.index} = %s"
        for columns in sliced:
            picked = " || ".join(f"substring(t.{('hashes', 'folded')[c]} from %s for {HASH_SIZE})" for c in columns)
            parts.append(f"SELECT -2, t.{self.index}, {picked}, NULL {leaf_tile}")
        sql = " UNION ALL ".join(parts)
        self._fetch_sql[(heads, count, sliced)] = sql if self.postgres else sql.replace("%s", "?")
        return self._fetch_sql[(heads, count, sliced)]

    def lock_edge(self, cursor: Any, count: int) -> tuple[int, dict[TileKey, Tile]]:
        """Lock the head (serializing appends) and read the size and the right edge of the
        tree that an append of `count` entries builds on: the partial tile of each tile level
        that gains a hash (level 0 alone, 255 appends in 256)."""
        if not self.postgres:
            # settings.py opens SQLite transactions IMMEDIATE: the write lock is held already.
            size = self.size(cursor)
            return _edge_checked(size, count, self.fetch(cursor, edge_tiles(size, count)))
        cursor.execute(self._edge_sql(False), [count], binary=True)
        return self._edge_locked(cursor, count, cursor.fetchall())

    def lock_edge_if_free(self, cursor: Any, count: int) -> tuple[int, dict[TileKey, Tile]] | None:
        """As `lock_edge`, only if no other process is integrating, and taking the integration
        lock until the commit, in the same round trip; None if another holds it (PostgreSQL)."""
        # Two statements in one round trip (with the transaction's BEGIN, if it is the first):
        # the second, which locks the head, begins after the first took the lock, so it reads
        # what the last integration committed. One statement doing both would read as of
        # before the lock (see the re-read in _edge_locked).
        with cursor.connection.pipeline():
            cursor.execute(
                f"SELECT set_config('{_APPENDING}', pg_try_advisory_xact_lock(%s)::text, true)", [_INTEGRATING]
            )
            cursor.execute(self._edge_sql(True), [count], binary=True)
        rows = cursor.fetchall()
        if not rows[0][0]:
            return None  # another process is integrating
        return self._edge_locked(cursor, count, [row[1:] for row in rows])

    def _edge_locked(self, cursor: Any, count: int, rows: list[tuple[Any, ...]]) -> tuple[int, dict[TileKey, Tile]]:
        if rows[0][0] is None:  # the first append ever
            cursor.execute(f"INSERT INTO {self.head} (id, size) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")  # noqa: S608
            cursor.execute(self._edge_sql(False), [count], binary=True)
            rows = cursor.fetchall()
        size, edge = _edge_of(rows)
        if _edge_lags(size, count, edge):
            # It waited for another append's lock on the head: the head it locked is that
            # append's, its tiles as they were when the query began. Read again, locked.
            cursor.execute(self._edge_sql(False), [count], binary=True)
            size, edge = _edge_of(cursor.fetchall())
        return _edge_checked(size, count, edge)

    def _edge_sql(self, gated: bool) -> str:
        """PostgreSQL: the head, locked, and the right edge's tiles for an append of %s
        entries; one row at least (a NULL size: no head yet). `gated`: the head is locked and
        read only if this transaction holds the integration lock, which the first column says."""
        if gated in self._edge_sqls:
            return self._edge_sqls[gated]
        mine = f"current_setting('{_APPENDING}', true) = 'true'"
        sql = self._edge_sqls[gated] = (
            f"WITH head AS (SELECT size FROM {self.head} WHERE id = 1{f' AND {mine}' if gated else ''} FOR UPDATE)"  # noqa: S608
            f" SELECT {f'{mine}, ' if gated else ''}head.size, t.level, t.{self.index}, t.hashes, t.folded"
            " FROM (VALUES (1)) one LEFT JOIN head ON true"
            f" LEFT JOIN LATERAL (SELECT l FROM generate_series(0, 7) l"
            f" WHERE (head.size >> ({TILE_HEIGHT} * l)) & {TILE_WIDTH - 1} <> 0"
            f" AND (head.size + %s) >> ({TILE_HEIGHT} * l) <> head.size >> ({TILE_HEIGHT} * l)) e ON true"
            f" LEFT JOIN {self.tile} t ON t.level = e.l"
            f" AND t.{self.index} = head.size >> ({TILE_HEIGHT} * e.l + {TILE_HEIGHT})"
        )
        return sql

    def write(
        self,
        cursor: Any,
        tiles: list[TileRow],
        size: int,
        *,
        entries: Sequence[tuple[Any, ...]] = (),
        numbered: Sequence[tuple[int, int]] = (),
    ) -> list[int]:
        """The tiles that changed (an upsert: a partial tile is rewritten as it grows), the
        waiting entries now `numbered` (row id, index), the size, the new `entries`; returns
        the new entries' row ids on PostgreSQL (where they come with the same round trip)."""
        upsert = f" ON CONFLICT (level, {self.index}) DO UPDATE SET hashes = excluded.hashes, folded = excluded.folded"
        tile_columns = f"level, {self.index}, hashes, folded"
        entry_columns = f"{self.index}, kind, body, salt, event_id, record_id"
        if not self.postgres:
            cursor.executemany(f"INSERT INTO {self.tile} ({tile_columns}) VALUES (?, ?, ?, ?)" + upsert, tiles)  # noqa: S608
            cursor.executemany(f"INSERT INTO {self.entry} ({entry_columns}) VALUES (?, ?, ?, ?, ?, ?)", entries)  # noqa: S608
            renumber = f"UPDATE {self.entry} SET {self.index} = ? WHERE id = ?"  # noqa: S608
            cursor.executemany(renumber, [(i, pk) for pk, i in numbered])
            cursor.execute(f"INSERT OR REPLACE INTO {self.head} (id, size) VALUES (1, ?)", [size])  # noqa: S608
            return []
        params: list[Any] = [list(c) for c in zip(*tiles, strict=True)] if tiles else [[], [], [], []]
        params.append(size)
        if numbered:
            params += [list(c) for c in zip(*numbered, strict=True)]
        if entries:
            params += [list(c) for c in zip(*entries, strict=True)]
        shape = (bool(numbered), bool(entries))
        sql = self._write_sql.get(shape)
        if sql is None:
            # One statement, its parts as data-modifying CTEs: each runs once, to completion,
            # whether or not the statement reads it. The bytes go in binary: as text, a tile
            # was 32 KB of hex for the server to parse back (a hundred µs a single append).
            parts = [
                f"tiles AS (INSERT INTO {self.tile} ({tile_columns})"  # noqa: S608
                f" SELECT * FROM unnest(%s::smallint[], %s::bigint[], %b::bytea[], %b::bytea[]){upsert})",
                f"head AS (UPDATE {self.head} SET size = %s WHERE id = 1)",  # noqa: S608
            ]
            if numbered:
                parts.append(
                    f"numbered AS (UPDATE {self.entry} e SET {self.index} = n.i"  # noqa: S608
                    " FROM unnest(%s::bigint[], %s::bigint[]) AS n(id, i) WHERE e.id = n.id)"
                )
            last = (
                f"INSERT INTO {self.entry} ({entry_columns})"  # noqa: S608
                " SELECT * FROM unnest(%s::bigint[], %s::varchar[], %b::bytea[], %b::bytea[],"
                " %s::bigint[], %s::bigint[]) RETURNING id"
                if entries
                else "SELECT NULL WHERE false"
            )
            sql = self._write_sql[shape] = f"WITH {', '.join(parts)} {last}"
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()] if entries else []

    def insert_waiting(self, cursor: Any, entry: NewEntry) -> int:
        """The entry, without an index yet; returns its row id."""
        cursor.execute(
            f"INSERT INTO {self.entry} (kind, body, salt, event_id, record_id)"  # noqa: S608
            f" VALUES ({', '.join([self.mark] * 5)}) RETURNING id",
            [entry.kind, entry.body, entry.salt, entry.event_id, entry.record_id],
        )
        return int(cursor.fetchone()[0])

    def integrating(self, cursor: Any, *, wait: bool, asynchronous: bool) -> bool:
        """Take the lock of the process that puts entries into the tree, until the commit; or,
        without `wait`, give up at once if another holds it. (SQLite's IMMEDIATE transactions
        hold every lock already.) A lock of its own, taken before the head's, so that a
        process that finds nothing waiting commits nothing, and syncs nothing.

        `asynchronous`: the transaction commits without waiting for the disk. For an
        integration in a transaction of its own only: its entries are durable already,
        committed with their records, and a crash that lost the commit would leave them
        waiting, to be integrated again. Nothing signs the tree before a later commit that
        syncs (a checkpoint's), which flushes this one too."""
        if not self.postgres:
            return True
        take = "pg_advisory_xact_lock(%s)" if wait else "pg_try_advisory_xact_lock(%s)"
        then = ", set_config('synchronous_commit', 'off', true)" if asynchronous else ""
        cursor.execute(f"SELECT {take}{then}", [_INTEGRATING])
        return wait or bool(cursor.fetchone()[0])

    def waiting(self, cursor: Any, limit: int | None = None) -> list[tuple[int, bytes]]:
        """The first `limit` waiting entries (row id, body), oldest first; without a limit,
        the first one's id alone, if there is one."""
        columns, limit = ("id, body", int(limit)) if limit else ("id, NULL", 1)
        cursor.execute(f"SELECT {columns} FROM {self.entry} WHERE {self.index} IS NULL ORDER BY id LIMIT {limit}")  # noqa: S608
        return [(int(pk), bytes(body or b"")) for pk, body in cursor.fetchall()]


_TABLES: dict[str, LogTables] = {}


def _edge_of(rows: list[tuple[Any, ...]]) -> tuple[int, dict[TileKey, Tile]]:
    edge = {(level, index): Tile(hashes, folded) for _, level, index, hashes, folded in rows if level is not None}
    return int(rows[0][0]), edge


def _edge_lags(size: int, count: int, edge: dict[TileKey, Tile]) -> tuple[int, int, int] | None:
    """The first partial tile of the right edge that is not exactly as wide as `size` says
    (level, index, width): the tile is written in the transaction that moves the size."""
    for level, index in edge_tiles(size, count):
        tile = edge.get((level, index))
        width = (size >> (TILE_HEIGHT * level)) % TILE_WIDTH
        if tile is None or len(tile.hashes) != width * HASH_SIZE:
            return level, index, width
    return None


def _edge_checked(size: int, count: int, edge: dict[TileKey, Tile]) -> tuple[int, dict[TileKey, Tile]]:
    lagging = _edge_lags(size, count, edge)
    if lagging:
        level, index, width = lagging
        raise HashMissing(f"the partial tile {level}/{index} of the log of {size} is not {width} hashes wide")
    return size, edge


def edge_tiles(size: int, count: int | None = None) -> list[TileKey]:
    """The partial tile of each tile level of a tree of `size`: every hash an append builds
    on; with `count`, only those of the levels an append of `count` entries reaches."""
    keys = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        held = size >> (TILE_HEIGHT * level)
        if count is not None and (size + count) >> (TILE_HEIGHT * level) == held:
            break  # no hash is added at this tile level, nor at any above it
        if held % TILE_WIDTH:
            keys.append((level, held // TILE_WIDTH))
        level += 1
    return keys


def log_append(entries: Sequence[NewEntry]) -> range:
    """Append entries, in order, inside the caller's transaction: their records and their
    entries commit together or not at all. Returns their indices."""
    assert transaction.get_connection().in_atomic_block, "entries are appended in their records' transaction"
    tables = LogTables.for_connection()
    with tables.cursor() as cursor:
        return _append(tables, cursor, entries)[0]


def _append(
    tables: LogTables, cursor: Any, entries: Sequence[NewEntry], locked: tuple[int, dict[TileKey, Tile]] | None = None
) -> tuple[range, list[int]]:
    indexes, tiles = _grown(tables, cursor, [e.body for e in entries], locked)
    rows = [(i, e.kind, e.body, e.salt, e.event_id, e.record_id) for i, e in zip(indexes, entries, strict=True)]
    return indexes, tables.write(cursor, tiles, indexes.stop, entries=rows)


def _grown(
    tables: LogTables, cursor: Any, bodies: list[bytes], locked: tuple[int, dict[TileKey, Tile]] | None = None
) -> tuple[range, list[TileRow]]:
    """The tree grown by `bodies` on its right edge (locked here unless `locked` is that edge):
    their indices and the tiles that changed, to be written."""
    size, edge = locked or tables.lock_edge(cursor, len(bodies))
    store = TileHashes(size, edge)
    indexes = MerkleTree(store).append_many(bodies)
    return indexes, [tile.row(*key) for key, tile in store.written.items()]


def log_add(entry: NewEntry) -> int:
    """Add one entry inside the caller's transaction, so that its record and it commit together
    or not at all; returns its row id.

    On PostgreSQL, when another writer is putting entries into the tree, the entry waits,
    indexless, and goes into the tree right after the commit (`log_integrate`), with whatever
    else waits. Appending it there and then would wait for the other's commit, and so on: one
    writer at a time, each holding the head's lock through its commit's fsync. Waiting entries
    commit side by side and share their fsyncs. RFC 9162 § 3 allows it: a log incorporates a
    submission within its maximum merge delay, here the time for the commits before it. A
    writer alone appends at once, in fewer round trips. SQLite takes one writer at a time
    whatever the log does, so there every entry goes in at once.
    """
    assert transaction.get_connection().in_atomic_block, "entries are added in their records' transaction"
    tables = LogTables.for_connection()
    with tables.cursor() as cursor:
        if not tables.waits:
            index = _append(tables, cursor, [entry])[0][0]
            cursor.execute(f"SELECT id FROM {tables.entry} WHERE {tables.index} = {tables.mark}", [index])  # noqa: S608
            return int(cursor.fetchone()[0])
        locked = tables.lock_edge_if_free(cursor, 1)
        if locked:
            row_id = _append(tables, cursor, [entry], locked)[1][0]
        else:
            row_id = tables.insert_waiting(cursor, entry)
    # After the commit, which releases the lock: entries that found it taken meanwhile. (A
    # rollback runs no callback: those wait for the next writer, or the next checkpoint,
    # which integrates before it signs.)
    transaction.on_commit(log_integrate, robust=True)
    return row_id


INTEGRATE_BATCH = 10_000
_INTEGRATING = 9162  # the advisory lock of the process putting waiting entries into the tree
_APPENDING = "asylon.appending"  # set in a transaction that took it to append at once


def log_integrate(*, wait: bool = False) -> int:
    """Put the waiting entries into the tree, oldest first, in transactions of up to
    INTEGRATE_BATCH; returns how many.

    Called after each commit that added one. While another process integrates, it returns at
    once and leaves its entry to that one, unless it must `wait` for the entries to be in
    the tree (a checkpoint, a proof). That is safe because whoever integrates looks for
    waiting entries again once its commit has released the lock: a writer that found the
    lock taken had committed its entry before trying, so that second look finds it.
    """
    tables = LogTables.for_connection()
    with tables.cursor() as cursor:
        if not tables.waiting(cursor):
            return 0  # nothing waits: no lock, no transaction
    # Inside a caller's transaction the asynchronous commit would be the caller's too.
    own = not transaction.get_connection().in_atomic_block
    count = 0
    while True:
        with transaction.atomic(), tables.cursor() as cursor:
            if not tables.integrating(cursor, wait=wait, asynchronous=own):
                return count
            waiting = tables.waiting(cursor, INTEGRATE_BATCH)
            if waiting:
                indexes, tiles = _grown(tables, cursor, [body for _, body in waiting])
                numbered = [(row_id, i) for (row_id, _), i in zip(waiting, indexes, strict=True)]
                tables.write(cursor, tiles, indexes.stop, numbered=numbered)
        count += len(waiting)
        if len(waiting) < INTEGRATE_BATCH:
            with tables.cursor() as cursor:
                if not tables.waiting(cursor):
                    return count


def log_size() -> int:
    tables = LogTables.for_connection()
    with tables.cursor() as cursor:
        return tables.size(cursor)


class BeyondTheLog(ValueError):
    """A size the log never had: it holds `held` entries."""

    def __init__(self, held: int) -> None:
        super().__init__(f"the log holds {held} entries")
        self.held = held


class KeptTiles:
    """Tiles as a signed checkpoint covers them, kept by the process. A complete subtree's hash
    never changes, and the checkpoint's commit, which syncs, made them durable: they are what
    every later read would find, as long as that checkpoint is still there with its root
    (every read checks it: a database restored from a backup, or emptied, is not the same
    log). Kept: the tiles above the leaves (one in 256: 2.5 MB at 10M entries) and the right
    edge's leaf tile; the other leaf tiles are read as `Slices`."""

    MOST = 4_096  # tiles (64 MB); past it the process starts over

    def __init__(self) -> None:
        self.tiles: dict[TileKey, Tile] = {}
        self.signed = 0  # the size of the checkpoint the tiles are kept to
        self.root: bytes | None = None  # and its root

    def get(self, key: TileKey, width: int) -> Tile | None:
        tile = self.tiles.get(key)
        return tile if tile is not None and tile.width >= width else None

    def keep(self, signed: int, root: bytes | None, read: dict[TileKey, Tile | Slices]) -> None:
        """What a read outside any transaction found (so committed) with the latest checkpoint."""
        if signed > self.signed:
            self.signed, self.root = signed, root
        for key, tile in read.items():
            width = _width(key, self.signed)
            if not isinstance(tile, Tile) or not 0 < width <= tile.width or (key[0] == 0 and width == TILE_WIDTH):
                continue
            if len(self.tiles) >= self.MOST:
                self.tiles.clear()
            if key[0] == 0:  # one leaf tile: the right edge's, which the next one replaces
                for other in [k for k in self.tiles if k[0] == 0]:
                    del self.tiles[other]
            self.tiles[key] = tile if tile.width == width else tile.prefix(width)

    def forget(self) -> None:
        self.tiles.clear()
        self.signed, self.root = 0, None


KEPT = KeptTiles()


def _width(key: TileKey, size: int) -> int:
    """How many hashes the tile holds in the tree of `size`."""
    return tile_width(size >> (TILE_HEIGHT * key[0]), key[1])


def _stored(keys: Sequence[TileKey], size: int, plan: list[Any] | None = None) -> dict[TileKey, Tile | Slices]:
    """The tiles `keys` for the tree of `size`: those kept wide enough, and the others read in
    one query with the log's size and its checkpoints' (of a full leaf tile, only the hashes
    `plan` reads, on PostgreSQL). A size the log never had raises BeyondTheLog."""
    tables = LogTables.for_connection()
    tiles: dict[TileKey, Tile | Slices] = {}
    wanted, sliced = [], []
    for key in keys:
        width = _width(key, size)
        kept = KEPT.get(key, width)
        if kept is not None:
            tiles[key] = kept
        elif plan is not None and tables.postgres and key[0] == 0 and width == TILE_WIDTH:
            sliced.append((key[1], _reads(plan, key)))
        else:
            wanted.append(key)
    with tables.cursor() as cursor:
        heads, read = tables.read(cursor, wanted, sliced, kept=KEPT.signed)
    if KEPT.signed and heads.kept_root != KEPT.root:
        KEPT.forget()  # not the log the tiles were kept from
        return _stored(keys, size, plan)
    if size > heads.size:
        raise BeyondTheLog(heads.size)
    if not transaction.get_connection().in_atomic_block:
        KEPT.keep(heads.signed, heads.signed_root, read)
    return tiles | read


def _reads(plan: list[Any], key: TileKey) -> tuple[tuple[int, int], ...]:
    """The (column, byte offset) of every hash of the full tile `key` that `plan` reads."""
    reads: dict[tuple[int, int], None] = {}
    for step in plan:
        if step[0] == _UP:
            if step[1] == key:
                reads |= dict.fromkeys(step[2])
            continue
        for place_key, k, position in [step[1:]] if step[0] == _STORED else step[1]:
            if place_key == key:
                reads[(int(k > 0), _SPANS[TILE_WIDTH][k][0] + position * HASH_SIZE)] = None
    return tuple(reads)


_FULL_FOLDED = (TILE_WIDTH - 2) * HASH_SIZE  # a full tile's seven upper levels: 128 + 64 + … + 2 hashes


# In a full tile, for tree level k of the tile and position p there: where each sibling on the
# way up the tile lies, as (0 for `hashes` or 1 for `folded`, byte offset), k to 7.
_UP_THE_TILE = [
    [
        tuple(
            (int(j > 0), _SPANS[TILE_WIDTH][j][0] + (((p >> (j - k)) ^ 1) * HASH_SIZE)) for j in range(k, TILE_HEIGHT)
        )
        for p in range(TILE_WIDTH >> k)
    ]
    for k in range(TILE_HEIGHT)
]

_STORED, _FOLDED, _UP = 0, 1, 2  # a plan's steps: one stored hash, a straddling sibling, a tile's way up


def _path_plan(level: int, index: int, size: int, keys: dict[TileKey, None], plan: list[Any]) -> None:
    """`merkle.path_pieces(level, index, size)` as steps for `_picked`, and the tiles they read
    in `keys`: while the path runs up inside a tile wholly below `size` (every tile it passes
    but those of the right edge), its siblings are the tile's, one precomputed offset each."""
    while True:
        k = level % TILE_HEIGHT
        tile_index = index >> (TILE_HEIGHT - k)
        top_level = level - k + TILE_HEIGHT
        if (tile_index + 1) << top_level > size:
            break
        key = (level // TILE_HEIGHT, tile_index)
        keys[key] = None
        plan.append((_UP, key, _UP_THE_TILE[k][index & ((TILE_WIDTH >> k) - 1)], level, index))
        if tile_index << top_level == 0 and size == 1 << top_level:
            return  # the tile is the whole tree: nothing above it
        level, index = top_level, tile_index
    for piece in path_pieces(level, index, size):
        if isinstance(piece, list):
            plan.append((_FOLDED, [_place(node, keys) for node in piece]))
        else:
            plan.append((_STORED, *_place(piece, keys)))


def _place(node: Node, keys: dict[TileKey, None]) -> tuple[TileKey, int, int]:
    level, index = node
    k = level % TILE_HEIGHT
    key = (level // TILE_HEIGHT, index >> (TILE_HEIGHT - k))
    keys[key] = None
    return key, k, index & ((TILE_WIDTH >> k) - 1)


def _picked(plan: list[Any], tiles: dict[TileKey, Tile | Slices]) -> list[bytes]:
    """The proof's hashes, picked out of the tiles as `plan` says."""
    proof: list[bytes] = []
    for step in plan:
        if step[0] == _UP:
            tile = tiles.get(step[1])
            up = [tile.at(c, o) for c, o in step[2]] if tile is not None and tile.full() else []
            if not up or any(len(value) != HASH_SIZE for value in up):
                raise HashMissing(f"no stored hash at level {step[3]}, index {step[4] ^ 1}")
            proof += up
        elif step[0] == _STORED:
            proof.append(_hash_at(tiles, step[1], step[2], step[3]))
        else:
            values = [_hash_at(tiles, key, k, position) for key, k, position in step[1]]
            # A straddling sibling: RFC 9162's recursion pairs its pieces from the right.
            value = values.pop()
            while values:
                value = node_hash(values.pop(), value)
            proof.append(value)
    return proof


def _hash_at(tiles: dict[TileKey, Tile | Slices], key: TileKey, k: int, position: int) -> bytes:
    tile = tiles.get(key)
    value = tile.hash_at(k, position) if tile is not None else b""
    if len(value) != HASH_SIZE:
        level = TILE_HEIGHT * key[0] + k
        raise HashMissing(f"no stored hash at level {level}, index {(key[1] << (TILE_HEIGHT - k)) + position}")
    return value


def inclusion_hashes(index: int, size: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of entry `index` (below `size`) in the tree of `size`: one query, a few tiles."""
    if not 0 <= index < size:
        raise SizeOutOfRange(f"no leaf {index} in a tree of size {size}")
    keys: dict[TileKey, None] = {}
    plan: list[Any] = []
    _path_plan(0, index, size, keys, plan)
    return _picked(plan, _stored(list(keys), size, plan))


def consistency_hashes(old_size: int, size: int) -> list[bytes]:
    """The RFC 9162 proof that the tree of `size` extends that of `old_size` (≤ size): one query, a few tiles."""
    if not 0 <= old_size <= size:
        raise SizeOutOfRange(f"old size {old_size} is not between 0 and {size}")
    keys: dict[TileKey, None] = {}
    plan: list[Any] = []
    if old_size not in (0, size):
        # As merkle.consistency_pieces: the old tree's rightmost complete subtree (unless it is
        # the whole old tree), then its path up the new tree.
        level = (old_size & -old_size).bit_length() - 1
        index = (old_size - 1) >> level
        if index:
            plan.append((_STORED, *_place((level, index), keys)))
        _path_plan(level, index, size, keys, plan)
    return _picked(plan, _stored(list(keys), size, plan))


def root_at(size: int) -> bytes:
    tiles = _stored(tiles_of(root_nodes(size)), size)  # whole tiles: no plan, no slices
    return MerkleTree(TileHashes(size, {key: tile for key, tile in tiles.items() if isinstance(tile, Tile)})).root()
