"""The RFC 9162 tree: reference vectors, a naive oracle, and properties over random shapes."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asylon.transparency.merkle import (
    EMPTY_ROOT,
    TILE_WIDTH,
    HashMissing,
    InvalidProof,
    MemoryHashStore,
    MerkleTree,
    SizeOutOfRange,
    TileRef,
    changed_tiles,
    consistency_nodes,
    inclusion_nodes,
    leaf_hash,
    root_nodes,
    verify_consistency,
    verify_inclusion,
)

# --- Reference data -------------------------------------------------------------------
# From transparency-dev/merkle, proof/verify_test.go (the Certificate Transparency test
# data, originally Trillian's): eight leaves, the roots of every prefix, and proofs. The
# Go vectors number leaves from 1; they are converted to 0-based indices below.

RFC_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
RFC_ROOTS = [  # RFC_ROOTS[n] is the root of the first n leaves
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
RFC_INCLUSION = [  # (index, size, proof)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
RFC_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def h(hexes: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in hexes]


@pytest.fixture(scope="module")
def rfc_tree() -> MerkleTree:
    tree = MerkleTree()
    for entry in RFC_LEAVES:
        tree.append(entry)
    return tree


def test_the_empty_root_is_the_hash_of_nothing():
    assert MerkleTree().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_a_one_leaf_root_is_the_leaf_hash():
    tree = MerkleTree()
    tree.append(b"")
    assert tree.root().hex() == RFC_ROOTS[1] == hashlib.sha256(b"\x00").hexdigest()


@pytest.mark.parametrize("size", range(len(RFC_ROOTS)))
def test_roots_match_the_reference_at_every_size(rfc_tree, size):
    assert rfc_tree.root(size).hex() == RFC_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), RFC_INCLUSION)
def test_inclusion_proofs_match_the_reference(rfc_tree, index, size, proof):
    assert rfc_tree.inclusion_proof(index, size) == h(proof)
    verify_inclusion(leaf_hash(RFC_LEAVES[index]), index, size, h(proof), bytes.fromhex(RFC_ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "proof"), RFC_CONSISTENCY)
def test_consistency_proofs_match_the_reference(rfc_tree, old, new, proof):
    assert rfc_tree.consistency_proof(old, new) == h(proof)
    verify_consistency(old, new, h(proof), bytes.fromhex(RFC_ROOTS[old]), bytes.fromhex(RFC_ROOTS[new]))


def _inclusion_corruptions(index, size, proof, root, leaf):
    """The probes of verify_test.go's corruptInclusionProof: each must be refused."""
    probes = [
        (index - 1, size, root, leaf, proof),
        (index + 1, size, root, leaf, proof),
        (index ^ 2, size, root, leaf, proof),
        (index, size * 2, root, leaf, proof),
        (index, size // 2, root, leaf, proof),
        (index, size, root, leaf_hash(b"WrongLeaf"), proof),
        (index, size, EMPTY_ROOT, leaf, proof),
        (index, size, SOME_HASH, leaf, proof),
        (index, size, root, leaf, [*proof, root]),
        (index, size, root, leaf, [root, *proof]),
    ]
    for i in range(len(proof)):
        flipped = bytearray(proof[i])
        flipped[0] ^= 8
        probes.append((index, size, root, leaf, [*proof[:i], bytes(flipped), *proof[i + 1 :]]))
    if proof:
        probes.append((index, size, root, leaf, proof[:-1]))
    if len(proof) > 1:
        probes.append((index, size, root, leaf, [proof[0], SOME_HASH, *proof[1:]]))
    return probes


@pytest.mark.parametrize(("index", "size", "proof"), RFC_INCLUSION)
def test_corrupted_reference_inclusion_proofs_are_refused(index, size, proof):
    leaf = leaf_hash(RFC_LEAVES[index])
    root = bytes.fromhex(RFC_ROOTS[size])
    for probe in _inclusion_corruptions(index, size, h(proof), root, leaf):
        with pytest.raises(InvalidProof):
            verify_inclusion(probe[3], probe[0], probe[1], probe[4], probe[2])


@pytest.mark.parametrize(("old", "new", "proof"), [c for c in RFC_CONSISTENCY if c[2]])
def test_corrupted_reference_consistency_proofs_are_refused(old, new, proof):
    proof = h(proof)
    old_root, new_root = bytes.fromhex(RFC_ROOTS[old]), bytes.fromhex(RFC_ROOTS[new])
    probes = [  # verify_test.go's corruptConsistencyProof
        (old - 1, new, old_root, new_root, proof),
        (old + 1, new, old_root, new_root, proof),
        (old ^ 2, new, old_root, new_root, proof),
        (old, new * 2, old_root, new_root, proof),
        (old, new // 2, old_root, new_root, proof),
        (old, new, SOME_HASH, new_root, proof),
        (old, new, old_root, SOME_HASH, proof),
        (old, new, new_root, old_root, proof),
        (old, new, old_root, new_root, []),
        (old, new, old_root, new_root, [*proof, old_root]),
        (old, new, old_root, new_root, [*proof, new_root]),
        (old, new, old_root, new_root, [old_root, *proof]),
        (old, new, old_root, new_root, [new_root, *proof]),
        (old, new, old_root, new_root, [proof[0], *proof]),
        (old, new, old_root, new_root, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = bytearray(proof[i])
        flipped[0] ^= 16
        probes.append((old, new, old_root, new_root, [*proof[:i], bytes(flipped), *proof[i + 1 :]]))
    for size1, size2, root1, root2, wrong in probes:
        with pytest.raises(InvalidProof):
            verify_consistency(size1, size2, wrong, root1, root2)


@pytest.mark.parametrize(
    ("old", "new", "old_root", "new_root", "proof", "message"),
    [
        (0, 0, EMPTY_ROOT, SOME_HASH, [], "two different roots for the same size"),
        (1, 1, EMPTY_ROOT, SOME_HASH, [], "two different roots for the same size"),
        (1, 0, EMPTY_ROOT, SOME_HASH, [], "cannot extend"),
        (2, 1, EMPTY_ROOT, SOME_HASH, [], "cannot extend"),
        (1, 2, EMPTY_ROOT, SOME_HASH, [], "the proof is empty"),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], "must be empty"),
        (0, 1, EMPTY_ROOT, SOME_HASH, [EMPTY_ROOT], "must be empty"),
        (1, 1, SOME_HASH, SOME_HASH, [EMPTY_ROOT], "must be empty"),
        # Stricter than the Go verifier, which accepts any old root for size 0.
        (0, 1, SOME_HASH, SOME_HASH, [], "not the empty tree's root"),
        (2, 3, b"short", SOME_HASH, [SOME_HASH], "not a 32-byte hash"),
    ],
)
def test_edge_case_consistency_claims_are_refused(old, new, old_root, new_root, proof, message):
    with pytest.raises(InvalidProof, match=message):
        verify_consistency(old, new, proof, old_root, new_root)


def test_trivial_consistency_claims_verify():
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(0, 5, [], EMPTY_ROOT, SOME_HASH)
    verify_consistency(5, 5, [], SOME_HASH, SOME_HASH)


@pytest.mark.parametrize(
    ("index", "size", "leaf", "root", "message"),
    [
        (0, 0, SOME_HASH, EMPTY_ROOT, "is not in a tree of size 0"),
        (1, 1, SOME_HASH, SOME_HASH, "is not in a tree of size 1"),
        (0, 1, SOME_HASH, EMPTY_ROOT, "different root"),
        (0, 1, b"", SOME_HASH, "leaf hash is not a 32-byte hash"),
        (0, 1, SOME_HASH, b"", "root is not a 32-byte hash"),
    ],
)
def test_edge_case_inclusion_claims_are_refused(index, size, leaf, root, message):
    with pytest.raises(InvalidProof, match=message):
        verify_inclusion(leaf, index, size, [], root)


# --- A naive oracle: RFC 9162 §2.1 read literally -------------------------------------

N = 1100  # past 1024, so the top of the tree has both complete and incomplete subtrees
ENTRIES = [b"asylon entry %d" % i for i in range(N)]


def _split(n: int) -> int:
    """The largest power of two smaller than n (RFC 9162 §2.1.1's k)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def naive_mth(start: int, end: int) -> bytes:
    """MTH(D[start:end]), recursively, with hashlib only."""
    if end == start:
        return hashlib.sha256(b"").digest()
    if end - start == 1:
        return hashlib.sha256(b"\x00" + ENTRIES[start]).digest()
    k = _split(end - start)
    return hashlib.sha256(b"\x01" + naive_mth(start, start + k) + naive_mth(start + k, end)).digest()


def naive_path(m: int, start: int, end: int) -> list[bytes]:
    """PATH(m, D[start:end]) (RFC 9162 §2.1.3.1)."""
    if end - start == 1:
        return []
    k = _split(end - start)
    if m < k:
        return [*naive_path(m, start, start + k), naive_mth(start + k, end)]
    return [*naive_path(m - k, start + k, end), naive_mth(start, start + k)]


def naive_subproof(m: int, start: int, end: int, b: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], b) (RFC 9162 §2.1.4.1)."""
    if m == end - start:
        return [] if b else [naive_mth(start, end)]
    k = _split(end - start)
    if m <= k:
        return [*naive_subproof(m, start, start + k, b), naive_mth(start + k, end)]
    return [*naive_subproof(m - k, start + k, end, False), naive_mth(start, start + k)]


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    tree = MerkleTree()
    for entry in ENTRIES:
        tree.append(entry)
    return tree


sizes = st.integers(0, N)


@st.composite
def leaf_positions(draw):
    size = draw(st.integers(1, N))
    return draw(st.integers(0, size - 1)), size


@st.composite
def size_pairs(draw):
    new = draw(st.integers(0, N))
    return draw(st.integers(0, new)), new


def _flip(proof: list[bytes], element: int, bit: int) -> list[bytes]:
    flipped = bytearray(proof[element])
    flipped[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:element], bytes(flipped), *proof[element + 1 :]]


@given(sizes)
def test_roots_equal_the_naive_mth(tree, size):
    assert tree.root(size) == naive_mth(0, size)


@given(leaf_positions(), st.data())
def test_inclusion_proofs_are_the_rfc_path_and_verify(tree, position, data):
    index, size = position
    proof = tree.inclusion_proof(index, size)
    assert proof == naive_path(index, 0, size)
    root, leaf = naive_mth(0, size), leaf_hash(ENTRIES[index])
    verify_inclusion(leaf, index, size, proof, root)

    if proof:
        element = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        with pytest.raises(InvalidProof):
            verify_inclusion(leaf, index, size, _flip(proof, element, bit), root)
    wrong_index = data.draw(st.integers(0, 2 * N).filter(lambda i: i != index))
    with pytest.raises(InvalidProof):
        verify_inclusion(leaf, wrong_index, size, proof, root)
    with pytest.raises(InvalidProof):
        verify_inclusion(leaf_hash(ENTRIES[index] + b"!"), index, size, proof, root)


@given(size_pairs(), st.data())
def test_consistency_proofs_are_the_rfc_subproof_and_verify(tree, sizes_, data):
    old, new = sizes_
    proof = tree.consistency_proof(old, new)
    assert proof == (naive_subproof(old, 0, new, True) if 0 < old < new else [])
    old_root, new_root = naive_mth(0, old), naive_mth(0, new)
    verify_consistency(old, new, proof, old_root, new_root)

    if proof:
        element = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        with pytest.raises(InvalidProof):
            verify_consistency(old, new, _flip(proof, element, bit), old_root, new_root)
        with pytest.raises(InvalidProof):
            verify_consistency(old, new, proof[:-1], old_root, new_root)
    if 0 < old < new:  # the empty tree is a prefix of every tree, whatever its root
        with pytest.raises(InvalidProof):
            verify_consistency(old, new, proof, old_root, naive_mth(0, new - 1))
    with pytest.raises(InvalidProof):
        verify_consistency(old, new, proof, SOME_HASH, new_root)


class ReadsRecorded:
    """A store that remembers every hash the tree read from it."""

    def __init__(self, tree: MerkleTree) -> None:
        self.tree = tree
        self.read: list[tuple[int, int]] = []

    def get(self, level: int, index: int) -> bytes:
        self.read.append((level, index))
        return self.tree._store.get(level, index)

    def size(self) -> int:
        return self.tree.size


@given(size_pairs(), st.data())
def test_a_proof_reads_exactly_the_nodes_named_before_it_is_built(tree, sizes_, data):
    # The database store fetches these lists in one query each; a read outside them would
    # be a hash missing from the fetched set, so the lists must be exact.
    old, new = sizes_
    store = ReadsRecorded(tree)
    recorded = MerkleTree(store)  # type: ignore[arg-type]
    recorded.root(new)
    assert sorted(set(store.read)) == sorted(root_nodes(new))
    store.read.clear()
    recorded.consistency_proof(old, new)
    assert sorted(set(store.read)) == sorted(consistency_nodes(old, new))
    if new:
        index = data.draw(st.integers(0, new - 1))
        store.read.clear()
        recorded.inclusion_proof(index, new)
        assert sorted(set(store.read)) == sorted(inclusion_nodes(index, new))


@given(st.lists(st.integers(0, 70), max_size=12))
def test_batch_append_equals_one_by_one(batches):
    one_by_one, batched = MemoryHashStore(), MemoryHashStore()
    single, batch = MerkleTree(one_by_one), MerkleTree(batched)
    position = 0
    for count in batches:
        entries = ENTRIES[position : position + count]
        for entry in entries:
            single.append(entry)
        assert batch.append_many(entries) == range(position, position + count)
        position += count
        assert batch.size == single.size == position
        assert batch.root() == single.root() == naive_mth(0, position)
    for level in range(position.bit_length()):
        for index in range(position >> level):
            assert batched.get(level, index) == one_by_one.get(level, index)


def test_append_returns_the_index_and_stores_the_leaf_hash():
    tree = MerkleTree()
    assert [tree.append(entry) for entry in ENTRIES[:3]] == [0, 1, 2]
    assert tree.leaf_hash_at(2) == leaf_hash(ENTRIES[2])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.root(9), "size 9 is not between 0 and 8"),
        (lambda t: t.root(-1), "size -1 is not between 0 and 8"),
        (lambda t: t.inclusion_proof(8), "no leaf 8 in a tree of size 8"),
        (lambda t: t.inclusion_proof(3, 3), "no leaf 3 in a tree of size 3"),
        (lambda t: t.consistency_proof(5, 4), "old size 5 is not between 0 and 4"),
        (lambda t: t.leaf_hash_at(8), "no leaf 8"),
        (lambda t: t.tile(0, 0, 9), "needs more than 8 leaves"),
        (lambda t: t.tile(0, 0, 0), "no tile 0/0 of width 0"),
        (lambda t: t.tile(64, 0, 1), "no tile 64/0"),
    ],
)
def test_sizes_beyond_the_tree_are_refused(rfc_tree, call, message):
    with pytest.raises(SizeOutOfRange, match=message):
        call(rfc_tree)


