"""Who is calling: an API token for programs, the Django session for the browser.

Both only establish the user. What the user may do is answered by the services and
selectors, never here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from asylon.accounts import assurance
from asylon.accounts.models import ApiToken, User
from asylon.accounts.reauth import recently_authenticated
from asylon.api.problems import CsrfFailed, SignInAgain

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def sends_credentials(request: HttpRequest) -> bool:
    """Whether the caller sent an `Authorization` header: then it, never the session cookie,
    says who is calling. A bearer token is checked by `TokenAuth` (an invalid one is a 401);
    any other header is no credential of ours and authenticates no one."""
    return "authorization" in request.headers


class TokenAuth(HttpBearer):
    """`Authorization: Bearer asy_...`, a token made with `asylon api-tokens create`, unexpired."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = ApiToken.user_for(token)
        if user is None:
            # A wrong token is refused even if a session cookie came too: the caller meant the token.
            raise AuthenticationError(
                message="The API token is not valid, has expired or was revoked, or its user is no longer active."
            )
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser (the web UI, the API docs page)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # `csrf` also tells Ninja's docs page to put the CSRF token in the page for "Try it out".
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Ninja's cookie auth checks CSRF before it knows whether there is a session; a caller
        # with no credentials at all then gets a 403 instead of the 401 that tells them to sign in.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or sends_credentials(request):
            return None
        # The session guard (asylon.accounts.middleware) has already ended such a session or
        # hidden its user; asked again here so that the API never rests on the guard alone.
        if assurance.session_ended(request.session, timezone.now()) or assurance.factor_outstanding(
            request.session, user
        ):
            return None
        # A cookie goes with every request the browser makes, including those another site
        # provokes: a write carried by the session must prove it came from our own pages.
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return user


def sign_in_again_unless_recent(request: HttpRequest) -> None:
    """Before a grave step (a decision, an export, an emergency access) the signed-in browser
    must have proved who it is within minutes, as on the web pages (asylon.accounts.reauth).
    A program's token is its own credential and is not asked."""
    if not sends_credentials(request) and not recently_authenticated(request):
        raise SignInAgain()
