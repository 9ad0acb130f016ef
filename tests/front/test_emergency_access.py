"""Emergency access in the browser: signed in again, opened, read, reviewed."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from asylon.accounts import assurance
from asylon.cases.models import CaseAssignment, CaseRead, EmergencyAccess
from asylon.procedure.roles import Role
from tests.front.conftest import NOW
from tests.services.helpers import open_case

REASON = "Detainee transferred tonight; the assigned officer is unreachable."


def test_an_officer_signed_in_long_ago_signs_in_again_before_breaking_the_glass(browser_for, bangkok_officer):
    browser = browser_for(bangkok_officer)
    session = browser.session
    assurance.reauthenticated(session, NOW - timedelta(hours=1))
    session.save()
    response = browser.get("/emergency-access/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:reauthenticate") + "?next=%2Femergency-access%2F"


def test_an_officer_of_another_unit_opens_emergency_access_reads_the_case_and_a_dpo_reviews_it(
    staff, browser_for, bangkok_officer
):
    case = open_case(staff)
    browser = browser_for(bangkok_officer)
    assert browser.get(f"/cases/{case.pk}/").status_code == 404

    page = browser.get(f"/emergency-access/?case={case.number}")
    assert page.status_code == 200
    assert case.number in page.content.decode()
    short = browser.post("/emergency-access/", {"case_number": case.number, "reason": "urgent", "hours": "1"})
    assert short.status_code == 400
    assert "at least 20 characters" in short.content.decode()
    assert not EmergencyAccess.objects.exists()

    opened = browser.post("/emergency-access/", {"case_number": case.number, "reason": REASON, "hours": "2"})
    assert opened.status_code == 302
    assert opened["Location"] == f"/cases/{case.pk}/"
    assert browser.get(f"/cases/{case.pk}/").status_code == 200
    assert CaseRead.objects.get(user=bangkok_officer).emergency == EmergencyAccess.objects.get()

    dpo = browser_for(staff.dpo)
    reviews = dpo.get("/emergency-access/reviews/").content.decode()
    assert case.number in reviews and REASON in reviews
    dpo.post(f"/emergency-access/{EmergencyAccess.objects.get().pk}/review/", {"finding": "justified"})
    assert EmergencyAccess.objects.get().finding == "justified"
    assert "No emergency access is waiting" in dpo.get("/emergency-access/reviews/").content.decode()


def test_a_monitor_is_not_offered_emergency_access(staff, browser_for):
    open_case(staff)
    browser = browser_for(staff.monitor)
    assert "Emergency access" not in browser.get("/").content.decode()
    assert browser.get("/emergency-access/").status_code == 403
    response = browser.post("/emergency-access/", {"case_number": "X", "reason": REASON, "hours": "1"})
    assert response.status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_an_unsigned_visitor_is_sent_to_sign_in(db):
    response = Client().get("/emergency-access/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_supervisor_assigns_the_case_from_its_page_and_ends_the_assignment(staff, browser_for, make_user):
    supervisor = make_user("sun.supervisor", Role.SUPERVISOR)
    outsider = make_user("bee.eligibility", Role.ELIGIBILITY_OFFICER)
    outsider.unit = "Bangkok office"
    outsider.save()
    case = open_case(staff)
    browser = browser_for(supervisor)
    page = browser.get(f"/cases/{case.pk}/").content.decode()
    assert "Not assigned to anyone by name." in page
    assert f'<option value="{outsider.pk}">' in page

    browser.post(f"/cases/{case.pk}/assignments/", {"user": outsider.pk})

    assert browser_for(outsider).get(f"/cases/{case.pk}/").status_code == 200
    [assignment] = CaseAssignment.objects.filter(ended_at__isnull=True)
    browser.post(f"/cases/{case.pk}/assignments/{assignment.pk}/end/")
    assert browser_for(outsider).get(f"/cases/{case.pk}/").status_code == 404
    # An officer who is not a supervisor is shown who reads the case, but no assignment form.
    page = browser_for(staff.eligibility).get(f"/cases/{case.pk}/").content.decode()
    assert "Who reads this case" in page and 'name="user"' not in page


def test_the_case_page_says_when_it_is_read_through_emergency_access(staff, browser_for, bangkok_officer):
    case = open_case(staff)
    browser = browser_for(bangkok_officer)
    browser.post("/emergency-access/", {"case_number": case.number, "reason": REASON, "hours": "2"})
    assert "through emergency access" in browser.get(f"/cases/{case.pk}/").content.decode()
    assert "through emergency access" not in browser_for(staff.eligibility).get(f"/cases/{case.pk}/").content.decode()
