"""Sign-in attempts, counted in the database, and the pause after too many failures
(OWASP ASVS 5.0 §6.3.1, NIST SP 800-63B §5.2.2).

A pause is the same for a name that exists and one that does not, so that it tells nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from asylon.accounts.models import SignInAttempt

Outcome = SignInAttempt.Outcome

WINDOW = timedelta(minutes=15)
PAUSE = timedelta(minutes=15)
PER_USERNAME = 5
# Higher: several officers may sign in from one office behind one address.
PER_ADDRESS = 20

FAILURES = (Outcome.PASSWORD_REFUSED, Outcome.FACTOR_REFUSED)
# A full proof clears a username's failures; a password alone does not, or a thief who holds
# it could guess the second factor without end.
PROOFS = (Outcome.SIGNED_IN, Outcome.REAUTHENTICATED)

PAUSED = _("Too many failed attempts. Signing in is paused for 15 minutes; try again later or ask an administrator.")


def username_digest(username: str) -> str:
    # Keyed: a copy of the table cannot be checked against a list of likely names.
    return salted_hmac("asylon.accounts.sign-in-attempt", username.strip().casefold(), algorithm="sha256").hexdigest()


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy, the proxy must pass the client's address on as REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


def attempt_record(*, username: str, ip: str | None, outcome: Outcome, now: datetime) -> None:
    SignInAttempt.objects.create(username_digest=username_digest(username), ip=ip, at=now, outcome=outcome)


def sign_in_paused(*, username: str, ip: str | None, now: datetime) -> bool:
    """Whether signing in is paused for this username or from this address."""
    by_username = SignInAttempt.objects.filter(username_digest=username_digest(username))
    last_proof = by_username.filter(outcome__in=PROOFS).aggregate(at=Max("at"))["at"]
    if last_proof is not None:
        by_username = by_username.filter(at__gt=last_proof)
    if _paused(by_username, PER_USERNAME, now):
        return True
    return ip is not None and _paused(SignInAttempt.objects.filter(ip=ip), PER_ADDRESS, now)


def _paused(attempts: QuerySet[SignInAttempt], limit: int, now: datetime) -> bool:
    """Paused for PAUSE after the failure that made `limit` failures within WINDOW. Attempts
    during a pause are refused unheard and not counted, so a pause does not extend itself."""
    latest = list(
        attempts.filter(outcome__in=FAILURES, at__gt=now - PAUSE - WINDOW)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    return len(latest) == limit and latest[0] > now - PAUSE and latest[0] - latest[-1] <= WINDOW
