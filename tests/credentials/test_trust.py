"""The trust list: signed by the root, refused when altered, and keeping old keys through rotation."""

import hashlib
from dataclasses import replace
from datetime import timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from asylon.credentials import cose, keys, trust
from asylon.credentials.issue import document_sign
from asylon.credentials.verify import Code, document_verify
from tests.credentials.world import AUTHORITY, NOW, RI_SUN_HUI, Authority, inflate, signer


def signed_list(authority: Authority, *signers: trust.DocumentSigner, version: int = 1) -> bytes:
    unsigned = trust.TrustList(
        authority=AUTHORITY, version=version, issued_at=NOW, keys=tuple(s.trusted for s in signers)
    )
    return trust.trust_list_sign(unsigned, root=authority.root)


def test_a_signed_list_loads_and_finds_each_key_by_kid():
    authority = Authority()
    loaded = trust.trust_list_load(
        signed_list(authority, authority.seoul, authority.busan), roots=[authority.root.public_key()]
    )
    assert (loaded.authority, loaded.version, loaded.issued_at) == (AUTHORITY, 1, NOW)
    assert loaded.find(authority.seoul.trusted.kid) == (authority.seoul.trusted,)
    assert loaded.find(authority.busan.trusted.kid)[0].office == "BUSAN"
    assert loaded.find(b"\x00" * 8) == ()


def test_the_kid_is_the_first_eight_bytes_of_the_spki_sha256():
    key = keys.private_key_generate().public_key()
    assert keys.kid_of(key) == hashlib.sha256(keys.spki(key)).digest()[:8]


def test_a_list_with_any_byte_changed_is_refused():
    authority = Authority()
    signed = signed_list(authority, authority.seoul)
    refused = 0
    for position in range(len(signed)):
        tampered = bytearray(signed)
        tampered[position] ^= 0x04
        with pytest.raises(trust.TrustListRejected):
            trust.trust_list_load(bytes(tampered), roots=[authority.root.public_key()])
        refused += 1
    assert refused == len(signed)


def test_a_list_signed_by_another_root_is_refused():
    authority, impostor = Authority(), Authority()
    with pytest.raises(trust.TrustListRejected, match="not signed by a pinned root"):
        trust.trust_list_load(signed_list(impostor, impostor.seoul), roots=[authority.root.public_key()])


def test_a_list_signed_by_a_signer_key_under_the_roots_kid_is_refused():
    authority = Authority()
    payload = trust.trust_list_encode(trust.TrustList(authority=AUTHORITY, version=1, issued_at=NOW, keys=()))
    forged = cose.sign1(
        payload,
        key=authority.seoul.private_key,
        kid=keys.kid_of(authority.root.public_key()),
        external_aad=trust.TRUST_LIST_AAD,
    )
    with pytest.raises(trust.TrustListRejected, match="does not verify"):
        trust.trust_list_load(forged, roots=[authority.root.public_key()])


def test_a_document_is_not_a_trust_list():
    authority = Authority()
    with pytest.raises(trust.TrustListRejected):
        trust.trust_list_load(inflate(authority.issue()), roots=[authority.seoul.private_key.public_key()])


def _sign_body(authority: Authority, body: object) -> bytes:
    return cose.sign1(
        cbor2.dumps(body),
        key=authority.root,
        kid=keys.kid_of(authority.root.public_key()),
        external_aad=trust.TRUST_LIST_AAD,
    )


def _entry(signer_: trust.DocumentSigner) -> dict[int, object]:
    cbor = cbor2.loads(trust.trust_list_encode(trust.TrustList(AUTHORITY, 1, NOW, (signer_.trusted,))))
    return cbor[4][0]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda e: {**e, 1: b"\x00" * 8}, "kid is not the fingerprint"),
        (lambda e: {**e, 3: b"not a key"}, "not a SubjectPublicKeyInfo"),
        (lambda e: {**e, 3: "text"}, "not bytes"),
        (lambda e: {**e, 2: ""}, "office is not text"),
        (lambda e: {**e, 4: e[5] + 1}, "ends before it starts"),
        (lambda e: {**e, 5: -1}, "not a time"),
        (lambda e: {**e, 6: "extra"}, "exactly kid, office, key and period"),
    ],
)
def test_a_signed_list_with_a_malformed_key_is_refused(change, says):
    authority = Authority()
    body = {1: AUTHORITY, 2: 1, 3: 0, 4: [change(_entry(authority.seoul))]}
    with pytest.raises(trust.TrustListRejected, match=says):
        trust.trust_list_load(_sign_body(authority, body), roots=[authority.root.public_key()])


