"""Authenticator apps (RFC 6238): setting one up, signing in with it, and codes refused."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse

from asylon.accounts.models import SignInAttempt, TotpDevice
from tests.accounts.conftest import SECRET, password_step, totp_code


def test_an_officer_without_a_second_factor_is_sent_to_set_one_up_and_reaches_nothing_else(staff):
    browser = Client()

    response = password_step(browser, "rhee.registrar")

    assert response.url == reverse("accounts:security")
    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")
    assert browser.get(reverse("accounts:second_factor")).url == reverse("accounts:security")


def test_setting_up_an_authenticator_app_shows_a_qr_code_and_the_address_and_takes_a_first_code(staff, clock):
    browser = Client()
    password_step(browser, "rhee.registrar")

    page = browser.get(reverse("accounts:security"))
    uri = page.context["totp_uri"]
    query = parse_qs(urlsplit(uri).query)
    secret = query["secret"][0]
    answer = browser.post(reverse("accounts:security"), {"code": totp_code(secret, clock.now)})

    assert uri.startswith("otpauth://totp/Asylon:rhee.registrar?")
    assert query["issuer"] == ["Asylon"] and query["period"] == ["30"] and query["digits"] == ["6"]
    assert '<svg width="' in page.content.decode()
    assert answer.url == reverse("front:queues")
    assert browser.get(reverse("front:cases")).status_code == 200
    device = TotpDevice.objects.get(user=staff.registrar)
    assert device.confirmed_at == clock.now
    assert secret not in device.secret_sealed and device.secret == secret
    assert device.office == "main"


def test_a_wrong_first_code_sets_nothing_up(staff, clock):
    browser = Client()
    password_step(browser, "rhee.registrar")
    secret = parse_qs(urlsplit(browser.get(reverse("accounts:security")).context["totp_uri"]).query)["secret"][0]
    wrong = f"{(int(totp_code(secret, clock.now)) + 1) % 10**6:06d}"

    answer = browser.post(reverse("accounts:security"), {"code": wrong})

    assert answer.status_code == 200
    assert "not accepted" in answer.content.decode()
    assert TotpDevice.objects.get(user=staff.registrar).confirmed_at is None
    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")


def test_the_code_of_the_moment_signs_the_officer_in(staff, half_signed_in, clock):
    browser = half_signed_in(staff.registrar)

    response = browser.post(reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now)})

    assert response.url == reverse("front:queues")
    assert browser.get(reverse("front:cases")).status_code == 200
    outcomes = list(SignInAttempt.objects.order_by("at", "pk").values_list("outcome", flat=True))
    assert outcomes == ["password_accepted", "signed_in"]


def test_a_code_is_taken_once_only_even_by_another_browser(staff, half_signed_in, clock):
    code = totp_code(SECRET, clock.now)
    first = half_signed_in(staff.registrar)
    first.post(reverse("accounts:second_factor"), {"code": code})
    second = Client()
    password_step(second, "rhee.registrar")

    replay = second.post(reverse("accounts:second_factor"), {"code": code})

    assert replay.status_code == 200
    assert "not accepted" in replay.content.decode()
    assert second.get(reverse("front:cases")).url == reverse("accounts:second_factor")
    clock.advance(seconds=30)
    assert second.post(reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now)}).status_code == 302


def test_a_phone_clock_one_step_off_either_way_is_forgiven(staff, half_signed_in, clock):
    behind = half_signed_in(staff.registrar)
    assert (
        behind.post(
            reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now - timedelta(seconds=30))}
        ).status_code
        == 302
    )

    ahead = half_signed_in_again(staff)
    assert (
        ahead.post(
            reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now + timedelta(seconds=30))}
        ).status_code
        == 302
    )


def test_a_code_two_steps_old_or_two_steps_ahead_is_refused(staff, half_signed_in, clock):
    browser = half_signed_in(staff.registrar)

    for when in (clock.now - timedelta(seconds=60), clock.now + timedelta(seconds=60)):
        response = browser.post(reverse("accounts:second_factor"), {"code": totp_code(SECRET, when)})
        assert response.status_code == 200

    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")


def test_a_code_older_than_the_last_one_taken_is_refused_within_the_skew(staff, half_signed_in, clock):
    browser = half_signed_in(staff.registrar)
    browser.post(reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now)})
    again = half_signed_in_again(staff)

    response = again.post(
        reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now - timedelta(seconds=30))}
    )

    assert response.status_code == 200


def test_codes_with_spaces_are_read_and_anything_else_is_refused(staff, half_signed_in, clock):
    browser = half_signed_in(staff.registrar)
    code = totp_code(SECRET, clock.now)

    # Four, as a fifth failure would pause signing in (tests/accounts/test_lockout.py).
    for bad in ("12345", "1234567", "abcdef", "１２３４５６"):
        assert browser.post(reverse("accounts:second_factor"), {"code": bad}).status_code == 200
    assert browser.post(reverse("accounts:second_factor"), {"code": f"{code[:3]} {code[3:]}"}).status_code == 302


def half_signed_in_again(staff) -> Client:
    """A second browser past the password, for an officer whose app is already set up."""
    browser = Client()
    assert password_step(browser, staff.registrar.username).url == reverse("accounts:second_factor")
    return browser


def test_after_the_second_factor_the_officer_lands_on_the_page_first_asked_for(staff, totp_for, clock):
    totp_for(staff.registrar)
    browser = Client()
    assert browser.get("/?state=intake").url == "/login/?next=/%3Fstate%3Dintake"
    password_step(browser, "rhee.registrar", next="/?state=intake")

    response = browser.post(reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now)})

    assert response.url == "/?state=intake"
