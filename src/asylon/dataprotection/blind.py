"""Blind indexes: exact search over encrypted names without storing anything readable.

Each normalized variant of a name is stored only as an HMAC-SHA256 under its own key
(never the data keys), truncated to 128 bits: enough to make accidental collisions
negligible, and a lookup is a plain indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac

from asylon.dataprotection.keys import Keyring

INDEX_BYTES = 16


def blind_index(keyring: Keyring, purpose: str, normalized: str) -> str:
    """The index of one normalized value; `purpose` keeps indexes of different kinds apart."""
    message = purpose.encode() + b"\x1f" + normalized.encode("utf-8")
    return hmac.new(keyring.blind_index, message, hashlib.sha256).digest()[:INDEX_BYTES].hex()