def test_a_store_missing_a_hash_is_reported_not_papered_over():
    store = MemoryHashStore()
    store.set_size(10)  # as if the hashes were lost after the size was committed
    with pytest.raises(HashMissing, match="level 3, index 0"):
        MerkleTree(store).root()


def test_a_leaf_hash_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="not a 32-byte hash"):
        MerkleTree().append_leaf_hash(b"\x00" * 31)


# --- Tiles (c2sp.org/tlog-tiles) ------------------------------------------------------


@pytest.fixture(scope="module")
def tiled_tree() -> MerkleTree:
    tree = MerkleTree()
    tree.append_many(b"%d" % i for i in range(70_000))
    return tree


def test_the_tiles_of_70000_entries_are_those_the_spec_lists():
    # c2sp.org/tlog-tiles: "273 full level 0 tiles, one partial level 0 tile of width 112,
    # one full level 1 tile, one partial level 1 tile of width 17, and one partial level 2
    # tile of width 1."
    tiles = changed_tiles(0, 70_000)
    assert [t for t in tiles if t.level == 0] == [TileRef(0, i, 256) for i in range(273)] + [TileRef(0, 273, 112)]
    assert [t for t in tiles if t.level > 0] == [TileRef(1, 0, 256), TileRef(1, 1, 17), TileRef(2, 0, 1)]


