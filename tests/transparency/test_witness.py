"""A monitor's witness cosigns only checkpoints that extend what it has already cosigned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asylon.transparency.merkle import MerkleTree
from asylon.transparency.note import Checkpoint, Cosigner, NoteSigner, open_note, sign_note
from asylon.transparency.witness import CosignRefused, Reason, Witness

ORIGIN = "asylon.example/log"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

# Personas: the authority's log key, an impostor holding a key under the same name, and
# the witness run by UNHCR in its supervisory role.
AUTHORITY = NoteSigner.from_seed(ORIGIN, bytes(range(32)))
IMPOSTOR = NoteSigner.from_seed(ORIGIN, bytes(range(100, 132)))
UNHCR = Cosigner.from_seed("unhcr.example/witness", bytes(range(32, 64)))


def events(count: int, case: str = "case") -> list[bytes]:
    return [f"{case} event {i}".encode() for i in range(count)]


def build(entries: list[bytes]) -> MerkleTree:
    tree = MerkleTree()
    tree.append_many(entries)
    return tree


def signed_checkpoint(tree: MerkleTree, size: int, signer: NoteSigner = AUTHORITY) -> str:
    return str(sign_note(Checkpoint(ORIGIN, size, tree.root(size)).text(), signer))


def unhcr_witness() -> Witness:
    return Witness(UNHCR, {ORIGIN: [AUTHORITY.verifier_key]})


LOG = build(events(40))


def witness_at(size: int) -> Witness:
    witness = unhcr_witness()
    witness.cosign(signed_checkpoint(LOG, size), LOG.consistency_proof(0, size), now=NOW)
    return witness


def test_the_witness_cosigns_the_first_checkpoint_it_sees():
    witness = unhcr_witness()
    note = signed_checkpoint(LOG, 5)
    cosignature = witness.cosign(note, [], now=NOW)
    opened = open_note(note + cosignature.line(), [UNHCR.verifier_key])
    assert opened.signatures_by(UNHCR.verifier_key)[0].timestamp == int(NOW.timestamp())
    assert witness.latest(ORIGIN) == Checkpoint(ORIGIN, 5, LOG.root(5))


def test_the_witness_cosigns_a_consistent_extension():
    witness = witness_at(5)
    cosignature = witness.cosign(signed_checkpoint(LOG, 12), LOG.consistency_proof(5, 12), now=NOW, old_size=5)
    open_note(signed_checkpoint(LOG, 12) + cosignature.line(), [AUTHORITY.verifier_key, UNHCR.verifier_key])
    assert witness.latest(ORIGIN) == Checkpoint(ORIGIN, 12, LOG.root(12))


def test_the_witness_cosigns_the_same_checkpoint_again_later():
    witness = witness_at(12)
    later = NOW + timedelta(minutes=5)
    cosignature = witness.cosign(signed_checkpoint(LOG, 12), [], now=later)
    assert cosignature.timestamp == int(later.timestamp())


def refused(witness: Witness, note: str, proof: list[bytes], **kwargs: int) -> CosignRefused:
    before = witness.latest(ORIGIN)
    with pytest.raises(CosignRefused) as refusal:
        witness.cosign(note, proof, now=NOW, **kwargs)
    assert witness.latest(ORIGIN) == before  # a refusal changes nothing
    return refusal.value


def test_a_fork_of_the_same_size_is_refused():
    witness = witness_at(12)
    fork = build(events(12, case="rewritten"))
    refusal = refused(witness, signed_checkpoint(fork, 12), [])
    assert refusal.reason == Reason.FORK
    assert refusal.latest_size == 12


def test_a_fork_presented_as_an_extension_is_refused():
    # The split view the log exists to prevent: a different history grown past the old size.
    witness = witness_at(12)
    rewritten = build(events(5) + events(35, case="rewritten"))
    refusal = refused(witness, signed_checkpoint(rewritten, 40), rewritten.consistency_proof(12, 40))
    assert refusal.reason == Reason.CONSISTENCY_PROOF_INVALID


def test_a_shrinking_tree_is_refused():
    witness = witness_at(12)
    refusal = refused(witness, signed_checkpoint(LOG, 11), [])
    assert refusal.reason == Reason.TREE_SHRANK
    assert refusal.latest_size == 12


def test_an_old_size_beyond_the_checkpoint_is_refused():
    refusal = refused(witness_at(12), signed_checkpoint(LOG, 20), [], old_size=21)
    assert refusal.reason == Reason.TREE_SHRANK


def test_a_proof_from_a_size_the_witness_is_not_at_is_refused_with_its_size():
    refusal = refused(witness_at(12), signed_checkpoint(LOG, 20), LOG.consistency_proof(10, 20), old_size=10)
    assert refusal.reason == Reason.OLD_SIZE_MISMATCH
    assert refusal.latest_size == 12


def test_a_bad_consistency_proof_is_refused():
    witness = witness_at(12)
    proof = LOG.consistency_proof(12, 20)
    proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    assert refused(witness, signed_checkpoint(LOG, 20), proof).reason == Reason.CONSISTENCY_PROOF_INVALID


def test_a_proof_from_another_size_is_refused():
    refusal = refused(witness_at(12), signed_checkpoint(LOG, 20), LOG.consistency_proof(11, 20))
    assert refusal.reason == Reason.CONSISTENCY_PROOF_INVALID


def test_a_missing_proof_is_refused():
    assert refused(witness_at(12), signed_checkpoint(LOG, 20), []).reason == Reason.CONSISTENCY_PROOF_INVALID


def test_an_overlong_proof_is_refused():
    refusal = refused(witness_at(12), signed_checkpoint(LOG, 20), [LOG.root()] * 64)
    assert refusal.reason == Reason.CONSISTENCY_PROOF_INVALID
    assert "more than 63" in refusal.detail


def test_a_checkpoint_signed_by_an_unknown_log_key_is_refused():
    refusal = refused(witness_at(12), signed_checkpoint(LOG, 20, signer=IMPOSTOR), LOG.consistency_proof(12, 20))
    assert refusal.reason == Reason.LOG_SIGNATURE_MISSING


def test_a_checkpoint_whose_log_signature_fails_is_refused():
    note = signed_checkpoint(LOG, 20).replace("\n20\n", "\n21\n")
    refusal = refused(witness_at(12), note, LOG.consistency_proof(12, 20))
    assert refusal.reason == Reason.LOG_SIGNATURE_INVALID


def test_a_checkpoint_of_an_unknown_log_is_refused():
    other = NoteSigner.from_seed("elsewhere.example/log", bytes(32))
    note = str(sign_note(Checkpoint("elsewhere.example/log", 1, LOG.root(1)).text(), other))
    assert refused(witness_at(12), note, []).reason == Reason.UNKNOWN_LOG


@pytest.mark.parametrize(
    "note",
    [
        "",
        "asylon.example/log\n20\n",
        str(sign_note("not a checkpoint\n", AUTHORITY)),
        str(sign_note(f"{ORIGIN}\n020\n{'A' * 43}=\n", AUTHORITY)),
    ],
)
def test_garbage_is_refused_as_malformed(note):
    assert refused(witness_at(12), note, []).reason == Reason.MALFORMED


@pytest.mark.parametrize(
    "now", [datetime(2026, 11, 20, 9, 30), datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=9)))]
)
def test_the_witness_takes_the_time_in_utc(now):
    with pytest.raises(ValueError, match="timezone-aware UTC"):
        unhcr_witness().cosign(signed_checkpoint(LOG, 5), [], now=now)


def test_the_witness_follows_each_log_separately():
    other = NoteSigner.from_seed("elsewhere.example/log", bytes(32))
    witness = Witness(UNHCR, {ORIGIN: [AUTHORITY.verifier_key], other.name: [other.verifier_key]})
    witness.cosign(signed_checkpoint(LOG, 30), [], now=NOW)
    elsewhere = str(sign_note(Checkpoint(other.name, 3, LOG.root(3)).text(), other))
    witness.cosign(elsewhere, [], now=NOW)
    assert (witness.latest(ORIGIN).size, witness.latest(other.name).size) == (30, 3)


@given(st.integers(0, 40), st.integers(0, 40))
def test_any_growth_is_cosigned_and_any_shrink_refused(first, second):
    witness = witness_at(first)
    note = signed_checkpoint(LOG, second)
    if second >= first:
        witness.cosign(note, LOG.consistency_proof(first, second), now=NOW)
        assert witness.latest(ORIGIN).size == second
    else:
        assert refused(witness, note, []).reason == Reason.TREE_SHRANK


@given(st.data())
def test_any_rewritten_history_is_refused(data):
    # A log that changed one entry the witness already covered cannot get a cosignature.
    first = data.draw(st.integers(1, 40))
    second = data.draw(st.integers(first, 40))
    changed = data.draw(st.integers(0, first - 1))
    entries = events(40)
    entries[changed] = b"rewritten"
    forked = build(entries)
    witness = witness_at(first)
    refusal = refused(witness, signed_checkpoint(forked, second), forked.consistency_proof(first, second))
    assert refusal.reason in {Reason.FORK, Reason.CONSISTENCY_PROOF_INVALID}
