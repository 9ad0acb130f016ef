"""A duplicate lookup reads the key file once, and decrypts no names of a candidate that cannot
reach the threshold; the candidates and their scores are the same as without either saving."""

from __future__ import annotations

import dataclasses

import pytest

from asylon.dataprotection import runtime
from asylon.people import duplicates
from asylon.people.models import Person
from tests.dataprotection.keyfile import own_keyfile
from tests.services.helpers import open_case, principal

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_file(settings, monkeypatch, tmp_path):
    return own_keyfile(settings, monkeypatch, tmp_path)


def registry(staff) -> None:
    """Namesakes of 리순희 whose birth dates, sex and provinces agree more or less."""
    for sex, year, month in [("F", 1991, 3), ("M", 1991, 3), ("F", 1975, 11), ("M", 1960, 1), ("F", 1991, None)]:
        open_case(staff, dataclasses.replace(principal("리순희"), sex=sex, birth_year=year, birth_month=month))
    open_case(staff, dataclasses.replace(principal("리순희"), province="Kangwon"))


def newcomer():
    return dataclasses.replace(principal("리순희"), province="Ryanggang")


def test_a_lookup_stats_the_key_file_once(staff, keys_file, monkeypatch):
    registry(staff)
    seen = []
    stat = runtime._stat
    monkeypatch.setattr(runtime, "_stat", lambda path: seen.append(path) or stat(path))
    found = duplicates.possible_duplicates(staff.registrar, newcomer())
    assert found
    assert len(seen) == 1


@pytest.mark.parametrize("threshold", [0.0, duplicates.SUGGEST_THRESHOLD, 0.5, duplicates.DEFAULT_THRESHOLD])
def test_candidates_passed_over_unread_are_those_that_could_not_reach_the_threshold(staff, monkeypatch, threshold):
    registry(staff)
    records = duplicates.input_records(newcomer())
    persons = duplicates.shortlist(records)
    assert len(persons) == 6
    read = []
    person_records = duplicates.person_records
    monkeypatch.setattr(duplicates, "person_records", lambda p: read.append(p.pk) or person_records(p))
    found = duplicates.scored(records, persons, threshold)
    unread = len(persons) - len(read)

    monkeypatch.setattr(duplicates, "best_possible", lambda *_: 1.0)
    fresh = duplicates.shortlist(records)  # no plaintext cached from the first run
    everyone = duplicates.scored(records, fresh, threshold)
    assert [(p.pk, c) for p, c in found] == [(p.pk, c) for p, c in everyone]
    if threshold == 0.0:
        assert unread == 0
    if threshold >= duplicates.SUGGEST_THRESHOLD:
        assert unread >= 1  # the man born in 1960 at least
    assert Person.objects.count() == 6
