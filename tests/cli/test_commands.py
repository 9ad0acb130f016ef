"""The `asylon` command, as an administrator types it."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from asylon.accounts.models import ApiToken, User
from asylon.cases.models import Case, Event
from asylon.cli import main
from asylon.documents.models import Document
from asylon.procedure.case import DOCUMENTED
from asylon.safeguards.models import NoReturnListing

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_createuser_grants_roles_and_prints_a_generated_password_and_token():
    out = run(
        "createuser", "kim.officer", "--role", "reviewer", "--role", "appeal_officer", "--unit", "Seoul", "--token"
    )
    user = User.objects.get(username="kim.officer")
    assert user.role_names == ["appeal_officer", "reviewer"]
    password = out.split("Password: ")[1].split()[0]
    assert user.check_password(password)
    token = out.split("API token: ")[1].split()[0]
    assert ApiToken.user_for(token) == user


def test_api_tokens_are_created_listed_and_revoked_by_name_never_shown_again(staff):
    out = run("api_tokens", "create", staff.registrar.username, "--label", "NGO alert feed", "--days", "30")
    token = out.split("API token: ")[1].split()[0]
    assert ApiToken.user_for(token) == staff.registrar
    created = ApiToken.objects.get()
    assert created.expires_at - created.created_at == timedelta(days=30)

    listed = run("api_tokens", "list")
    assert f"{created.pk}  {staff.registrar.username}  NGO alert feed" in listed
    assert token not in listed

    assert (
        run("api_tokens", "revoke", str(created.pk)).strip()
        == f"Revoked token {created.pk} of {staff.registrar.username}."
    )
    assert ApiToken.user_for(token) is None
    assert "No API tokens." in run("api_tokens", "list")


def test_revoking_an_unknown_token_names_it_and_revokes_none(staff):
    kept = ApiToken.create_for(staff.registrar)
    with pytest.raises(CommandError, match="no API token 999"):
        run("api_tokens", "revoke", str(ApiToken.objects.get().pk), "999")
    assert ApiToken.user_for(kept) == staff.registrar


def test_createuser_refuses_a_short_password_and_creates_nothing():
    with pytest.raises(CommandError, match="too short"):
        run("createuser", "kim.officer", "--role", "reviewer", "--unit", "Seoul", "--password", "short")
    assert not User.objects.filter(username="kim.officer").exists()


def test_createuser_refuses_a_caseworker_without_a_unit_and_creates_nothing():
    with pytest.raises(CommandError, match="--unit is required for partner_ngo, reviewer"):
        run("createuser", "kim.officer", "--role", "reviewer", "--role", "partner_ngo", "--unit", " ")
    assert not User.objects.filter(username="kim.officer").exists()
    run("createuser", "mona.monitor", "--role", "monitor")  # a monitor reads no case file
    assert User.objects.get(username="mona.monitor").unit == ""


def test_createuser_refuses_a_taken_name():
    run("createuser", "kim.officer", "--role", "reviewer", "--unit", "Seoul")
    with pytest.raises(CommandError, match="already exists"):
        run("createuser", "kim.officer", "--role", "monitor")


def test_load_demo_walks_cases_to_their_stages_through_the_services():
    out = run("load_demo", "--persons", "60", "--seed", "7")
    assert "Loaded" in out
    assert Case.objects.count() > 30
    listing = NoReturnListing.objects.get(country="KP", delisted_on__isnull=True)
    # The listing reached the transparency log, so a monitor knows the register from the log alone.
    from asylon.transparency.models import LogEntry

    entry = LogEntry.objects.get(kind="register", record_id=listing.pk)
    assert json.loads(bytes(entry.body))["country"] == "KP"
    assert Event.objects.filter(type="decide").exists()
    # Every applicant from registration to the end of the appeal window holds a valid document.
    from django.utils import timezone

    today = timezone.now().date()
    for case in Case.objects.filter(state__in=list(DOCUMENTED)):
        for member in case.members.all():
            assert Document.objects.filter(
                person=member.person, revoked_on__isnull=True, valid_from__lte=today, valid_until__gte=today
            ).exists()


def test_load_demo_refuses_a_database_that_holds_cases():
    run("load_demo", "--persons", "5")
    with pytest.raises(CommandError, match="already holds cases"):
        run("load_demo", "--persons", "5")


def test_demo_prepares_the_database_and_prints_one_account_per_role():
    out = run("demo", "--persons", "20", "--no-serve")
    for role in ("registration_officer", "eligibility_officer", "reviewer", "appeal_officer", "monitor"):
        assert role in out
    line = next(line for line in out.splitlines() if line.strip().startswith("reviewer "))
    username, password = line.split()[:2]
    assert User.objects.get(username=username).check_password(password)


def test_the_asylon_command_accepts_hyphenated_names(capsys):
    with pytest.raises(SystemExit):
        main(["asylon", "load-demo", "--persons", "0"])
    assert "--persons must be at least 1" in capsys.readouterr().err
