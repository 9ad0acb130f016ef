"""Staff accounts, the roles they hold, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from asylon.procedure.roles import Actor, Role


class User(AbstractUser):
    # The office or team the officer works in; need-to-know builds on it.
    unit = models.CharField(max_length=100, blank=True)

    def actor(self) -> Actor:
        return Actor(self.pk, frozenset(Role(g.role) for g in self.role_grants.all()))

    @property
    def role_names(self) -> list[str]:
        return sorted(g.role for g in self.role_grants.all())


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=40, choices=[(r.value, r.value) for r in Role])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """Only the digest is stored: a database copy does not let anyone call the API."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label or f"token {self.pk}"

    @classmethod
    def create_for(cls, user: User, label: str = "") -> str:
        token = "asy_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, digest=_digest(token), label=label)
        return token

    @classmethod
    def user_for(cls, token: str) -> User | None:
        found = cls.objects.select_related("user").filter(digest=_digest(token), user__is_active=True).first()
        return found.user if found else None
