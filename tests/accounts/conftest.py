"""Signing in, driven through Django's test client, on a clock the tests move."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.services.helpers import T0, Clock

PASSWORD = "correct horse battery staple"
# A fixed authenticator-app secret for officers set up by the `totp_for` fixture.
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    frozen = Clock(T0)
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def totp_code(secret: str, when: datetime) -> str:
    """RFC 6238 written out again here, so that the tests do not trust the code under test."""
    counter = int(when.timestamp()) // 30
    mac = hmac.new(base64.b32decode(secret), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset : offset + 4], 'big') & 0x7FFFFFFF) % 10**6:06d}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftwareKey:
    """A security key in software: a P-256 key pair, a signature counter, and the bytes a real
    key and browser would send (WebAuthn Level 2 §5.1, §6.1, §6.5; "none" attestation)."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(16)
        self.counter = 0

    def _cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        # COSE_Key: kty EC2, alg ES256, crv P-256, x, y (RFC 9053 §7.1.1).
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict, *, origin: str = "http://testserver") -> str:
        """What navigator.credentials.create() gives the page, as the page's script posts it."""
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = (
            bytes(16)  # AAGUID
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_public_key()
        )
        # Flags: user present (0x01), attested credential data included (0x40).
        auth_data = hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([0x41]) + (0).to_bytes(4, "big")
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data + attested})
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "transports": ["usb"],
                },
            }
        )

    def get(self, options: dict, *, origin: str = "http://testserver") -> str:
        """What navigator.credentials.get() gives the page: a signature over the challenge."""
        self.counter += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = hashlib.sha256(options["rpId"].encode()).digest() + bytes([0x01]) + self.counter.to_bytes(4, "big")
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                },
            }
        )


def password_step(client: Client, username: str, password: str = PASSWORD, next: str = ""):
    return client.post(reverse("front:login"), {"username": username, "password": password, "next": next})


@pytest.fixture
def totp_for(clock):
    """Give an officer an authenticator app, set up an hour before the tests' now."""
    from asylon.accounts.models import TotpDevice
    from asylon.people.models import office_slug

    def give(user) -> None:
        TotpDevice.objects.create(
            user=user, office=office_slug(user.unit), secret=SECRET, confirmed_at=clock.now - timedelta(hours=1)
        )

    return give


@pytest.fixture
def half_signed_in(totp_for):
    """A browser past the password of an officer who has an authenticator app."""

    def browser(user) -> Client:
        totp_for(user)
        client = Client()
        response = password_step(client, user.username)
        assert response.url == reverse("accounts:second_factor")
        return client

    return browser
