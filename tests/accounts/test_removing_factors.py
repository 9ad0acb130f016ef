"""An officer removes a second factor of theirs, never the last; an administrator resets a lost one."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from asylon.accounts.models import SecurityKey, TotpDevice

URL = reverse("accounts:security")


def key(user, label: str = "blue key") -> SecurityKey:
    return SecurityKey.objects.create(user=user, credential_id=f"{user.pk}-{label}", public_key=b"k", label=label)


@pytest.fixture
def officer(staff, sign_in, totp_for):
    """The registrar, signed in just now, with an authenticator app and one security key."""
    totp_for(staff.registrar)
    key(staff.registrar)
    return sign_in(Client(), staff.registrar)


def test_a_security_key_is_removed_from_the_security_page(staff, officer):
    blue = SecurityKey.objects.get()
    page = officer.get(URL).content.decode()
    assert f'name="remove" value="key:{blue.pk}"' in page and 'value="totp"' in page

    response = officer.post(URL, {"remove": f"key:{blue.pk}"}, follow=True)

    assert "Second factor removed." in response.content.decode()
    assert not SecurityKey.objects.exists()
    assert TotpDevice.objects.filter(user=staff.registrar).exists()


def test_the_last_second_factor_is_kept(staff, officer):
    officer.post(URL, {"remove": "totp"})

    response = officer.post(URL, {"remove": f"key:{SecurityKey.objects.get().pk}"})

    assert "Your last second factor cannot be removed: add another one first." in response.content.decode()
    assert SecurityKey.objects.filter(user=staff.registrar).count() == 1
    # The page offers to set up an app again: a new one waits for its first code.
    assert not TotpDevice.objects.filter(user=staff.registrar, confirmed_at__isnull=False).exists()


def test_another_officer_s_key_is_not_removed(staff, officer):
    theirs = key(staff.eligibility, "their key")

    response = officer.post(URL, {"remove": f"key:{theirs.pk}"})

    assert "That second factor is not yours, or was already removed." in response.content.decode()
    assert SecurityKey.objects.filter(pk=theirs.pk).exists()
    assert SecurityKey.objects.filter(user=staff.registrar).exists()


def test_removing_a_factor_asks_for_the_password_and_a_factor_again_after_five_minutes(staff, officer, clock):
    clock.advance(minutes=6)

    response = officer.post(URL, {"remove": "totp"})

    assert response.url.startswith(reverse("accounts:reauthenticate"))
    assert TotpDevice.objects.filter(user=staff.registrar).exists()


def test_an_administrator_resets_a_lost_factor_and_the_password_leads_to_a_new_one(staff, officer):
    out = StringIO()

    call_command("second_factor_reset", staff.registrar.username, stdout=out, stderr=StringIO())

    assert "Removed 2 second factors of rhee.registrar" in out.getvalue()
    assert not SecurityKey.objects.exists() and not TotpDevice.objects.exists()
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("second_factor_reset", "nobody", stdout=StringIO(), stderr=StringIO())
