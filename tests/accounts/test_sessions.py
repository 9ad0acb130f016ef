"""How long a session lasts, and what a half-signed-in session may reach."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from asylon.accounts.models import ApiToken
from tests.accounts.conftest import password_step


def test_a_session_idle_for_thirty_minutes_is_signed_out_with_a_message(staff, sign_in, clock):
    browser = sign_in(Client(), staff.registrar)
    clock.advance(minutes=30)

    response = browser.get(reverse("front:cases"))

    assert response.url == reverse("front:login") + "?next=" + reverse("front:cases")
    page = browser.get(response.url)
    assert not page.context["user"].is_authenticated
    assert "signed out after a while without activity" in page.content.decode()


def test_activity_keeps_a_session_going_until_its_longest_time(staff, sign_in, clock):
    browser = sign_in(Client(), staff.registrar)
    for _ in range(35):  # 11 hours 40 minutes, never 30 minutes idle
        clock.advance(minutes=20)
        assert browser.get(reverse("front:cases")).status_code == 200

    clock.advance(minutes=20)
    response = browser.get(reverse("front:cases"))

    assert response.url.startswith(reverse("front:login"))
    assert "reached its longest time" in browser.get(response.url).content.decode()


def test_the_timeouts_come_from_the_settings(staff, sign_in, clock, settings):
    settings.ASYLON_SESSION_IDLE_MINUTES = 5
    browser = sign_in(Client(), staff.registrar)
    clock.advance(minutes=5)

    assert browser.get(reverse("front:cases")).url.startswith(reverse("front:login"))


def test_an_expired_session_no_longer_opens_the_api_but_a_token_does(staff, sign_in, clock):
    browser = sign_in(Client(), staff.registrar)
    token = ApiToken.create_for(staff.registrar)
    clock.advance(hours=1)

    assert browser.get("/api/cases").status_code == 401
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/cases").status_code == 200


def test_a_session_made_without_the_sign_in_pages_is_ended(staff):
    browser = Client()
    browser.force_login(staff.registrar)

    assert browser.get(reverse("front:cases")).url.startswith(reverse("front:login"))


def test_half_signed_in_the_case_list_and_the_api_are_out_of_reach(staff, half_signed_in):
    browser = half_signed_in(staff.registrar)

    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")
    answer = browser.get("/api/cases")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert browser.get(reverse("accounts:reauthenticate")).url == reverse("accounts:second_factor")
    assert browser.get(reverse("accounts:second_factor")).status_code == 200


def test_half_signed_in_one_may_still_sign_out_and_change_the_language(staff, half_signed_in):
    browser = half_signed_in(staff.registrar)

    language = browser.post(reverse("front:set_language"), {"language": "ko", "next": "/account/second-factor/"})
    out = browser.post(reverse("front:logout"))

    assert language.url == "/account/second-factor/"
    assert out.url == reverse("front:login")
    assert browser.get(reverse("front:cases")).url.startswith(reverse("front:login"))


def test_a_program_with_a_token_is_not_asked_for_a_second_factor(staff):
    token = ApiToken.create_for(staff.registrar)

    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/cases").status_code == 200


def test_the_demo_offers_a_second_factor_and_lets_the_password_alone_sign_in(staff, settings):
    settings.ASYLON_SECOND_FACTOR = "offered"
    browser = Client()
    assert "is offered, not required" in browser.get(reverse("front:login")).content.decode()

    response = password_step(browser, "rhee.registrar")

    assert response.url == reverse("front:queues")
    page = browser.get(reverse("front:cases")).content.decode()
    assert f'<a href="{reverse("accounts:security")}">set one up</a>' in page


def test_where_it_is_required_an_officer_with_no_role_needs_only_the_password(staff):
    browser = Client()

    assert password_step(browser, "otto.outsider").url == reverse("front:queues")
    assert browser.get(reverse("front:cases")).status_code == 200


def test_a_role_granted_during_a_session_asks_for_the_second_factor_at_the_next_page(staff):
    from asylon.accounts.models import RoleGrant

    browser = Client()
    password_step(browser, "otto.outsider")
    RoleGrant.objects.create(user=staff.outsider, role="monitor")

    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")


# Any `Authorization` header once let the session past the guard: the API's bearer auth ignores
# a header that is not `Bearer ...`, and the session cookie then answered on its own.
NOT_A_TOKEN = ("Basic x", "x")


def test_half_signed_in_an_authorization_header_that_is_no_token_does_not_open_the_api(staff, half_signed_in):
    browser = half_signed_in(staff.registrar)

    for header in NOT_A_TOKEN:
        for path in ("/api/cases", "/api/alerts"):
            answer = browser.get(path, HTTP_AUTHORIZATION=header)
            assert answer.status_code == 401, (header, path)
            assert answer["Content-Type"] == "application/problem+json"


def test_an_idle_session_with_an_authorization_header_that_is_no_token_does_not_open_the_api(staff, sign_in, clock):
    browser = sign_in(Client(), staff.registrar)
    clock.advance(minutes=30)

    for header in NOT_A_TOKEN:
        for path in ("/api/cases", "/api/alerts"):
            assert browser.get(path, HTTP_AUTHORIZATION=header).status_code == 401, (header, path)


def test_a_session_cookie_does_not_rescue_an_invalid_token_nor_a_header_beside_it(staff, sign_in):
    browser = sign_in(Client(), staff.registrar)

    for header in ("Bearer asy_not-a-token", "bearer asy_not-a-token", "Bearer", *NOT_A_TOKEN):
        assert browser.get("/api/cases", HTTP_AUTHORIZATION=header).status_code == 401, header
    assert browser.get("/api/cases").status_code == 200


def test_a_valid_token_beside_a_half_signed_in_session_answers_for_the_token(staff, half_signed_in):
    browser = half_signed_in(staff.registrar)
    token = ApiToken.create_for(staff.registrar)

    assert browser.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert browser.get("/api/cases").status_code == 401
