"""An append-only Merkle tree as RFC 9162 §2.1 defines it, with every complete subtree stored.

The tree is kept as the C2SP tlog-tiles layout sees it: the hash at level L, index i is
MTH(D[i·2^L : (i+1)·2^L]), written once, when its last leaf arrives, and never changed.
Roots and proofs for any size up to the current one are read from those hashes (at most
one incomplete subtree on the right edge is folded from O(log n) of them), so nothing is
ever recomputed from the leaves. A store keeps them as it likes; the database keeps them
in tiles (`tile_key`, `tile_fold`, `tiles_build`; asylon.transparency.storage).

The verifiers at the bottom follow the RFC's own algorithms (§2.1.3.2, §2.1.4.2) and share
nothing with the generators but the two hash functions, so a bug in one cannot hide in
the other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 9162 §2.1.1: MTH({}) = HASH()

# C2SP tlog-tiles: a tile is 256 consecutive hashes of one level, 8 tree levels apart.
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256


class MerkleError(Exception):
    """Base class for the tree's errors."""


class SizeOutOfRange(MerkleError, ValueError):
    """A size, index or tile the tree does not (yet) have."""


class HashMissing(MerkleError, LookupError):
    """The store lacks a hash the tree's size says it must hold: the store is damaged."""


class InvalidProof(MerkleError, ValueError):
    """A proof that does not prove what it claims; the message says which check failed."""


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d0}) = HASH(0x00 || d0)."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: HASH(0x01 || left || right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


class HashStore(Protocol):
    """Where the complete subtree hashes live: (level, index) → 32 bytes, plus the tree size.

    The tree writes every hash of a batch before it moves the size, so a store that makes
    `set_size` its commit point never exposes a size whose hashes are missing.
    """

    def get(self, level: int, index: int) -> bytes:
        """The hash at (level, index); raises LookupError if it was never put."""
        ...

    def put(self, level: int, first: int, run: bytes) -> None:
        """The hashes at (level, first), (level, first + 1) …, concatenated in `run`."""
        ...

    def size(self) -> int: ...

    def set_size(self, size: int) -> None: ...


