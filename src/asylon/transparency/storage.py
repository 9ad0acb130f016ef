"""The log's tables, read and written in as few round trips as the tree allows.

A proof or a root knows from the sizes alone which stored hashes it reads
(`merkle.inclusion_nodes` and its kin), so it reads them in one query. An append locks the
head, reads the right edge of the tree (at most log2 n hashes) in the same query, keeps its
new hashes in memory, and writes hashes, entries and the new size together (one pipelined
round trip on PostgreSQL).

It uses DB-API cursors on Django's connection, so everything happens inside the caller's
transaction. On PostgreSQL the cursors bind on the server and prepare a statement from its
fifth run, which Django's own cursors never do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from asylon.transparency.merkle import (
    HashMissing,
    MerkleTree,
    Node,
    consistency_nodes,
    inclusion_nodes,
    root_nodes,
)
from asylon.transparency.models import LogEntry, LogHash, LogHead

Hash = tuple[int, int, bytes]  # (level, index, hash)


@dataclass(frozen=True)
class NewEntry:
    kind: str
    body: bytes
    salt: bytes | None
    event_id: int | None = None
    record_id: int | None = None


class KnownHashes:
    """A HashStore over the hashes one query fetched; what the tree puts is kept for writing."""

    def __init__(self, size: int, hashes: dict[Node, bytes]) -> None:
        self._size = size
        self._hashes = hashes
        self.new: list[Hash] = []

    def get(self, level: int, index: int) -> bytes:
        try:
            return self._hashes[(level, index)]
        except KeyError:
            raise HashMissing(f"no stored hash at level {level}, index {index}") from None

    def put(self, level: int, index: int, value: bytes) -> None:
        self._hashes[(level, index)] = value
        self.new.append((level, index, value))

    def size(self) -> int:
        return self._size

    def set_size(self, size: int) -> None:
        self._size = size


class LogTables:
    """LogHash, LogEntry and LogHead on Django's default connection."""

    def __init__(self) -> None:
        q = connection.ops.quote_name
        self.postgres = connection.vendor == "postgresql"
        self.hash = q(LogHash._meta.db_table)
        self.entry = q(LogEntry._meta.db_table)
        self.head = q(LogHead._meta.db_table)
        self.index = q("index")

    def cursor(self) -> closing[Any]:
        connection.ensure_connection()
        raw = connection.connection
        if not self.postgres:
            return closing(raw.cursor())
        import psycopg

        raw.prepare_threshold = 5
        return closing(psycopg.Cursor(raw))

    def size(self, cursor: Any) -> int:
        cursor.execute(f"SELECT size FROM {self.head} WHERE id = 1")  # noqa: S608 — table names, not input
        row = cursor.fetchone()
        return int(row[0]) if row else 0

    def fetch(self, cursor: Any, nodes: Sequence[Node]) -> dict[Node, bytes]:
        """The stored hashes of `nodes`, in one round trip."""
        return self.fetch_with_size(cursor, nodes, with_size=False)[1]

    def fetch_with_size(
        self, cursor: Any, nodes: Sequence[Node], *, with_size: bool = True
    ) -> tuple[int, dict[Node, bytes]]:
        """The log's committed size and the stored hashes of `nodes`, in one round trip."""
        if not nodes and not with_size:
            return 0, {}
        # The size comes as a row of level -1, which no hash has.
        size_row = f"SELECT -1, size, NULL FROM {self.head} WHERE id = 1 UNION ALL " if with_size else ""  # noqa: S608
        if self.postgres:
            # One statement text for any number of nodes, so that psycopg prepares it.
            levels, indexes = zip(*nodes, strict=True) if nodes else ((), ())
            cursor.execute(
                f"{size_row}SELECT h.level, h.{self.index}, h.hash"  # noqa: S608
                f" FROM unnest(%s::smallint[], %s::bigint[]) AS q(l, i)"
                f" JOIN {self.hash} h ON h.level = q.l AND h.{self.index} = q.i",
                [list(levels), list(indexes)],
            )
        else:
            # SQLite probes the (level, index) index once per OR term; a row-value IN list
            # scans the table instead.
            terms = " OR ".join([f"(level = ? AND {self.index} = ?)"] * len(nodes)) or "0"
            cursor.execute(
                f"{size_row}SELECT level, {self.index}, hash FROM {self.hash} WHERE {terms}",  # noqa: S608
                [x for node in nodes for x in node],
            )
        size, hashes = 0, {}
        for level, index, value in cursor.fetchall():
            if level == -1:
                size = int(index)
            else:
                hashes[(level, index)] = bytes(value)
        return size, hashes

    def lock_edge(self, cursor: Any) -> tuple[int, dict[Node, bytes]]:
        """Lock the head (serializing appends) and read the size and the right edge of the tree."""
        if not self.postgres:
            # settings.py opens SQLite transactions IMMEDIATE: the write lock is held already.
            size = self.size(cursor)
            return size, self.fetch(cursor, root_nodes(size))
        edge_query = (
            f"WITH head AS (SELECT size FROM {self.head} WHERE id = 1 FOR UPDATE)"  # noqa: S608
            f" SELECT head.size, e.level, h.hash FROM head"
            f" LEFT JOIN LATERAL (SELECT l AS level FROM generate_series(0, 62) l WHERE (head.size >> l) & 1 = 1) e"
            f" ON true LEFT JOIN {self.hash} h ON h.level = e.level AND h.{self.index} = (head.size >> e.level) - 1"
        )
        cursor.execute(edge_query)
        rows = cursor.fetchall()
        if not rows:  # the first append ever
            cursor.execute(f"INSERT INTO {self.head} (id, size) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")  # noqa: S608
            cursor.execute(edge_query)
            rows = cursor.fetchall()
        size = int(rows[0][0])
        edge = {(level, (size >> level) - 1): bytes(value) for _, level, value in rows if value is not None}
        if len(edge) != size.bit_count():
            raise HashMissing(f"the right edge of the tree of size {size} is incomplete")
        return size, edge

    def write(self, cursor: Any, hashes: list[Hash], entries: list[tuple[Any, ...]], size: int) -> None:
        """New hashes (an upsert: a retried append rewrites the same value), entries, the size."""
        upsert = f" ON CONFLICT (level, {self.index}) DO UPDATE SET hash = excluded.hash"
        entry_columns = f"{self.index}, kind, body, salt, event_id, record_id"
        if not self.postgres:
            cursor.executemany(f"INSERT INTO {self.hash} (level, {self.index}, hash) VALUES (?, ?, ?)" + upsert, hashes)  # noqa: S608
            cursor.executemany(f"INSERT INTO {self.entry} ({entry_columns}) VALUES (?, ?, ?, ?, ?, ?)", entries)  # noqa: S608
            cursor.execute(f"INSERT OR REPLACE INTO {self.head} (id, size) VALUES (1, ?)", [size])  # noqa: S608
            return
        hash_columns = [list(c) for c in zip(*hashes, strict=True)] if hashes else [[], [], []]
        columns = [list(c) for c in zip(*entries, strict=True)]
        with connection.connection.pipeline():
            cursor.execute(
                f"INSERT INTO {self.hash} (level, {self.index}, hash)"  # noqa: S608
                " SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])" + upsert,
                hash_columns,
            )
            cursor.execute(
                f"INSERT INTO {self.entry} ({entry_columns})"  # noqa: S608
                " SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::bytea[], %s::bytea[],"
                " %s::bigint[], %s::bigint[])",
                columns,
            )
            cursor.execute(f"UPDATE {self.head} SET size = %s WHERE id = 1", [size])  # noqa: S608