def test_a_p384_key_cannot_be_listed():
    authority = Authority()
    p384 = keys.spki(ec.generate_private_key(ec.SECP384R1()).public_key())
    body = {1: AUTHORITY, 2: 1, 3: 0, 4: [{**_entry(authority.seoul), 3: p384}]}
    with pytest.raises(trust.TrustListRejected, match="not a P-256 key"):
        trust.trust_list_load(_sign_body(authority, body), roots=[authority.root.public_key()])


@pytest.mark.parametrize(
    "body", [[], {1: AUTHORITY, 2: 1, 3: 0}, {1: AUTHORITY, 2: -1, 3: 0, 4: []}, {1: "", 2: 1, 3: 0, 4: []}]
)
def test_a_signed_list_of_the_wrong_shape_is_refused(body):
    authority = Authority()
    with pytest.raises(trust.TrustListRejected):
        trust.trust_list_load(_sign_body(authority, body), roots=[authority.root.public_key()])


def test_an_older_list_or_another_authoritys_cannot_replace_the_one_held():
    authority = Authority()
    roots = [authority.root.public_key()]
    held = trust.trust_list_load(signed_list(authority, authority.seoul, version=5), roots=roots)
    with pytest.raises(trust.TrustListRejected, match="older than version 5"):
        trust.trust_list_load(signed_list(authority, authority.seoul, version=4), roots=roots, previous=held)
    assert trust.trust_list_load(signed_list(authority, version=5), roots=roots, previous=held).keys == ()
    with pytest.raises(trust.TrustListRejected, match="not 'JP-MOJ'"):
        trust.trust_list_load(
            signed_list(authority, version=6), roots=roots, previous=replace(held, authority="JP-MOJ")
        )


def test_a_new_root_can_be_pinned_beside_the_old_one():
    old, new = Authority(), Authority()
    loaded = trust.trust_list_load(signed_list(new, new.seoul), roots=[old.root.public_key(), new.root.public_key()])
    assert loaded.keys == (new.seoul.trusted,)


def test_rotation_keeps_documents_signed_by_the_old_key_valid():
    authority = Authority()
    old = signer("SEOUL", NOW - timedelta(days=400))  # signs until NOW + 25 days
    new = signer("SEOUL", NOW - timedelta(days=5))  # overlaps the old key's last month
    assert old.signs_from < new.signs_from < old.signs_until
    before_rotation = NOW - timedelta(days=10)
    assert trust.signer_current([old, new], office="SEOUL", now=before_rotation) is old
    assert trust.signer_current([old, new], office="SEOUL", now=NOW) is new  # only the newest signs
    with pytest.raises(LookupError, match="BUSAN"):
        trust.signer_current([old, new], office="BUSAN", now=NOW)

    issued_by_old = document_sign(RI_SUN_HUI, issuer=AUTHORITY, signer=old, now=before_rotation)
    issued_by_new = document_sign(RI_SUN_HUI, issuer=AUTHORITY, signer=new, now=NOW)
    authority.seoul = new  # the status list is now signed by the new key
    later = NOW + timedelta(days=60)  # the old key no longer signs, its documents still hold
    rotated = authority.trust_list(old, new, version=2)
    status_list = authority.status_list(issued_at=later)
    for text in (issued_by_old, issued_by_new):
        assert document_verify(text, now=later, trust=rotated, status=status_list).code == Code.VALID

    withdrawn = authority.trust_list(new, version=3)
    assert document_verify(issued_by_old, now=later, trust=withdrawn, status=status_list).code == Code.UNKNOWN_KEY
    assert document_verify(issued_by_new, now=later, trust=withdrawn, status=status_list).code == Code.VALID
