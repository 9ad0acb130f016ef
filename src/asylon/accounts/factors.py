"""Second factors: authenticator apps (TOTP, RFC 6238) and security keys or passkeys (WebAuthn).

No SMS and no e-mail: whoever controls a phone network or a mailbox could read those codes.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from datetime import datetime

import segno
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils.crypto import salted_hmac
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from asylon.accounts.models import SecurityKey, TotpDevice, User
from asylon.people.models import office_slug

logger = logging.getLogger(__name__)

ISSUER = "Asylon"
# What every authenticator app understands (RFC 6238 §4, Google Authenticator's key URI format).
TOTP_DIGITS = 6
TOTP_STEP = 30
# A phone's clock may be one step off; further than that, the code is refused.
TOTP_SKEW = 1

# The challenge of the ceremony under way, and which ceremony: it is good for one answer.
CHALLENGE = "accounts.webauthn.challenge"


def has_second_factor(user: User) -> bool:
    return (
        TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        or SecurityKey.objects.filter(user=user).exists()
    )


class LastFactor(Exception):
    """The user's last second factor is kept: another is added first."""


def factor_remove(*, user: User, factor: str) -> bool:
    """Remove one of the user's second factors: "totp" (the authenticator app) or "key:<id>" (a
    security key of theirs); False if they hold no such factor. Never the last one (LastFactor):
    every account that holds a role signs in with a second factor (docs/security.md)."""
    with transaction.atomic():
        apps = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False)
        keys = SecurityKey.objects.select_for_update().filter(user=user)
        if factor == "totp":
            chosen = apps
        elif factor.startswith("key:") and factor[4:].isdigit():
            chosen = keys.filter(pk=int(factor[4:]))
        else:
            return False
        if not chosen.exists():
            return False
        if len(apps) + len(keys) < 2:
            raise LastFactor
        chosen.delete()
    logger.info("second factor removed by its holder", extra={"user_id": user.pk, "factor": factor.split(":")[0]})
    return True


def factors_reset(user: User) -> int:
    """Remove every second factor of the user (an administrator's recovery of a lost phone or
    key): at the next sign-in the password leads to setting up a new one. How many were removed."""
    with transaction.atomic():
        removed = TotpDevice.objects.filter(user=user).delete()[0] + SecurityKey.objects.filter(user=user).delete()[0]
    logger.warning("second factors reset by an administrator", extra={"user_id": user.pk, "removed": removed})
    return removed


# Authenticator apps


def _totp(secret: str) -> TOTP:
    # HMAC-SHA-1 is what authenticator apps compute (RFC 6238); HMAC does not rest on SHA-1's
    # collision resistance, which is what is broken.
    return TOTP(base64.b32decode(secret), TOTP_DIGITS, SHA1(), TOTP_STEP)  # noqa: S303


def totp_pending(user: User) -> TotpDevice | None:
    """The authenticator app being set up, made on first asking; None once one is confirmed."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        # 160 bits, the key length RFC 4226 §4 recommends for HMAC-SHA-1.
        secret = base64.b32encode(secrets.token_bytes(20)).decode()
        try:
            with transaction.atomic():
                device = TotpDevice.objects.create(user=user, office=office_slug(user.unit), secret=secret)
        except IntegrityError:
            # The same page opened twice at once: the other request made it.
            device = TotpDevice.objects.get(user=user)
    return None if device.confirmed_at else device


def totp_uri(device: TotpDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return _totp(device.secret).get_provisioning_uri(device.user.get_username(), ISSUER)


def qr_svg(text: str) -> str:
    """A QR code as an inline SVG element: no image request, nothing for the content policy to allow."""
    return segno.make(text, error="m").svg_inline(scale=5, light="#fff")


def totp_confirm(*, user: User, code: str, now: datetime) -> bool:
    """Set up the authenticator app with its first code."""
    return _totp_accept(user=user, code=code, now=now, confirming=True)


def totp_check(*, user: User, code: str, now: datetime) -> bool:
    """Whether `code` is the user's code for now, give or take a step, not used before."""
    return _totp_accept(user=user, code=code, now=now, confirming=False)


def _totp_accept(*, user: User, code: str, now: datetime, confirming: bool) -> bool:
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isascii() or not code.isdigit():
        return False
    with transaction.atomic():
        # Locked: two requests carrying the same code at once must not both pass.
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=confirming).first()
        if device is None:
            return False
        totp = _totp(device.secret)
        current = int(now.timestamp()) // TOTP_STEP
        for step in range(current - TOTP_SKEW, current + TOTP_SKEW + 1):
            # A step at or before the last one accepted is a replay, even within the skew.
            if step <= device.last_step:
                continue
            try:
                totp.verify(code.encode(), step * TOTP_STEP)
            except InvalidToken:
                continue
            device.last_step = step
            if confirming:
                device.confirmed_at = now
            device.save(update_fields=["last_step", "confirmed_at"])
            return True
    return False


