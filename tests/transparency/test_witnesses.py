"""`asylon witness` cosigns only checkpoints that extend the last one it saw; a checkpoint is
published once a quorum of the configured witnesses has cosigned it."""

from __future__ import annotations

import json
import stat

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from asylon.accounts.models import ApiToken
from asylon.procedure import case as p
from asylon.transparency.models import Checkpoint, Cosignature
from asylon.transparency.note import COSIGNATURE_V1, Cosigner, Note, NoteSigner, VerifierKey, open_note, sign_note
from asylon.transparency.note import Checkpoint as CheckpointBody
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


class Monitor:
    """A monitor's witness: its key file and state file, and the command it runs."""

    def __init__(self, folder, name: str, capsys) -> None:
        self.key = folder / f"{name}.key"
        self.state = folder / f"{name}.state"
        self.folder = folder
        self.capsys = capsys
        call_command("witness", key=str(self.key), new_key=f"{name}.example/witness")
        self.verifier_key = VerifierKey.parse(capsys.readouterr().out.strip())

    def cosign(self, note: str, *, proof: dict | None = None, log_key: VerifierKey | None = None) -> str:
        checkpoint = self.folder / "checkpoint.txt"
        checkpoint.write_text(note, encoding="utf-8")
        options = {"key": str(self.key), "state": str(self.state)}
        options["log_key"] = str(log_key or LogKey.load().signer.verifier_key)
        if proof is not None:
            (self.folder / "proof.json").write_text(json.dumps(proof), encoding="utf-8")
            options["proof"] = str(self.folder / "proof.json")
        call_command("witness", str(checkpoint), **options)
        return self.capsys.readouterr().out


def _consistency(old: int, new: int, capsys) -> dict:
    call_command("log_proof", "consistency", str(old), str(new))
    return json.loads(capsys.readouterr().out)


def test_a_monitor_makes_a_witness_key_that_is_never_overwritten(tmp_path, capsys):
    monitor = Monitor(tmp_path, "unhcr", capsys)
    assert monitor.verifier_key.algorithm == COSIGNATURE_V1
    assert stat.S_IMODE(monitor.key.stat().st_mode) == 0o600
    assert Cosigner.from_skey(monitor.key.read_text().strip()).verifier_key == monitor.verifier_key
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("witness", key=str(monitor.key), new_key="unhcr.example/witness")


def test_the_witness_cosigns_a_first_checkpoint_then_only_one_proved_consistent(decided, staff, tmp_path, capsys):
    monitor = Monitor(tmp_path, "unhcr", capsys)
    first = checkpoint_sign()
    line = monitor.cosign(first.note)
    assert open_note(first.note + line, [monitor.verifier_key]).signed_by(monitor.verifier_key)

    walk_to(staff, open_case(staff), p.State.REGISTERED)
    second = checkpoint_sign()
    state = monitor.state.read_text()
    with pytest.raises(CommandError, match="consistency_proof_invalid"):
        monitor.cosign(second.note)
    assert monitor.state.read_text() == state
    line = monitor.cosign(second.note, proof=_consistency(first.size, second.size, capsys))
    assert open_note(second.note + line, [monitor.verifier_key]).signed_by(monitor.verifier_key)
    assert str(second.size) in monitor.state.read_text()


def test_the_witness_refuses_a_fork_a_shrunk_tree_and_a_proof_to_another_size(decided, staff, tmp_path, capsys):
    monitor = Monitor(tmp_path, "unhcr", capsys)
    first = checkpoint_sign()
    walk_to(staff, open_case(staff), p.State.REGISTERED)
    second = checkpoint_sign()
    monitor.cosign(second.note)
    log = LogKey.load().signer
    forked = CheckpointBody(first.note.split("\n")[0], second.size, bytes(32)).text()
    with pytest.raises(CommandError, match="fork"):
        monitor.cosign(str(sign_note(forked, log)))
    with pytest.raises(CommandError, match="tree_shrank"):
        monitor.cosign(first.note)
    with pytest.raises(CommandError, match="the proof is to size"):
        monitor.cosign(second.note, proof=_consistency(first.size, second.size - 1, capsys))


