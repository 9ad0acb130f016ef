"""Production settings pass Django's deployment checks, and pages carry the security headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "ASYLON_DEMO": "false",
        "ASYLON_SECRET_KEY": "x" * 60 + "-production-only-in-this-test",
        "ASYLON_ALLOWED_HOSTS": "asylon.example.org",
        "ASYLON_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "asylon.config.settings",
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "ASYLON_DEMO": "false", "ASYLON_DATA_DIR": str(tmp_path)}
    env.pop("ASYLON_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", "import asylon.config.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "ASYLON_SECRET_KEY" in done.stderr


@pytest.mark.django_db
def test_pages_forbid_framing_inline_script_and_caching_of_personal_data(staff, client, sign_in):
    sign_in(client, staff.registrar)
    response = client.get(reverse("front:cases"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings, make_user):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user("kim.officer")
    assert user.password.startswith("argon2$argon2id$")