def test_a_tree_of_256_has_a_full_tile_and_a_one_hash_tile_above():
    assert changed_tiles(0, 256) == [TileRef(0, 0, 256), TileRef(1, 0, 1)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (0, 0, []),
        (5, 5, []),
        (5, 6, [TileRef(0, 0, 6)]),
        (255, 256, [TileRef(0, 0, 256), TileRef(1, 0, 1)]),
        (256, 257, [TileRef(0, 1, 1)]),
        (500, 513, [TileRef(0, 1, 256), TileRef(0, 2, 1), TileRef(1, 0, 2)]),
    ],
)
def test_growing_the_tree_rewrites_only_the_tiles_it_touches(old, new, expected):
    assert changed_tiles(old, new) == expected


def test_tile_hashes_are_the_subtree_roots_at_their_level(tiled_tree):
    level0 = tiled_tree.tile(0, 273, 112)
    assert len(level0) == 112 * 32
    assert level0[:32] == leaf_hash(b"%d" % (273 * 256))

    level1 = tiled_tree.tile(1, 0)
    assert len(level1) == TILE_WIDTH * 32
    for k in (0, 1, 255):
        subtree = MerkleTree()
        subtree.append_many(b"%d" % i for i in range(k * 256, (k + 1) * 256))
        assert level1[32 * k : 32 * (k + 1)] == subtree.root()

    assert tiled_tree.tile(2, 0, 1) == tiled_tree.root(65_536)


