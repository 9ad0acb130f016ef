from __future__ import annotations

from asylon.accounts.checks import second_factor_required


def test_a_deployment_that_only_offers_a_second_factor_is_warned(settings):
    settings.ASYLON_DEMO = False
    settings.ASYLON_SECOND_FACTOR = "offered"

    assert [m.id for m in second_factor_required(None)] == ["asylon.accounts.W001"]
    settings.ASYLON_SECOND_FACTOR = "required"
    assert second_factor_required(None) == []
