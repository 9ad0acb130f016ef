"""COSE_Sign1 against the COSE working group's vectors and a second, hand-written implementation."""

import base64
import zlib

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from asylon.credentials import cose, keys, transport
from asylon.credentials.cwt import claims_encode
from asylon.credentials.verify import Code, document_verify
from tests.credentials.world import NOW, Authority, claims_for, cose_parts, inflate, rewrap

# cose-wg/Examples sign1-tests/sign-pass-02.json: ES256, protected {1: -7}, with external data.
VECTOR_X = "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8"
VECTOR_Y = "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4"
VECTOR_EXTERNAL = bytes.fromhex("11aa22bb33cc44dd55006699")
VECTOR_TO_BE_SIGNED = bytes.fromhex(
    "846A5369676E61747572653143A101264C11AA22BB33CC44DD5500669954546869732069732074686520636F6E74656E742E"
)
VECTOR_SIGNATURE = bytes.fromhex(
    "EAE868ECC176883766C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E1"
    "55388B10C4F1B59A6733EAB416870A945111A4B2FBDBEF33A77234B1DEFF2F9B"
)


def _b64url_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def vector_key() -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicNumbers(_b64url_int(VECTOR_X), _b64url_int(VECTOR_Y), ec.SECP256R1()).public_key()


def test_the_sig_structure_is_the_working_groups_to_be_signed_bytes():
    assert cose.sig_structure(b"\xa1\x01\x26", b"This is the content.", VECTOR_EXTERNAL) == VECTOR_TO_BE_SIGNED


def test_the_working_groups_signature_verifies():
    message = cose.Sign1(
        protected=b"\xa1\x01\x26", kid=b"11", payload=b"This is the content.", signature=VECTOR_SIGNATURE
    )
    assert cose.verify_sign1(message, vector_key(), VECTOR_EXTERNAL)
    assert not cose.verify_sign1(message, vector_key())  # without the external data


# A second implementation, written from the RFCs without the code under test: Base45 by a
# dictionary, CBOR heads by hand (RFC 8949 §3), DER by hand (X.690 §8.3), cryptography to verify.
B45 = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")}


def by_hand_base45(text: str) -> bytes:
    out = bytearray()
    for i in range(0, len(text), 3):
        group = [B45[c] for c in text[i : i + 3]]
        number = sum(v * 45**k for k, v in enumerate(group))
        out += number.to_bytes(2 if len(group) == 3 else 1, "big")
    return bytes(out)


def by_hand_bstr(data: bytes) -> bytes:
    if len(data) < 24:
        return bytes([0x40 + len(data)]) + data
    if len(data) < 256:
        return bytes([0x58, len(data)]) + data
    return bytes([0x59]) + len(data).to_bytes(2, "big") + data


def by_hand_der(raw: bytes) -> bytes:
    def integer(half: bytes) -> bytes:
        half = half.lstrip(b"\x00") or b"\x00"
        if half[0] & 0x80:
            half = b"\x00" + half
        return bytes([0x02, len(half)]) + half

    body = integer(raw[:32]) + integer(raw[32:])
    return bytes([0x30, len(body)]) + body


def by_hand_verify(text: str, public_key: ec.EllipticCurvePublicKey) -> dict:
    assert text.startswith("ASY1:")
    message = zlib.decompress(by_hand_base45(text[5:]))
    assert message[:2] == b"\xd2\x84"  # tag 18, array of four
    tagged = cbor2.loads(message)
    protected, unprotected, payload, signature = tagged.value
    assert unprotected == {}
    to_be_signed = b"\x84\x6aSignature1" + by_hand_bstr(protected) + b"\x40" + by_hand_bstr(payload)
    public_key.verify(by_hand_der(signature), to_be_signed, ec.ECDSA(hashes.SHA256()))
    return cbor2.loads(payload)


def test_a_second_implementation_verifies_our_document():
    authority = Authority()
    claims = by_hand_verify(authority.issue(), authority.seoul.private_key.public_key())
    assert claims[1] == "KR-MOJ"
    assert claims[-65537][3] == "리" and claims[-65537][5] == "RI"


