"""The sign-in pages: the password, then a second factor; setting factors up; signing in again.

Half signed in (password accepted, second factor outstanding), an officer reaches only these
pages: the session guard in asylon.accounts.middleware sends every other request back here.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from asylon.accounts import assurance, attempts, factors
from asylon.accounts.models import SecurityKey, TotpDevice, User
from asylon.accounts.reauth import local_url, reauthentication_redirect, recently_authenticated

Outcome = attempts.Outcome


def _offered() -> bool:
    return settings.ASYLON_SECOND_FACTOR == "offered"


def _landing(next_url: str) -> str:
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = local_url(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and not assurance.factor_outstanding(request.session, request.user):
        return redirect(_landing(next_url))
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    refusal = ""
    if request.method == "POST":
        now = timezone.now()
        username = request.POST.get("username", "")
        ip = attempts.client_ip(request)
        if attempts.sign_in_paused(username=username, ip=ip, now=now):
            attempts.attempt_record(username=username, ip=ip, outcome=Outcome.PAUSED, now=now)
            # Unbound, so that showing the form does not check the password after all.
            form = AuthenticationForm(request, initial={"username": username})
            refusal = attempts.PAUSED
        elif form.is_valid():
            user = form.get_user()
            auth.login(request, user)
            assurance.password_accepted(request.session, now)
            if not assurance.second_factor_due(user):
                return _signed_in(request, user, now=now, next_url=next_url)
            attempts.attempt_record(username=username, ip=ip, outcome=Outcome.PASSWORD_ACCEPTED, now=now)
            request.session[assurance.NEXT] = next_url
            return redirect("accounts:second_factor" if factors.has_second_factor(user) else "accounts:security")
        else:
            attempts.attempt_record(username=username, ip=ip, outcome=Outcome.PASSWORD_REFUSED, now=now)
    context = {"form": form, "next": next_url, "refusal": refusal, "second_factor_offered": _offered()}
    return render(request, "front/login.html", context)


def _signed_in(request: HttpRequest, user: User, *, now: datetime, next_url: str, factor: str = "") -> HttpResponse:
    assurance.sign_in_completed(request.session, now, factor=factor)
    if factor:
        # A new session key for the stronger session, as at the password (session fixation).
        request.session.cycle_key()
    attempts.attempt_record(
        username=user.get_username(), ip=attempts.client_ip(request), outcome=Outcome.SIGNED_IN, now=now
    )
    if not factor and _offered():
        messages.info(
            request,
            format_html(
                _('This demo offers a second factor instead of requiring it: <a href="{}">set one up</a>.'),
                reverse("accounts:security"),
            ),
        )
    return redirect(_landing(next_url))


def _paused_out(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    messages.error(request, attempts.PAUSED)
    return redirect(settings.LOGIN_URL)


def _factor_shown(request: HttpRequest, user: User, now: datetime) -> str:
    """Which factor the posted form proves, or "" when it proves none."""
    if request.POST.get("credential"):
        return (
            "webauthn" if factors.key_check(request, user=user, credential=request.POST["credential"], now=now) else ""
        )
    if request.POST.get("code"):
        return "totp" if factors.totp_check(user=user, code=request.POST["code"], now=now) else ""
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a security key."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if not assurance.factor_outstanding(request.session, user):
        return redirect(_landing(request.session.pop(assurance.NEXT, "")))
    if not factors.has_second_factor(user):
        return redirect("accounts:security")
    refusal = ""
    if request.method == "POST":
        now = timezone.now()
        username, ip = user.get_username(), attempts.client_ip(request)
        if attempts.sign_in_paused(username=username, ip=ip, now=now):
            return _paused_out(request)
        factor = _factor_shown(request, user, now)
        if factor:
            return _signed_in(request, user, now=now, next_url=request.session.pop(assurance.NEXT, ""), factor=factor)
        attempts.attempt_record(username=username, ip=ip, outcome=Outcome.FACTOR_REFUSED, now=now)
        if attempts.sign_in_paused(username=username, ip=ip, now=now):
            return _paused_out(request)
        refusal = _("That code or key was not accepted. Try again.")
    return render(request, "accounts/second_factor.html", {**_factors_of(user), "refusal": refusal})


def _factors_of(user: User) -> dict[str, object]:
    return {
        "has_totp": TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists(),
        "keys": list(SecurityKey.objects.filter(user=user).order_by("created_at")),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app or a security key: the first one right after the password,
    more later (after signing in again, as for any change to how one signs in)."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    first = assurance.factor_outstanding(request.session, user)
    if first and factors.has_second_factor(user):
        # Half signed in, with a factor already: show it, do not add another.
        return redirect("accounts:second_factor")
    if not first and not recently_authenticated(request):
        return reauthentication_redirect(request)
    refusal = ""
    if request.method == "POST" and request.POST.get("remove") and not first:
        try:
            removed = factors.factor_remove(user=user, factor=request.POST["remove"])
        except factors.LastFactor:
            refusal = _("Your last second factor cannot be removed: add another one first.")
        else:
            if removed:
                messages.success(request, _("Second factor removed."))
                return redirect("accounts:security")
            refusal = _("That second factor is not yours, or was already removed.")
    elif request.method == "POST":
        now = timezone.now()
        if request.POST.get("credential"):
            factor = "webauthn"
            added = factors.key_register(
                request, user=user, credential=request.POST["credential"], label=request.POST.get("label", ""), now=now
            )
        else:
            factor = "totp"
            added = factors.totp_confirm(user=user, code=request.POST.get("code", ""), now=now)
        if added and first:
            return _signed_in(request, user, now=now, next_url=request.session.pop(assurance.NEXT, ""), factor=factor)
        if added:
            assurance.factor_shown(request.session, factor)
            messages.success(request, _("Second factor added."))
            return redirect("accounts:security")
        refusal = _("That was not accepted. Check the code, or try the key again.")
    device = factors.totp_pending(user)
    uri = factors.totp_uri(device) if device else ""
    context = {
        **_factors_of(user),
        "first": first,
        "offered": _offered(),
        "refusal": refusal,
        "totp_uri": uri,
        "totp_qr": factors.qr_svg(uri) if uri else "",
        "totp_secret": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)) if device else "",
        "skip_url": _landing(request.session.get(assurance.NEXT, "")),
    }
    return render(request, "accounts/security.html", context)


@require_POST
def key_registration_options(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"error": "sign in first"}, status=401)
    first = assurance.factor_outstanding(request.session, user)
    if (first and factors.has_second_factor(user)) or (not first and not recently_authenticated(request)):
        return JsonResponse({"error": "sign in again first"}, status=403)
    return HttpResponse(factors.key_registration_options(request, user), content_type="application/json")


@require_POST
def key_assertion_options(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"error": "sign in first"}, status=401)
    return HttpResponse(factors.key_assertion_options(request, user), content_type="application/json")


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Prove again who one is, before a grave step; then back to where it was asked."""
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    next_url = local_url(request, request.POST.get("next") or request.GET.get("next"))
    needs_factor = factors.has_second_factor(user)
    refusal = ""
    if request.method == "POST":
        now = timezone.now()
        username, ip = user.get_username(), attempts.client_ip(request)
        if attempts.sign_in_paused(username=username, ip=ip, now=now):
            return _paused_out(request)
        if not user.check_password(request.POST.get("password", "")):
            outcome = Outcome.PASSWORD_REFUSED
        elif needs_factor and not _factor_shown(request, user, now):
            outcome = Outcome.FACTOR_REFUSED
        else:
            assurance.reauthenticated(request.session, now)
            attempts.attempt_record(username=username, ip=ip, outcome=Outcome.REAUTHENTICATED, now=now)
            return redirect(_landing(next_url))
        attempts.attempt_record(username=username, ip=ip, outcome=outcome, now=now)
        if attempts.sign_in_paused(username=username, ip=ip, now=now):
            return _paused_out(request)
        refusal = _("That was not accepted. Try again.")
    context = {**_factors_of(user), "needs_factor": needs_factor, "next": next_url, "refusal": refusal}
    return render(request, "accounts/reauthenticate.html", context)
