"""Field encryption with AES-256-GCM, bound to where the value lives.

The associated data names the table, the column and the row, so a ciphertext copied to
another row or column fails to decrypt instead of showing another person's data. A failure
raises; the stored bytes are never returned in their place.

Stored form: ``v1:<office>:<key id>:<base64(nonce || ciphertext || tag)>``.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from asylon.dataprotection.keys import Keyring

VERSION = "v1"
NONCE_BYTES = 12  # NIST SP 800-38D: 96-bit random nonces; a key stays far below 2^32 uses here.


class DecryptionError(Exception):
    """The value cannot be decrypted: wrong place, tampered, unknown or shredded key."""


class KeysDestroyed(DecryptionError):
    """The key the value names is not in the keyring: the office was shredded, the key
    retired, or it never existed here. The value stays unreadable; nothing can bring it back."""


def associated_data(table: str, column: str, row: str) -> bytes:
    return f"{table}\x1f{column}\x1f{row}".encode()


def encrypt(keyring: Keyring, office: str, plaintext: str, aad: bytes) -> str:
    keys = keyring.office(office)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keys.keys[keys.active]).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return f"{VERSION}:{office}:{keys.active}:{base64.b64encode(nonce + sealed).decode()}"


def parse(token: str) -> tuple[str, str, bytes]:
    """(office, key id, nonce || sealed) of a stored value, or DecryptionError."""
    parts = token.split(":", 3)
    if len(parts) != 4 or parts[0] != VERSION:
        raise DecryptionError("not an encrypted value of a known version")
    try:
        blob = base64.b64decode(parts[3], validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("the encrypted value is not valid base64") from None
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionError("the encrypted value is truncated")
    return parts[1], parts[2], blob


def decrypt(keyring: Keyring, token: str, aad: bytes) -> str:
    office, key_id, blob = parse(token)
    office_keys = keyring.offices.get(office)
    if office_keys is None or key_id not in office_keys.keys:
        raise KeysDestroyed(f"no key {key_id!r} for office {office!r}: destroyed, retired or never issued")
    try:
        plain = AESGCM(office_keys.keys[key_id]).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError("the value does not belong here or was altered") from None
    return plain.decode("utf-8")


def needs_rotation(keyring: Keyring, token: str) -> bool:
    office, key_id, _ = parse(token)
    return keyring.office(office).active != key_id


def reencrypt(keyring: Keyring, token: str, aad: bytes) -> str:
    """The same value under the office's active key (key rotation)."""
    office, _, _ = parse(token)
    return encrypt(keyring, office, decrypt(keyring, token, aad), aad)
