"""Error pages show a sentence and a reference: never the address, the form or the exception."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path

from asylon.config import urls as site
from tests.services.helpers import open_case

SECRET = "CanaryErr9f27c1 김비밀 秘密"


def _raise(exception: Exception):
    def view(request):
        raise exception

    return view


# The site's own addresses, and views that fail with the secret in their exception.
urlpatterns = [
    path("boom/", _raise(RuntimeError(f"failed for {SECRET}"))),
    path("suspicious/", _raise(SuspiciousOperation(f"odd {SECRET}"))),
    path("denied/", _raise(PermissionDenied(f"no {SECRET}"))),
    path("", include(site)),
]
handler400, handler403, handler404, handler500 = site.handler400, site.handler403, site.handler404, site.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def browser(settings, staff, sign_in):
    settings.DEBUG = False
    return sign_in(Client(raise_request_exception=False), staff.registrar)


@pytest.mark.parametrize(
    ("method", "address", "status", "title"),
    [
        ("post", "/boom/", 500, "Something went wrong"),
        ("post", "/suspicious/", 400, "Bad request"),
        ("post", "/denied/", 403, "Not permitted"),
        ("post", "/no/such/page/", 404, "Not found"),
        ("get", "/cases/999999/", 404, "Not found"),
    ],
)
def test_an_error_page_shows_a_sentence_and_a_reference_and_nothing_the_request_held(
    browser, method, address, status, title
):
    response = getattr(browser, method)(f"{address}?q={SECRET}", {"narrative": SECRET})

    page = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{title}</h1>" in page
    assert f"<code>{response.wsgi_request.reference}</code>" in page
    for part in (*SECRET.split(), address):
        assert part not in page
    assert "Traceback" not in page


def test_the_failure_is_logged_as_method_path_status_and_reference_with_no_message_or_query(browser, caplog):
    caplog.set_level(logging.DEBUG)

    response = browser.post(f"/boom/?q={SECRET}", {"narrative": SECRET})

    reference = response.wsgi_request.reference
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == f"POST /boom/ 500 ref={reference}"
    # Where it failed is kept; what the exception said is not.
    assert "RuntimeError (message withheld)" in caplog.text
    assert "in view" in caplog.text
    for part in SECRET.split():
        assert part not in caplog.text


def test_an_api_failure_is_a_problem_document_without_the_exception_message(browser, staff, caplog, monkeypatch):
    from asylon.api import cases as api_cases

    def failing(case):
        raise RuntimeError(f"timeline of {SECRET}")

    monkeypatch.setattr(api_cases.selectors, "case_timeline", failing)
    case = open_case(staff)

    response = browser.get(f"/api/cases/{case.pk}/timeline")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/server-error"
    assert body["reference"] == response.wsgi_request.reference
    for part in SECRET.split():
        assert part not in response.content.decode()
        assert part not in caplog.text
