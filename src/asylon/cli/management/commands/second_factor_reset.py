from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from asylon.accounts import factors
from asylon.accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove every second factor of an officer who lost their phone or key: at the next sign-in "
        "the password leads to setting up a new one. Confirm who is asking before running it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        removed = factors.factors_reset(user)
        factors_removed = f"{removed} second factor{'' if removed == 1 else 's'}"
        self.stdout.write(f"Removed {factors_removed} of {username}; they set up a new one at the next sign-in.")