class MemoryHashStore:
    """A HashStore in memory: one flat bytearray of 32-byte hashes per level."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = []
        self._size = 0

    def get(self, level: int, index: int) -> bytes:
        start = index * HASH_SIZE
        if level < 0 or index < 0 or level >= len(self._levels) or start + HASH_SIZE > len(self._levels[level]):
            raise HashMissing(f"no hash at level {level}, index {index}")
        return bytes(self._levels[level][start : start + HASH_SIZE])

    def span(self, level: int, start: int, count: int) -> bytes:
        """The hashes at (level, start) … (level, start + count - 1), concatenated; fewer
        where the level ends sooner."""
        if level < 0 or start < 0 or level >= len(self._levels):
            return b""
        return bytes(self._levels[level][start * HASH_SIZE : (start + count) * HASH_SIZE])

    def put(self, level: int, first: int, run: bytes) -> None:
        if not run or len(run) % HASH_SIZE:
            raise ValueError(f"hashes are {HASH_SIZE} bytes each, not {len(run)} bytes in all")
        while len(self._levels) <= level:
            self._levels.append(bytearray())
        row = self._levels[level]
        start = first * HASH_SIZE
        if start > len(row):
            raise ValueError(f"hash at level {level}, index {first} would leave a gap")
        # Over hashes put before when an append is retried after its size was not
        # committed: the values are the same, since the leaves are.
        row[start : start + len(run)] = run

    def size(self) -> int:
        return self._size

    def set_size(self, size: int) -> None:
        self._size = size


def tile_width(count: int, index: int) -> int:
    """The width of tile `index` of a level that holds `count` hashes (0: no such tile)."""
    return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))


@dataclass(frozen=True)
class TileRef:
    """A C2SP tlog-tiles tile: `level` counts tiles (8 tree levels each), `width` is 1..256."""

    level: int
    index: int
    width: int


class MerkleTree:
    """An RFC 9162 Merkle tree over a HashStore; an append costs two hashes amortized, O(log n) at worst."""

    def __init__(self, store: HashStore | None = None) -> None:
        self._store: HashStore = store if store is not None else MemoryHashStore()

    @property
    def size(self) -> int:
        return self._store.size()

    def append(self, entry: bytes) -> int:
        """Add one entry; returns its index."""
        return self.append_leaf_hash(leaf_hash(entry))

    def append_leaf_hash(self, leaf: bytes) -> int:
        """Add one leaf by its hash (the caller hashed the entry); returns its index."""
        _check_hash(leaf, "leaf hash", ValueError)
        store = self._store
        index = store.size()
        store.put(0, index, leaf)
        # Each trailing 1 bit of the index completes one subtree: its left sibling is stored.
        level, i, h = 0, index, leaf
        while i & 1:
            h = node_hash(self._get(level, i - 1), h)
            level += 1
            i >>= 1
            store.put(level, i, h)
        store.set_size(index + 1)
        return index

    def append_many(self, entries: Iterable[bytes]) -> range:
        """Add entries in order; returns their indices. Equal to appending them one by one."""
        return self.append_leaf_hashes([leaf_hash(entry) for entry in entries])

    def append_leaf_hashes(self, leaves: Sequence[bytes]) -> range:
        """Add leaves by their hashes, building each level once for the whole batch."""
        for leaf in leaves:
            _check_hash(leaf, "leaf hash", ValueError)
        store = self._store
        old = store.size()
        new = old + len(leaves)
        # Each level's new hashes are kept in hand for the level above: only a left sibling
        # from before the batch is read from the store, one per level at most.
        level, first, row = 0, old, list(leaves)
        while row:
            store.put(level, first, b"".join(row))
            if first & 1:
                row.insert(0, self._get(level, first - 1))
                first -= 1
            # Level L+1 gains the nodes [old >> L+1, new >> L+1): the pairs of this row.
            row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
            level, first = level + 1, first >> 1
        store.set_size(new)
        return range(old, new)

    def leaf_hash_at(self, index: int) -> bytes:
        if not 0 <= index < self.size:
            raise SizeOutOfRange(f"no leaf {index} in a tree of size {self.size}")
        return self._get(0, index)

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[0:size]) (RFC 9162 §2.1.1) for any size up to the current one."""
        n = self._size_at_most(size)
        return EMPTY_ROOT if n == 0 else self._range_hash(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), ordered from the leaf up."""
        n = self._size_at_most(size)
        if not 0 <= index < n:
            raise SizeOutOfRange(f"no leaf {index} in a tree of size {n}")
        return self.proof_of(inclusion_pieces(index, n))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1); empty when there is nothing to prove."""
        n = self._size_at_most(new_size)
        if not 0 <= old_size <= n:
            raise SizeOutOfRange(f"old size {old_size} is not between 0 and {n}")
        return self.proof_of(consistency_pieces(old_size, n))

    def tile(self, level: int, index: int, width: int = TILE_WIDTH) -> bytes:
        """The C2SP tlog-tiles tile <level>/<index>[.p/<width>]: its hashes, concatenated."""
        if not 0 <= level <= 63 or index < 0 or not 1 <= width <= TILE_WIDTH:
            raise SizeOutOfRange(f"no tile {level}/{index} of width {width}")
        tree_level = level * TILE_HEIGHT
        first = index * TILE_WIDTH
        if (first + width) << tree_level > self.size:
            raise SizeOutOfRange(f"tile {level}/{index} of width {width} needs more than {self.size} leaves")
        return b"".join(self._get(tree_level, first + k) for k in range(width))

    def _size_at_most(self, size: int | None) -> int:
        current = self.size
        if size is None:
            return current
        if not 0 <= size <= current:
            raise SizeOutOfRange(f"size {size} is not between 0 and {current}")
        return size

    def _get(self, level: int, index: int) -> bytes:
        try:
            return self._store.get(level, index)
        except LookupError as missing:
            raise HashMissing(f"the store lacks the hash at level {level}, index {index}") from missing

    def proof_of(self, pieces: Sequence[Node | list[Node]]) -> list[bytes]:
        """The proof `inclusion_pieces` or `consistency_pieces` describe: each stored node's
        hash, and a straddling sibling folded from its own pieces."""
        get = self._store.get  # not self._get: a proof at 10M entries reads 25 hashes, each counts
        try:
            return [self._fold(piece) if isinstance(piece, list) else get(*piece) for piece in pieces]
        except HashMissing:
            raise
        except LookupError as missing:
            raise HashMissing(f"the store lacks a hash of the proof: {missing}") from missing

    def _range_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) where start is aligned to the largest power of two ≤ end - start."""
        return self._fold(range_nodes(start, end))

    def _fold(self, pieces: Sequence[Node]) -> bytes:
        """RFC 9162's recursion over complete subtrees of decreasing size pairs them from the right."""
        hashes = [self._get(level, index) for level, index in pieces]
        h = hashes.pop()
        while hashes:
            h = node_hash(hashes.pop(), h)
        return h


