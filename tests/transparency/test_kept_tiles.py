"""Tiles the process keeps between proofs (`storage.KEPT`): only what a signed checkpoint
covers and a committed read found, so that every proof from them is the proof the stored
tree gives."""

from __future__ import annotations

import random

import pytest
from django.db import transaction

from asylon.transparency import services, storage
from asylon.transparency.merkle import MemoryHashStore, MerkleTree
from asylon.transparency.models import Checkpoint, LogEntry, LogHead, LogTile

pytestmark = pytest.mark.django_db(transaction=True)


def bodies(n: int, start: int = 0, tag: str = "entry") -> list[bytes]:
    return [f"{tag} {i}".encode() for i in range(start, start + n)]


def append(entries: list[bytes]) -> None:
    with transaction.atomic():
        storage.log_append([storage.NewEntry("bench", body, None) for body in entries])


def proofs_agree(memory: MerkleTree, size: int, rng: random.Random, samples: int = 60) -> None:
    for _ in range(samples):
        index = rng.randrange(size)
        assert storage.inclusion_hashes(index, size) == memory.inclusion_proof(index, size), (index, size)
        old = rng.randint(0, size)
        assert storage.consistency_hashes(old, size) == memory.consistency_proof(old, size), (old, size)
    assert storage.root_at(size) == memory.root(size)


def test_proofs_from_kept_tiles_are_the_stored_trees_at_every_size():
    rng = random.Random(9162)
    memory = MerkleTree(MemoryHashStore())
    signed = []
    for count in (300, 65_000, 1, 700, 255, 4_000):
        entries = bodies(count, memory.size)
        append(entries)
        memory.append_many(entries)
        if count != 1:
            signed.append(services.checkpoint_sign().size)
        # Twice: first reading, then from what the first kept.
        proofs_agree(memory, memory.size, rng)
        proofs_agree(memory, memory.size, rng)
        for size in signed:
            proofs_agree(memory, size, rng, samples=10)
    assert (storage.KEPT.signed, storage.KEPT.root) == (signed[-1], memory.root(signed[-1]))
    assert any(level >= 1 for level, _ in storage.KEPT.tiles)
    assert sum(1 for level, _ in storage.KEPT.tiles if level == 0) <= 1


def test_a_size_past_the_log_is_refused_after_tiles_were_kept():
    append(bodies(600))
    services.checkpoint_sign()
    storage.inclusion_hashes(5, 600)
    with pytest.raises(storage.BeyondTheLog):
        storage.inclusion_hashes(5, 601)


def test_tiles_kept_from_a_log_are_not_used_on_another_database():
    rng = random.Random(11)
    append(bodies(600))
    services.checkpoint_sign()
    storage.inclusion_hashes(5, 600)
    assert storage.KEPT.tiles

    # A database restored from a backup, or emptied, under the running process.
    for model in (LogEntry, LogTile, Checkpoint, LogHead):
        model.objects.all().delete()
    memory = MerkleTree(MemoryHashStore())
    other = bodies(600, tag="another log")
    append(other)
    memory.append_many(other)
    services.checkpoint_sign()
    proofs_agree(memory, 600, rng)
    proofs_agree(memory, 600, rng)


def test_tiles_read_in_a_transaction_that_rolls_back_are_not_kept():
    rng = random.Random(7)
    append(bodies(300))
    services.checkpoint_sign()

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        append(bodies(200, 300, tag="rolled back"))
        services.checkpoint_sign()
        storage.inclusion_hashes(250, 500)
        storage.consistency_hashes(300, 500)
        raise RolledBack

    memory = MerkleTree(MemoryHashStore())
    memory.append_many(bodies(300))
    kept = bodies(200, 300, tag="kept")
    append(kept)
    memory.append_many(kept)
    services.checkpoint_sign()
    proofs_agree(memory, 500, rng)
    proofs_agree(memory, 500, rng)
