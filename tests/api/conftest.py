"""The API tier: real HTTP requests through Django's test client, on a frozen clock."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.services.helpers import T0, Clock


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every service, session and timestamp reads `timezone.now()`: freeze it at T0."""
    frozen = Clock(T0)
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def api(db):
    """A client that calls the API with the user's own token, as a program would."""
    from asylon.accounts.models import ApiToken

    def client_for(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {ApiToken.create_for(user)}"})

    return client_for
