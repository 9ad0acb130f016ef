"""In-memory figures for the transparency log's core: appends, roots, proofs, checkpoints.

Run: `python bench/transparency_log.py [entries]` (default 1,000,000). Not a test: it
prints medians over random leaves and sizes, with every generated proof verified.
Durable appends, cold start from stored tiles and the pymerkle baseline need the
storage layer and come with it.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable

from asylon.transparency.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
from asylon.transparency.note import Checkpoint, Cosigner, NoteSigner, open_note, sign_note

SAMPLES = 2_000


def median_us(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e6:8.1f} µs"


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main(n: int) -> None:
    rng = random.Random(9162)  # noqa: S311 — reproducible sampling, not cryptography
    entries = [rng.randbytes(96) for _ in range(n)]  # 96-byte records, as in the research notes
    print(f"{n:,} entries of 96 bytes, CPython {sys.version.split()[0]}")

    tree = MerkleTree()
    seconds = timed(lambda: [tree.append(entry) for entry in entries])
    print(f"append, one at a time      {n / seconds:12,.0f} /s")

    batched = MerkleTree()
    seconds = timed(lambda: [batched.append_many(entries[i : i + 256]) for i in range(0, n, 256)])
    print(f"append, batches of 256     {n / seconds:12,.0f} /s")
    assert batched.root() == tree.root()

    roots = [timed(lambda: tree.root(rng.randint(1, n))) for _ in range(SAMPLES)]
    print(f"root at a random size      {median_us(roots)}")

    generate, verify, longest = [], [], 0
    root = tree.root()
    for _ in range(SAMPLES):
        index = rng.randrange(n)
        start = time.perf_counter()
        proof = tree.inclusion_proof(index)
        generate.append(time.perf_counter() - start)
        leaf = leaf_hash(entries[index])
        start = time.perf_counter()
        verify_inclusion(leaf, index, n, proof, root)
        verify.append(time.perf_counter() - start)
        longest = max(longest, len(proof))
    print(f"inclusion proof            {median_us(generate)} generate  {median_us(verify)} verify  ≤{longest} hashes")

    generate, verify, longest = [], [], 0
    for _ in range(SAMPLES):
        old = rng.randint(1, n - 1)
        old_root = tree.root(old)
        start = time.perf_counter()
        proof = tree.consistency_proof(old)
        generate.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_consistency(old, n, proof, old_root, root)
        verify.append(time.perf_counter() - start)
        longest = max(longest, len(proof))
    print(f"consistency proof          {median_us(generate)} generate  {median_us(verify)} verify  ≤{longest} hashes")

    log = NoteSigner.generate("asylon.example/log")
    witness = Cosigner.generate("unhcr.example/witness")
    text = Checkpoint("asylon.example/log", n, root).text()
    signs = [timed(lambda: sign_note(text, log)) for _ in range(SAMPLES)]
    note = str(sign_note(text, log).with_signatures(witness.cosign(text, 1_800_000_000)))
    keys = [log.verifier_key, witness.verifier_key]
    opens = [timed(lambda: open_note(note, keys)) for _ in range(SAMPLES)]
    print(f"checkpoint                 {median_us(signs)} sign      {median_us(opens)} open (log + cosignature)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
