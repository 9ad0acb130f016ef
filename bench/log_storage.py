"""A faster way to keep the log's hashes in the database, for the benchmark to compare.

Same tables as asylon.transparency.services (LogHash, LogEntry, LogHead), same tree
(merkle.MerkleTree), same connection and transaction; fewer round trips:

- a proof or a root knows from the sizes alone which stored hashes it reads, so it reads
  them in one query instead of one query per hash (`nodes_*`, `Tables.fetch`);
- an append locks the head and reads the right edge of the tree (at most log2 n hashes)
  in one query, keeps its new hashes in memory, and writes hashes, entries and the new
  size in one pipelined round trip (`log_append`).

It uses DB-API cursors on Django's connection; on PostgreSQL, psycopg cursors that bind
on the server and prepare a statement from its fifth run.

Proposed for src/asylon/transparency/services.py; kept here until the engineers who own
that file take it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from typing import Any

from asylon.transparency.merkle import HashMissing, MerkleTree

Node = tuple[int, int]  # (level, index)


def nodes_range(start: int, end: int) -> list[Node]:
    """The complete subtrees MerkleTree._range_hash reads for MTH(D[start:end])."""
    nodes: list[Node] = []
    position, remaining = start, end - start
    while remaining:
        level = remaining.bit_length() - 1
        nodes.append((level, position >> level))
        position += 1 << level
        remaining -= 1 << level
    return nodes


def nodes_path(level: int, index: int, size: int) -> list[Node]:
    """The hashes MerkleTree._path reads for the path of node (level, index) in D[0:size]."""
    nodes: list[Node] = []
    top = (size - 1).bit_length()
    while level < top:
        sibling = index ^ 1
        start = sibling << level
        if start < size:
            if start + (1 << level) <= size:
                nodes.append((level, sibling))
            else:
                nodes += nodes_range(start, size)
        level += 1
        index >>= 1
    return nodes


def nodes_inclusion(index: int, size: int) -> list[Node]:
    return nodes_path(0, index, size)


def nodes_consistency(old: int, size: int) -> list[Node]:
    if old in (0, size):
        return []
    level = (old & -old).bit_length() - 1
    index = (old - 1) >> level
    return ([(level, index)] if index else []) + nodes_path(level, index, size)


def nodes_root(size: int) -> list[Node]:
    """The complete subtrees of D[0:size]: the root's pieces, and what an append reads."""
    return nodes_range(0, size)


