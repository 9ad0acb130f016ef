"""Proofs over the API and the command line, read from the stored hashes; proof bundles that an
applicant's lawyer checks offline with the log's public key alone."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from asylon.accounts.models import ApiToken
from asylon.cases.models import Event
from asylon.documents.models import Document
from asylon.procedure import case as p
from asylon.transparency import services as log
from asylon.transparency.bundle import verify_bundle
from asylon.transparency.merkle import leaf_hash, verify_consistency, verify_inclusion
from asylon.transparency.models import Checkpoint, LogEntry
from asylon.transparency.note import NoteSigner
from asylon.transparency.services import LogKey, checkpoint_sign
from tests.services.helpers import open_case, principal, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def _fast_password_hashing(settings):
    # This folder's conftest turns the suite-wide fixture off; these tests need the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def decided(_fast_password_hashing, staff):
    return walk_to(staff, open_case(staff, principal("리순희")), p.State.DECIDED)


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.create_for(user)}"})


def _hashes(answer: dict) -> list[bytes]:
    return [bytes.fromhex(h) for h in answer["hashes"]]


def test_an_inclusion_proof_from_the_api_verifies_against_a_signed_checkpoint(decided, staff):
    checkpoint = checkpoint_sign()
    decide = LogEntry.objects.get(event_id=Event.objects.get(type="decide").pk)
    client = api(staff.monitor)
    entry = client.get(f"/api/log/entries/{decide.index}").json()
    assert entry["public"]["type"] == "decide"
    proof = client.get(f"/api/log/proof/inclusion?index={decide.index}&size={checkpoint.size}").json()
    body = base64.b64decode(entry["body"])
    verify_inclusion(leaf_hash(body), decide.index, checkpoint.size, _hashes(proof), bytes(checkpoint.root))


def test_a_consistency_proof_from_the_api_verifies_between_two_checkpoints(decided, staff):
    old = checkpoint_sign()
    walk_to(staff, open_case(staff), p.State.REGISTERED)
    new = checkpoint_sign()
    assert new.size > old.size
    proof = api(staff.ngo).get(f"/api/log/proof/consistency?old={old.size}&new={new.size}").json()
    assert (proof["old"], proof["new"]) == (old.size, new.size)
    verify_consistency(old.size, new.size, _hashes(proof), bytes(old.root), bytes(new.root))


def test_a_proof_for_a_size_the_log_never_had_is_refused_as_invalid(decided, staff):
    size = log.inclusion_proof(0).size
    client = api(staff.monitor)
    answer = client.get(f"/api/log/proof/inclusion?index=0&size={size + 1}")
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"size"}
    assert client.get(f"/api/log/proof/inclusion?index={size}").json()["errors"].keys() == {"index"}
    assert client.get(f"/api/log/proof/consistency?old={size}&new=1").json()["errors"].keys() == {"old"}
    assert client.get(f"/api/log/entries/{size}").status_code == 404
    assert client.get(f"/api/log/entries/{2**62}").status_code == 404


def test_an_account_with_no_role_reads_nothing_of_the_log(decided, staff):
    client = api(staff.outsider)
    for path in ("/api/log/entries/0", "/api/log/proof/inclusion?index=0", "/api/log/checkpoint"):
        assert client.get(path).status_code == 403, path


def test_the_command_line_prints_the_proofs_the_api_gives(decided, staff, capsys):
    checkpoint = checkpoint_sign()
    call_command("log_proof", "inclusion", "2", "--size", str(checkpoint.size))
    printed = json.loads(capsys.readouterr().out)
    assert printed == api(staff.monitor).get(f"/api/log/proof/inclusion?index=2&size={checkpoint.size}").json()
    call_command("log_proof", "consistency", "3", str(checkpoint.size))
    printed = json.loads(capsys.readouterr().out)
    assert printed == log.consistency_proof(3, checkpoint.size).as_json()
    with pytest.raises(CommandError, match="no entry"):
        call_command("log_proof", "inclusion", str(checkpoint.size))


def test_a_decision_carries_a_proof_bundle_that_verifies_offline(decided, staff):
    seq = Event.objects.get(type="decide").seq
    answer = api(staff.reviewer).get(f"/api/cases/{decided.pk}/events/{seq}/proof")
    assert answer.status_code == 200, answer.content
    bundle = answer.json()
    key = LogKey.load().signer.verifier_key
    assert verify_bundle(bundle, key)
    assert verify_bundle(json.dumps(bundle), str(key))
    # None covered it, so one was signed for the bundle; the next bundle reuses it.
    assert Checkpoint.objects.count() == 1
    api(staff.reviewer).get(f"/api/cases/{decided.pk}/events/1/proof")
    assert Checkpoint.objects.count() == 1
    assert json.loads(base64.b64decode(bundle["entry"]))["type"] == "decide"


def test_a_tampered_bundle_or_another_key_fails(decided, staff):
    seq = Event.objects.get(type="decide").seq
    bundle = api(staff.reviewer).get(f"/api/cases/{decided.pk}/events/{seq}/proof").json()
    key = LogKey.load().signer.verifier_key
    body = json.loads(base64.b64decode(bundle["entry"]))
    tampered = [
        {**bundle, "entry": base64.b64encode(json.dumps({**body, "outcome": "refugee_status"}).encode()).decode()},
        {**bundle, "index": bundle["index"] + 1},
        {**bundle, "inclusion": bundle["inclusion"][:-1]},
        {**bundle, "inclusion": [h[::-1] for h in bundle["inclusion"]]},
        {**bundle, "checkpoint": bundle["checkpoint"].replace("\n", "\n\n", 1)},
        {k: v for k, v in bundle.items() if k != "inclusion"},
        "not json",
    ]
    assert [verify_bundle(t, key) for t in tampered] == [False] * len(tampered)
    assert not verify_bundle(bundle, NoteSigner.generate(key.name).verifier_key)


def test_a_document_carries_a_proof_bundle_of_its_issuance(decided, staff):
    document = Document.objects.get(person=decided.principal)
    bundle = api(staff.reviewer).get(f"/api/documents/{document.pk}/proof").json()
    assert verify_bundle(bundle, LogKey.load().signer.verifier_key)
    entry = json.loads(base64.b64decode(bundle["entry"]))
    assert (entry["kind"], entry["action"], entry["person"]) == (
        "document",
        "issued",
        log.pseudonym("person", document.person_id),
    )


def test_a_proof_bundle_is_kept_from_whoever_may_not_see_the_case(decided, staff):
    document = Document.objects.get(person=decided.principal)
    for user in (staff.outsider, staff.monitor):
        client = api(user)
        assert client.get(f"/api/cases/{decided.pk}/events/1/proof").status_code == 404
        assert client.get(f"/api/documents/{document.pk}/proof").status_code == 404
    assert api(staff.reviewer).get(f"/api/cases/{decided.pk}/events/999/proof").status_code == 404
