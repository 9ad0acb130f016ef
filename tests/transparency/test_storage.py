"""The log's hashes stored as c2sp.org/tlog-tiles tiles: what an append writes, what a proof
reads, and the move of the hashes from one row per subtree (transparency 0003)."""

from __future__ import annotations

import random

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asylon.transparency import storage
from asylon.transparency.merkle import (
    HASH_SIZE,
    MemoryHashStore,
    MerkleTree,
    changed_tiles,
    consistency_nodes,
    inclusion_nodes,
    leaf_hash,
    tile_fold,
    tiles_build,
)
from asylon.transparency.models import LogTile

BEFORE = [("transparency", "0002_cosignatures_and_records")]
TILES = [("transparency", "0003_log_tiles")]


def bodies(n: int, start: int = 0) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(start, start + n)]


def stored_tiles() -> dict[tuple[int, int], tuple[bytes, bytes]]:
    rows = LogTile.objects.values_list("level", "index", "hashes", "folded")
    return {(level, index): (bytes(hashes), bytes(folded)) for level, index, hashes, folded in rows}


def built_tiles(entries: list[bytes]) -> dict[tuple[int, int], tuple[bytes, bytes]]:
    return {(level, index): (h, f) for level, index, h, f in tiles_build([leaf_hash(e) for e in entries])}


def append(entries: list[bytes]) -> range:
    with transaction.atomic():
        return storage.log_append([storage.NewEntry("test", body, None) for body in entries])


def test_tiles_built_from_leaves_are_the_trees_tiles_with_their_levels_folded():
    entries = bodies(70_000)
    tree = MerkleTree()
    tree.append_many(entries)
    built = built_tiles(entries)
    assert sorted(built) == sorted({(t.level, t.index) for t in changed_tiles(0, 70_000)})
    for (level, index), (hashes, folded) in built.items():
        width = len(hashes) // HASH_SIZE
        assert hashes == tree.tile(level, index, width)
        assert folded == tile_fold(hashes)
    # The folded levels are the tree's: level 8·L + 3 of tile 0/2 starts at node 2·32 of level 3.
    _, folded = built[(0, 2)]
    assert folded[(128 + 64) * HASH_SIZE : (128 + 64 + 1) * HASH_SIZE] == tree._store.get(3, 64)


@pytest.mark.parametrize("seed", range(5))
def test_an_append_rewrites_only_the_tiles_of_the_right_edge(seed):
    rng = random.Random(seed)
    old = rng.choice([0, 1, 255, 256, 65_535, rng.randrange(70_000)])
    new = old + rng.choice([1, 2, 256, rng.randrange(1, 3000)])
    leaves = [leaf_hash(e) for e in bodies(new)]
    before = {(level, index): storage.Tile(h, f) for level, index, h, f in tiles_build(leaves[:old])}
    edge = {key: before[key] for key in storage.edge_tiles(old, new - old)}
    store = storage.TileHashes(old, edge)
    MerkleTree(store).append_leaf_hashes(leaves[old:])
    after = {(level, index): (h, f) for level, index, h, f in tiles_build(leaves)}
    assert sorted(store.written) == sorted((t.level, t.index) for t in changed_tiles(old, new))
    assert {key: tile.row(*key)[2:] for key, tile in store.written.items()} == {
        key: after[key] for key in store.written
    }


@pytest.mark.django_db
def test_the_stored_tiles_are_the_trees_as_the_log_grows_in_batches_and_one_by_one():
    entries: list[bytes] = []
    for count in [1, 1, 254, 1, 300, 65_000, 1, 1]:
        batch = bodies(count, len(entries))
        assert append(batch) == range(len(entries), len(entries) + count)
        entries += batch
        assert storage.log_size() == len(entries)
        assert stored_tiles() == built_tiles(entries)


