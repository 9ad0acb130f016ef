"""Staff accounts, the roles they hold, API tokens, second factors and sign-in attempts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from asylon.dataprotection.runtime import sealed
from asylon.people.models import SealedRow
from asylon.procedure.access import Reader
from asylon.procedure.roles import Actor, Role


class User(AbstractUser):
    # The office or team the officer works in; need-to-know builds on it.
    unit = models.CharField(max_length=100, blank=True)

    def actor(self) -> Actor:
        """The officer as the core sees them. Read once per loaded user (a request's user is
        loaded per request); granting or withdrawing a role through RoleGrant forgets it."""
        if "_actor" not in self.__dict__:
            self.__dict__["_actor"] = Actor(self.pk, frozenset(Role(g.role) for g in self.role_grants.all()))
        actor: Actor = self.__dict__["_actor"]
        return actor

    def forget_roles(self) -> None:
        self.__dict__.pop("_actor", None)

    @property
    def office(self) -> str:
        """The unit as a key: the office whose keys seal what this officer registers."""
        from asylon.people.models import office_slug

        return office_slug(self.unit)

    def reader(self) -> Reader:
        return Reader(self.actor(), self.office)

    @property
    def role_names(self) -> list[str]:
        return sorted(self.actor().roles)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=40, choices=[(r.value, r.value) for r in Role])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        self.user.forget_roles()

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        self.user.forget_roles()
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]


class ApiToken(models.Model):
    """Only the digest is stored: a database copy does not let anyone call the API. A program
    using a token is asked for no second factor, so every token expires, and an administrator
    lists and revokes them with `asylon api-tokens`."""

    DAYS = 90

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.label or f"token {self.pk}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def create_for(cls, user: User, label: str = "", days: int = DAYS) -> str:
        token = "asy_" + secrets.token_urlsafe(32)
        now = timezone.now()
        cls.objects.create(
            user=user, digest=cls.digest_of(token), label=label, created_at=now, expires_at=now + timedelta(days=days)
        )
        return token

    @classmethod
    def user_for(cls, token: str) -> User | None:
        found = (
            cls.objects.select_related("user")
            .filter(digest=cls.digest_of(token), user__is_active=True, expires_at__gt=timezone.now())
            .first()
        )
        return found.user if found else None


class TotpDevice(SealedRow):
    """An authenticator app (RFC 6238). The shared secret is sealed with the officer's office keys;
    `last_step` is the newest time step accepted, so a code seen once is refused after."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret_sealed = models.TextField(default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    secret = sealed("secret")

    def __str__(self) -> str:
        return f"authenticator app of {self.user_id}"


class SecurityKey(models.Model):
    """A WebAuthn credential: a security key or a passkey. Only its public key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_keys")
    # base64url, as the browser names it; WebAuthn caps credential ids at 1023 bytes.
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    label = models.CharField(max_length=100)
    transports = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.label


class SignInAttempt(models.Model):
    """One try at a password or a second factor. The username is kept as a keyed digest: the
    table shows how often a name was tried, not the names (nor the passwords typed as names)."""

    # Outcomes, not passwords (S105).
    class Outcome(models.TextChoices):
        SIGNED_IN = "signed_in"
        PASSWORD_ACCEPTED = "password_accepted"  # noqa: S105
        PASSWORD_REFUSED = "password_refused"  # noqa: S105
        FACTOR_REFUSED = "factor_refused"
        REAUTHENTICATED = "reauthenticated"
        PAUSED = "paused"

    username_digest = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        indexes = [
            models.Index(fields=["username_digest", "at"], name="attempt_by_username"),
            models.Index(fields=["ip", "at"], name="attempt_by_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.at:%Y-%m-%d %H:%M:%S}"
