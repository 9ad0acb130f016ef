"""Assignments and emergency access through the HTTP API."""

from __future__ import annotations

import pytest

from asylon.cases.models import CaseAssignment, EmergencyAccess
from asylon.procedure.roles import Role
from tests.api.support import codes, post, problem
from tests.services.helpers import open_case

pytestmark = pytest.mark.django_db

REASON = "Detainee transferred tonight; the assigned officer is unreachable."


def test_an_assigned_officer_of_another_unit_reads_the_case_until_the_assignment_ends(
    staff, api, make_user, bangkok_officer
):
    case = open_case(staff)
    supervisor, officer = api(make_user("sun.supervisor", Role.SUPERVISOR)), api(bangkok_officer)
    problem(officer.get(f"/api/cases/{case.pk}"), 404, "not-found")

    response = post(supervisor, f"/api/cases/{case.pk}/assignments", {"user_id": bangkok_officer.pk})
    assert response.status_code == 201, response.content
    assignment = response.json()
    assert officer.get(f"/api/cases/{case.pk}").status_code == 200
    assert [a["user_id"] for a in supervisor.get(f"/api/cases/{case.pk}/assignments").json()] == [bangkok_officer.pk]

    assert post(supervisor, f"/api/assignments/{assignment['id']}/end").json()["ended_at"]
    problem(officer.get(f"/api/cases/{case.pk}"), 404, "not-found")


def test_only_a_supervisor_assigns(staff, api, bangkok_officer):
    case = open_case(staff)
    body = problem(post(api(staff.eligibility), f"/api/cases/{case.pk}/assignments", {"user_id": 1}), 403, "forbidden")
    assert codes(body) == ["role_not_permitted"]
    assert not CaseAssignment.objects.exists()


def test_emergency_access_is_opened_read_and_reviewed(staff, api, bangkok_officer):
    case = open_case(staff)
    officer = api(bangkok_officer)
    refused = post(officer, "/api/emergency-accesses", {"case_number": case.number, "reason": "urgent", "hours": 1})
    assert codes(problem(refused, 409, "refused")) == ["access_reason_too_short"]
    too_long = post(officer, "/api/emergency-accesses", {"case_number": case.number, "reason": REASON, "hours": 9})
    problem(too_long, 422, "invalid-input")

    opened = post(officer, "/api/emergency-accesses", {"case_number": case.number, "reason": REASON, "hours": 2})
    assert opened.status_code == 201, opened.content
    assert "reason" not in opened.json()
    assert officer.get(f"/api/cases/{case.pk}").status_code == 200

    dpo = api(staff.dpo)
    [waiting] = dpo.get("/api/emergency-accesses/to-review").json()
    assert (waiting["case_number"], waiting["reads"]) == (case.number, 1)
    reviewed = post(dpo, f"/api/emergency-accesses/{waiting['id']}/review", {"justified": True})
    assert reviewed.json()["finding"] == "justified"
    assert dpo.get("/api/emergency-accesses/to-review").json() == []
    assert EmergencyAccess.objects.get().reviewed_by == staff.dpo


def test_a_monitor_cannot_break_the_glass_nor_learn_whether_a_case_exists(staff, api):
    case = open_case(staff)
    monitor = api(staff.monitor)
    for number in (case.number, "NO-SUCH"):
        body = problem(
            post(monitor, "/api/emergency-accesses", {"case_number": number, "reason": REASON, "hours": 1}),
            403,
            "forbidden",
        )
        assert codes(body) == ["role_not_permitted"]
    assert monitor.get("/api/emergency-accesses/to-review").json() == []
