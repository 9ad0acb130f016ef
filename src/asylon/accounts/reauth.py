"""Signing in again before a grave step: an export, a decision, a break-glass access.

    @login_required
    @reauthentication_required
    def decide(request, case_id): ...

A GET comes back to the same address; a POST cannot be replayed through a redirect, so the
officer comes back to the page the form was on and sends it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from asylon.accounts import assurance

View = Callable[..., HttpResponse]


def recently_authenticated(request: HttpRequest, minutes: int = 5) -> bool:
    """Whether the officer proved who they are (password, and second factor if they have one)
    within the last `minutes`."""
    at = assurance.authenticated_at(request.session)
    return at is not None and timezone.now() - at < timedelta(minutes=minutes)


def local_url(request: HttpRequest, url: str | None) -> str:
    """`url` as a path on this site if it points here, else the empty string."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    if not parts.path.startswith("/"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def reauthentication_redirect(request: HttpRequest) -> HttpResponseRedirect:
    if request.method in ("GET", "HEAD"):
        back = request.get_full_path()
    else:
        back = local_url(request, request.headers.get("referer"))
    url = reverse("accounts:reauthenticate")
    return HttpResponseRedirect(f"{url}?{urlencode({'next': back})}" if back else url)


def reauthentication_required(view: View | None = None, *, minutes: int = 5) -> Any:
    """Send the officer to sign in again unless they did within `minutes`."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not recently_authenticated(request, minutes):
                return reauthentication_redirect(request)
            return view(request, *args, **kwargs)

        return guarded

    return decorate(view) if view is not None else decorate
