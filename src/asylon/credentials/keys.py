"""P-256 keys for documents: loaded from PEM in a file or the environment, named by a kid.

Private keys never live in the database or the repository: the caller passes a path or an
environment variable name, and `private_key_generate` only returns a key for an operator's
command to write where the operator says.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from asylon.credentials.cose import KID_LENGTH


class KeyMaterialError(Exception):
    """The key material is missing, unreadable or not a P-256 key; the message names which."""


def _require_p256(key: object, where: str) -> None:
    if not isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) or not isinstance(
        key.curve, ec.SECP256R1
    ):
        raise KeyMaterialError(f"{where} is not a P-256 key (ES256 needs one)")


def private_key_from_pem(
    pem: bytes, *, password: bytes | None = None, where: str = "the key"
) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyMaterialError(f"{where} is not a readable PEM private key: {error}") from None
    _require_p256(key, where)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def private_key_from_file(path: str | os.PathLike[str], *, password: bytes | None = None) -> ec.EllipticCurvePrivateKey:
    try:
        pem = Path(path).read_bytes()
    except OSError as error:
        raise KeyMaterialError(f"cannot read the key file {os.fspath(path)!r}: {error.strerror}") from None
    return private_key_from_pem(pem, password=password, where=f"the key file {os.fspath(path)!r}")


def private_key_from_env(
    name: str, *, environ: Mapping[str, str] | None = None, password: bytes | None = None
) -> ec.EllipticCurvePrivateKey:
    """`name` holds the PEM text, or `name`_FILE the path to it (the container-secrets convention)."""
    env = os.environ if environ is None else environ
    if env.get(f"{name}_FILE"):
        return private_key_from_file(env[f"{name}_FILE"], password=password)
    if env.get(name):
        return private_key_from_pem(env[name].encode(), password=password, where=f"${name}")
    raise KeyMaterialError(f"neither ${name} nor ${name}_FILE is set")


def private_key_generate() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_key_pem(key: ec.EllipticCurvePrivateKey, *, password: bytes | None = None) -> bytes:
    """PKCS #8 PEM, encrypted when a password is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def spki(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7), which the kid fingerprints."""
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_from_spki(der: bytes) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyMaterialError(f"not a SubjectPublicKeyInfo: {error}") from None
    _require_p256(key, "the public key")
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def kid_of(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """HCERT Appendix A: the first 8 bytes of SHA-256, here over the SPKI rather than a certificate."""
    return hashlib.sha256(spki(public_key)).digest()[:KID_LENGTH]
