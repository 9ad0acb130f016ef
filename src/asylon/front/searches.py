"""Searches kept in the officer's session, so that what they typed never enters an address.

A search is posted, kept here under a short random token, and the list is shown at
`/cases/?s=<token>`: pages, the back button and the browser's history work, and neither the
history, the access log nor a `Referer` holds a name. The session is a database row like
any other, so the text is sealed there as names are (asylon.dataprotection).
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.base import SessionBase

from asylon.dataprotection import cipher
from asylon.dataprotection.runtime import keyring, keyring_for

SESSION_KEY = "searches"
# The most recent searches an officer can page through; older tokens read as expired.
KEPT = 20
# A name is at most 200 characters (people.Name.LIMITS); a search needs no more.
LONGEST = 200


def _aad(token: str) -> bytes:
    # Bound to its token: a sealed search copied under another token does not open.
    return cipher.associated_data("django_session", SESSION_KEY, token)


def search_keep(session: SessionBase, *, office: str, query: str) -> str:
    """Seal the search in the session; returns the token that names it."""
    token = secrets.token_urlsafe(6)
    keys = keyring_for(office)
    if office not in keys.offices and keys.offices:
        # An officer whose unit holds no keys (outside the demo, none are made for it) still
        # searches: the search belongs to the session, not to a record, so any office's key will do.
        office = min(keys.offices)
    searches = dict(session.get(SESSION_KEY, {}))
    searches[token] = cipher.encrypt(keys, office, query[:LONGEST], _aad(token))
    session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return token


def search_recall(session: SessionBase, token: str) -> str | None:
    """The search the token names, or None when it is unknown, expired, or its key is gone."""
    sealed = session.get(SESSION_KEY, {}).get(token)
    if not isinstance(sealed, str):
        return None
    try:
        return cipher.decrypt(keyring(), sealed, _aad(token))
    except cipher.DecryptionError:
        return None
