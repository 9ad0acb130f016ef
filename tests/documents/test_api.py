"""The API: the holder's card as a PDF, and a verdict on a QR text."""

from __future__ import annotations

import pytest

from asylon.documents import credential, keys
from asylon.documents.models import Document
from tests.api.support import post
from tests.services.helpers import T0


@pytest.fixture(autouse=True)
def frozen(clock):
    return clock


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    from tests.services.helpers import Clock

    frozen = Clock(T0)
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def api(db):
    from django.test import Client

    from asylon.accounts.models import ApiToken

    return lambda user: Client(headers={"Authorization": f"Bearer {ApiToken.create_for(user)}"})


def test_an_issuing_officer_downloads_the_holder_s_card(api, staff, registered):
    pytest.importorskip("fpdf")
    from asylon.documents import card

    try:
        card.font_path()
    except card.FontMissing:
        pytest.skip("Debian fonts-noto-cjk is not installed")
    response = api(staff.documentation).get(f"/api/documents/{registered.pk}/card.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_card_is_missing_for_an_officer_who_may_not_issue(api, staff, registered):
    response = api(staff.outsider).get(f"/api/documents/{registered.pk}/card.pdf")
    assert response.status_code in (403, 404)
    assert response["Content-Type"] == "application/problem+json"


def test_the_verify_endpoint_says_valid_then_revoked(api, staff, registered):
    text = credential.document_qr_text(registered, now=T0)
    client = api(staff.monitor)
    body = post(client, "/api/documents/verify", {"text": text}).json()
    assert (body["code"], body["valid"]) == ("valid", True)
    assert body["document"]["number"] == registered.number
    Document.objects.filter(pk=registered.pk).update(revoked_on=T0.date())
    body = post(client, "/api/documents/verify", {"text": text}).json()
    assert (body["code"], body["valid"]) == ("revoked", False)


@pytest.mark.parametrize("text,code", [("HC1:ABC", "wrong_prefix"), ("ASY1:%%%", "not_base45"), ("ASY1:", "not_zlib")])
def test_the_verify_endpoint_names_the_reason_for_bad_text(api, staff, db, text, code):
    keys.issuer_keys()
    body = post(api(staff.monitor), "/api/documents/verify", {"text": text}).json()
    assert (body["code"], body["valid"], body["document"]) == (code, False, None)
