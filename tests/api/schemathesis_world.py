"""A small world for the generated requests to land in: two units, cases at several stages in
each, documents, removals, disclosures, recipients, an alert and a no-return listing; and one
caller per role, all in the first unit, one with no role, and no one at all."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.test import Client

from asylon.accounts.models import ApiToken, RoleGrant, User
from asylon.cases.models import Case
from asylon.procedure.case import Outcome, State
from asylon.procedure.roles import Role
from tests.api.support import intake, post
from tests.services.helpers import walk_to

NO_ROLE = "no role"
NOBODY = "no credentials"
HOME, ELSEWHERE = "North Office", "South Office"


@dataclass
class World:
    principals: dict[str, User | None]


def _user(username: str, unit: str, *roles: Role) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery staple", unit=unit)
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    return user


def _client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.create_for(user)}"})


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.content
    return response.json()


def _unit(unit: str, tag: str) -> SimpleNamespace:
    return SimpleNamespace(
        registrar=_user(f"{tag}.registrar", unit, Role.REGISTRATION_OFFICER),
        eligibility=_user(f"{tag}.eligibility", unit, Role.ELIGIBILITY_OFFICER),
        reviewer=_user(f"{tag}.reviewer", unit, Role.REVIEWER),
        removal=_user(f"{tag}.removal", unit, Role.REMOVAL_OFFICER),
        dpo=_user(f"{tag}.dpo", unit, Role.DATA_PROTECTION_OFFICER),
    )


def _cases(staff: SimpleNamespace, tag: str, alert_id: int | None = None) -> dict[str, Case]:
    registrar = _client(staff.registrar)

    def opened(**changes: Any) -> Case:
        return Case.objects.get(pk=_created(post(registrar, "/api/intakes", intake(**changes)))["id"])

    return {
        f"{tag} intake": opened(alert_id=alert_id) if alert_id else opened(),
        f"{tag} interview": walk_to(staff, opened(), State.INTERVIEW_SCHEDULED),
        f"{tag} appeal window": walk_to(staff, opened(), State.APPEAL_WINDOW),
        f"{tag} rejected": walk_to(staff, opened(channel="self_presented", detention=None), State.FINAL),
        f"{tag} recognized": walk_to(staff, opened(), State.FINAL, Outcome.REFUGEE_STATUS),
    }


def seed_world() -> World:
    home, elsewhere = _unit(HOME, "north"), _unit(ELSEWHERE, "south")
    admin = _user("seed.admin", "", Role.ADMINISTRATOR)
    ngo = _user("seed.ngo", HOME, Role.PARTNER_NGO)

    alert = _created(
        post(
            _client(ngo),
            "/api/alerts",
            {"organisation": "Crossing", "names_given": "Ri Sun Hui", "risk": "Refoulement within days."},
        )
    )
    cases = {**_cases(home, "north", alert["id"]), **_cases(elsewhere, "south")}
    _created(post(_client(admin), "/api/register", {"country": "KP", "reason": "COI 2014, rec. 1221(a)."}))

    for staff, tag in ((home, "north"), (elsewhere, "south")):
        dpo = _client(staff.dpo)
        unhcr = _created(
            post(dpo, "/api/recipients", {"name": "UNHCR", "kind": "international_organisation", "country": "CH"})
        )
        post(
            dpo,
            "/api/disclosures",
            {
                "person_id": cases[f"{tag} appeal window"].principal_id,
                "recipient_id": unhcr["id"],
                "purpose": "Resettlement referral.",
                "legal_basis": "consent",
                "fields": ["names", "birth_date"],
            },
        )
        post(
            _client(staff.removal),
            "/api/removals",
            {"person_id": cases[f"{tag} rejected"].principal_id, "destination": "CN"},
        )

    principals: dict[str, User | None] = {role.value: _user(f"fuzz.{role.value}", HOME, role) for role in Role}
    principals[NO_ROLE] = _user("fuzz.no-role", HOME)
    principals[NOBODY] = None
    return World(principals=principals)
