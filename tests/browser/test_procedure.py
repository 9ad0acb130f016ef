"""A case from intake to a certificate, an appeal and a refused removal, clicked through in Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from asylon.procedure import case as p
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import NoReturnListing
from tests.services.helpers import open_case, walk_to

pytestmark = pytest.mark.browser


def take(desk, step: str, button: str, fields: dict[str, str] | None = None, checks: tuple[str, ...] = ()) -> None:
    """Open the step's form on the case page, fill it in as an officer would, and send it."""
    form = desk.page.locator(f"#step-{step}")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for label, value in (fields or {}).items():
        field = form.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    for label in checks:
        form.get_by_label(label).check()
    desk.submit(form.get_by_role("button", name=button, exact=True))


def stage(desk) -> str:
    return desk.page.locator("h1 .stage").inner_text()


def test_an_officer_signs_in_with_a_password_and_an_authenticator_code(staff, desk_for):
    desk = desk_for(staff.registrar)

    assert desk.page.get_by_role("button", name="Sign out").is_visible()
    assert "rhee.registrar" in desk.page.locator(".who-name").inner_text()


def register_person(desk) -> str:
    """The registration screen, filled in for a detained woman with her name in three scripts."""
    desk.open("/register/")
    form = desk.page.locator("form#registration")
    form.get_by_label("How the person came").select_option(label="Detained")
    form.get_by_label("The family is detained").check()
    form.get_by_label("Detention site").fill("Tumen Border Detention Centre")
    form.get_by_label("Detained since").fill("2025-06-01")
    principal = form.locator("#member-0")
    rows = principal.locator(".name-row")
    for i, (text, source) in enumerate(
        (("리순희", "the applicant"), ("李顺姬", "Chinese police"), ("Ri Sun-hŭi", None))
    ):
        rows.nth(i).get_by_label("Name as written").fill(text)
        if source:
            rows.nth(i).get_by_label("Source").select_option(label=source)
    rows.nth(0).get_by_label("Primary name").check()
    rows.nth(2).get_by_label("Romanization").select_option(label="McCune-Reischauer")
    rows.nth(2).get_by_label("Source").select_option(label="partner NGO")
    principal.get_by_label("Year").fill("1991")
    principal.get_by_label("Sex").select_option(label="female")
    principal.get_by_label("Nationalities").fill("KP")
    principal.get_by_label("Korean", exact=True).first.check()
    desk.submit(form.get_by_role("button", name="Open the intake"))
    message = desk.page.locator(".messages").inner_text()
    assert message.startswith("Intake opened: case "), message
    return desk.page.url.removeprefix(desk.base_url)


def test_a_case_goes_from_intake_to_a_refugee_certificate_shown_as_issued(staff, desk_for):
    registrar = desk_for(staff.registrar)
    url = register_person(registrar)
    assert stage(registrar) == "Intake"
    names = registrar.page.locator("table.names").first.inner_text()
    for text, script in (("리순희", "Hangul"), ("李顺姬", "Han characters"), ("Ri Sun-hŭi", "Latin")):
        assert text in names and script in names
    take(registrar, "register", "Register")
    assert stage(registrar) == "Registered"
    assert "Register: done." in registrar.page.locator(".messages").inner_text()
    take(
        registrar,
        "screen",
        "Screen",
        {"Processing mode": "Prioritized", "Reason": "Detained for over a year; fear of return expressed at intake."},
    )
    assert stage(registrar) == "Screened"

    eligibility = desk_for(staff.eligibility)
    eligibility.open(url)
    take(
        eligibility,
        "schedule_interview",
        "Schedule interview",
        {
            "Language": "ko",
            "Date and time": (timezone.localdate() + timedelta(days=3)).isoformat() + "T09:30",
            "Place": "Interview room 2",
            "Interviewer requested": "A woman",
            "Interpreter requested": "A woman",
        },
    )
    assert stage(eligibility) == "Interview scheduled"
    take(
        eligibility,
        "hold_interview",
        "Record interview held",
        {
            "Started": (timezone.localdate() - timedelta(days=1)).isoformat() + "T10:00",
            "Notes or transcript": "Q: Why did you leave? A: I was to be sent back from China.",
            "Ended": (timezone.localdate() - timedelta(days=1)).isoformat() + "T11:30",
        },
        checks=("informed of their rights", "read back to the applicant"),
    )
    assert stage(eligibility) == "Interviewed"
    take(
        eligibility,
        "draft_assessment",
        "Draft assessment",
        {
            "Material facts": "Left the DPRK in 2019; detained in China since June 2025.",
            "Credibility findings": "Consistent and detailed; accepted.",
            "Inclusion": "Well-founded fear of persecution for political opinion imputed on return.",
            "Exclusion": "No indication of any Art. 1F act.",
            "Complementary protection": "Real risk of torture on return (CAT Art. 3).",
            "Proposed outcome": "Refugee status",
        },
    )
    assert stage(eligibility) == "Assessment drafted"

    reviewer = desk_for(staff.reviewer)
    reviewer.open(url)
    take(reviewer, "approve_assessment", "Approve assessment")
    assert stage(reviewer) == "Assessment reviewed"
    take(
        reviewer,
        "decide",
        "Decide",
        {
            "Outcome": "Refugee status",
            "Written reasons": "The applicant is a refugee under Art. 1A(2).",
            "Countries for which": "KP CN",
        },
    )
    assert stage(reviewer) == "Decided"

    registrar.open(url)
    take(registrar, "notify", "Notify decision", {"Language": "ko"})

    documents = registrar.page.locator("article.person").first.locator("table").nth(1)
    certificate = documents.locator("tr", has_text="Refugee identity certificate")
    assert certificate.locator(".status").inner_text() == "valid"
    timeline = registrar.page.locator("table.timeline")
    for what in ("Registered", "Screened", "Interview held", "Assessment approved", "Decided", "Decision notified"):
        assert timeline.get_by_text(what, exact=True).count() >= 1