def log_append(entries: Sequence[NewEntry]) -> range:
    """Append entries, in order, inside the caller's transaction: their records and their
    entries commit together or not at all. Returns their indices."""
    assert transaction.get_connection().in_atomic_block, "entries are appended in their records' transaction"
    tables = LogTables()
    with tables.cursor() as cursor:
        size, edge = tables.lock_edge(cursor)
        store = KnownHashes(size, edge)
        indexes = MerkleTree(store).append_many([e.body for e in entries])
        rows = [(i, e.kind, e.body, e.salt, e.event_id, e.record_id) for i, e in zip(indexes, entries, strict=True)]
        tables.write(cursor, store.new, rows, indexes.stop)
    return indexes


def log_size() -> int:
    tables = LogTables()
    with tables.cursor() as cursor:
        return tables.size(cursor)


class BeyondTheLog(ValueError):
    """A size the log never had: it holds `held` entries."""

    def __init__(self, held: int) -> None:
        super().__init__(f"the log holds {held} entries")
        self.held = held


def _tree(nodes: Sequence[Node], size: int, known: Mapping[Node, bytes] | None = None) -> MerkleTree:
    """A tree of `size` holding the stored `nodes`, those in `known` not read again; the
    log's size is read in the same query, and a larger `size` raises BeyondTheLog.

    The application passes no `known` hashes: a hash kept in a process outlives a database
    restored from a backup. The benchmark measures what keeping the upper levels would save.
    """
    hashes = {node: known[node] for node in nodes if node in known} if known else {}
    tables = LogTables()
    with tables.cursor() as cursor:
        held, fetched = tables.fetch_with_size(cursor, [node for node in nodes if node not in hashes])
    if size > held:
        raise BeyondTheLog(held)
    return MerkleTree(KnownHashes(size, hashes | fetched))


def inclusion_hashes(index: int, size: int, known: Mapping[Node, bytes] | None = None) -> list[bytes]:
    """The RFC 9162 inclusion proof of entry `index` (below `size`) in the tree of `size`: one query."""
    return _tree(inclusion_nodes(index, size), size, known).inclusion_proof(index)


def consistency_hashes(old_size: int, size: int, known: Mapping[Node, bytes] | None = None) -> list[bytes]:
    """The RFC 9162 proof that the tree of `size` extends that of `old_size` (≤ size): one query."""
    return _tree(consistency_nodes(old_size, size), size, known).consistency_proof(old_size)


def root_at(size: int) -> bytes:
    return _tree(root_nodes(size), size).root()
