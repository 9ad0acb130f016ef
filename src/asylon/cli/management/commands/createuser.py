from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from asylon.accounts.models import ApiToken, RoleGrant, User
from asylon.procedure.access import CASEWORK
from asylon.procedure.roles import Role


class Command(BaseCommand):
    help = "Create a staff account with one or more roles; prints the password when none is given."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
        parser.add_argument("--password", help="at least 12 characters; generated when omitted")
        parser.add_argument(
            "--unit",
            default="",
            help="the office or team: required for casework roles and partner NGOs (need to know builds on it)",
        )
        parser.add_argument("--token", action="store_true", help="also create an API token and print it")

    def handle(
        self, *args: Any, username: str, role: list[str], password: str | None, unit: str, token: bool, **options: Any
    ) -> None:
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        if User.objects.filter(username=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        roles = sorted(set(role))
        # Without a unit an account falls in the default office, "main", and reads what every
        # other account without one registered: need to know would not separate them.
        unit_bound = sorted(set(roles) & {r.value for r in CASEWORK | {Role.PARTNER_NGO}})
        if unit_bound and not unit.strip():
            raise CommandError(f"--unit is required for {', '.join(unit_bound)}: need to know builds on the unit")
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, unit=unit)
            RoleGrant.objects.bulk_create(RoleGrant(user=user, role=r) for r in roles)
            api_token = ApiToken.create_for(user, label="createuser") if token else ""
        self.stdout.write(f"Created {username} ({', '.join(roles)})")
        if generated:
            self.stdout.write(f"Password: {password}")
        if api_token:
            self.stdout.write(f"API token: {api_token}")
