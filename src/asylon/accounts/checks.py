"""Deployment checks for signing in (`asylon check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def second_factor_required(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.ASYLON_SECOND_FACTOR == "required" or settings.ASYLON_DEMO:
        return []
    return [
        checks.Warning(
            "ASYLON_SECOND_FACTOR=offered outside the demo: officers reach personal data with a password alone.",
            hint="Unset ASYLON_SECOND_FACTOR, or set it to required.",
            id="asylon.accounts.W001",
        )
    ]
