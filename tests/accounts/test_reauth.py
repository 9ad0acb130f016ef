"""Signing in again before a grave step, on a page of this test's own."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from asylon.accounts.models import SignInAttempt
from asylon.accounts.reauth import reauthentication_required, recently_authenticated
from asylon.config.urls import urlpatterns as site
from tests.accounts.conftest import PASSWORD, SECRET, totp_code


@reauthentication_required
def grave(request):
    return HttpResponse(f"done by {request.user.username}")


urlpatterns = [path("grave/", grave), *site]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def officer(staff, sign_in, totp_for, clock):
    """The registrar, with an authenticator app, signed in ten minutes ago."""
    totp_for(staff.registrar)
    browser = sign_in(Client(), staff.registrar)
    clock.advance(minutes=10)
    return browser


def test_signing_in_counts_as_a_recent_proof_for_five_minutes(staff, sign_in, clock, rf):
    browser = sign_in(Client(), staff.registrar)
    request = rf.get("/")
    request.session = browser.session

    assert recently_authenticated(request)
    clock.advance(minutes=4, seconds=59)
    assert recently_authenticated(request)
    clock.advance(seconds=1)
    assert not recently_authenticated(request)
    assert recently_authenticated(request, minutes=10)


def test_right_after_signing_in_the_grave_step_is_taken_at_once(staff, sign_in):
    assert sign_in(Client(), staff.registrar).get("/grave/").content == b"done by rhee.registrar"


def test_a_get_goes_to_sign_in_again_and_comes_back_to_the_same_address(staff, officer, clock):
    asked = officer.get("/grave/?case=7")
    assert asked.url == reverse("accounts:reauthenticate") + "?next=%2Fgrave%2F%3Fcase%3D7"
    page = officer.get(asked.url)
    assert page.context["needs_factor"] and page.context["next"] == "/grave/?case=7"

    back = officer.post(
        reverse("accounts:reauthenticate"),
        {"password": PASSWORD, "code": totp_code(SECRET, clock.now), "next": "/grave/?case=7"},
    )

    assert back.url == "/grave/?case=7"
    assert officer.get(back.url).content == b"done by rhee.registrar"
    assert SignInAttempt.objects.filter(outcome="reauthenticated").count() == 1


def test_a_post_goes_to_sign_in_again_and_comes_back_to_the_form(staff, officer):
    asked = officer.post("/grave/", headers={"referer": "http://testserver/cases/7/?tab=steps"})

    assert asked.url == reverse("accounts:reauthenticate") + "?next=%2Fcases%2F7%2F%3Ftab%3Dsteps"


@pytest.mark.parametrize(
    "referer", ["https://elsewhere.example/cases/7/", "//elsewhere.example/", "javascript:alert(1)", ""]
)
def test_a_post_from_another_site_comes_back_nowhere_but_here(staff, officer, referer):
    asked = officer.post("/grave/", headers={"referer": referer} if referer else {})

    assert asked.url == reverse("accounts:reauthenticate")


def test_a_next_address_elsewhere_is_not_followed(staff, officer, clock):
    back = officer.post(
        reverse("accounts:reauthenticate"),
        {"password": PASSWORD, "code": totp_code(SECRET, clock.now), "next": "https://elsewhere.example/"},
    )

    assert back.url == reverse("front:queues")


def test_the_password_alone_is_not_enough_for_an_officer_with_a_second_factor(staff, officer):
    refused = officer.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": "/grave/"})

    assert refused.status_code == 200
    assert officer.get("/grave/").status_code == 302
    assert list(SignInAttempt.objects.values_list("outcome", flat=True)) == ["factor_refused"]


def test_a_wrong_password_is_refused_and_counted(staff, officer, clock):
    refused = officer.post(
        reverse("accounts:reauthenticate"),
        {"password": "wrong password", "code": totp_code(SECRET, clock.now), "next": "/grave/"},
    )

    assert refused.status_code == 200
    assert "not accepted" in refused.content.decode()
    assert list(SignInAttempt.objects.values_list("outcome", flat=True)) == ["password_refused"]


def test_five_failures_while_signing_in_again_sign_the_officer_out(staff, officer):
    for _ in range(4):
        officer.post(reverse("accounts:reauthenticate"), {"password": "wrong password"})

    last = officer.post(reverse("accounts:reauthenticate"), {"password": "wrong password"})

    assert last.url == reverse("front:login")
    assert officer.get("/grave/").url.startswith(reverse("front:login"))


def test_an_officer_without_a_second_factor_signs_in_again_with_the_password(staff, sign_in, clock):
    browser = sign_in(Client(), staff.outsider)
    clock.advance(minutes=10)

    back = browser.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": "/grave/"})

    assert back.url == "/grave/"
    assert browser.get("/grave/").status_code == 200


def test_adding_a_second_factor_later_asks_to_sign_in_again_first(staff, officer):
    asked = officer.get(reverse("accounts:security"))

    assert asked.url == reverse("accounts:reauthenticate") + "?next=%2Faccount%2Fsecurity%2F"
    assert officer.post(reverse("accounts:key_registration_options")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(db):
    assert Client().get("/grave/").url == reverse("front:login") + "?next=/grave/"


def test_the_decorator_takes_its_own_number_of_minutes(staff, sign_in, clock, rf):
    @reauthentication_required(minutes=1)
    def quick(request):
        return HttpResponse("done")

    request = rf.get("/quick/")
    request.user = staff.registrar
    request.session = sign_in(Client(), staff.registrar).session
    assert quick(request).status_code == 200
    clock.advance(minutes=1)
    assert quick(request).url == reverse("accounts:reauthenticate") + "?next=%2Fquick%2F"
