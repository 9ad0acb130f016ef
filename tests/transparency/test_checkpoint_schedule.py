"""Checkpoints on a schedule: a timer runs `asylon checkpoint`, which signs only a grown log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from asylon.transparency.models import Checkpoint
from asylon.transparency.services import checkpoint_sign, entry_log

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _append() -> None:
    with transaction.atomic():
        entry_log("register", {"action": "listed", "country": "KP", "actor": None, "day": "2026-11-30"}, {})


def test_a_checkpoint_is_signed_again_only_when_the_log_grew():
    _append()
    first = checkpoint_sign(NOON)

    unchanged = checkpoint_sign(NOON + timedelta(hours=1))
    _append()
    grown = checkpoint_sign(NOON + timedelta(hours=2))

    assert unchanged == first
    assert (first.size, grown.size) == (1, 2)
    assert list(Checkpoint.objects.order_by("pk").values_list("size", "signed_at")) == [
        (1, NOON),
        (2, NOON + timedelta(hours=2)),
    ]


def test_an_empty_log_is_signed_once():
    assert checkpoint_sign(NOON) == checkpoint_sign(NOON + timedelta(days=1))
    assert Checkpoint.objects.get().size == 0