@pytest.mark.django_db
def test_proofs_and_roots_read_from_the_tiles_are_the_trees_at_every_size():
    entries = bodies(600)
    append(entries[:300])
    for body in entries[300:]:
        append([body])
    tree = MerkleTree(MemoryHashStore())
    tree.append_many(entries)
    rng = random.Random(9162)
    for size in [1, 2, 255, 256, 257, 511, 512, 513, 600, *rng.sample(range(1, 601), 20)]:
        assert storage.root_at(size) == tree.root(size)
        for index in {0, size - 1, rng.randrange(size)}:
            assert storage.inclusion_hashes(index, size) == tree.inclusion_proof(index, size)
        for old in {1, size - 1, rng.randrange(1, size + 1)}:
            assert storage.consistency_hashes(old, size) == tree.consistency_proof(old, size)
    with pytest.raises(storage.BeyondTheLog):
        storage.inclusion_hashes(0, 601)


@pytest.mark.django_db
def test_a_proof_over_a_deleted_tile_names_the_hash_it_lacks():
    append(bodies(600))
    assert storage.inclusion_hashes(300, 600)
    LogTile.objects.filter(level=0, index=1).delete()
    with pytest.raises(storage.HashMissing, match="no stored hash at level 0, index 301"):
        storage.inclusion_hashes(300, 600)
    # The straddling sibling of entry 3 in the tree of 600 is folded from tile 0/2's hashes.
    LogTile.objects.filter(level=0, index=2).update(hashes=b"", folded=b"")
    with pytest.raises(storage.HashMissing, match="no stored hash at level 6, index 8"):
        storage.consistency_hashes(256, 600)


@pytest.mark.django_db
def test_proofs_picked_from_the_stored_tiles_are_the_trees_at_random_sizes():
    entries = bodies(70_000)
    append(entries)
    tree = MerkleTree(MemoryHashStore())
    tree.append_many(entries)

    # Sizes past a tile of level 1 (65,536): paths that run up full tiles of both levels, and
    # those of the right edge, where the siblings are stored hashes and straddling folds.
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(1, 70_000), st.data())
    def check(size, data):
        index = data.draw(st.integers(0, size - 1))
        old = data.draw(st.integers(0, size))
        assert storage.inclusion_hashes(index, size) == tree.inclusion_proof(index, size)
        assert storage.consistency_hashes(old, size) == tree.consistency_proof(old, size)

    check()


def test_a_proof_at_ten_million_entries_reads_a_handful_of_tiles():
    # Three tile levels: one tile each, and the partial tiles of the right edge.
    assert len(storage.tiles_of(inclusion_nodes(1_234_567, 10_000_000))) <= 5
    assert len(storage.tiles_of(consistency_nodes(1_234_567, 10_000_000))) <= 5


@pytest.mark.django_db
def test_a_partial_tile_that_lags_the_size_stops_the_next_append():
    append(bodies(300))
    LogTile.objects.filter(level=0, index=1).update(hashes=bytes(HASH_SIZE * 43))
    with pytest.raises(storage.HashMissing, match="partial tile 0/1 of the log of 300 is not 44 hashes wide"):
        append(bodies(1, 300))
    assert storage.log_size() == 300


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_stored_hashes_move_into_tiles_as_they_are_and_back():
    entries = bodies(70_000)
    memory = MemoryHashStore()
    MerkleTree(memory).append_many(entries)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        log_hash = migrate(BEFORE).get_model("transparency", "LogHash")
        rows = [
            log_hash(level=level, index=index, hash=memory.get(level, index))
            for level in range(17)
            for index in range(70_000 >> level)
        ]
        # A hash changed behind the application's back stays changed, for the audit to name.
        rows[5].hash = b"\xee" * HASH_SIZE
        log_hash.objects.bulk_create(rows, batch_size=2000)

        migrate(TILES)
        expected = built_tiles(entries)
        hashes, folded = expected[(0, 0)]
        expected[(0, 0)] = (hashes[: 5 * HASH_SIZE] + b"\xee" * HASH_SIZE + hashes[6 * HASH_SIZE :], folded)
        assert stored_tiles() == expected

        back = migrate(BEFORE).get_model("transparency", "LogHash")
        moved_back = back.objects.order_by("level", "index").values_list("level", "index", "hash")
        assert [(level, index, bytes(h)) for level, index, h in moved_back] == [
            (row.level, row.index, bytes(row.hash)) for row in sorted(rows, key=lambda r: (r.level, r.index))
        ]
    finally:
        migrate(latest)
