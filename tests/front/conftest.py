"""The officer web interface, driven through Django's test client as a browser would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from asylon.procedure.roles import Role
from tests.services.helpers import T0

# The day the officers in these tests sit at their desks: the day after the cases were opened.
NOW = T0 + timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    # Services, views and document validity all read the clock through timezone.now().
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def browser_for(sign_in):
    """A browser with the given officer signed in, second factor and all."""

    def browser(user) -> Client:
        return sign_in(Client(), user)

    return browser


@pytest.fixture
def drafter_and_reviewer(make_user):
    """An officer who holds both roles: separation of duties must still hold for them."""
    return make_user("duri.dual", Role.ELIGIBILITY_OFFICER, Role.REVIEWER)
