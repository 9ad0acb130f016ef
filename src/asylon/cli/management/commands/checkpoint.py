from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from asylon.transparency.services import checkpoint_sign


class Command(BaseCommand):
    help = "Sign a checkpoint of the transparency log at its current size and print it."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(checkpoint_sign().note, ending="")