class Tables:
    """The log's tables on one Django connection, with one-query reads and writes."""

    def __init__(self, connection: Any) -> None:
        from asylon.transparency.models import LogEntry, LogHash, LogHead

        q = connection.ops.quote_name
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.p = "%s" if self.postgres else "?"
        self.hash = q(LogHash._meta.db_table)
        self.entry = q(LogEntry._meta.db_table)
        self.head = q(LogHead._meta.db_table)
        self.index = q("index")

    def cursor(self) -> closing[Any]:
        """A DB-API cursor on Django's connection, so inside the caller's transaction."""
        self.connection.ensure_connection()
        raw = self.connection.connection
        if not self.postgres:
            return closing(raw.cursor())
        import psycopg

        # Django's ORM cursors bind parameters on the client and never prepare; these bind
        # on the server and are prepared from their fifth run, as Django's OPTIONS
        # {"server_side_binding": True, "prepare_threshold": 5} would make every cursor.
        raw.prepare_threshold = 5
        return closing(psycopg.Cursor(raw))

    def size(self, cursor: Any) -> int:
        cursor.execute(f"SELECT size FROM {self.head} WHERE id = 1")  # noqa: S608 — names, not input
        row = cursor.fetchone()
        return row[0] if row else 0

    def fetch(self, cursor: Any, nodes: Sequence[Node], cache: dict[Node, bytes] | None = None) -> dict[Node, bytes]:
        """The stored hashes of `nodes`, in one round trip (none if `cache` holds them all)."""
        found = {}
        if cache:
            found = {node: cache[node] for node in nodes if node in cache}
            nodes = [node for node in nodes if node not in found]
        if not nodes:
            return found
        if self.postgres:
            # One statement text for any number of nodes, so that psycopg prepares it.
            levels, indexes = zip(*nodes, strict=True)
            cursor.execute(
                f"SELECT h.level, h.{self.index}, h.hash FROM unnest(%s::smallint[], %s::bigint[]) AS q(l, i)"  # noqa: S608
                f" JOIN {self.hash} h ON h.level = q.l AND h.{self.index} = q.i",
                [list(levels), list(indexes)],
            )
        else:
            # SQLite probes the (level, index) index once per OR term; an IN (VALUES ...)
            # list of row values scans the table instead.
            terms = " OR ".join([f"(level = ? AND {self.index} = ?)"] * len(nodes))
            cursor.execute(
                f"SELECT level, {self.index}, hash FROM {self.hash} WHERE {terms}",  # noqa: S608
                [x for node in nodes for x in node],
            )
        found.update(((level, index), bytes(value)) for level, index, value in cursor.fetchall())
        return found

    def upper_levels(self, level: int) -> dict[Node, bytes]:
        """Every stored hash from `level` up: a process may keep them, since a complete
        subtree's hash never changes once committed."""
        with self.cursor() as cursor:
            cursor.execute(f"SELECT level, {self.index}, hash FROM {self.hash} WHERE level >= {self.p}", [level])  # noqa: S608
            return {(lv, i): bytes(h) for lv, i, h in cursor.fetchall()}

    def lock_edge(self, cursor: Any) -> tuple[int, dict[Node, bytes]]:
        """Lock the head (serializing appends, as services._head() does) and read the size
        and the right edge an append builds on."""
        if not self.postgres:
            # settings.py opens SQLite transactions IMMEDIATE: the write lock is held already.
            size = self.size(cursor)
            return size, self.fetch(cursor, nodes_root(size))
        cursor.execute(
            f"WITH head AS (SELECT size FROM {self.head} WHERE id = 1 FOR UPDATE)"  # noqa: S608
            f" SELECT head.size, e.level, h.hash FROM head"
            f" LEFT JOIN LATERAL (SELECT l AS level FROM generate_series(0, 62) l WHERE (head.size >> l) & 1 = 1) e"
            f" ON true LEFT JOIN {self.hash} h ON h.level = e.level AND h.{self.index} = (head.size >> e.level) - 1"
        )
        rows = cursor.fetchall()
        size = rows[0][0]
        edge = {(level, (size >> level) - 1): bytes(value) for _, level, value in rows if level is not None}
        if len(edge) != size.bit_count():
            raise HashMissing(f"the right edge of the tree of size {size} is incomplete")
        return size, edge

    def write(
        self, cursor: Any, hashes: list[tuple[int, int, bytes]], entries: list[tuple[Any, ...]], size: int
    ) -> None:
        """New hashes (an upsert, as DatabaseHashStore.put's update_or_create: a retried
        append rewrites the same value), new entries and the new size."""
        p, t = self.p, self
        upsert = f" ON CONFLICT (level, {t.index}) DO UPDATE SET hash = excluded.hash"
        head = f"UPDATE {t.head} SET size = {p} WHERE id = 1"  # noqa: S608
        if not self.postgres:
            cursor.executemany(f"INSERT INTO {t.hash} (level, {t.index}, hash) VALUES (?, ?, ?)" + upsert, hashes)  # noqa: S608
            cursor.executemany(f"INSERT INTO {t.entry} ({t.index}, kind, body, salt) VALUES (?, ?, ?, ?)", entries)  # noqa: S608
            cursor.execute(head, [size])
            return
        columns = [list(c) for c in zip(*hashes, strict=True)] if hashes else [[], [], []]
        entry_columns = [list(c) for c in zip(*entries, strict=True)]
        with self.connection.connection.pipeline():
            cursor.execute(
                f"INSERT INTO {t.hash} (level, {t.index}, hash)"  # noqa: S608
                f" SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])" + upsert,
                columns,
            )
            cursor.execute(
                f"INSERT INTO {t.entry} ({t.index}, kind, body, salt)"  # noqa: S608
                f" SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::bytea[], %s::bytea[])",
                entry_columns,
            )
            cursor.execute(head, [size])


class DictStore:
    """A HashStore over a dict of known hashes; new hashes are kept for Tables.write."""

    def __init__(self, size: int, hashes: dict[Node, bytes]) -> None:
        self._size = size
        self._hashes = hashes
        self.new: list[tuple[int, int, bytes]] = []

    def get(self, level: int, index: int) -> bytes:
        try:
            return self._hashes[(level, index)]
        except KeyError:
            raise HashMissing(f"not read: level {level}, index {index}") from None

    def put(self, level: int, index: int, value: bytes) -> None:
        self._hashes[(level, index)] = value
        self.new.append((level, index, value))

    def size(self) -> int:
        return self._size

    def set_size(self, size: int) -> None:
        self._size = size


def inclusion_proof(tables: Tables, index: int, size: int, cache: dict[Node, bytes] | None = None) -> list[bytes]:
    """The proof for a given tree size (a checkpoint's): one query."""
    with tables.cursor() as cursor:
        hashes = tables.fetch(cursor, nodes_inclusion(index, size), cache)
    return MerkleTree(DictStore(size, hashes)).inclusion_proof(index)


def consistency_proof(tables: Tables, old: int, size: int, cache: dict[Node, bytes] | None = None) -> list[bytes]:
    with tables.cursor() as cursor:
        hashes = tables.fetch(cursor, nodes_consistency(old, size), cache)
    return MerkleTree(DictStore(size, hashes)).consistency_proof(old)


def root(tables: Tables, size: int | None = None) -> tuple[int, bytes]:
    with tables.cursor() as cursor:
        n = tables.size(cursor) if size is None else size
        hashes = tables.fetch(cursor, nodes_root(n))
    return n, MerkleTree(DictStore(n, hashes)).root()


def log_append(tables: Tables, kind: str, bodies: Sequence[bytes], salts: Sequence[bytes | None]) -> range:
    """Append entries in the caller's transaction: two round trips before the commit."""
    from django.db import transaction

    assert transaction.get_connection().in_atomic_block, "entries are appended in their records' transaction"
    with tables.cursor() as cursor:
        size, edge = tables.lock_edge(cursor)
        store = DictStore(size, edge)
        indexes = MerkleTree(store).append_many(bodies)
        entries = [(i, kind, body, salt) for i, body, salt in zip(indexes, bodies, salts, strict=True)]
        tables.write(cursor, store.new, entries, indexes.stop)
    return indexes
