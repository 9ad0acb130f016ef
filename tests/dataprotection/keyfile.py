"""A key file of the test's own: rotating or shredding in a test never touches the shared one."""

from __future__ import annotations

from pathlib import Path

from asylon.dataprotection import runtime


def own_keyfile(settings, monkeypatch, folder: Path) -> Path:
    path = folder / "keys.json"
    settings.ASYLON_KEYS_FILE = str(path)
    # The demo creates the file, and keys for each office, on first use; both are put back after.
    monkeypatch.setattr(runtime, "_keyring", None)
    monkeypatch.setattr(runtime, "_stamp", None)
    return path
