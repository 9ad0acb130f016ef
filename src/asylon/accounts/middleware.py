"""The session guard: ends sessions that sat idle or lasted too long, and keeps a session that
is half signed in (password accepted, second factor outstanding) on the sign-in pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asylon.accounts import assurance

# What a half-signed-in officer may reach: the factor pages, signing out, the language.
OPEN_WHILE_HALF_SIGNED_IN = frozenset(
    {
        "accounts:second_factor",
        "accounts:security",
        "accounts:key_registration_options",
        "accounts:key_assertion_options",
        "front:login",
        "front:logout",
        "front:set_language",
    }
)

ENDED = {
    assurance.Ended.IDLE: _("You were signed out after a while without activity. Sign in again to go on."),
    assurance.Ended.TOO_LONG: _("You were signed out because your session reached its longest time. Sign in again."),
    assurance.Ended.UNSTAMPED: _("Your session has ended. Sign in again."),
}


class SessionGuard:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        api = request.path.startswith("/api/")
        if api and request.headers.get("authorization", "")[:7].lower() == "bearer ":
            # A program with its token: no session takes part, and a wrong token is a 401
            # (asylon.api.auth). Any other header is no token: the session is guarded as ever.
            return None
        if not request.user.is_authenticated:
            return None
        now = timezone.now()
        ended = assurance.session_ended(request.session, now)
        if ended:
            auth.logout(request)
            if api:
                # The API then answers as to anyone not signed in: 401, in its own error shape.
                return None
            messages.info(request, ENDED[ended])
            if request.method == "GET":
                return redirect_to_login(request.get_full_path())
            return redirect(settings.LOGIN_URL)
        assurance.seen(request.session, now)
        if not assurance.factor_outstanding(request.session, request.user):
            return None
        if api:
            request.user = AnonymousUser()
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_WHILE_HALF_SIGNED_IN:
            return None
        return redirect("accounts:second_factor")