def test_an_appeal_is_lodged_and_decided_by_a_second_officer(staff, desk_for):
    earlier = timezone.now() - timedelta(days=2)
    case = walk_to(staff, open_case(staff), p.State.APPEAL_WINDOW, at=earlier)
    url = f"/cases/{case.pk}/"

    registrar = desk_for(staff.registrar)
    registrar.open(url)
    take(registrar, "lodge_appeal", "Lodge appeal")
    assert stage(registrar) == "Appeal lodged"
    # The first-instance decision-maker has no appeal role: the step is not even offered.
    assert registrar.page.locator("#step-decide_appeal").count() == 0

    appeal = desk_for(staff.appeal)
    appeal.open(url)
    take(
        appeal,
        "decide_appeal",
        "Decide appeal",
        {
            "Outcome": "Complementary protection",
            "Written reasons": "Real risk of torture on return; Art. 1A(2) not met.",
            "Countries for which": "KP",
        },
    )

    assert stage(appeal) == "Appeal decided"
    decisions = appeal.page.locator("article.record", has_text="Decision")
    assert decisions.filter(has_text="amara.appeal").locator(".tag").inner_text() == "Appeal"
    assert decisions.filter(has_text="ravi.reviewer").locator(".tag").inner_text() == "First instance"


def test_a_removal_is_refused_and_every_reason_is_on_the_case_page(staff, desk_for):
    earlier = timezone.now() - timedelta(days=2)
    NoReturnListing.objects.create(country="KP", reason="COI 2014 rec. 1221(a)", listed_on=earlier.date())
    case = walk_to(staff, open_case(staff), p.State.APPEAL_WINDOW, at=earlier)
    removal = safeguards.removal_request(user=staff.removal, person_id=case.principal_id, destination="KP")
    assert len(removal.refusal_codes) == 3

    reasons = (
        "The appeal window is still open.",
        "There is no final negative decision on this person's claim.",
        "The destination is on the no-return register.",
    )

    officer = desk_for(staff.removal)
    officer.open("/queues/removals/")
    listed = officer.page.locator("tr", has_text=case.number)
    assert "refused" in listed.inner_text()
    assert [listed.locator("ul.reasons li").nth(i).inner_text() for i in range(3)] == list(reasons)

    officer.submit(listed.get_by_role("link", name=case.number))
    refused = officer.page.locator("table.timeline tr", has_text="Removal refused")
    why = refused.locator(".why").inner_text()
    for sentence in reasons:
        assert sentence in why


def test_an_ngo_list_is_checked_row_by_row_then_its_valid_rows_imported(staff, desk_for, tmp_path):
    listed = tmp_path / "detainees.csv"
    listed.write_text(
        "No.,Full name,Sex,Born\nN1,김영호,M,1985-03-12\nN2,Kim Yong Ho,M,12/03/1985\nN3,,F,1990\n", encoding="utf-8"
    )
    registrar = desk_for(staff.registrar)
    registrar.open("/register/")
    registrar.submit(registrar.page.get_by_role("link", name="Import a list"))
    form = registrar.page.locator("form")
    form.get_by_label("List (CSV or XLSX)").set_input_files(str(listed))
    form.get_by_label("Who wrote the list").fill("Border NGO")
    registrar.submit(form.get_by_role("button", name="Check the list"))

    # "Full name" is no field's name: the officer says what it holds, and checks again.
    assert "no column for the name" in registrar.page.locator(".alert").inner_text()
    registrar.page.get_by_label("Full name").select_option(label="Name")
    registrar.page.get_by_label("No.").select_option(label="The list's own record id")
    registrar.page.get_by_label("Sex", exact=True).select_option(label="Sex")
    registrar.page.get_by_label("Born").select_option(label="Date of birth")
    registrar.submit(registrar.page.get_by_role("button", name="Check again"))
    status = registrar.page.get_by_role("status").first.inner_text()
    assert "2 of 3 rows can be imported; 1 in error; 1 possible duplicates." in status
    assert "row 2 of this list" in registrar.page.locator("table.list-report").inner_text()

    registrar.page.get_by_label("Import the valid rows and leave out the rows in error").check()
    registrar.submit(registrar.page.get_by_role("button", name="Import", exact=True))
    assert "2 rows imported." in registrar.page.locator(".message.success").inner_text()
    assert "created AS-" in registrar.page.locator("table.list-report").inner_text()
