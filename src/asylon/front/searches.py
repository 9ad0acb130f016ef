"""Searches kept in the officer's session, so that what they typed never enters an address.

A search is posted, kept sealed in the session under a short random token (`kept`), and the
list is shown at `/cases/?s=<token>`: pages, the back button and the browser's history work,
and neither the history, the access log nor a `Referer` holds a name.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase

from asylon.front import kept

SESSION_KEY = "searches"
# The most recent searches an officer can page through; older tokens read as expired.
KEPT = 20
# A name is at most 200 characters (people.Name.LIMITS); a search needs no more.
LONGEST = 200


def search_keep(session: SessionBase, *, office: str, query: str) -> str:
    """Seal the search in the session; returns the token that names it."""
    return kept.keep(session, SESSION_KEY, office=office, text=query[:LONGEST], kept=KEPT)


def search_recall(session: SessionBase, token: str) -> str | None:
    """The search the token names, or None when it is unknown, expired, or its key is gone."""
    return kept.recall(session, SESSION_KEY, token)
