from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from asylon.cases import services
from asylon.documents.models import Document
from asylon.people.models import DetentionEpisode
from asylon.procedure.case import State
from tests.front.conftest import NOW
from tests.services.helpers import open_case, walk_to


@pytest.fixture
def registered(staff):
    return walk_to(staff, open_case(staff), State.REGISTERED)


def test_the_case_page_shows_every_name_with_its_script_romanization_and_source(staff, browser_for, registered):
    page = browser_for(staff.eligibility).get(reverse("front:case", args=[registered.pk])).content.decode()

    assert registered.number in page
    assert "리순희" in page
    assert "Ri Sun Hui" in page
    assert "Hangul" in page
    assert "Latin" in page
    assert "DPRK official" in page
    assert "partner NGO" in page


def test_a_partial_date_of_birth_is_shown_as_it_was_recorded(staff, browser_for, registered):
    page = browser_for(staff.eligibility).get(reverse("front:case", args=[registered.pk])).content.decode()

    assert "1991-03" in page
    assert "female" in page
    assert "Korean" in page


def test_the_case_page_shows_the_documents_with_their_validity(staff, browser_for, registered):
    document = Document.objects.get(case=registered)

    page = browser_for(staff.eligibility).get(reverse("front:case", args=[registered.pk])).content.decode()

    assert "Temporary identity certificate" in page
    assert document.number in page
    assert 'class="status status-valid"' in page


def test_a_revoked_document_is_marked_revoked(staff, browser_for, registered):
    Document.objects.filter(case=registered).update(revoked_on=NOW.date(), revoked_reason="Lost.")

    page = browser_for(staff.eligibility).get(reverse("front:case", args=[registered.pk])).content.decode()

    assert 'class="status status-revoked"' in page


def test_a_detention_review_past_its_date_is_shown_overdue(staff, browser_for, registered):
    DetentionEpisode.objects.update(next_review_on=NOW.date() - timedelta(days=3))
    browser = browser_for(staff.eligibility)

    page = browser.get(reverse("front:case", args=[registered.pk])).content.decode()

    assert "Tumen Border Detention Centre" in page
    assert "review overdue" in page


def test_a_detention_review_still_ahead_is_not_overdue(staff, browser_for, registered):
    DetentionEpisode.objects.update(next_review_on=NOW.date() + timedelta(days=10))

    page = browser_for(staff.eligibility).get(reverse("front:case", args=[registered.pk])).content.decode()

    assert "review overdue" not in page


def test_the_timeline_shows_every_event_with_who_when_and_the_change_of_stage(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.SCREENED)

    response = browser_for(staff.eligibility).get(reverse("front:case", args=[case.pk]))

    events = response.context["events"]
    assert [e.event.type for e in events] == ["intake_opened", "register", "screen"]
    assert [e.what for e in events] == ["Intake opened", "Registered", "Screened"]
    page = response.content.decode()
    assert "rhee.registrar" in page
    assert "Registered → Screened" in page
    assert "Detained over a year." in page
    assert "Prioritized" in page


def test_a_family_case_shows_each_member(staff, browser_for):
    from tests.services.helpers import principal

    child = services.PersonInput(
        names=[services.NameInput(text="리은별", script="Hang")],
        sex="F",
        birth_year=2015,
        specific_needs=["child"],
        relation="child",
    )
    case = open_case(staff, principal(), child)

    page = browser_for(staff.registrar).get(reverse("front:case", args=[case.pk])).content.decode()

    assert "Principal applicant" in page
    assert "리은별" in page
    assert "Child" in page
    assert "2015" in page


@pytest.mark.parametrize("who", ["monitor", "outsider", "ngo"])
def test_a_user_without_casework_gets_not_found_for_a_case_page(staff, browser_for, registered, who):
    response = browser_for(getattr(staff, who)).get(reverse("front:case", args=[registered.pk]))

    assert response.status_code == 404


def test_a_case_that_does_not_exist_is_not_found(staff, browser_for):
    assert browser_for(staff.registrar).get(reverse("front:case", args=[999999])).status_code == 404


def test_the_case_page_reads_the_file_in_a_fixed_number_of_queries(staff, browser_for, django_assert_max_num_queries):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_REVIEWED)
    browser = browser_for(staff.reviewer)

    # 16 reads, and the read record written in its own savepoint (3 statements).
    with django_assert_max_num_queries(19):
        browser.get(reverse("front:case", args=[case.pk]))
