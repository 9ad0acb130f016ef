"""A proof bundle is checked offline, with the log's key alone (and witnesses' keys, if asked)."""

from __future__ import annotations

import ast
from pathlib import Path

import asylon.transparency
from asylon.transparency.bundle import bundle_make, verify_bundle
from asylon.transparency.merkle import MerkleTree
from asylon.transparency.note import Checkpoint, Cosigner, NoteSigner, sign_note

ORIGIN = "asylon.example/log"
LOG = NoteSigner.from_seed(ORIGIN, bytes(range(32)))
UNHCR = Cosigner.from_seed("unhcr.example/witness", bytes(range(1, 33)))
RAPPORTEUR = Cosigner.from_seed("ohchr.example/witness", bytes(range(2, 34)))


def _bundle(index: int = 5, size: int = 11, *cosigners: Cosigner) -> dict:
    tree = MerkleTree()
    entries = [f'{{"kind":"event","n":{i}}}'.encode() for i in range(size)]
    tree.append_many(entries)
    note = sign_note(Checkpoint(ORIGIN, size, tree.root()).text(), LOG)
    note = note.with_signatures(*(c.cosign(note.text, 1_790_000_000) for c in cosigners))
    return bundle_make(entries[index], index, tree.inclusion_proof(index), str(note))


def test_a_bundle_verifies_with_the_log_key_alone():
    assert verify_bundle(_bundle(), LOG.verifier_key)
    assert verify_bundle(_bundle(0, 1), str(LOG.verifier_key))


def test_a_bundle_for_another_entry_or_index_fails():
    bundle = _bundle()
    assert not verify_bundle({**bundle, "entry": _bundle(6)["entry"]}, LOG.verifier_key)
    assert not verify_bundle({**bundle, "index": 6}, LOG.verifier_key)
    assert not verify_bundle({**bundle, "index": True}, LOG.verifier_key)
    assert not verify_bundle({**bundle, "inclusion": ["zz"]}, LOG.verifier_key)


def test_a_bundle_signed_by_another_key_fails():
    assert not verify_bundle(_bundle(), NoteSigner.generate(ORIGIN).verifier_key)
    assert not verify_bundle(_bundle(), "not a key")


def test_a_quorum_of_witnesses_is_checked_when_asked():
    witnesses = [UNHCR.verifier_key, RAPPORTEUR.verifier_key]
    assert verify_bundle(_bundle(5, 11, UNHCR, RAPPORTEUR), LOG.verifier_key, witnesses=witnesses, quorum=2)
    assert not verify_bundle(_bundle(5, 11, UNHCR), LOG.verifier_key, witnesses=witnesses, quorum=2)
    assert not verify_bundle(_bundle(), LOG.verifier_key, witnesses=witnesses, quorum=1)


def test_the_bundle_module_imports_no_framework():
    # A lawyer's verifier needs nothing of Asylon's server.
    tree = ast.parse((Path(asylon.transparency.__file__).parent / "bundle.py").read_text(encoding="utf-8"))
    modules = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""])
    }
    assert {m for m in modules if not m.startswith("asylon.transparency.")} <= {
        "__future__",
        "base64",
        "binascii",
        "json",
        "collections.abc",
        "typing",
    }
