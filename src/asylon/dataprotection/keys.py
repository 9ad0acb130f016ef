"""Data keys, one set per office, loaded from a file or the environment, never the database.

Each office has its own keys so that destroying them makes that office's records, and
every backup of them, unreadable (crypto-shredding). Keys are never derived from Django's
SECRET_KEY: a leaked session secret must not open the files.

The key file is JSON:

    {"blind_index": "<base64 32 bytes>", "log_pseudonym": "<base64 32 bytes>",
     "offices": {"seoul": {"active": "2026-11", "keys": {"2026-05": "<b64>", "2026-11": "<b64>"}}}}

`log_pseudonym` keys the pseudonyms of cases, people and officers in the transparency log.
It is never rotated: a monitor follows a case through the log by its pseudonym, across any
rotation of the blind-index key. A key file from before it existed has none; the
blind-index key of that file, which keyed the log until then, becomes it.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from dataclasses import dataclass, field


class KeyMaterialError(Exception):
    """The key material is missing or malformed; the message names what."""


KEY_BYTES = 32


def _decode(value: object, where: str) -> bytes:
    if not isinstance(value, str):
        raise KeyMaterialError(f"{where} must be base64 text")
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialError(f"{where} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyMaterialError(f"{where} must be {KEY_BYTES} bytes, not {len(key)}")
    return key


@dataclass(frozen=True)
class OfficeKeys:
    active: str
    keys: dict[str, bytes]

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyMaterialError(f"the active key {self.active!r} is not among the office's keys")
        for key_id in self.keys:
            if not key_id or ":" in key_id:
                raise KeyMaterialError(f"key id {key_id!r} must be non-empty and contain no ':'")


@dataclass(frozen=True)
class Keyring:
    blind_index: bytes
    offices: dict[str, OfficeKeys] = field(default_factory=dict)
    # Empty: the blind-index key (a key file from before the log had a key of its own).
    log_pseudonym: bytes = b""

    def __post_init__(self) -> None:
        if not self.log_pseudonym:
            object.__setattr__(self, "log_pseudonym", self.blind_index)

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise KeyMaterialError(f"the key file is not JSON: {error.msg} at line {error.lineno}") from None
        if not isinstance(data, dict) or not isinstance(data.get("offices"), dict):
            raise KeyMaterialError("the key file needs an 'offices' object")
        offices = {}
        for office, entry in data["offices"].items():
            if not isinstance(entry, dict) or not isinstance(entry.get("keys"), dict):
                raise KeyMaterialError(f"office {office!r} needs 'active' and 'keys'")
            keys = {kid: _decode(v, f"key {office}/{kid}") for kid, v in entry["keys"].items()}
            offices[office] = OfficeKeys(active=str(entry.get("active", "")), keys=keys)
        blind_index = _decode(data.get("blind_index"), "blind_index")
        log_pseudonym = _decode(data["log_pseudonym"], "log_pseudonym") if "log_pseudonym" in data else b""
        return cls(blind_index=blind_index, offices=offices, log_pseudonym=log_pseudonym)

    def to_json(self) -> str:
        def b64(key: bytes) -> str:
            return base64.b64encode(key).decode()

        return json.dumps(
            {
                "blind_index": b64(self.blind_index),
                "log_pseudonym": b64(self.log_pseudonym),
                "offices": {
                    office: {"active": k.active, "keys": {kid: b64(v) for kid, v in k.keys.items()}}
                    for office, k in self.offices.items()
                },
            },
            indent=2,
            sort_keys=True,
        )

    def office(self, name: str) -> OfficeKeys:
        try:
            return self.offices[name]
        except KeyError:
            raise KeyMaterialError(f"no keys for office {name!r} (shredded, or never created)") from None

    def with_new_key(self, office: str, key_id: str) -> Keyring:
        """A keyring whose office has a fresh active key; old keys stay to read old data."""
        current = self.offices.get(office)
        keys = dict(current.keys) if current else {}
        if key_id in keys:
            raise KeyMaterialError(f"office {office!r} already has a key {key_id!r}")
        keys[key_id] = secrets.token_bytes(KEY_BYTES)
        return Keyring(self.blind_index, {**self.offices, office: OfficeKeys(key_id, keys)}, self.log_pseudonym)

    def without_key(self, office: str, key_id: str) -> Keyring:
        """Retire a key once nothing is encrypted under it any more."""
        current = self.office(office)
        if key_id == current.active:
            raise KeyMaterialError("the active key cannot be retired; rotate first")
        keys = {k: v for k, v in current.keys.items() if k != key_id}
        return Keyring(self.blind_index, {**self.offices, office: OfficeKeys(current.active, keys)}, self.log_pseudonym)

    def with_new_blind_index(self) -> Keyring:
        """A keyring with a fresh blind-index key: every stored digest must be computed again.
        The log's pseudonym key stays: the log's pseudonyms are public and cannot change."""
        return Keyring(secrets.token_bytes(KEY_BYTES), self.offices, self.log_pseudonym)

    def shred(self, office: str) -> Keyring:
        """Forget every key of an office: its records become unreadable everywhere."""
        self.office(office)
        return Keyring(self.blind_index, {k: v for k, v in self.offices.items() if k != office}, self.log_pseudonym)

    @classmethod
    def generate(cls, offices: list[str], key_id: str) -> Keyring:
        keyring = cls(blind_index=secrets.token_bytes(KEY_BYTES), log_pseudonym=secrets.token_bytes(KEY_BYTES))
        for office in offices:
            keyring = keyring.with_new_key(office, key_id)
        return keyring