def test_our_verifier_accepts_a_document_built_by_hand():
    authority = Authority()
    signer = authority.seoul
    kid = keys.kid_of(signer.private_key.public_key())
    protected = b"\xa2\x01\x26\x04\x48" + kid
    payload = claims_encode(claims_for())
    to_be_signed = b"\x84\x6aSignature1" + by_hand_bstr(protected) + b"\x40" + by_hand_bstr(payload)
    r, s = _decode_der(signer.private_key.sign(to_be_signed, ec.ECDSA(hashes.SHA256())))
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    signature = r.to_bytes(32, "big") + min(s, n - s).to_bytes(32, "big")
    message = b"\xd2\x84" + by_hand_bstr(protected) + b"\xa0" + by_hand_bstr(payload) + by_hand_bstr(signature)
    text = "ASY1:" + _by_hand_base45_encode(zlib.compress(message))
    verdict = document_verify(text, now=NOW, trust=authority.trust_list(), status=authority.status_list())
    assert verdict.code == Code.VALID


def _decode_der(der: bytes) -> tuple[int, int]:
    assert der[0] == 0x30
    r_len = der[3]
    r = int.from_bytes(der[4 : 4 + r_len], "big")
    s = int.from_bytes(der[6 + r_len :], "big")
    return r, s


def _by_hand_base45_encode(data: bytes) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    out = []
    for i in range(0, len(data), 2):
        chunk = data[i : i + 2]
        number = int.from_bytes(chunk, "big")
        for _ in range(3 if len(chunk) == 2 else 2):
            number, digit = divmod(number, 45)
            out.append(alphabet[digit])
    return "".join(out)


def test_the_protected_header_is_exactly_alg_es256_and_the_kid():
    authority = Authority()
    protected = cose_parts(authority.issue())[0]
    assert protected == b"\xa2\x01\x26\x04\x48" + authority.seoul.trusted.kid


def test_the_signature_is_raw_r_and_a_low_s():
    signature = cose_parts(Authority().issue())[3]
    assert len(signature) == 64
    assert (
        int.from_bytes(signature[32:], "big") <= 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551 // 2
    )


def test_the_same_document_has_a_new_signature_each_time_but_one_payload():
    authority = Authority()
    first, second = cose_parts(authority.issue()), cose_parts(authority.issue())
    assert first[2] == second[2]
    assert first[3] != second[3]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda p: cbor2.dumps(p), "tagged COSE_Sign1"),  # untagged
        (lambda p: cbor2.dumps(cbor2.CBORTag(98, p)), "tagged COSE_Sign1"),  # COSE_Sign, not Sign1
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, p[:3])), "array of four"),
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, [p[0], {4: b"x"}, p[2], p[3]])), "unprotected header must be empty"),
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, [p[0], {}, None, p[3]])), "must be byte strings"),
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, p)) + b"\x00", "canonical encoding"),
        (lambda p: b"\xd2\x98\x04" + cbor2.dumps(p)[1:], "canonical encoding"),  # array length in a long head
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, [b"\xa2\x01\x38\x22\x04\x48" + p[0][5:], {}, p[2], p[3]])), "ES256"),
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, [b"\xa2\x01\x26\x04\x42ab", {}, p[2], p[3]])), "kid must be 8"),
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, [b"\xa1\x01\x26", {}, p[2], p[3]])), "exactly an algorithm and a kid"),
        (lambda p: cbor2.dumps(cbor2.CBORTag(18, [b"\xff", {}, p[2], p[3]])), "protected header is not CBOR"),
        (lambda p: b"\xd2\x84\x5f", "not CBOR"),
    ],
)
def test_a_message_outside_the_profile_is_refused(change, says):
    parts = cose_parts(Authority().issue())
    with pytest.raises(cose.CoseError, match=says):
        cose.parse_sign1(change(parts))


def test_a_message_outside_the_profile_is_not_cose_to_the_verifier():
    authority = Authority()
    parts = cose_parts(authority.issue())
    text = rewrap([parts[0], {4: authority.seoul.trusted.kid}, parts[2], parts[3]])
    verdict = document_verify(text, now=NOW, trust=authority.trust_list(), status=authority.status_list())
    assert verdict.code == Code.NOT_COSE


def test_a_p384_key_cannot_sign_es256():
    with pytest.raises(ValueError, match="P-256"):
        cose.sign1(b"x", key=ec.generate_private_key(ec.SECP384R1()), kid=b"12345678")


def test_a_kid_of_the_wrong_length_cannot_sign():
    with pytest.raises(ValueError, match="8 bytes"):
        cose.sign1(b"x", key=keys.private_key_generate(), kid=b"1234")


def test_the_qr_text_is_the_prefix_and_base45_of_zlib():
    authority = Authority()
    text = authority.issue()
    assert text.startswith(transport.PREFIX)
    assert set(text[5:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert inflate(text)[:2] == b"\xd2\x84"