def test_the_witness_refuses_a_checkpoint_not_signed_by_the_log_it_follows(decided, tmp_path, capsys):
    monitor = Monitor(tmp_path, "unhcr", capsys)
    checkpoint = checkpoint_sign()
    monitor.cosign(checkpoint.note)
    impostor = NoteSigner.generate(LogKey.load().signer.name)
    text = Note.parse(checkpoint.note).text
    with pytest.raises(CommandError, match="log_signature_missing"):
        monitor.cosign(str(sign_note(text, impostor)))
    with pytest.raises(CommandError, match="differs from the log key kept"):
        monitor.cosign(str(sign_note(text, impostor)), log_key=impostor.verifier_key)


def test_a_checkpoint_is_published_once_a_quorum_of_witnesses_cosigned_it(decided, staff, tmp_path, capsys, settings):
    unhcr, rapporteur, third = (Monitor(tmp_path, name, capsys) for name in ("unhcr", "ohchr", "ngo"))
    settings.ASYLON_WITNESS_KEYS = [str(unhcr.verifier_key), str(rapporteur.verifier_key)]
    settings.ASYLON_WITNESS_QUORUM = 2
    checkpoint = checkpoint_sign()
    client = api(staff.monitor)
    assert client.get("/api/log/checkpoint").status_code == 404
    assert client.get("/api/log/checkpoint?published=false").json()["id"] == checkpoint.pk

    url = f"/api/log/checkpoints/{checkpoint.pk}/cosignatures"
    for witness in (unhcr, unhcr):
        answer = client.post(url, {"line": witness.cosign(checkpoint.note)}, content_type="application/json")
        assert (answer.status_code, answer.json()["published"]) == (201, False)
    assert Cosignature.objects.count() == 1
    answer = client.post(url, {"line": rapporteur.cosign(checkpoint.note)}, content_type="application/json")
    assert (answer.status_code, answer.json()["published"]) == (201, True)

    published = client.get("/api/log/checkpoint").json()
    assert (published["id"], published["published"]) == (checkpoint.pk, True)
    verified = open_note(
        published["note"], [LogKey.load().signer.verifier_key, unhcr.verifier_key, rapporteur.verifier_key]
    )
    assert len(verified.verified) == 3
    plain = client.get("/api/log/checkpoint", HTTP_ACCEPT="text/plain")
    assert (plain["Content-Type"], plain.content.decode()) == ("text/plain; charset=utf-8", published["note"])

    unknown = client.post(url, {"line": third.cosign(checkpoint.note)}, content_type="application/json")
    assert (unknown.status_code, list(unknown.json()["errors"])) == (422, ["line"])


def test_a_cosignature_of_another_checkpoint_or_by_another_role_is_refused(decided, staff, tmp_path, capsys, settings):
    unhcr = Monitor(tmp_path, "unhcr", capsys)
    settings.ASYLON_WITNESS_KEYS = [str(unhcr.verifier_key)]
    first = checkpoint_sign()
    walk_to(staff, open_case(staff), p.State.REGISTERED)
    second = checkpoint_sign()
    line = unhcr.cosign(second.note)
    monitor = api(staff.monitor)
    wrong = monitor.post(
        f"/api/log/checkpoints/{first.pk}/cosignatures", {"line": line}, content_type="application/json"
    )
    assert wrong.status_code == 422
    missing = monitor.post("/api/log/checkpoints/999/cosignatures", {"line": line}, content_type="application/json")
    assert missing.status_code == 404
    registrar = api(staff.registrar).post(
        f"/api/log/checkpoints/{second.pk}/cosignatures", {"line": line}, content_type="application/json"
    )
    assert registrar.status_code == 403
    assert not Cosignature.objects.exists()
    assert Checkpoint.objects.count() == 2
