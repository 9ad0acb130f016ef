"""Step screens: grouped fields, guidance, what the file already says, what the core computes."""

from __future__ import annotations

from django.urls import reverse

from asylon.cases.models import CaseMember
from asylon.procedure.case import APPEAL_PERIOD, Outcome, State
from tests.front.conftest import NOW
from tests.services.helpers import open_case, walk_to


def form_of(response, name: str):
    return next(f for f in response.context["forms"] if f.name == name)


def test_the_assessment_screen_groups_its_fields_under_the_law_they_apply(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.INTERVIEWED)

    response = browser_for(staff.eligibility).get(reverse("front:case", args=[case.pk]))

    form = form_of(response, "draft_assessment")
    assert [legend for legend, _ in form.fieldsets] == [
        "Facts and credibility",
        "Inclusion: Refugee Convention Art. 1A(2)",
        "Exclusion: Art. 1F",
        "Complementary protection",
        "Proposed outcome",
    ]
    page = response.content.decode()
    assert "<legend>Inclusion: Refugee Convention Art. 1A(2)</legend>" in page
    assert "membership of a particular social group" in page and "sur place" in page
    assert "CAT Art. 3" in page and "ICCPR Arts. 6–7" in page


def test_every_field_the_core_asks_for_is_on_the_assessment_screen(staff, browser_for):
    from asylon.cases.steps import step_fields
    from asylon.procedure.case import DraftAssessment

    case = walk_to(staff, open_case(staff), State.INTERVIEWED)
    form = form_of(browser_for(staff.eligibility).get(reverse("front:case", args=[case.pk])), "draft_assessment")

    drawn = [w.name for _, widgets in form.fieldsets for w in widgets]
    assert sorted(drawn) == sorted(f.name for f in step_fields(DraftAssessment))


def test_scheduling_starts_from_what_the_applicant_asked_for_at_registration(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.SCREENED)
    CaseMember.objects.filter(case=case, relation="principal").update(
        interpreter_language="ko", interviewer_gender="F", interpreter_gender="F"
    )

    response = browser_for(staff.eligibility).get(reverse("front:case", args=[case.pk]))

    values = {w.name: w.value for w in form_of(response, "schedule_interview").widgets}
    assert (values["language"], values["interviewer_gender"], values["interpreter_gender"]) == ("ko", "F", "F")
    assert [legend for legend, _ in form_of(response, "schedule_interview").fieldsets] == [
        "When and where",
        "As the applicant asked",
    ]


def test_the_interview_record_asks_for_rights_and_start_then_the_record_then_end_and_read_back(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.INTERVIEW_SCHEDULED)

    response = browser_for(staff.eligibility).get(reverse("front:case", args=[case.pk]))
    form = form_of(response, "hold_interview")

    assert [[w.name for w in widgets] for _, widgets in form.fieldsets] == [
        ["rights_informed", "started_at"],
        ["notes"],
        ["ended_at", "read_back_confirmed"],
    ]
    times = [w for _, widgets in form.fieldsets for w in widgets if w.name.endswith("_at")]
    assert [(w.kind, w.required) for w in times] == [("datetime", True), ("datetime", True)]
    page = response.content.decode()
    assert 'type="datetime-local" name="started_at" id="hold_interview-started_at"' in page


def test_the_notification_shows_the_appeal_deadline_the_core_will_set(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.DECIDED)

    response = browser_for(staff.registrar).get(reverse("front:case", args=[case.pk]))

    form = form_of(response, "notify")
    deadline = NOW.date() + APPEAL_PERIOD
    assert form.outlook == f"Notified today, the appeal deadline is {deadline:%m/%d/%Y}." or deadline.isoformat() in (
        form.outlook
    )
    assert form.outlook in response.content.decode()
    # The interview's language is offered for the notification.
    assert {w.name: w.value for w in form.widgets}["language"] == "ko"


def test_a_recognition_is_notified_as_final_with_nothing_to_appeal(staff, browser_for):
    case = walk_to(staff, open_case(staff), State.DECIDED, outcome=Outcome.REFUGEE_STATUS)

    form = form_of(browser_for(staff.registrar).get(reverse("front:case", args=[case.pk])), "notify")

    assert form.outlook == "Notified today, the decision becomes final: there is nothing to appeal."
