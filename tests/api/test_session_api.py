"""A signed-in browser over the API: grave steps ask it to have signed in again just before,
as the web pages do (asylon.accounts.reauth); a program's token is not asked."""

from __future__ import annotations

import pytest
from django.test import Client

from asylon.accounts import assurance
from asylon.cases.models import EmergencyAccess
from asylon.procedure.case import State
from tests.api.support import db_state, post, problem
from tests.services.helpers import open_case, walk_to

pytestmark = pytest.mark.django_db

REASON = "Detainee transferred tonight; the assigned officer is unreachable."
DECISION = {"outcome": "refugee_status", "reasons": "Well-founded fear.", "countries_assessed": "KP"}


def _signed_in_again(browser: Client, clock) -> None:
    session = browser.session
    assurance.reauthenticated(session, clock.now)
    session.save()


def _asked_to_sign_in_again(response) -> None:
    body = problem(response, 403, "sign-in-again")
    assert "sign in again" in body["detail"].lower()


def test_a_browser_signed_in_long_ago_signs_in_again_before_breaking_the_glass(staff, sign_in, clock, bangkok_officer):
    case = open_case(staff)
    browser = sign_in(Client(), bangkok_officer)
    clock.advance(minutes=10)
    body = {"case_number": case.number, "reason": REASON, "hours": 1}

    before = db_state()
    _asked_to_sign_in_again(post(browser, "/api/emergency-accesses", body))
    assert db_state() == before
    assert not EmergencyAccess.objects.exists()

    _signed_in_again(browser, clock)
    opened = post(browser, "/api/emergency-accesses", body)
    assert opened.status_code == 201, opened.content


def test_a_browser_signed_in_long_ago_signs_in_again_before_deciding(staff, sign_in, clock):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_REVIEWED)
    browser = sign_in(Client(), staff.reviewer)
    clock.advance(minutes=10)

    before = db_state()
    _asked_to_sign_in_again(post(browser, f"/api/cases/{case.pk}/steps/decide", DECISION))
    assert db_state() == before

    _signed_in_again(browser, clock)
    decided = post(browser, f"/api/cases/{case.pk}/steps/decide", DECISION)
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "decided"


def test_a_fresh_browser_decides_at_once_and_other_steps_never_ask(staff, sign_in, clock):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_REVIEWED)
    assert post(sign_in(Client(), staff.reviewer), f"/api/cases/{case.pk}/steps/decide", DECISION).status_code == 200

    other = walk_to(staff, open_case(staff), State.REGISTERED)
    registrar = sign_in(Client(), staff.registrar)
    clock.advance(minutes=10)
    screened = post(
        registrar, f"/api/cases/{other.pk}/steps/screen", {"mode": "prioritized", "reason": "Detained over a year."}
    )
    assert screened.status_code == 200, screened.content


def test_a_browser_signed_in_long_ago_signs_in_again_before_an_export(staff, sign_in, clock):
    browser = sign_in(Client(), staff.dpo)
    clock.advance(minutes=10)

    _asked_to_sign_in_again(post(browser, "/api/disclosures/999/export"))
    _signed_in_again(browser, clock)
    problem(post(browser, "/api/disclosures/999/export"), 404, "not-found")


def test_a_program_with_a_token_is_not_asked_to_sign_in_again(staff, api, clock, bangkok_officer):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_REVIEWED)
    clock.advance(minutes=10)

    assert post(api(staff.reviewer), f"/api/cases/{case.pk}/steps/decide", DECISION).status_code == 200
    body = {"case_number": open_case(staff).number, "reason": REASON, "hours": 1}
    assert post(api(bangkok_officer), "/api/emergency-accesses", body).status_code == 201