# Security keys and passkeys


def relying_party(request: HttpRequest) -> tuple[str, str]:
    """The RP id and origin keys are bound to: configured, or else this request's host and scheme
    (Django has already checked the host against ALLOWED_HOSTS)."""
    host = request.get_host()
    rp_id = settings.ASYLON_WEBAUTHN_RP_ID or split_domain_port(host)[0]
    origin = settings.ASYLON_WEBAUTHN_ORIGIN or f"{request.scheme}://{host}"
    return rp_id, origin


def _user_handle(user: User) -> bytes:
    # Stable per user and naming nobody: authenticators show it to no one but keep it per account.
    return salted_hmac("asylon.accounts.webauthn-user", str(user.pk), algorithm="sha256").digest()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(key.credential_id),
            transports=[AuthenticatorTransport(t) for t in key.transports],
        )
        for key in SecurityKey.objects.filter(user=user)
    ]


def _challenge_keep(request: HttpRequest, ceremony: str, challenge: bytes) -> None:
    request.session[CHALLENGE] = [ceremony, bytes_to_base64url(challenge)]


def _challenge_take(request: HttpRequest, ceremony: str) -> bytes | None:
    kept = request.session.pop(CHALLENGE, None)
    if not kept or kept[0] != ceremony:
        return None
    return base64url_to_bytes(kept[1])


def key_registration_options(request: HttpRequest, user: User) -> str:
    """Options for navigator.credentials.create(), as JSON; the challenge stays in the session."""
    rp_id, _ = relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=ISSUER,
        user_id=_user_handle(user),
        user_name=user.get_username(),
        user_display_name=user.get_full_name() or user.get_username(),
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _challenge_keep(request, "registration", options.challenge)
    return options_to_json(options)


def key_register(request: HttpRequest, *, user: User, credential: str, label: str, now: datetime) -> bool:
    """Keep the security key the browser just made, if its answer holds."""
    challenge = _challenge_take(request, "registration")
    if challenge is None:
        return False
    rp_id, origin = relying_party(request)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin
        )
    except (WebAuthnException, ValueError) as refusal:
        logger.info("security key registration refused for user %s: %s", user.pk, refusal)
        return False
    try:
        with transaction.atomic():
            SecurityKey.objects.create(
                user=user,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                label=label.strip()[:100] or "Security key",
                transports=_transports(credential),
                last_used_at=now,
            )
    except IntegrityError:
        # The same key twice: the browser should have excluded it.
        return False
    return True


def _transports(credential: str) -> list[str]:
    # Hints for the browser at sign-in; unknown ones are dropped, as py_webauthn does.
    known = {t.value for t in AuthenticatorTransport}
    try:
        listed = json.loads(credential)["response"].get("transports") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
    return [t for t in listed if isinstance(t, str) and t in known] if isinstance(listed, list) else []


def key_assertion_options(request: HttpRequest, user: User) -> str:
    """Options for navigator.credentials.get() with this user's keys, as JSON."""
    rp_id, _ = relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=_descriptors(user), user_verification=UserVerificationRequirement.PREFERRED
    )
    _challenge_keep(request, "authentication", options.challenge)
    return options_to_json(options)


def key_check(request: HttpRequest, *, user: User, credential: str, now: datetime) -> bool:
    """Whether the browser's answer was signed by one of this user's keys, for this challenge."""
    challenge = _challenge_take(request, "authentication")
    if challenge is None:
        return False
    try:
        credential_id = json.loads(credential)["id"]
    except (ValueError, KeyError, TypeError):
        return False
    if not isinstance(credential_id, str):
        return False
    rp_id, origin = relying_party(request)
    with transaction.atomic():
        # Locked: two answers with the same counter (a cloned key) must not both pass.
        key = SecurityKey.objects.select_for_update().filter(user=user, credential_id=credential_id).first()
        if key is None:
            return False
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=bytes(key.public_key),
                credential_current_sign_count=key.sign_count,
            )
        except (WebAuthnException, ValueError) as refusal:
            logger.info("security key refused for user %s: %s", user.pk, refusal)
            return False
        key.sign_count = verified.new_sign_count
        key.last_used_at = now
        key.save(update_fields=["sign_count", "last_used_at"])
    return True