Node = tuple[int, int]  # (level, index): the complete subtree of 2^level leaves from index·2^level


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees D[start:end] splits into, largest first (the binary digits of its
    length); start must be aligned to the largest of them."""
    nodes: list[Node] = []
    position, remaining = start, end - start
    while remaining:
        level = remaining.bit_length() - 1
        assert position & ((1 << level) - 1) == 0, (start, end)
        nodes.append((level, position >> level))
        position += 1 << level
        remaining -= 1 << level
    return nodes


def path_pieces(level: int, index: int, size: int) -> list[Node | list[Node]]:
    """Each sibling on the way up from (level, index) in D[0:size]: a stored node, or the pieces
    of the one sibling that straddles `size`. A sibling wholly beyond `size` does not exist in
    the RFC's tree (the node is promoted unchanged)."""
    pieces: list[Node | list[Node]] = []
    top = (size - 1).bit_length()
    while level < top:
        sibling = index ^ 1
        start = sibling << level
        if start < size:
            pieces.append((level, sibling) if start + (1 << level) <= size else range_nodes(start, size))
        level += 1
        index >>= 1
    return pieces


def nodes_of(pieces: Sequence[Node | list[Node]]) -> list[Node]:
    """The stored nodes a proof's pieces read, in order."""
    return [node for piece in pieces for node in (piece if isinstance(piece, list) else [piece])]


def path_nodes(level: int, index: int, size: int) -> list[Node]:
    return nodes_of(path_pieces(level, index, size))


def inclusion_pieces(index: int, size: int) -> list[Node | list[Node]]:
    """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1) as stored nodes and straddling siblings,
    for `MerkleTree.proof_of`; index must be below size."""
    return path_pieces(0, index, size)


def consistency_pieces(old_size: int, size: int) -> list[Node | list[Node]]:
    """PROOF(old_size, D[0:size]) (RFC 9162 §2.1.4.1) likewise; empty when there is nothing to prove."""
    if old_size in (0, size):
        return []
    # The old tree's rightmost complete subtree ends exactly at old_size; the proof is that
    # node (unless it is the whole old tree, which the verifier already holds) followed by
    # its path up the new tree. This is SUBPROOF unrolled.
    level = (old_size & -old_size).bit_length() - 1
    index = (old_size - 1) >> level
    pieces: list[Node | list[Node]] = [(level, index)] if index else []
    return pieces + path_pieces(level, index, size)


def inclusion_nodes(index: int, size: int) -> list[Node]:
    """Every stored hash `MerkleTree.inclusion_proof(index, size)` reads: a store can fetch
    them in one query before the proof is built."""
    return nodes_of(inclusion_pieces(index, size))


def consistency_nodes(old_size: int, size: int) -> list[Node]:
    """Every stored hash `MerkleTree.consistency_proof(old_size, size)` reads."""
    return nodes_of(consistency_pieces(old_size, size))


def root_nodes(size: int) -> list[Node]:
    """Every stored hash `MerkleTree.root(size)` reads; also the right edge an append builds on."""
    return range_nodes(0, size)