def test_a_full_tile_hashes_to_the_entry_in_the_tile_above(tiled_tree):
    # The property that lets a client rebuild any proof from tiles alone.
    hashes = [tiled_tree.tile(0, 7)[i : i + 32] for i in range(0, 8192, 32)]
    while len(hashes) > 1:
        hashes = [hashlib.sha256(b"\x01" + hashes[i] + hashes[i + 1]).digest() for i in range(0, len(hashes), 2)]
    assert hashes[0] == tiled_tree.tile(1, 0)[7 * 32 : 8 * 32]


def test_a_partial_tile_wider_than_the_tree_does_not_exist(tiled_tree):
    with pytest.raises(SizeOutOfRange):
        tiled_tree.tile(0, 273, 113)
    with pytest.raises(SizeOutOfRange):
        tiled_tree.tile(1, 1, 18)


def test_proofs_at_70000_still_verify(tiled_tree):
    root = tiled_tree.root()
    for index in (0, 65_535, 65_536, 69_999):
        proof = tiled_tree.inclusion_proof(index)
        verify_inclusion(leaf_hash(b"%d" % index), index, 70_000, proof, root)
    for old in (1, 256, 65_536, 69_999):
        verify_consistency(old, 70_000, tiled_tree.consistency_proof(old), tiled_tree.root(old), root)
