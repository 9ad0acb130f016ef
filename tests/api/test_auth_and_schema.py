"""Tokens and sessions, the OpenAPI schema, and the docs page that needs no network."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from asylon.accounts.models import ApiToken
from tests.api.support import JSON, db_state, intake, post, problem
from tests.services.helpers import open_case

pytestmark = pytest.mark.django_db


def test_a_program_reads_cases_with_its_token(staff, api):
    case = open_case(staff)
    response = api(staff.eligibility).get(f"/api/cases/{case.pk}")
    assert response.status_code == 200
    assert response.json()["number"] == case.number


def test_an_expired_or_revoked_token_is_refused(staff, clock):
    token = ApiToken.create_for(staff.eligibility, days=30)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/cases").status_code == 200

    clock.advance(days=30)

    assert client.get("/api/cases").status_code == 401
    again = ApiToken.create_for(staff.eligibility)
    ApiToken.objects.filter(digest=ApiToken.digest_of(again)).delete()
    assert Client(headers={"Authorization": f"Bearer {again}"}).get("/api/cases").status_code == 401


def _csrf_token(client: Client) -> str:
    # The cookie is HttpOnly: the browser's scripts read the token from the docs page instead.
    page = client.get("/api/docs").content.decode()
    return re.search(r'data-csrf-token="([^"]+)"', page).group(1)


def test_a_signed_in_browser_uses_the_api_and_its_writes_need_the_csrf_token(staff, sign_in):
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, staff.registrar)
    assert browser.get("/api/cases").status_code == 200

    before = db_state()
    problem(post(browser, "/api/intakes", intake()), 403, "csrf-failed")
    assert db_state() == before

    response = browser.post("/api/intakes", intake(), content_type=JSON, headers={"X-CSRFToken": _csrf_token(browser)})
    assert response.status_code == 201, response.content


def test_a_write_with_no_credentials_at_all_is_told_to_authenticate_not_about_csrf(staff):
    problem(post(Client(enforce_csrf_checks=True), "/api/intakes", intake()), 401, "unauthenticated")


def test_a_program_with_a_token_needs_no_csrf_token(staff):
    token = ApiToken.create_for(staff.registrar)
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    assert post(client, "/api/intakes", intake()).status_code == 201


EXPECTED = {
    "/api/intakes": {"post"},
    "/api/cases": {"get"},
    "/api/cases/search": {"post"},
    "/api/cases/{case_id}": {"get"},
    "/api/cases/{case_id}/timeline": {"get"},
    "/api/cases/{case_id}/steps/{step}": {"post"},
    "/api/alerts": {"get", "post"},
    "/api/removals": {"get", "post"},
    "/api/removals/{removal_id}/carry-out": {"post"},
    "/api/recipients": {"post"},
    "/api/disclosures": {"post"},
    "/api/disclosures/{disclosure_id}/decision": {"post"},
    "/api/register": {"get", "post"},
    "/api/register/{country}": {"delete"},
    "/api/register/{country}/attestations": {"post"},
    "/api/documents/{document_id}/revocation": {"post"},
    "/api/documents/{document_id}/replacement": {"post"},
    "/api/duplicates/candidates": {"post"},
    "/api/duplicates/pairs": {"get"},
    "/api/duplicates/pairs/{pair_id}": {"get"},
    "/api/duplicates/pairs/{pair_id}/merge": {"post"},
    "/api/duplicates/pairs/{pair_id}/distinct": {"post"},
    "/api/duplicates/pairs/{pair_id}/unmerge": {"post"},
    "/api/documents/{document_id}/card.pdf": {"get"},
    "/api/documents/verify": {"post"},
    "/api/disclosures/{disclosure_id}/preview": {"get"},
    "/api/disclosures/{disclosure_id}/export": {"post"},
    "/api/cases/{case_id}/assignments": {"get", "post"},
    "/api/assignments/{assignment_id}/end": {"post"},
    "/api/emergency-accesses": {"post"},
    "/api/emergency-accesses/to-review": {"get"},
    "/api/emergency-accesses/{access_id}/review": {"post"},
    "/api/log/checkpoint": {"get"},
    "/api/log/entries/{index}": {"get"},
    "/api/log/proof/inclusion": {"get"},
    "/api/log/proof/consistency": {"get"},
    "/api/log/checkpoints/{checkpoint_id}/cosignatures": {"post"},
    "/api/cases/{case_id}/events/{seq}/proof": {"get"},
    "/api/documents/{document_id}/proof": {"get"},
}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_the_schema_is_an_openapi_3_document_listing_every_endpoint():
    response = Client().get("/api/schema")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert (schema["info"]["title"], schema["info"]["version"]) == ("Asylon API", "1")
    assert {path: set(ops) for path, ops in schema["paths"].items()} == EXPECTED

    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for op in operations:
        assert op["responses"], op["operationId"]
        assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
        for status, response in op["responses"].items():
            if status.startswith("4"):
                assert list(response["content"]) == ["application/problem+json"], (op["operationId"], status)
    components = schema["components"]["schemas"]
    for ref in _refs(schema):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in components, ref
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert "draft_assessment" in schema["paths"]["/api/cases/{case_id}/steps/{step}"]["post"]["description"]


def test_the_docs_page_loads_everything_from_this_server():
    client = Client()
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "http://" not in page
    assert "https://" not in page
    assert "//cdn" not in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) == 4
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content)
    problem(client.get("/api/docs/assets/..%2Fmain.py"), 404, "not-found")
    problem(client.get("/api/docs/assets/redoc.standalone.js"), 404, "not-found")