def changed_tiles(old_size: int, new_size: int) -> list[TileRef]:
    """The tiles a storage layer must (re)write when the tree grows from old_size to new_size.

    Every tile that gained a hash, full or partial (C2SP tlog-tiles §Partial Tiles), lowest
    level first; a full tile is never listed again once it has been listed full.
    """
    if not 0 <= old_size <= new_size:
        raise SizeOutOfRange(f"cannot grow from {old_size} to {new_size}")
    tiles: list[TileRef] = []
    level = 0
    while True:
        old_count = old_size >> (level * TILE_HEIGHT)
        new_count = new_size >> (level * TILE_HEIGHT)
        if new_count == old_count:
            return tiles
        for index in range(old_count // TILE_WIDTH, (new_count - 1) // TILE_WIDTH + 1):
            tiles.append(TileRef(level, index, min(TILE_WIDTH, new_count - index * TILE_WIDTH)))
        level += 1


def tile_key(level: int, index: int) -> tuple[int, int, int, int]:
    """Where the hash at (level, index) lies in tlog-tiles terms: (tile level, tile index,
    tree level within the tile, position within that level of the tile)."""
    k = level % TILE_HEIGHT
    return level // TILE_HEIGHT, index >> (TILE_HEIGHT - k), k, index & ((TILE_WIDTH >> k) - 1)


def tile_fold(hashes: bytes) -> bytes:
    """The tree levels 1..7 above a tile's hashes, level by level (width >> 1, width >> 2, …
    hashes of each): what a proof would otherwise fold from the tile."""
    row = [hashes[i : i + HASH_SIZE] for i in range(0, len(hashes) - len(hashes) % HASH_SIZE, HASH_SIZE)]
    folded = bytearray()
    for _ in range(1, TILE_HEIGHT):
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        folded += b"".join(row)
    return bytes(folded)


def tiles_build(leaves: Iterable[bytes]) -> Iterator[tuple[int, int, bytes, bytes]]:
    """Every tile of the tree over `leaves` (leaf hashes, in order) as (level, index, hashes,
    folded): each full tile once it is complete, then the partial ones, lowest level first.
    Holds one tile per level, so it streams a log of any size."""
    pending: list[list[bytes]] = []
    counts: list[int] = []

    def add(level: int, value: bytes) -> Iterator[tuple[int, int, bytes, bytes]]:
        while True:
            if level == len(pending):
                pending.append([])
                counts.append(0)
            row = pending[level]
            row.append(value)
            if len(row) < TILE_WIDTH:
                return
            hashes = b"".join(row)
            folded = tile_fold(hashes)
            yield level, counts[level], hashes, folded
            counts[level] += 1
            row.clear()
            # The tile's root is a hash of the next tile level.
            value = node_hash(folded[-2 * HASH_SIZE : -HASH_SIZE], folded[-HASH_SIZE:])
            level += 1

    for leaf in leaves:
        yield from add(0, leaf)
    for level, row in enumerate(pending):
        if row:
            hashes = b"".join(row)
            yield level, counts[level], hashes, tile_fold(hashes)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `leaf` is at `index` in the tree of `size` with `root` (RFC 9162 §2.1.3.2).

    Returns nothing; raises InvalidProof naming the check that failed.
    """
    _check_hash(leaf, "leaf hash")
    _check_hash(root, "root")
    for element in proof:
        _check_hash(element, "proof element")
    if not 0 <= index < size:
        raise InvalidProof(f"index {index} is not in a tree of size {size}")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise InvalidProof("the proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise InvalidProof("the proof is shorter than the path to the root")
    if r != root:
        raise InvalidProof("the proof leads to a different root")


def verify_consistency(old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> None:
    """Check that the tree (new_size, new_root) extends (old_size, old_root) (RFC 9162 §2.1.4.2).

    Returns nothing; raises InvalidProof naming the check that failed.
    """
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    for element in proof:
        _check_hash(element, "proof element")
    if old_size < 0 or new_size < old_size:
        raise InvalidProof(f"a tree of size {new_size} cannot extend one of size {old_size}")
    # The RFC's algorithm needs 0 < old_size < new_size; the two edge cases have nothing to
    # prove, so any proof offered for them is garbage.
    if old_size == new_size:
        if proof:
            raise InvalidProof("the proof between equal sizes must be empty")
        if old_root != new_root:
            raise InvalidProof("two different roots for the same size")
        return
    if old_size == 0:
        if proof:
            raise InvalidProof("the proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise InvalidProof("the old root is not the empty tree's root")
        return
    if not proof:
        raise InvalidProof("the proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise InvalidProof("the proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise InvalidProof("the proof is shorter than the path to the root")
    if fr != old_root:
        raise InvalidProof("the proof does not lead to the old root")
    if sr != new_root:
        raise InvalidProof("the proof does not lead to the new root")


def _check_hash(value: bytes, what: str, error: type[ValueError] = InvalidProof) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise error(f"the {what} is not a {HASH_SIZE}-byte hash")
