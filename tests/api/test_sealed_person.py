"""The person's sealed details through the API: the same field names in and out as before."""

from __future__ import annotations

import pytest

from tests.api.support import db_state, intake, post, problem

pytestmark = pytest.mark.django_db

DETAILS = ("birth_year", "birth_month", "birth_day", "province", "contact")


def test_an_intake_takes_the_birth_date_province_and_contact_and_returns_them(staff, api):
    body = intake()
    body["people"][0].update(birth_day=7, province="Ryanggang", contact="Hyesan, +82 10 1234 5678")

    response = post(api(staff.registrar), "/api/intakes", body)

    assert response.status_code == 201, response.content
    mother, son = response.json()["people"]
    assert [mother[k] for k in DETAILS] == [1991, 3, 7, "Ryanggang", "Hyesan, +82 10 1234 5678"]
    assert [son[k] for k in DETAILS] == [2015, None, None, "", ""]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"birth_month": 13}, {"people[0].birth_month": "Needs a year, and must be 1 to 12."}),
        ({"birth_month": None, "birth_day": 7}, {"people[0].birth_day": "A day needs a year and a month."}),
        ({"contact": "x" * 501}, {"people[0].contact": "String should have at most 500 characters."}),
    ],
)
def test_a_birth_date_or_contact_the_record_cannot_hold_is_named_and_nothing_is_written(staff, api, changes, errors):
    body = intake()
    body["people"][0].update(changes)
    before = db_state()
    answer = problem(post(api(staff.registrar), "/api/intakes", body), 422, "invalid-input")
    assert answer["errors"] == errors
    assert db_state() == before


def test_a_case_whose_office_keys_were_destroyed_answers_gone_not_a_server_error(
    staff, api, settings, monkeypatch, tmp_path
):
    from asylon.dataprotection import rotation
    from tests.dataprotection.keyfile import own_keyfile
    from tests.services.helpers import open_case

    own_keyfile(settings, monkeypatch, tmp_path)
    case = open_case(staff)
    rotation.office_shred(office="main")

    response = api(staff.registrar).get(f"/api/cases/{case.pk}")

    assert response.status_code == 410
    assert response.json()["type"] == "/problems/keys-destroyed"
