"""COSE_Sign1 with ES256 (RFC 9052 §4.2, RFC 9053 §2.1), the one profile Asylon signs and accepts.

The profile is narrower than COSE so that a signed message has exactly one encoding:
tagged (18), protected header ``{1: -7, 4: kid}`` with an 8-byte kid, an empty unprotected
header, an attached payload, a 64-byte ``r || s`` signature with the low ``s`` of the pair
``s, n - s``. Anything else is refused before a key is looked up.
"""

from __future__ import annotations

from dataclasses import dataclass

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

COSE_SIGN1_TAG = 18  # RFC 9052 §2, Table 1
ES256 = -7  # RFC 9053 §2.1, Table 1
HEADER_ALG = 1  # RFC 9052 §3.1, Table 2
HEADER_KID = 4
KID_LENGTH = 8  # HCERT: the first 8 bytes of a SHA-256 fingerprint
SIGNATURE_LENGTH = 64  # RFC 9053 §2.1: r and s, each left-padded to 32 bytes for P-256
_COORDINATE = 32
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
# Tag, array, map: our messages nest three deep; anything deeper is not ours.
_MAX_DEPTH = 8


class CoseError(ValueError):
    """The bytes are not a COSE_Sign1 message of Asylon's profile."""


@dataclass(frozen=True)
class Sign1:
    """A parsed message; `protected` is kept as the bytes that were signed."""

    protected: bytes
    kid: bytes
    payload: bytes
    signature: bytes


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """RFC 9052 §4.4: the bytes the signature covers, never the message itself."""
    return cbor2.dumps(["Signature1", protected, external_aad, payload])


def protected_header(kid: bytes) -> bytes:
    if len(kid) != KID_LENGTH:
        raise ValueError(f"a kid has {KID_LENGTH} bytes, not {len(kid)}")
    return cbor2.dumps({HEADER_ALG: ES256, HEADER_KID: kid})


def _encode(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def sign1(payload: bytes, *, key: ec.EllipticCurvePrivateKey, kid: bytes, external_aad: bytes = b"") -> bytes:
    """A tagged COSE_Sign1 message over `payload`, signed with ES256."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("ES256 needs a P-256 key")
    protected = protected_header(kid)
    der = key.sign(sig_structure(protected, payload, external_aad), _ECDSA_SHA256)
    r, s = decode_dss_signature(der)
    # (r, s) and (r, n - s) both verify; keeping only the low s leaves one valid text per document.
    s = min(s, _P256_ORDER - s)
    signature = r.to_bytes(_COORDINATE, "big") + s.to_bytes(_COORDINATE, "big")
    return _encode(protected, payload, signature)


def parse_sign1(data: bytes) -> Sign1:
    """Split a message into its parts, refusing anything outside the profile; checks no signature."""
    try:
        message = cbor2.loads(data, max_depth=_MAX_DEPTH, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception as error:
        # cbor2 signals malformed input with several exception types (decode errors, overflow,
        # unhashable keys, bad semantic tags); for untrusted bytes each means "not CBOR".
        raise CoseError(f"not CBOR: {error}") from None
    if not isinstance(message, cbor2.CBORTag) or message.tag != COSE_SIGN1_TAG:
        raise CoseError("not a tagged COSE_Sign1 message (tag 18)")
    parts = message.value
    # cbor2 decodes what a tag holds as immutable: the array arrives as a tuple.
    if not isinstance(parts, tuple | list) or len(parts) != 4:
        raise CoseError("a COSE_Sign1 message is an array of four")
    protected, unprotected, payload, signature = parts
    if not isinstance(protected, bytes) or not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise CoseError("the protected header, payload and signature must be byte strings")
    if unprotected != {}:
        # Unprotected parameters are not signed; accepting any would let a text change and still verify.
        raise CoseError("the unprotected header must be empty")
    if _encode(protected, payload, signature) != data:
        # Rejects trailing bytes and non-shortest lengths, so one message has one encoding.
        raise CoseError("the message is not in its one canonical encoding")
    try:
        header = cbor2.loads(protected, max_depth=2, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception:
        raise CoseError("the protected header is not CBOR") from None
    if not isinstance(header, dict) or set(header) != {HEADER_ALG, HEADER_KID}:
        raise CoseError("the protected header must hold exactly an algorithm and a kid")
    alg = header[HEADER_ALG]
    if type(alg) is not int or alg != ES256:
        raise CoseError(f"the algorithm {alg!r} is not ES256 (-7)")
    kid = header[HEADER_KID]
    if not isinstance(kid, bytes) or len(kid) != KID_LENGTH:
        raise CoseError(f"the kid must be {KID_LENGTH} bytes")
    return Sign1(protected=protected, kid=kid, payload=payload, signature=signature)


def verify_sign1(message: Sign1, public_key: ec.EllipticCurvePublicKey, external_aad: bytes = b"") -> bool:
    """Whether `public_key` made `message.signature`; never raises on a bad signature."""
    signature = message.signature
    if len(signature) != SIGNATURE_LENGTH:
        return False
    r = int.from_bytes(signature[:_COORDINATE], "big")
    s = int.from_bytes(signature[_COORDINATE:], "big")
    if not (0 < r < _P256_ORDER and 0 < s <= _P256_ORDER // 2):
        return False
    try:
        public_key.verify(
            encode_dss_signature(r, s),
            sig_structure(message.protected, message.payload, external_aad),
            _ECDSA_SHA256,
        )
    except InvalidSignature:
        return False
    return True
