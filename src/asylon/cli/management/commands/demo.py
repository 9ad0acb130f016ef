from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from asylon.cases.models import Case


class Command(BaseCommand):
    help = "Run the demo: migrate the local database, load the demo caseload once, print the accounts, serve."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--persons", type=int, default=2000)
        parser.add_argument("--no-serve", action="store_true", help="prepare everything but do not serve")

    def handle(self, *args: Any, host: str, port: int, persons: int, no_serve: bool, **options: Any) -> None:
        from asylon.demo.load import staff_ensure

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        if not Case.objects.exists():
            call_command("load_demo", persons=persons, stdout=self.stdout)
        accounts = staff_ensure()
        self.stdout.write("\nDemo accounts (passwords are new at each start):")
        for username, (user, password) in accounts.items():
            self.stdout.write(f"  {username:<14} {password:<14} {', '.join(user.role_names)}")
        self.stdout.write(f"\nOpen http://{host}:{port}/ and sign in with one of them.")
        if settings.ASYLON_SECOND_FACTOR == "offered":
            self.stdout.write("A second factor is offered, not required (ASYLON_SECOND_FACTOR=offered).")
        if not no_serve:
            call_command("serve", host=host, port=port)
