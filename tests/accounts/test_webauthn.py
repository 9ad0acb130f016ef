"""Security keys and passkeys (WebAuthn), with a key in software and the test client as browser."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from asylon.accounts.models import SecurityKey
from tests.accounts.conftest import SoftwareKey, b64url, password_step


def options(browser: Client, name: str) -> dict:
    response = browser.post(reverse(f"accounts:{name}"))
    assert response.status_code == 200, response.content
    return response.json()


def register(browser: Client, key: SoftwareKey, **where) -> object:
    made = key.create(options(browser, "key_registration_options"), **where)
    return browser.post(reverse("accounts:security"), {"credential": made, "label": "blue key"})


def assert_half_signed_in(browser: Client) -> None:
    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")


@pytest.fixture
def key():
    return SoftwareKey()


@pytest.fixture
def registered(staff, key):
    """The registrar's key, set up at the first sign-in; the browser is then signed out."""
    browser = Client()
    password_step(browser, "rhee.registrar")
    assert register(browser, key).url == reverse("front:queues")
    browser.post(reverse("front:logout"))
    return key


def test_registration_options_name_this_site_and_exclude_keys_already_held(staff, registered):
    browser = Client()
    password_step(browser, "rhee.registrar")
    browser.post(
        reverse("accounts:second_factor"), {"credential": registered.get(options(browser, "key_assertion_options"))}
    )

    offered = options(browser, "key_registration_options")

    assert offered["rp"] == {"id": "testserver", "name": "Asylon"}
    assert offered["user"]["name"] == "rhee.registrar"
    assert offered["attestation"] == "none"
    assert [c["id"] for c in offered["excludeCredentials"]] == [b64url(registered.credential_id)]


def test_a_key_set_up_at_the_first_sign_in_completes_it_and_is_kept(staff, key):
    browser = Client()
    password_step(browser, "rhee.registrar")

    response = register(browser, key)

    assert response.url == reverse("front:queues")
    assert browser.get(reverse("front:cases")).status_code == 200
    kept = SecurityKey.objects.get(user=staff.registrar)
    assert (kept.credential_id, kept.label, kept.sign_count, kept.transports) == (
        b64url(key.credential_id),
        "blue key",
        0,
        ["usb"],
    )


def test_a_key_made_for_another_origin_is_not_set_up(staff, key):
    browser = Client()
    password_step(browser, "rhee.registrar")

    response = register(browser, key, origin="https://asylon.example.net")

    assert response.status_code == 200
    assert not SecurityKey.objects.exists()
    assert browser.get(reverse("front:cases")).url == reverse("accounts:second_factor")


def test_the_key_signs_the_officer_in(staff, registered):
    browser = Client()
    assert password_step(browser, "rhee.registrar").url == reverse("accounts:second_factor")

    answer = registered.get(options(browser, "key_assertion_options"))
    response = browser.post(reverse("accounts:second_factor"), {"credential": answer})

    assert response.url == reverse("front:queues")
    assert browser.get(reverse("front:cases")).status_code == 200
    assert SecurityKey.objects.get().sign_count == 1


def test_an_answer_signed_for_another_origin_is_refused(staff, registered):
    browser = Client()
    password_step(browser, "rhee.registrar")

    answer = registered.get(options(browser, "key_assertion_options"), origin="https://phishing.example")
    response = browser.post(reverse("accounts:second_factor"), {"credential": answer})

    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    assert_half_signed_in(browser)
    assert SecurityKey.objects.get().sign_count == 0


def test_a_counter_that_did_not_move_on_is_refused_as_a_cloned_key(staff, registered):
    first = Client()
    password_step(first, "rhee.registrar")
    first.post(
        reverse("accounts:second_factor"), {"credential": registered.get(options(first, "key_assertion_options"))}
    )
    second = Client()
    password_step(second, "rhee.registrar")
    registered.counter = 0  # the clone has not seen the original's last use

    answer = registered.get(options(second, "key_assertion_options"))
    response = second.post(reverse("accounts:second_factor"), {"credential": answer})

    assert response.status_code == 200
    assert_half_signed_in(second)
    assert SecurityKey.objects.get().sign_count == 1


def test_an_answer_replayed_after_its_challenge_was_used_is_refused(staff, registered):
    browser = Client()
    password_step(browser, "rhee.registrar")
    answer = registered.get(options(browser, "key_assertion_options"))
    browser.post(reverse("accounts:second_factor"), {"credential": answer})
    browser.post(reverse("front:logout"))
    password_step(browser, "rhee.registrar")

    response = browser.post(reverse("accounts:second_factor"), {"credential": answer})

    assert response.status_code == 200
    assert_half_signed_in(browser)


def test_another_officers_key_does_not_sign_this_one_in(staff, registered):
    own = SoftwareKey()
    browser = Client()
    password_step(browser, "eun.eligibility")
    register(browser, own)
    browser.post(reverse("front:logout"))
    password_step(browser, "eun.eligibility")

    answer = registered.get(options(browser, "key_assertion_options"))
    response = browser.post(reverse("accounts:second_factor"), {"credential": answer})

    assert response.status_code == 200
    assert_half_signed_in(browser)


@pytest.mark.parametrize("garbage", ["not json", json.dumps({"id": 7}), json.dumps({"id": "x", "response": {}})])
def test_a_malformed_answer_is_refused_without_an_error(staff, registered, garbage):
    browser = Client()
    password_step(browser, "rhee.registrar")
    options(browser, "key_assertion_options")

    assert browser.post(reverse("accounts:second_factor"), {"credential": garbage}).status_code == 200
    assert_half_signed_in(browser)


def test_the_relying_party_comes_from_the_settings_when_they_name_it(staff, key, settings):
    settings.ASYLON_WEBAUTHN_RP_ID = "asylon.example.org"
    settings.ASYLON_WEBAUTHN_ORIGIN = "https://asylon.example.org"
    browser = Client()
    password_step(browser, "rhee.registrar")

    assert options(browser, "key_registration_options")["rp"]["id"] == "asylon.example.org"
    assert register(browser, key).status_code == 200
    assert register(browser, key, origin="https://asylon.example.org").url == reverse("front:queues")


def test_a_signed_in_officer_adds_another_key_on_the_security_page(staff, registered, sign_in):
    browser = sign_in(Client(), staff.registrar)
    spare = SoftwareKey()

    response = register(browser, spare)

    assert response.url == reverse("accounts:security")
    assert "Second factor added." in browser.get(response.url).content.decode()
    assert SecurityKey.objects.filter(user=staff.registrar).count() == 2


def test_half_signed_in_with_a_key_one_cannot_add_another(staff, registered):
    browser = Client()
    password_step(browser, "rhee.registrar")

    assert browser.get(reverse("accounts:security")).url == reverse("accounts:second_factor")
    assert browser.post(reverse("accounts:key_registration_options")).status_code == 403
