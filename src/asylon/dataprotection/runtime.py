"""The keyring of this installation, and sealed attributes for models.

Production reads the key file named by ASYLON_KEYS_FILE and fails loudly when it is
missing or an office has no keys. The demo creates its own file, and keys for a new
office, in its data folder.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from asylon.dataprotection import cipher
from asylon.dataprotection.keys import KeyMaterialError, Keyring

_lock = threading.Lock()
_keyring: Keyring | None = None


def _path() -> Path:
    return Path(settings.ASYLON_KEYS_FILE)


def _save(keyring: Keyring) -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole then renamed, so a reader never sees half a key file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(keyring.to_json())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def keyring() -> Keyring:
    global _keyring
    with _lock:
        if _keyring is None:
            path = _path()
            if path.exists():
                _keyring = Keyring.from_json(path.read_text(encoding="utf-8"))
            elif settings.ASYLON_DEMO:
                _keyring = Keyring.generate([], "demo-1")
                _save(_keyring)
            else:
                raise KeyMaterialError(f"no key file at {path} (set ASYLON_KEYS_FILE)")
        return _keyring


def keyring_for(office: str) -> Keyring:
    """The keyring, with keys for this office; the demo creates them on first use."""
    global _keyring
    current = keyring()
    if office in current.offices or not settings.ASYLON_DEMO:
        return current
    with _lock:
        assert _keyring is not None
        if office not in _keyring.offices:
            _keyring = _keyring.with_new_key(office, "demo-1")
            _save(_keyring)
        return _keyring


def replace_keyring(new: Keyring) -> None:
    """After a rotation or a shredding: the keyring this process uses from now on, saved."""
    global _keyring
    with _lock:
        _save(new)
        _keyring = new


class sealed(property):
    """A model attribute stored encrypted in `<name>_sealed`, bound to table, column and row.

    The row is named by the model's `uid` and the key by its `office`, both set before the
    attribute (Django sets fields before properties when a model is built from keywords).
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.column = f"{name}_sealed"

    def _aad(self, instance: Any) -> bytes:
        return cipher.associated_data(instance._meta.db_table, self.name, str(instance.uid))

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        token = getattr(instance, self.column)
        if not token:
            return ""
        cache = instance.__dict__.setdefault("_plaintext", {})
        if cache.get(self.name, (None,))[0] != token:
            cache[self.name] = (token, cipher.decrypt(keyring(), token, self._aad(instance)))
        return cache[self.name][1]

    def __set__(self, instance: Any, value: str) -> None:
        token = (
            cipher.encrypt(keyring_for(instance.office), instance.office, value, self._aad(instance)) if value else ""
        )
        setattr(instance, self.column, token)
        instance.__dict__.setdefault("_plaintext", {})[self.name] = (token, value)
