"""Disclosures to the point of export: the services, the API, the command line and the shape of the code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from asylon.safeguards import services as safeguards
from asylon.safeguards.export import disclosure_preview
from asylon.safeguards.models import Disclosure, Recipient
from tests.api.conftest import api, clock  # noqa: F401  (the API tier's token client and frozen clock)
from tests.services.helpers import T0

ASKED = T0 + timedelta(days=1)


@pytest.fixture
def unhcr(db):
    return Recipient.objects.create(
        name="UNHCR Resettlement Service", kind="international_organisation", country="CH", agreement="DSA-2026-014"
    )


@pytest.fixture
def ministry(db):
    return Recipient.objects.create(name="Ministry of State Security", kind="authority", country="KP")


def requested(staff, person_id: int, recipient: Recipient, fields: list[str]) -> Disclosure:
    """A registration officer asks; the guard answers."""
    return safeguards.disclosure_request(
        user=staff.registrar,
        person_id=person_id,
        recipient_id=recipient.pk,
        purpose="Resettlement referral.",
        legal_basis="consent",
        fields=fields,
        at=ASKED,
    )


def approved(staff, person_id: int, recipient: Recipient, fields: list[str]):
    """Asked by the registration officer, previewed and approved by a data protection officer."""
    disclosure = requested(staff, person_id, recipient, fields)
    preview = disclosure_preview(user=staff.dpo, disclosure_id=disclosure.pk, at=ASKED)
    safeguards.disclosure_decide(
        user=staff.dpo, disclosure_id=disclosure.pk, approve=True, seen_digest=preview.digest, at=ASKED
    )
    disclosure.refresh_from_db()
    return disclosure, preview
