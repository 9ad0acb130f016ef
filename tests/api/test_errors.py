"""Every bad request is answered with a problem document naming what is wrong, and writes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from asylon.accounts.models import ApiToken
from asylon.cases.models import Case
from tests.api.support import JSON, codes, db_state, intake, post, problem
from tests.services.helpers import open_case

pytestmark = pytest.mark.django_db


def test_an_intake_without_required_fields_names_each_one_and_writes_nothing(staff, api):
    body = intake()
    del body["channel"]
    del body["people"][0]["sex"]
    del body["people"][1]["names"][0]["script"]
    before = db_state()
    answer = problem(post(api(staff.registrar), "/api/intakes", body), 422, "invalid-input")
    assert answer["errors"] == {
        "channel": "Field required.",
        "people[0].sex": "Field required.",
        "people[1].names[0].script": "Field required.",
    }
    assert db_state() == before


def test_an_intake_with_wrong_types_or_unknown_fields_names_each_one_and_writes_nothing(staff, api):
    body = intake(fear_expressed="maybe", alert_id="7", nationality="KP")
    body["people"][0]["birth_year"] = "1991"
    body["people"][0]["names"] = "리순희"
    body["detention"]["detained_since"] = "last spring"
    before = db_state()
    answer = problem(post(api(staff.registrar), "/api/intakes", body), 422, "invalid-input")
    assert set(answer["errors"]) == {
        "fear_expressed",
        "alert_id",
        "nationality",
        "people[0].birth_year",
        "people[0].names",
        "detention.detained_since",
    }
    assert answer["errors"]["nationality"] == "Extra inputs are not permitted."
    assert db_state() == before


def test_an_intake_the_services_find_wrong_names_each_field_and_writes_nothing(staff, api):
    body = intake()
    body["people"][0]["names"][0]["script"] = "Cyrl"
    body["people"][0]["birth_day"] = 31
    body["people"][0]["birth_month"] = 2
    body["people"][1]["nationalities"] = ["North Korea"]
    before = db_state()
    answer = problem(post(api(staff.registrar), "/api/intakes", body), 422, "invalid-input")
    assert answer["errors"] == {
        "people[0].names[0].script": "Must be one of: Hang, Hani, Latn.",
        "people[0].birth_day": "1991-02 has no day 31.",
        "people[1].nationalities": "Not two-letter ISO 3166 codes: North Korea.",
    }
    assert db_state() == before


def test_a_name_longer_than_the_record_holds_is_named_before_it_reaches_the_database(staff, api):
    body = intake()
    body["people"][0]["names"][0]["text"] = "리" * 201
    before = db_state()
    answer = problem(post(api(staff.registrar), "/api/intakes", body), 422, "invalid-input")
    assert set(answer["errors"]) == {"people[0].names[0].text"}
    assert db_state() == before


def test_an_intake_on_an_alert_that_does_not_exist_is_not_found_and_writes_nothing(staff, api):
    before = db_state()
    problem(post(api(staff.registrar), "/api/intakes", intake(alert_id=424242)), 404, "not-found")
    assert db_state() == before


def test_only_a_registration_officer_opens_an_intake(staff, api):
    before = db_state()
    answer = problem(post(api(staff.eligibility), "/api/intakes", intake()), 403, "forbidden")
    assert codes(answer) == ["role_not_permitted"]
    assert db_state() == before


def test_a_body_that_is_not_json_is_a_bad_request_and_writes_nothing(staff, api):
    case = open_case(staff)
    client = api(staff.registrar)
    before = db_state()
    for path in ("/api/intakes", f"/api/cases/{case.pk}/steps/register"):
        problem(client.post(path, '{"people": [', content_type=JSON), 400, "malformed-body")
    assert db_state() == before


def test_a_body_larger_than_allowed_is_refused_and_writes_nothing(staff, api, settings):
    case = open_case(staff)
    client = api(staff.registrar)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    huge = intake()
    huge["people"][0]["province"] = "x" * limit
    before = db_state()
    answer = problem(post(client, "/api/intakes", huge), 413, "body-too-large")
    assert str(limit) in answer["detail"]
    padded = json.dumps({"reason": "Moved away.", "notes": "x" * limit})
    problem(client.post(f"/api/cases/{case.pk}/steps/close", padded, content_type=JSON), 413, "body-too-large")
    assert db_state() == before


def test_a_request_without_credentials_is_unauthenticated_and_writes_nothing(staff):
    case = open_case(staff)
    anonymous = Client()
    before = db_state()
    for response in (
        anonymous.get("/api/cases"),
        anonymous.get(f"/api/cases/{case.pk}"),
        post(anonymous, "/api/intakes", intake()),
        post(anonymous, f"/api/cases/{case.pk}/steps/register"),
        post(anonymous, "/api/removals", {"person_id": case.principal_id, "destination": "KP"}),
    ):
        answer = problem(response, 401, "unauthenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "refusals" not in answer
    assert db_state() == before


def test_a_wrong_token_is_unauthenticated_even_with_a_signed_in_session(staff, sign_in):
    case = open_case(staff)
    client = Client(headers={"Authorization": "Bearer asy_not-a-token"})
    sign_in(client, staff.registrar)
    before = db_state()
    answer = problem(post(client, f"/api/cases/{case.pk}/steps/register"), 401, "unauthenticated")
    assert "token" in answer["detail"]
    problem(client.get("/api/cases"), 401, "unauthenticated")
    assert db_state() == before


def test_the_token_of_a_deactivated_officer_no_longer_opens_the_api(staff):
    token = ApiToken.create_for(staff.registrar)
    staff.registrar.is_active = False
    staff.registrar.save()
    client = Client(headers={"Authorization": f"Bearer {token}"})
    problem(client.get("/api/cases"), 401, "unauthenticated")


def test_an_unknown_address_under_the_api_is_a_not_found_problem(staff, api):
    client = api(staff.registrar)
    for path in ("/api/deportations", "/api/cases/abc", "/api/intakes/", "/api/"):
        problem(client.get(path), 404, "not-found")


def test_a_method_an_address_does_not_accept_is_named_with_the_allowed_ones(staff, api):
    case = open_case(staff)
    client = api(staff.registrar)
    before = db_state()
    response = client.put("/api/cases", "{}", content_type=JSON)
    problem(response, 405, "method-not-allowed")
    assert response["Allow"] == "GET"
    problem(client.delete(f"/api/cases/{case.pk}"), 405, "method-not-allowed")
    assert Case.objects.filter(pk=case.pk).exists()
    assert db_state() == before


# Found by tests/api/test_schemathesis.py.


@pytest.mark.parametrize(
    "path",
    ["/api/cases", "/api/alerts", "/api/removals"],
)
def test_a_page_number_past_what_the_database_can_count_is_invalid_not_a_server_error(staff, api, path):
    # (page - 1) * page_size once overflowed the 64-bit OFFSET: a 500 on SQLite and PostgreSQL.
    answer = problem(api(staff.registrar).get(path, {"page": 313047304438924509184}), 422, "invalid-input")
    assert set(answer["errors"]) == {"page"}


def test_every_operation_with_query_parameters_declares_its_422(staff, api):
    schema = api(staff.registrar).get("/api/schema").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "422" in operation["responses"], f"{method.upper()} {path}"


def test_a_write_to_an_address_the_api_does_not_have_is_not_found_not_a_csrf_page(staff):
    # Django's CSRF check answered it with an HTML 403 before the API's 404 could.
    token = ApiToken.create_for(staff.registrar)
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    before = db_state()
    for path in ("/api/removals/first/carry-out", "/api/documents/1.5/revocation", "/api/deportations"):
        problem(post(client, path, {"reason": "x"}), 404, "not-found")
    assert db_state() == before


def test_text_holding_the_nul_character_is_named_and_writes_nothing(staff, api):
    # SQLite stores U+0000; PostgreSQL refuses it, which was a 500 there.
    case = open_case(staff)
    client = api(staff.registrar)
    body = intake()
    body["people"][0]["province"] = "North Hamgyong\x00"
    body["people"][1]["names"][0]["text"] = "김\x00철"
    before = db_state()
    answer = problem(post(client, "/api/intakes", body), 422, "invalid-input")
    assert answer["errors"] == {
        "people[0].province": "May not contain the NUL character (U+0000).",
        "people[1].names[0].text": "May not contain the NUL character (U+0000).",
    }
    step = post(client, f"/api/cases/{case.pk}/steps/screen", {"mode": "regular", "reason": "Not\x00detained."})
    assert problem(step, 422, "invalid-input")["errors"] == {"reason": "May not contain the NUL character (U+0000)."}
    search = post(client, "/api/cases/search", {"q": "\x00"})
    assert set(problem(search, 422, "invalid-input")["errors"]) == {"q"}
    assert db_state() == before


def test_a_case_number_holding_the_nul_character_is_invalid_not_a_server_error(staff, api):
    # On PostgreSQL the lookup by number failed with a 500.
    body = {"case_number": "\x00", "reason": "The applicant is in hospital and cannot wait.", "hours": 1}
    answer = problem(post(api(staff.eligibility), "/api/emergency-accesses", body), 422, "invalid-input")
    assert set(answer["errors"]) == {"case_number"}
