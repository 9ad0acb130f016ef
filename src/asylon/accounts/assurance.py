"""How strongly a session is signed in, and for how much longer (NIST SP 800-63B §4.2, §7.2).

A few session keys, written by the sign-in pages and read by the session guard and by
`asylon.accounts.reauth`. Times are whole seconds since the epoch, as JSON keeps them.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings

from asylon.accounts.factors import has_second_factor
from asylon.accounts.models import User

# The password was accepted: the longest a session lasts counts from here.
SIGNED_IN_AT = "accounts.signed_in_at"
# The last request: the idle timeout counts from here.
SEEN_AT = "accounts.seen_at"
# "totp" or "webauthn", once the officer has shown a second factor in this session.
FACTOR = "accounts.factor"
# The last full proof, at sign-in or on signing in again: what re-authentication asks about.
AUTHENTICATED_AT = "accounts.authenticated_at"
# Where to go once signed in; kept while the second factor is asked for.
NEXT = "accounts.next"

# Writing the session at every request would cost a write per page; a minute is fine enough.
SEEN_RESOLUTION = timedelta(minutes=1)

Session = MutableMapping[str, Any]


class Ended(StrEnum):
    IDLE = "idle"
    TOO_LONG = "too_long"
    UNSTAMPED = "unstamped"


def _stamp(now: datetime) -> int:
    return int(now.timestamp())


def _time(session: Session, key: str) -> datetime | None:
    value = session.get(key)
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int) else None


def second_factor_due(user: User) -> bool:
    """Whether this officer must show a second factor to be signed in.

    Everyone who has set one up is asked for it. Where it is required (the default), so is
    everyone who holds any role: case workers read personal data, monitors and partners read
    pseudonymous files, administrators grant roles. An account with no role reaches nothing.
    """
    if settings.ASYLON_SECOND_FACTOR == "required" and user.role_grants.exists():
        return True
    return has_second_factor(user)


def password_accepted(session: Session, now: datetime) -> None:
    for key in (FACTOR, AUTHENTICATED_AT):
        session.pop(key, None)
    session[SIGNED_IN_AT] = session[SEEN_AT] = _stamp(now)


def factor_shown(session: Session, factor: str) -> None:
    session[FACTOR] = factor


def sign_in_completed(session: Session, now: datetime, *, factor: str = "") -> None:
    if factor:
        factor_shown(session, factor)
    session[AUTHENTICATED_AT] = _stamp(now)


def reauthenticated(session: Session, now: datetime) -> None:
    session[AUTHENTICATED_AT] = _stamp(now)


def authenticated_at(session: Session) -> datetime | None:
    return _time(session, AUTHENTICATED_AT)


def factor_outstanding(session: Session, user: User) -> bool:
    """Half signed in: the password was accepted, the second factor it needs not yet shown."""
    return not session.get(FACTOR) and second_factor_due(user)


def session_ended(session: Session, now: datetime) -> Ended | None:
    """Why this signed-in session is over, or None while it may go on."""
    signed_in, seen = _time(session, SIGNED_IN_AT), _time(session, SEEN_AT)
    if signed_in is None or seen is None:
        # Signed in some other way, or before these stamps existed: sign in again.
        return Ended.UNSTAMPED
    if now - signed_in >= timedelta(hours=settings.ASYLON_SESSION_MAX_HOURS):
        return Ended.TOO_LONG
    if now - seen >= timedelta(minutes=settings.ASYLON_SESSION_IDLE_MINUTES):
        return Ended.IDLE
    return None


def seen(session: Session, now: datetime) -> None:
    last = _time(session, SEEN_AT)
    if last is None or now - last >= SEEN_RESOLUTION:
        session[SEEN_AT] = _stamp(now)
