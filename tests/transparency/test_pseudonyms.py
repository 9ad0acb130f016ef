"""The log's pseudonyms outlive a rotation of the blind-index key: a monitor follows a case
through the log by its pseudonym, before and after the rotation alike."""

from __future__ import annotations

import json

import pytest

from asylon.dataprotection import rotation, runtime
from asylon.dataprotection.blind import blind_index
from asylon.procedure import case as p
from asylon.transparency.models import LogEntry
from asylon.transparency.services import pseudonym
from tests.dataprotection.keyfile import own_keyfile
from tests.services.helpers import open_case, principal, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def _fast_password_hashing(settings):
    # This folder's conftest turns the suite-wide fixture off; these tests need the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def keys_file(settings, monkeypatch, tmp_path):
    return own_keyfile(settings, monkeypatch, tmp_path)


def events_logged() -> list[dict]:
    bodies = LogEntry.objects.filter(kind="event").order_by("index").values_list("body", flat=True)
    return [json.loads(bytes(body)) for body in bodies]


def case_pseudonyms(case_id: int) -> list[str]:
    return [entry["case"] for entry in events_logged() if entry["case"] == pseudonym("case", case_id)]


def test_a_case_keeps_its_pseudonym_in_the_log_across_a_blind_index_rotation(_fast_password_hashing, staff, keys_file):
    case = open_case(staff, principal("리순희"))
    before = pseudonym("case", case.pk), pseudonym("actor", staff.registrar.pk)
    logged = len(case_pseudonyms(case.pk))
    old_blind_index = runtime.keyring().blind_index

    rotation.blind_index_rotate()

    assert runtime.keyring().blind_index != old_blind_index
    assert (pseudonym("case", case.pk), pseudonym("actor", staff.registrar.pk)) == before
    walk_to(staff, case, p.State.DECIDED)
    # The events after the rotation are logged under the same case pseudonym as those before.
    assert len(case_pseudonyms(case.pk)) > logged
    assert {entry["case"] for entry in events_logged()} == {before[0]}


def test_a_key_file_from_before_the_log_had_its_key_keeps_the_pseudonyms_it_gave(keys_file):
    legacy = json.loads(runtime.keyring().to_json())
    del legacy["log_pseudonym"]
    keys_file.write_text(json.dumps(legacy), encoding="utf-8")
    keyring = runtime.keyring()
    # Until then the log's pseudonyms were blind indexes under the blind-index key.
    given = blind_index(keyring, "log-case", "7")[:16]
    assert pseudonym("case", 7) == given

    rotation.blind_index_rotate()

    assert pseudonym("case", 7) == given
    saved = json.loads(keys_file.read_text(encoding="utf-8"))
    assert saved["log_pseudonym"] == legacy["blind_index"] != saved["blind_index"]
