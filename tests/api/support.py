"""Request bodies, problem assertions and database snapshots for the API tests."""

from __future__ import annotations

import json
from typing import Any

from asylon.cases.models import Alert, Appeal, Assessment, Case, CaseMember, Decision, Event, Interview
from asylon.documents.models import Document
from asylon.people.models import DetentionEpisode, FamilyLink, Name, Person
from asylon.safeguards.models import Attestation, Disclosure, NoReturnListing, Recipient, Removal

JSON = "application/json"


def intake(**changes: Any) -> dict[str, Any]:
    """A detained mother and her son, as a registration officer would send them."""
    body: dict[str, Any] = {
        "people": [
            {
                "names": [
                    {"text": "리순희", "script": "Hang", "family_name": "리", "given_name": "순희", "is_primary": True},
                    {"text": "李顺姬", "script": "Hani", "source": "self"},
                    {"text": "Ri Sun Hui", "script": "Latn", "romanization": "dprk", "source": "ngo"},
                ],
                "sex": "F",
                "birth_year": 1991,
                "birth_month": 3,
                "nationalities": ["KP"],
                "languages": ["ko"],
                "specific_needs": ["survivor_of_violence"],
            },
            {
                "names": [
                    {"text": "김철", "script": "Hang"},
                    {"text": "Kim Chol", "script": "Latn", "romanization": "mr"},
                ],
                "sex": "M",
                "birth_year": 2015,
                "nationalities": ["KP"],
                "specific_needs": ["child"],
                "relation": "child",
            },
        ],
        "channel": "detained",
        "fear_expressed": True,
        "detention": {"site": "Tumen Border Detention Centre", "detained_since": "2025-06-01"},
    }
    body.update(changes)
    return body


def post(client, path: str, body: Any = None):
    return client.post(path, json.dumps(body) if body is not None else "", content_type=JSON)


def problem(response, status: int, kind: str) -> dict[str, Any]:
    """Assert an RFC 9457 problem of this status and type; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [r["code"] for r in body["refusals"]]


COUNTED = (
    Case,
    CaseMember,
    Event,
    Person,
    Name,
    FamilyLink,
    DetentionEpisode,
    Alert,
    Interview,
    Assessment,
    Decision,
    Appeal,
    Document,
    Removal,
    Disclosure,
    Recipient,
    NoReturnListing,
    Attestation,
)


def db_state() -> dict[str, Any]:
    """Every row count, and the fields a refused write could have changed."""
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in COUNTED}
    state["cases"] = list(Case.objects.order_by("pk").values_list("pk", "state", "updated_at", "drafter_id"))
    state["documents"] = list(Document.objects.order_by("pk").values_list("pk", "revoked_on"))
    state["removals"] = list(Removal.objects.order_by("pk").values_list("pk", "status", "refusal_codes"))
    state["disclosures"] = list(Disclosure.objects.order_by("pk").values_list("pk", "status"))
    state["listings"] = list(NoReturnListing.objects.order_by("pk").values_list("pk", "delisted_on"))
    state["alerts"] = list(Alert.objects.order_by("pk").values_list("pk", "case_id"))
    return state
