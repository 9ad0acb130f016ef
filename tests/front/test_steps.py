from __future__ import annotations

from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from asylon.cases import services
from asylon.cases.models import Case, Event, Interview
from asylon.procedure.case import State
from tests.procedure.personas import assessment
from tests.services.helpers import open_case, walk_to

# The officers sit on 3 November 2026 at 09:00 UTC (tests/front/conftest.py); the browser sends
# local times without an offset, read in the active time zone (UTC here).
HELD_THIS_MORNING = {"started_at": "2026-11-03T07:00", "ended_at": "2026-11-03T08:30"}


def step_url(case: Case, step: str) -> str:
    return reverse("front:step", args=[case.pk, step])


def offered(response) -> list[str]:
    return [form.name for form in response.context["forms"]]


def snapshot(case: Case) -> tuple[str, int]:
    case.refresh_from_db()
    return case.state, Event.objects.filter(case=case).count()


def test_a_registration_officer_is_offered_register_on_an_intake_case(staff, browser_for):
    case = open_case(staff)

    response = browser_for(staff.registrar).get(reverse("front:case", args=[case.pk]))

    assert offered(response) == ["register"]
    assert f'action="{step_url(case, "register")}"' in response.content.decode()
    assert ">Register</button>" in response.content.decode()


def test_registering_moves_the_case_appends_an_event_and_says_so(staff, browser_for):
    case = open_case(staff)
    browser = browser_for(staff.registrar)

    response = browser.post(step_url(case, "register"))

    assert response.status_code == 302
    assert response.url == reverse("front:case", args=[case.pk])
    case.refresh_from_db()
    assert case.state == State.REGISTERED
    last = Event.objects.filter(case=case).order_by("-seq").first()
    assert (last.seq, last.type, last.actor, last.state_before, last.state_after) == (
        2,
        "register",
        staff.registrar,
        "intake",
        "registered",
    )
    page = browser.get(response.url).content.decode()
    assert "Register: done. The case is now at the stage “Registered”." in page


def test_an_eligibility_officer_is_not_offered_the_review_of_a_drafted_assessment(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_DRAFTED)

    response = browser_for(staff.second_eligibility).get(reverse("front:case", args=[case.pk]))

    assert "approve_assessment" not in offered(response)
    assert "return_assessment" not in offered(response)
    assert "Approve assessment" not in response.content.decode()


def test_a_reviewer_is_offered_to_approve_or_return_a_drafted_assessment(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_DRAFTED)

    response = browser_for(staff.reviewer).get(reverse("front:case", args=[case.pk]))

    assert offered(response) == ["approve_assessment", "return_assessment"]
    assert "Consistent and detailed." in response.content.decode()


def test_the_drafter_cannot_approve_their_own_draft_and_nothing_changes(staff, browser_for, drafter_and_reviewer):
    case = walk_to(staff, open_case(staff), State.INTERVIEWED)
    services.case_take(user=drafter_and_reviewer, case_id=case.pk, step=assessment())
    before = snapshot(case)
    browser = browser_for(drafter_and_reviewer)
    assert "approve_assessment" in offered(browser.get(reverse("front:case", args=[case.pk])))

    response = browser.post(step_url(case, "approve_assessment"))

    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-code="reviewer_is_drafter"' in page
    assert "The reviewer must be an officer other than the one who drafted the assessment." in page
    assert snapshot(case) == before == (State.ASSESSMENT_DRAFTED, before[1])


