"""Too many failures pause signing in, the same way for a name that exists and one that does not."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from asylon.accounts.models import SignInAttempt
from tests.accounts.conftest import SECRET, password_step, totp_code

PAUSED = "Too many failed attempts. Signing in is paused for 15 minutes"
WRONG = "Please enter a correct username and password"


def refusal(response) -> str:
    page = response.content.decode()
    return page[page.index('role="alert"') : page.index("</div>", page.index('role="alert"'))]


def fail(browser: Client, username: str, times: int) -> None:
    for _ in range(times):
        assert WRONG in password_step(browser, username, "wrong password").content.decode()


def test_five_wrong_passwords_pause_signing_in_even_with_the_right_one(staff):
    browser = Client()
    fail(browser, "rhee.registrar", 5)

    response = password_step(browser, "rhee.registrar")

    assert response.status_code == 200
    assert PAUSED in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert SignInAttempt.objects.filter(outcome="paused").count() == 1


def test_a_pause_reads_the_same_for_a_name_that_does_not_exist(staff):
    fail(Client(), "rhee.registrar", 5)
    fail(Client(), "nobody.here", 5)

    real = password_step(Client(), "rhee.registrar")
    made_up = password_step(Client(), "nobody.here")

    assert refusal(real) == refusal(made_up)
    assert PAUSED in refusal(made_up)
    assert real.status_code == made_up.status_code == 200


def test_the_pause_ends_fifteen_minutes_after_the_fifth_failure_and_does_not_grow_meanwhile(staff, clock):
    browser = Client()
    fail(browser, "rhee.registrar", 5)
    clock.advance(minutes=10)
    assert PAUSED in password_step(browser, "rhee.registrar").content.decode()

    clock.advance(minutes=5)
    response = password_step(browser, "rhee.registrar")

    assert response.url == reverse("accounts:security")


def test_four_failures_then_success_clear_the_count(staff, totp_for, clock):
    totp_for(staff.registrar)
    browser = Client()
    fail(browser, "rhee.registrar", 4)
    password_step(browser, "rhee.registrar")
    browser.post(reverse("accounts:second_factor"), {"code": totp_code(SECRET, clock.now)})
    browser.post(reverse("front:logout"))

    fail(browser, "rhee.registrar", 4)

    assert password_step(browser, "rhee.registrar").url == reverse("accounts:second_factor")


def test_a_right_password_alone_does_not_clear_the_failed_second_factors(staff, half_signed_in, clock):
    browser = half_signed_in(staff.registrar)
    for _ in range(4):
        browser.post(reverse("accounts:second_factor"), {"code": "000000"})
    browser.post(reverse("front:logout"))
    password_step(browser, "rhee.registrar")

    response = browser.post(reverse("accounts:second_factor"), {"code": "000000"})

    assert response.url == reverse("front:login")
    assert not browser.get(reverse("front:login")).context["user"].is_authenticated
    assert PAUSED in password_step(browser, "rhee.registrar").content.decode()


def test_twenty_failures_from_one_address_pause_every_name_from_it(staff):
    for i in range(20):
        password_step(Client(), f"guess.{i % 4}", "wrong password")

    from_there = password_step(Client(), "rhee.registrar")
    from_elsewhere = password_step(Client(REMOTE_ADDR="192.0.2.7"), "rhee.registrar")

    assert PAUSED in from_there.content.decode()
    assert from_elsewhere.url == reverse("accounts:security")


def test_attempts_are_kept_without_the_names_typed(staff):
    fail(Client(), "rhee.registrar", 1)
    fail(Client(), "hunter2-typed-as-a-name", 1)
    password_step(Client(), "rhee.registrar")

    rows = list(SignInAttempt.objects.order_by("pk").values("username_digest", "ip", "outcome"))

    assert [r["outcome"] for r in rows] == ["password_refused", "password_refused", "password_accepted"]
    assert {r["ip"] for r in rows} == {"127.0.0.1"}
    assert rows[0]["username_digest"] == rows[2]["username_digest"] != rows[1]["username_digest"]
    assert all("rhee" not in r["username_digest"] and "hunter2" not in r["username_digest"] for r in rows)
