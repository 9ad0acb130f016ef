from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.services.helpers import open_case

PASSWORD = "correct horse battery staple"


def test_an_officer_with_the_right_password_is_asked_for_a_second_factor_then_lands_on_the_case_list(staff):
    browser = Client()

    response = browser.post(reverse("front:login"), {"username": "rhee.registrar", "password": PASSWORD})

    # The flow itself, factor by factor, is tested in tests/accounts.
    assert response.status_code == 302
    assert response.url == reverse("accounts:security")
    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")


def test_an_officer_signed_in_comes_back_to_the_page_asked_for(staff, settings):
    settings.ASYLON_SECOND_FACTOR = "offered"
    browser = Client()

    response = browser.post(
        reverse("front:login"), {"username": "rhee.registrar", "password": PASSWORD, "next": "/?state=intake"}
    )

    assert response.url == "/?state=intake"
    assert browser.get(reverse("front:cases")).context["user"] == staff.registrar


def test_a_next_address_on_another_site_is_not_followed(staff, settings):
    settings.ASYLON_SECOND_FACTOR = "offered"

    response = Client().post(
        reverse("front:login"), {"username": "rhee.registrar", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response.url == reverse("front:queues")


def test_a_wrong_password_is_refused_and_nobody_is_signed_in(staff):
    browser = Client()

    response = browser.post(reverse("front:login"), {"username": "rhee.registrar", "password": "wrong password"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert browser.get(reverse("front:cases")).status_code == 302


@pytest.mark.parametrize("page", ["cases", "case"])
def test_every_page_sends_an_anonymous_visitor_to_sign_in(staff, page):
    case = open_case(staff)
    url = reverse("front:case", args=[case.pk]) if page == "case" else reverse("front:cases")

    response = Client().get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("front:login") + "?next=")


def test_signing_out_takes_a_post_and_ends_the_session(staff, browser_for):
    browser = browser_for(staff.registrar)

    assert browser.get(reverse("front:logout")).status_code == 405
    response = browser.post(reverse("front:logout"))

    assert response.status_code == 302
    assert response.url == reverse("front:login")
    assert browser.get(reverse("front:cases")).status_code == 302


def test_the_sign_in_form_carries_a_csrf_token_and_is_refused_without_one(staff):
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(reverse("front:login")).content.decode()
    response = browser.post(reverse("front:login"), {"username": "rhee.registrar", "password": PASSWORD})

    assert 'name="csrfmiddlewaretoken"' in page
    assert response.status_code == 403


def test_pages_that_show_personal_data_are_never_cached(staff, browser_for):
    case = open_case(staff)
    browser = browser_for(staff.registrar)

    for url in (reverse("front:cases"), reverse("front:case", args=[case.pk])):
        assert "no-store" in browser.get(url)["Cache-Control"]


def test_the_header_names_the_officer_and_their_roles(staff, browser_for):
    page = browser_for(staff.registrar).get(reverse("front:cases")).content.decode()

    assert "rhee.registrar" in page
    assert "Registration officer" in page