def test_a_refused_step_names_every_reason_and_keeps_what_the_officer_typed(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.INTERVIEW_SCHEDULED)
    before = snapshot(case)

    response = browser_for(staff.eligibility).post(
        step_url(case, "hold_interview"),
        {"notes": "She described the crossing at Hoeryong.", **HELD_THIS_MORNING},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-code="rights_not_read"' in page
    assert 'data-code="read_back_missing"' in page
    assert "The applicant must be informed of their rights before the interview counts." in page
    assert "The interview record must be read back to the applicant and confirmed." in page
    assert "She described the crossing at Hoeryong.</textarea>" in page
    assert snapshot(case) == before


def test_a_missing_field_is_named_beside_it_and_the_typed_text_is_kept(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    before = snapshot(case)

    response = browser_for(staff.registrar).post(
        step_url(case, "screen"), {"mode": "", "reason": "Detained since 2022 & pregnant."}
    )

    assert response.status_code == 422
    form = next(f for f in response.context["forms"] if f.name == "screen")
    assert form.errors == {"mode": "This field is required."}
    page = response.content.decode()
    assert '<p class="error" id="screen-mode-error">This field is required.</p>' in page
    assert "Detained since 2022 &amp; pregnant.</textarea>" in page
    assert snapshot(case) == before


def test_a_step_the_officers_role_does_not_allow_is_refused_in_plain_words(staff, browser_for):
    case = open_case(staff)
    before = snapshot(case)

    response = browser_for(staff.eligibility).post(step_url(case, "register"))

    assert response.status_code == 422
    assert "Your role does not allow this step." in response.content.decode()
    assert "This step is no longer offered" in response.content.decode()
    assert snapshot(case) == before


def test_scheduling_an_interview_records_the_time_place_and_gender_preferences(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.SCREENED)

    response = browser_for(staff.eligibility).post(
        step_url(case, "schedule_interview"),
        {
            "language": "ko",
            "scheduled_for": "2026-11-10T09:30",
            "place": "Interview room 2",
            "interviewer_gender": "F",
            "interpreter_gender": "F",
        },
    )

    assert response.status_code == 302
    interview = Interview.objects.get(case=case)
    assert interview.scheduled_for == timezone.make_aware(datetime(2026, 11, 10, 9, 30))
    assert (interview.language, interview.place, interview.interviewer_gender, interview.interpreter_gender) == (
        "ko",
        "Interview room 2",
        "F",
        "F",
    )


def test_a_date_that_cannot_be_read_is_named_and_nothing_is_recorded(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.SCREENED)
    before = snapshot(case)

    response = browser_for(staff.eligibility).post(
        step_url(case, "schedule_interview"), {"language": "ko", "scheduled_for": "next tuesday"}
    )

    assert response.status_code == 422
    form = next(f for f in response.context["forms"] if f.name == "schedule_interview")
    assert list(form.errors) == ["scheduled_for"]
    assert 'value="next tuesday"' in response.content.decode()
    assert snapshot(case) == before
    assert not Interview.objects.filter(case=case).exists()


def test_holding_the_interview_keeps_the_notes_and_its_start_and_end(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.INTERVIEW_SCHEDULED)
    browser = browser_for(staff.eligibility)

    response = browser.post(
        step_url(case, "hold_interview"),
        {"rights_informed": "on", "read_back_confirmed": "on", "notes": "Read back in Korean.", **HELD_THIS_MORNING},
    )

    assert response.status_code == 302
    interview = Interview.objects.get(case=case)
    assert interview.notes == "Read back in Korean."
    assert (interview.started_at, interview.ended_at) == (
        datetime(2026, 11, 3, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 8, 30, tzinfo=UTC),
    )
    case.refresh_from_db()
    assert case.state == State.INTERVIEWED
    page = browser.get(reverse("front:case", args=[case.pk]))
    html = page.content.decode()
    assert '<time datetime="2026-11-03T07:00:00+00:00">' in html
    assert '<time datetime="2026-11-03T08:30:00+00:00">' in html
    [held] = [e for e in page.context["events"] if e.event.type == "hold_interview"]
    shown = dict(held.details)
    assert shown["Started"] == formats.date_format(datetime(2026, 11, 3, 7, 0, tzinfo=UTC), "SHORT_DATETIME_FORMAT")
    assert shown["Ended"] == formats.date_format(datetime(2026, 11, 3, 8, 30, tzinfo=UTC), "SHORT_DATETIME_FORMAT")


def _hold(browser, case, **times):
    return browser.post(
        step_url(case, "hold_interview"),
        {"rights_informed": "on", "read_back_confirmed": "on", "notes": "Questions and answers.", **times},
    )


def test_an_interview_ending_before_it_started_is_refused_beside_the_end_time(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.INTERVIEW_SCHEDULED)
    before = snapshot(case)

    response = _hold(browser_for(staff.eligibility), case, started_at="2026-11-03T08:30", ended_at="2026-11-03T08:00")

    assert response.status_code == 422
    form = next(f for f in response.context["forms"] if f.name == "hold_interview")
    assert [r.code for r in form.refusals] == ["interview_end_not_after_start"]
    widgets = {w.name: w for w in form.widgets}
    assert widgets["ended_at"].error == "The interview must end after the time it started."
    assert widgets["started_at"].error == ""
    page = response.content.decode()
    assert 'id="hold_interview-ended_at-error"' in page
    assert 'value="2026-11-03T08:30"' in page and 'value="2026-11-03T08:00"' in page
    assert snapshot(case) == before
    assert Interview.objects.get(case=case).held_at is None


def test_an_interview_recorded_for_a_day_still_to_come_is_refused(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.INTERVIEW_SCHEDULED)
    before = snapshot(case)

    response = _hold(browser_for(staff.eligibility), case, started_at="2026-11-04T09:00", ended_at="2026-11-04T10:00")

    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-code="interview_in_future"' in page
    assert 'id="hold_interview-started_at-error"' in page
    assert snapshot(case) == before


def test_interview_times_missing_or_unreadable_are_named_beside_their_fields(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.INTERVIEW_SCHEDULED)
    before = snapshot(case)

    response = _hold(browser_for(staff.eligibility), case, started_at="this morning", ended_at="")

    assert response.status_code == 422
    form = next(f for f in response.context["forms"] if f.name == "hold_interview")
    assert form.errors == {
        "started_at": "Enter a date and time, e.g. 2026-11-10 09:30.",
        "ended_at": "This field is required.",
    }
    page = response.content.decode()
    assert 'value="this morning"' in page
    assert 'id="hold_interview-started_at-error"' in page and 'id="hold_interview-ended_at-error"' in page
    assert snapshot(case) == before


def test_a_decision_takes_the_countries_assessed_as_typed_codes(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_REVIEWED)
    browser = browser_for(staff.reviewer)
    page = browser.get(reverse("front:case", args=[case.pk])).content.decode()
    assert 'name="countries_assessed"' in page

    response = browser.post(
        step_url(case, "decide"),
        {"outcome": "complementary_protection", "reasons": "Risk of torture.", "countries_assessed": "kp CN"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.outcome, case.countries_assessed) == (
        State.DECIDED,
        "complementary_protection",
        ["CN", "KP"],
    )


def test_a_decision_waits_until_the_officer_signs_in_again_and_nothing_is_decided_meanwhile(staff, browser_for):
    from datetime import timedelta

    from asylon.accounts import assurance
    from tests.front.conftest import NOW

    case = walk_to(staff, open_case(staff), State.ASSESSMENT_REVIEWED)
    browser = browser_for(staff.reviewer)
    session = browser.session
    assurance.reauthenticated(session, NOW - timedelta(minutes=30))
    session.save()
    page = reverse("front:case", args=[case.pk])

    response = browser.post(
        step_url(case, "decide"),
        {"outcome": "refugee_status", "reasons": "Well-founded fear.", "countries_assessed": "KP"},
        HTTP_REFERER="http://testserver" + page,
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:reauthenticate") + "?next=" + page.replace("/", "%2F")
    case.refresh_from_db()
    assert case.state == State.ASSESSMENT_REVIEWED


def test_a_user_without_casework_gets_not_found_when_posting_a_step(staff, browser_for):
    case = open_case(staff)
    before = snapshot(case)

    for who in (staff.monitor, staff.outsider):
        assert browser_for(who).post(step_url(case, "register")).status_code == 404
    assert snapshot(case) == before


def test_an_unknown_step_is_not_found(staff, browser_for):
    case = open_case(staff)

    assert browser_for(staff.registrar).post(step_url(case, "deport")).status_code == 404


def test_a_step_is_taken_only_by_a_post_with_a_csrf_token(staff, sign_in):
    case = open_case(staff)
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, staff.registrar)

    assert browser.get(step_url(case, "register")).status_code == 405
    assert browser.post(step_url(case, "register")).status_code == 403
    case.refresh_from_db()
    assert case.state == State.INTAKE


def test_an_unreadable_date_and_a_missing_language_are_both_named_at_once(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.SCREENED)
    before = snapshot(case)

    response = browser_for(staff.eligibility).post(
        step_url(case, "schedule_interview"), {"language": " ", "scheduled_for": "2026-13-01T09:00"}
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="schedule_interview-scheduled_for-error"' in page
    assert 'data-code="interview_language_missing"' in page
    assert snapshot(case) == before
