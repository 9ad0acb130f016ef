"""The person panel shows the sealed details; a shredded record reads as such, not as an error."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse

from asylon.dataprotection import rotation
from asylon.procedure.case import State
from tests.dataprotection.keyfile import own_keyfile
from tests.services.helpers import open_case, principal, walk_to

UNREADABLE = "record unreadable (keys destroyed)"


@pytest.fixture
def keys_file(settings, monkeypatch, tmp_path):
    return own_keyfile(settings, monkeypatch, tmp_path)


def test_the_person_panel_shows_the_province_and_contact_when_recorded(staff, browser_for):
    applicant = replace(principal(), province="Ryanggang", contact="Hyesan shelter\n+82 10 1234 5678")
    case = open_case(staff, applicant, principal("김철수"))

    page = browser_for(staff.registrar).get(reverse("front:case", args=[case.pk])).content.decode()

    assert "1991-03" in page
    assert "Ryanggang" in page
    assert "Hyesan shelter<br>+82 10 1234 5678" in page
    assert page.count("Contact") == 1  # the second person has none recorded


def test_a_case_whose_office_keys_were_destroyed_shows_unreadable_records(staff, browser_for, keys_file):
    applicant = replace(principal("리순희"), province="Ryanggang", contact="Hyesan shelter")
    case = walk_to(staff, open_case(staff, applicant), State.DECIDED)
    rotation.office_shred(office="main")
    browser = browser_for(staff.registrar)

    page = browser.get(reverse("front:case", args=[case.pk]))
    listed = browser.get(reverse("front:cases"))

    assert page.status_code == listed.status_code == 200
    text = page.content.decode()
    for clear in ("리순희", "Ri Sun Hui", "Ryanggang", "Hyesan", "Detained over a year.", "Reasons."):
        assert clear not in text
    # The name in the heading and both names in the table, the birth date, the province, the
    # contact, five sections of the assessment, the decision's reasons, the screening reason.
    assert text.count(UNREADABLE) == 13
    assert case.number in text and "Date of birth" in text
    assert UNREADABLE in listed.content.decode()
