"""Text kept in the officer's session between two requests, sealed as names are.

The session is a database row like any other, so what it keeps of a person (a search typed,
a list uploaded) is sealed there (asylon.dataprotection), under a short random token that
the next request names, and bound to that token and its slot: copied under another, it does
not open.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.base import SessionBase

from asylon.dataprotection import cipher
from asylon.dataprotection.runtime import keyring, keyring_for


def _aad(slot: str, token: str) -> bytes:
    return cipher.associated_data("django_session", slot, token)


def keep(session: SessionBase, slot: str, *, office: str, text: str, kept: int) -> str:
    """Seal `text` in the session's `slot`, which holds the `kept` latest; returns its token."""
    token = secrets.token_urlsafe(6)
    keys = keyring_for(office)
    if office not in keys.offices and keys.offices:
        # An officer whose unit holds no keys (outside the demo, none are made for it) still
        # works: the text belongs to the session, not to a record, so any office's key will do.
        office = min(keys.offices)
    held = dict(session.get(slot, {}))
    held[token] = cipher.encrypt(keys, office, text, _aad(slot, token))
    session[slot] = dict(list(held.items())[-kept:])
    return token


def recall(session: SessionBase, slot: str, token: str) -> str | None:
    """The text the token names, or None when it is unknown, pushed out, or its key is gone."""
    sealed = session.get(slot, {}).get(token)
    if not isinstance(sealed, str):
        return None
    try:
        return cipher.decrypt(keyring(), sealed, _aad(slot, token))
    except cipher.DecryptionError:
        return None


def drop(session: SessionBase, slot: str, token: str) -> None:
    held = dict(session.get(slot, {}))
    if held.pop(token, None) is not None:
        session[slot] = held
