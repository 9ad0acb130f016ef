"""A document's QR text, signed from what the card prints, and revoked through the status list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from asylon.credentials import status, trust, verify
from asylon.credentials.keys import KeyMaterialError
from asylon.documents import credential, keys
from tests.services.helpers import T0

NOW = T0 + timedelta(hours=1)


def lists(now: datetime = NOW) -> tuple[trust.TrustList, status.StatusList]:
    trusted = trust.trust_list_load(keys.trust_list_signed(now), roots=[keys.issuer_keys().root_public])
    return trusted, status.status_list_load(credential.status_list_signed(now=now), trust=trusted)


def test_every_document_gets_a_distinct_random_status_index(registered):
    assert 0 <= registered.status_index < keys.issuer_keys().status_size
    taken = credential._Taken()
    assert registered.status_index in taken
    assert credential.status_index_draw() not in taken


def test_the_qr_text_carries_exactly_what_the_card_prints(registered):
    text = credential.document_qr_text(registered, now=NOW)
    trusted, listed = lists()
    verdict = verify.document_verify(text, now=NOW, trust=trusted, status=listed)
    assert verdict.code is verify.Code.VALID
    document = verdict.document
    assert document is not None
    assert (document.family_name, document.given_name) == ("리", "순희")
    assert (document.family_name_latin, document.given_name_latin) == ("", "Ri Sun Hui")
    assert document.date_of_birth == "1991-03"
    assert document.number == registered.number
    assert document.status_index == registered.status_index
    assert document.nationality is None
    assert (document.valid_from, document.valid_until) == (registered.valid_from, registered.valid_until)


def test_revocation_sets_the_bit_and_a_refreshed_list_says_revoked(registered, staff):
    text = credential.document_qr_text(registered, now=NOW)
    trusted, before = lists()
    registered.revoked_on = NOW.date()
    registered.save(update_fields=["revoked_on"])
    _, after = lists()
    assert verify.document_verify(text, now=NOW, trust=trusted, status=before).code is verify.Code.VALID
    assert verify.document_verify(text, now=NOW, trust=trusted, status=after).code is verify.Code.REVOKED


def test_a_stale_status_list_says_status_unknown_never_valid(registered):
    text = credential.document_qr_text(registered, now=NOW)
    trusted, listed = lists()
    later = NOW + keys.STATUS_TTL + timedelta(seconds=1)
    assert verify.document_verify(text, now=later, trust=trusted, status=listed).code is verify.Code.STATUS_UNKNOWN


def test_the_keys_live_in_the_file_settings_name_and_not_in_the_database(registered, document_keys):
    credential.document_qr_text(registered, now=NOW)
    data = json.loads(document_keys.read_text())
    assert data["authority"] == "KR-MOJ"
    assert [s["office"] for s in data["signers"]] == [registered.case.office]
    assert "PRIVATE KEY" in data["signers"][0]["key"]
    assert oct(document_keys.stat().st_mode & 0o777) == "0o600"


def test_outside_the_demo_a_missing_key_file_fails_loudly(settings, db):
    settings.ASYLON_DEMO = False
    keys._cached = None
    with pytest.raises(KeyMaterialError, match="no document key file"):
        keys.issuer_keys()


def test_an_office_with_no_key_in_its_period_cannot_sign_outside_the_demo(registered, settings):
    keys.trust_list_signed(NOW)  # the demo made the file
    settings.ASYLON_DEMO = False
    with pytest.raises(KeyMaterialError, match="no signing key of office 'elsewhere'"):
        keys.signer_for("elsewhere", NOW)


def test_a_rotated_key_file_is_read_on_next_use(registered, document_keys):
    credential.document_qr_text(registered, now=NOW)
    version = keys.issuer_keys().version
    later = datetime(2028, 6, 1, tzinfo=UTC)
    keys.signer_for(registered.case.office, later)  # the demo adds a new key: a rotation
    assert keys.issuer_keys().version == version + 1
    assert len(keys.issuer_keys().signers) == 2
