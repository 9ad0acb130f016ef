from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from asylon.cases.models import Case
from asylon.transparency.services import checkpoint_sign


class Command(BaseCommand):
    help = "Load the demo caseload (North Koreans detained in China), generated from a fixed seed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--persons", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2023)

    def handle(self, *args: Any, persons: int, seed: int, **options: Any) -> None:
        from asylon.demo.load import scenario_load
        from asylon.demo.scenario import generate

        if persons < 1:
            raise CommandError("--persons must be at least 1")
        if Case.objects.exists():
            raise CommandError("the database already holds cases; the demo loads into an empty database only")
        started = time.monotonic()
        scenario = generate(seed=seed, persons=persons, today=timezone.now().date())
        loaded = scenario_load(scenario, seed=seed, progress=True)
        checkpoint_sign()
        self.stdout.write(
            f"Loaded {len(loaded)} cases of {len(scenario.persons)} persons and {len(scenario.alerts)} alerts "
            f"in {time.monotonic() - started:.0f} s."
        )
