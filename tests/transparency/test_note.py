"""Signed notes, verifier keys, checkpoints and cosignatures against the C2SP specs."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from asylon.transparency.note import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    Cosigner,
    InvalidSignature,
    MalformedCheckpoint,
    MalformedKey,
    MalformedNote,
    Note,
    NoteSignature,
    NoteSigner,
    UnverifiedNote,
    VerifierKey,
    cosignature_message,
    open_note,
    sign_note,
)

# --- Reference data -------------------------------------------------------------------

# golang.org/x/mod/sumdb/note, note.go's package documentation and note_test.go.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_LINE = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_LINE = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
GO_NOTE = GO_TEXT + "\n" + PETER_LINE

# c2sp.org/signed-note's example key, and a signature by it.
EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_NOTE = (
    "This is an example message.\n\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

# A real checkpoint of the Certificate Transparency staging log "arche2025h1", with the
# log's Ed25519 signature, an RFC 6962 signature (type 0x05, which we do not support) and
# cosignature/v1 lines from four public witnesses; remora.n621.de's is checked here.
# The lines are as long as the format makes them, hence the E501 exemption.
ARCHE_VKEY = "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
ARCHE_CHECKPOINT = """arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
"""  # noqa: E501

# Our own personas: the authority's log and a UNHCR witness, with fixed keys.
LOG = NoteSigner.from_seed("asylon.example/log", bytes(range(32)))
UNHCR = Cosigner.from_seed("unhcr.example/witness", bytes(range(32, 64)))
STRANGER = NoteSigner.from_seed("stranger.example/log", bytes(range(64, 96)))
CHECKPOINT = Checkpoint("asylon.example/log", 20852163, hashlib.sha256(b"root").digest())


def test_the_go_verifier_key_parses_to_its_parts():
    key = VerifierKey.parse(PETER_VKEY)
    assert (key.name, key.algorithm, key.key_id.hex()) == ("PeterNeumann", ED25519, "c74f20a3")
    assert str(key) == PETER_VKEY


def test_signing_reproduces_the_go_note_byte_for_byte():
    # Ed25519 is deterministic (RFC 8032), so the same key and text give the same note.
    signer = NoteSigner.from_skey(PETER_SKEY)
    assert str(signer.verifier_key) == PETER_VKEY
    assert signer.skey() == PETER_SKEY
    assert str(sign_note(GO_TEXT, signer)) == GO_NOTE


def test_the_go_doubly_signed_note_verifies_with_both_keys():
    peter, enoch = VerifierKey.parse(PETER_VKEY), VerifierKey.parse(ENOCH_VKEY)
    opened = open_note(GO_NOTE + ENOCH_LINE, [peter, enoch])
    assert opened.text == GO_TEXT
    assert [key for key, _ in opened.verified] == [peter, enoch]


def test_the_signed_note_spec_example_verifies():
    opened = open_note(EXAMPLE_NOTE, [VerifierKey.parse(EXAMPLE_VKEY)])
    assert opened.text == "This is an example message.\n"


def test_a_real_ct_checkpoint_verifies_with_its_log_key_and_a_public_witness_cosignature():
    log, remora = VerifierKey.parse(ARCHE_VKEY), VerifierKey.parse(REMORA_VKEY)
    assert remora.algorithm == COSIGNATURE_V1  # its key ID is computed with 0x04
    opened = open_note(ARCHE_CHECKPOINT, [log, remora])
    assert [key for key, _ in opened.verified] == [log, remora]
    assert opened.signatures_by(remora)[0].timestamp == 1779573024
    checkpoint = Checkpoint.parse(opened.text)
    assert (checkpoint.origin, checkpoint.size) == ("arche2025h1.staging.ct.transparency.dev", 1432088532)
    assert checkpoint.text() == opened.text


def test_a_real_checkpoint_with_a_changed_size_fails_both_signatures():
    tampered = ARCHE_CHECKPOINT.replace("1432088532", "1432088533")
    for vkey in (ARCHE_VKEY, REMORA_VKEY):
        with pytest.raises(InvalidSignature, match="does not verify"):
            open_note(tampered, [VerifierKey.parse(vkey)])


def test_a_key_the_note_lacks_leaves_it_unverified():
    with pytest.raises(UnverifiedNote, match="no valid signature from a known key"):
        open_note(ARCHE_CHECKPOINT, [VerifierKey.parse(EXAMPLE_VKEY)])


# --- Signing and opening our own notes ------------------------------------------------


def test_a_signed_note_round_trips():
    note = sign_note(CHECKPOINT.text(), LOG)
    parsed = Note.parse(str(note))
    assert parsed == note
    assert Note.parse(str(note).encode()) == note
    assert open_note(str(note), [LOG.verifier_key]).verified == ((LOG.verifier_key, note.signatures[0]),)


def test_a_modified_text_fails():
    note = str(sign_note(CHECKPOINT.text(), LOG)).replace("20852163", "20852164")
    with pytest.raises(InvalidSignature, match=re.escape("asylon.example/log")):
        open_note(note, [LOG.verifier_key])


def test_a_signature_by_an_unknown_key_is_ignored():
    note = sign_note(CHECKPOINT.text(), LOG, STRANGER)
    opened = open_note(str(note), [LOG.verifier_key])
    assert [key for key, _ in opened.verified] == [LOG.verifier_key]
    assert not opened.signed_by(STRANGER.verifier_key)


def test_a_note_signed_only_by_unknown_keys_fails():
    with pytest.raises(UnverifiedNote):
        open_note(str(sign_note(CHECKPOINT.text(), STRANGER)), [LOG.verifier_key])


def test_a_key_sharing_only_the_name_is_another_key():
    # c2sp.org/signed-note: a signature is by a known key only if name AND key ID match.
    impostor = NoteSigner.from_seed("asylon.example/log", b"\x07" * 32)
    with pytest.raises(UnverifiedNote):
        open_note(str(sign_note(CHECKPOINT.text(), impostor)), [LOG.verifier_key])


def test_a_bad_signature_by_a_known_key_rejects_the_whole_note():
    good = sign_note(CHECKPOINT.text(), LOG, STRANGER)
    forged = NoteSignature(STRANGER.name, STRANGER.verifier_key.key_id, b"\x00" * 64)
    note = good.with_signatures(forged)
    with pytest.raises(InvalidSignature, match=re.escape("stranger.example/log")):
        open_note(str(note), [LOG.verifier_key, STRANGER.verifier_key])


def test_adding_a_signature_by_the_same_key_replaces_it():
    note = sign_note(CHECKPOINT.text(), LOG)
    again = note.with_signatures(LOG.sign(CHECKPOINT.text()), STRANGER.sign(CHECKPOINT.text()))
    assert [s.name for s in again.signatures] == [LOG.name, STRANGER.name]


def test_two_known_keys_with_one_identity_are_refused(monkeypatch):
    # Distinct keys share a name and key ID only by a 32-bit accident; simulate one.
    first, second = VerifierKey(LOG.name, ED25519, b"\x01" * 32), VerifierKey(LOG.name, ED25519, b"\x02" * 32)
    monkeypatch.setattr(VerifierKey, "key_id", property(lambda self: b"\x00\x00\x00\x00"))
    with pytest.raises(ValueError, match="share the name and key ID"):
        open_note(SIGNED, [first, second])


SIGNED = str(sign_note(CHECKPOINT.text(), LOG))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SIGNED.replace("\n\n", "\n"), "no blank line separates the text from the signatures"),
        (CHECKPOINT.text() + "\n", "no signature lines"),
        (SIGNED[:-1], "does not end in a newline"),
        (SIGNED[:-20] + "\n", "signature on line 1 is not valid base64"),
        (SIGNED.replace("—", "-"), "does not start with an em dash"),
        (SIGNED.replace("—", "–"), "does not start with an em dash"),  # an en dash
        (SIGNED.replace("— ", "—"), "does not start with an em dash"),
        (SIGNED.replace("— asylon.example/log ", "— asylon.example/log"), "no signature after the key name"),
        (SIGNED.replace("— asylon.example/log ", "—  "), "key name is empty"),
        (SIGNED.replace("asylon.example/log ", "asylon+log "), "contains a space or a plus sign"),
        (SIGNED.replace("=\n", "=\n— x AAAA\n"), "too short to hold a key ID"),
        (SIGNED.replace("=\n", "=\n— x AAAA AAAA\n"), "line 2 is not valid base64"),
        (SIGNED.replace("=\n", "=\n\n"), "no signature lines"),
        (SIGNED.replace("20852163", "2085\t2163"), "forbidden character '\\\\t'"),
        (SIGNED.replace("20852163", "2085\r2163"), "forbidden character '\\\\r'"),
        (SIGNED.encode().replace(b"20852163", b"2085\xff2163"), "not valid UTF-8"),
        (CHECKPOINT.text() + "\n" + "— x AAAAAAA=\n" * 101, "more than 100 signatures"),
        ("", "no blank line"),
    ],
)
def test_malformed_notes_are_refused_with_the_reason(data, message):
    with pytest.raises(MalformedNote, match=message):
        open_note(data, [LOG.verifier_key])


def test_non_canonical_base64_is_refused():
    line = SIGNED.splitlines()[-1]
    encoded = line.split(" ")[-1]
    raw = base64.b64decode(encoded)
    # Base64 of 68 bytes ends in "=" after a character with 4 unused bits; set one of them.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = encoded[-2]
    sloppy = encoded[:-2] + alphabet[alphabet.index(last) | 1] + "="
    assert base64.b64decode(sloppy) == raw
    with pytest.raises(MalformedNote, match="not canonical base64"):
        Note.parse(SIGNED.replace(encoded, sloppy))


# --- Verifier keys --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("PeterNeumann+c74f20a3", "<name>\\+<key ID>\\+<key>"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not 8 hexadecimal digits"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "not valid base64"),
        ("PeterNeumann+c74f20a3+AhpjMXC7nSB0EABhk3LTVNdHGBf/fG5Y9ghk8C2nGF2G", "0x02 is not supported"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy", "32 bytes, not 29"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name is empty"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "contains a space"),
        ("PeterNeumann+c74f20a3+", "the key is empty"),
    ],
)
def test_malformed_verifier_keys_are_refused_with_the_reason(vkey, message):
    with pytest.raises(MalformedKey, match=message):
        VerifierKey.parse(vkey)


def test_every_truncation_of_a_verifier_key_is_refused():
    for end in range(len(PETER_VKEY)):
        with pytest.raises(MalformedKey):
            VerifierKey.parse(PETER_VKEY[:end])


@pytest.mark.parametrize(
    ("skey", "message"),
    [
        (PETER_SKEY.replace("PRIVATE+KEY", "PUBLIC+KEY"), "PRIVATE\\+KEY"),
        (PETER_SKEY.replace("c74f20a3", "c74f20a4"), "does not match"),
        (PETER_SKEY.replace("+AYEK", "+BIEK"), "has signature type 0x01"),
    ],
)
def test_malformed_signer_keys_are_refused(skey, message):
    with pytest.raises(MalformedKey, match=message):
        NoteSigner.from_skey(skey)


# --- Checkpoints (c2sp.org/tlog-checkpoint) -------------------------------------------


def test_a_checkpoint_body_is_origin_size_and_base64_root():
    root = base64.b64encode(CHECKPOINT.root).decode()
    assert CHECKPOINT.text() == f"asylon.example/log\n20852163\n{root}\n"
    with_extension = Checkpoint("o", 0, CHECKPOINT.root, ("ext one", "ext two"))
    assert with_extension.text() == f"o\n0\n{root}\next one\next two\n"
    assert Checkpoint.parse(with_extension.text()) == with_extension


origins = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1).filter(lambda s: "\n" not in s)


@given(
    origin=origins,
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(origins, max_size=3).map(tuple),
)
def test_checkpoints_round_trip(origin, size, root, extensions):
    checkpoint = Checkpoint(origin, size, root, extensions)
    assert Checkpoint.parse(checkpoint.text()) == checkpoint


ROOT_LINE = base64.b64encode(CHECKPOINT.root).decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"o\n007\n{ROOT_LINE}\n", "without leading zeros"),
        (f"o\n+5\n{ROOT_LINE}\n", "without leading zeros"),
        (f"o\n-5\n{ROOT_LINE}\n", "without leading zeros"),
        (f"o\n 5\n{ROOT_LINE}\n", "without leading zeros"),
        (f"o\n1_000\n{ROOT_LINE}\n", "without leading zeros"),
        (f"o\n\u0663\n{ROOT_LINE}\n", "without leading zeros"),  # an Arabic-Indic three
        (f"o\n{2**64}\n{ROOT_LINE}\n", "not between 0 and 2\\^64 - 1"),
        (f"o\n5\n{ROOT_LINE}", "does not end in a newline"),
        ("o\n5\n", "at least 3 lines, not 2"),
        (f"\n5\n{ROOT_LINE}\n", "origin line is empty"),
        (f"o\n5\n{ROOT_LINE}\n\n", "an empty extension line"),
        ("o\n5\nAAAA\n", "32 bytes, not 3"),
        ("o\n5\nnot base64!\n", "root hash is not valid base64"),
    ],
)
def test_malformed_checkpoints_are_refused_with_the_reason(text, message):
    with pytest.raises(MalformedCheckpoint, match=message):
        Checkpoint.parse(text)


# --- Cosignatures (c2sp.org/tlog-cosignature) -----------------------------------------


def test_a_cosignature_signs_the_header_the_time_and_the_checkpoint():
    signature = UNHCR.cosign(CHECKPOINT.text(), 1679315147)
    public = UNHCR.verifier_key.public_key
    assert signature.key_id == hashlib.sha256(b"unhcr.example/witness\n\x04" + public).digest()[:4]
    assert signature.timestamp == 1679315147
    assert signature.signature[:8] == (1679315147).to_bytes(8, "big")
    message = b"cosignature/v1\ntime 1679315147\n" + CHECKPOINT.text().encode()
    assert cosignature_message(CHECKPOINT.text(), 1679315147) == message
    Ed25519PublicKey.from_public_bytes(public).verify(signature.signature[8:], message)


def test_a_cosigned_checkpoint_verifies_with_log_and_witness_keys():
    note = sign_note(CHECKPOINT.text(), LOG).with_signatures(UNHCR.cosign(CHECKPOINT.text(), 1_800_000_000))
    opened = open_note(str(note), [LOG.verifier_key, UNHCR.verifier_key])
    assert [key for key, _ in opened.verified] == [LOG.verifier_key, UNHCR.verifier_key]
    assert opened.signatures_by(UNHCR.verifier_key)[0].timestamp == 1_800_000_000


def test_a_cosignature_with_a_changed_timestamp_fails():
    signature = UNHCR.cosign(CHECKPOINT.text(), 1_800_000_000)
    moved = NoteSignature(
        signature.name, signature.key_id, (1_800_000_001).to_bytes(8, "big") + signature.signature[8:]
    )
    note = sign_note(CHECKPOINT.text(), LOG).with_signatures(moved)
    with pytest.raises(InvalidSignature, match=re.escape("unhcr.example/witness")):
        open_note(str(note), [UNHCR.verifier_key])


def test_a_plain_signature_is_not_a_cosignature():
    # The same key pair under type 0x01 and 0x04 has two key IDs, so the domains never mix.
    plain = NoteSigner.from_seed(UNHCR.name, bytes(range(32, 64)))
    assert plain.verifier_key.key_id != UNHCR.verifier_key.key_id
    with pytest.raises(UnverifiedNote):
        open_note(str(sign_note(CHECKPOINT.text(), plain)), [UNHCR.verifier_key])


@pytest.mark.parametrize("timestamp", [-1, 2**63])
def test_cosignature_timestamps_stay_in_range(timestamp):
    with pytest.raises(ValueError, match="not between 0 and 2\\^63 - 1"):
        UNHCR.cosign(CHECKPOINT.text(), timestamp)


def test_a_cosigner_key_round_trips_through_its_secret_encoding():
    again = Cosigner.from_skey(UNHCR.skey())
    assert again.verifier_key == UNHCR.verifier_key
    assert VerifierKey.parse(str(UNHCR.verifier_key)) == UNHCR.verifier_key
