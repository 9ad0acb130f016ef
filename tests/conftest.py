"""Personas as real users, for the service, API and interface tiers."""

from __future__ import annotations

import pytest

from asylon.procedure.roles import Role


@pytest.fixture
def make_user(db):
    from asylon.accounts.models import RoleGrant, User

    def make(username: str, *roles: Role) -> User:
        user = User.objects.create_user(username=username, password="correct horse battery staple")
        for role in roles:
            RoleGrant.objects.create(user=user, role=role)
        return user

    return make


@pytest.fixture
def staff(make_user):
    """One officer per role, named for what they do."""

    class Staff:
        registrar = make_user("rhee.registrar", Role.REGISTRATION_OFFICER)
        eligibility = make_user("eun.eligibility", Role.ELIGIBILITY_OFFICER)
        second_eligibility = make_user("eli.eligibility", Role.ELIGIBILITY_OFFICER)
        reviewer = make_user("ravi.reviewer", Role.REVIEWER)
        appeal = make_user("amara.appeal", Role.APPEAL_OFFICER)
        documentation = make_user("dora.documents", Role.DOCUMENTATION_OFFICER)
        removal = make_user("rafael.removal", Role.REMOVAL_OFFICER)
        dpo = make_user("dana.dpo", Role.DATA_PROTECTION_OFFICER)
        second_dpo = make_user("deniz.dpo", Role.DATA_PROTECTION_OFFICER)
        monitor = make_user("mona.monitor", Role.MONITOR)
        second_monitor = make_user("milan.monitor", Role.MONITOR)
        ngo = make_user("nari.ngo", Role.PARTNER_NGO)
        admin = make_user("ada.admin", Role.ADMINISTRATOR)
        outsider = make_user("otto.outsider")

    return Staff


@pytest.fixture
def bangkok_officer(make_user):
    """An eligibility officer of another unit than `staff`'s: outside their cases' reach."""
    user = make_user("bee.eligibility", Role.ELIGIBILITY_OFFICER)
    user.unit = "Bangkok office"
    user.save()
    return user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Staff passwords are hashed for real in production; here speed matters more.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sign_in(db):
    """`sign_in(client, user)`: the client's session as the sign-in pages leave it once the
    password and the second factor were accepted, just now."""
    from django.utils import timezone

    from asylon.accounts import assurance

    def sign_in(client, user):
        client.force_login(user)
        session = client.session
        now = timezone.now()
        assurance.password_accepted(session, now)
        assurance.sign_in_completed(session, now, factor="totp")
        session.save()
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _waiting_entries_integrated_at_once(request, monkeypatch):
    """On PostgreSQL a log entry waits for its record's commit to take its place in the tree
    (`storage.log_add`). A test inside a transaction that never commits puts it there at
    once instead, as the commit would; tests that commit (transaction=True, the browser's
    live server) see their commits do it."""
    marker = request.node.get_closest_marker("django_db")
    commits = {"transactional_db", "live_server"} & set(request.fixturenames)
    if commits or (marker is not None and marker.kwargs.get("transaction")):
        return
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
