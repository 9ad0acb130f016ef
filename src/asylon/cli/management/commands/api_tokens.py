from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from asylon.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = (
        "API tokens of service accounts: create one (printed once, never stored in clear), list them "
        "without their secret, or revoke them. Every token expires."
    )

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token for a user and print it")
        create.add_argument("username")
        create.add_argument("--label", default="", help="what the token is for, e.g. the program using it")
        create.add_argument("--days", type=int, default=ApiToken.DAYS, help=f"days until it expires ({ApiToken.DAYS})")
        listing = actions.add_parser("list", help="every token: id, user, label, created, expires")
        listing.add_argument("--user", help="only this user's tokens")
        revoke = actions.add_parser("revoke", help="revoke tokens by id (all or none)")
        revoke.add_argument("ids", nargs="+", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, action)(**options)

    def create(self, *, username: str, label: str, days: int, **options: Any) -> None:
        if not 1 <= days <= 366:
            raise CommandError("--days must be from 1 to 366")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        token = ApiToken.create_for(user, label=label, days=days)
        self.stdout.write(f"API token: {token}")
        self.stdout.write(f"It is shown this once; it expires in {days} days.")

    def list(self, *, user: str | None, **options: Any) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "pk")
        if user:
            tokens = tokens.filter(user__username=user)
        now = timezone.now()
        for token in tokens:
            state = "expired" if token.expires_at <= now else f"expires {token.expires_at:%Y-%m-%d}"
            self.stdout.write(
                f"{token.pk}  {token.user.username}  {token.label or '-'}  created {token.created_at:%Y-%m-%d}  {state}"
            )
        if not tokens:
            self.stdout.write("No API tokens.")

    @transaction.atomic
    def revoke(self, *, ids: list[int], **options: Any) -> None:
        found = {t.pk: t for t in ApiToken.objects.select_related("user").filter(pk__in=ids)}
        unknown = [str(i) for i in ids if i not in found]
        if unknown:
            raise CommandError(f"no API token {', '.join(unknown)}; none revoked")
        for pk, token in found.items():
            token.delete()
            self.stdout.write(f"Revoked token {pk} of {token.user.username}.")
