"""The keyring of this installation, and sealed attributes for models.

Production reads the key file named by ASYLON_KEYS_FILE and fails loudly when it is
missing or an office has no keys. The demo creates its own file, and keys for a new
office, in its data folder.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from asylon.dataprotection import cipher
from asylon.dataprotection.keys import KeyMaterialError, Keyring

_lock = threading.Lock()
_keyring: Keyring | None = None
# The key file as last read (inode, mtime, size): a rotation or a shredding in another
# process replaces the file, and every process reads the new keys on its next use.
_stamp: tuple[int, int, int] | None = None
# Inside `steady()`: the key file was checked on entry, and the keyring this process holds
# serves every sealed value read until the block ends, without a stat each.
_steady: ContextVar[bool] = ContextVar("asylon_keys_steady", default=False)


def _path() -> Path:
    return Path(settings.ASYLON_KEYS_FILE)


def _stat(path: Path | str) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def _save(keyring: Keyring) -> None:
    global _stamp
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole then renamed, so a reader never sees half a key file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(keyring.to_json())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    _stamp = _stat(path)


def _read(path: Path) -> None:
    global _keyring, _stamp
    _keyring = Keyring.from_json(path.read_text(encoding="utf-8"))
    _stamp = _stat(path)


def _demo_keys(office: str | None) -> None:
    """Create the demo's key file, or keys for a new office in it. Several processes may
    start at once (a server, a loader, test workers): under a lock on the file, the keys
    already on disk win, so no process ever seals with a key another one overwrote."""
    global _keyring
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            _read(path)
        elif _keyring is None:
            _keyring = Keyring.generate([], "demo-1")
            _save(_keyring)
        assert _keyring is not None
        if office is not None and office not in _keyring.offices:
            # A fresh id each time: values of an office shredded earlier name its old key,
            # and must keep failing as "keys destroyed", not as values that were altered.
            _keyring = _keyring.with_new_key(office, f"demo-{secrets.token_hex(4)}")
            _save(_keyring)


def keyring() -> Keyring:
    global _keyring
    if _steady.get() and (held := _keyring) is not None:
        return held
    with _lock:
        if settings.ASYLON_KEYS:
            if _keyring is None:
                _keyring = Keyring.from_json(settings.ASYLON_KEYS)
            return _keyring
        # Every sealed value read asks for the keyring: the file's name is stat'ed as it is,
        # without building a Path (which cost more than the stat itself).
        name = settings.ASYLON_KEYS_FILE
        stamp = _stat(name)
        if stamp is not None and (_keyring is None or stamp != _stamp):
            _read(Path(name))
        elif _keyring is None:
            if not settings.ASYLON_DEMO:
                raise KeyMaterialError(f"no key file at {name} (set ASYLON_KEYS_FILE)")
            _demo_keys(None)
        # A file that disappears after it was read leaves this process with the keys it has.
        assert _keyring is not None
        return _keyring


@contextmanager
def steady() -> Iterator[Keyring]:
    """One unit of work (a duplicate lookup: hundreds of sealed values) reads the key file
    once, on entry, instead of a stat per value. A rotation or a shredding by another process
    takes effect from the next unit of work; one in this process (`replace_keyring`, new demo
    keys) at once, as the keyring it holds is replaced. Blocks nest."""
    current = keyring()
    token = _steady.set(True)
    try:
        yield current
    finally:
        _steady.reset(token)


def keyring_for(office: str) -> Keyring:
    """The keyring, with keys for this office; the demo creates them on first use."""
    current = keyring()
    if office in current.offices or not settings.ASYLON_DEMO or settings.ASYLON_KEYS:
        return current
    with _lock:
        _demo_keys(office)
        assert _keyring is not None
        return _keyring


def replace_keyring(new: Keyring) -> None:
    """After a rotation or a shredding: the keyring this process uses from now on, saved."""
    global _keyring
    if settings.ASYLON_KEYS:
        raise KeyMaterialError("the keys come from the ASYLON_KEYS variable: rotate or shred them in a key file")
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

    def associated_data(self, instance: Any) -> bytes:
        return cipher.associated_data(instance._meta.db_table, self.name, str(instance.uid))

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        token = getattr(instance, self.column)
        if not token:
            return ""
        cache = instance.__dict__.setdefault("_plaintext", {})
        if cache.get(self.name, (None,))[0] != token:
            cache[self.name] = (token, cipher.decrypt(keyring(), token, self.associated_data(instance)))
        return cache[self.name][1]

    def __set__(self, instance: Any, value: str) -> None:
        token = (
            cipher.encrypt(keyring_for(instance.office), instance.office, value, self.associated_data(instance))
            if value
            else ""
        )
        setattr(instance, self.column, token)
        instance.__dict__.setdefault("_plaintext", {})[self.name] = (token, value)


UNREADABLE = gettext_lazy("record unreadable (keys destroyed)")


class Readable:
    """A row's attributes for display: a sealed value whose office keys were destroyed reads as
    a notice instead of failing the page. Only for showing; services read the row itself, and a
    value altered or moved to another row still raises here."""

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._row, name)
        except cipher.KeysDestroyed:
            return UNREADABLE
