"""Intake, cases and their steps through the HTTP API."""

from __future__ import annotations

import json

import pytest

from asylon.cases.models import Event, Interview
from asylon.procedure.case import State
from tests.api.support import codes, db_state, intake, post, problem
from tests.services.helpers import open_case, walk_to

pytestmark = pytest.mark.django_db


def take(client, case_id: int, step: str, body=None):
    return post(client, f"/api/cases/{case_id}/steps/{step}", body)


ASSESSMENT = {
    "material_facts": "Crossed the Tumen in 2024; detained on return in 2019.",
    "credibility": "Consistent with COI and her earlier statement.",
    "inclusion": "Well-founded fear of persecution for illegal exit.",
    "exclusion": "No indication of Art. 1F conduct.",
    "complementary_protection": "Real risk of torture on return (CAT Art. 3).",
}


def test_a_case_goes_from_intake_through_appeal_to_a_final_decision_and_the_timeline_shows_every_step(staff, api):
    registrar, eligibility, reviewer, appeal = (
        api(staff.registrar),
        api(staff.eligibility),
        api(staff.reviewer),
        api(staff.appeal),
    )
    response = post(registrar, "/api/intakes", intake())
    assert response.status_code == 201, response.content
    case = response.json()
    case_id = case["id"]
    assert case["state"] == "intake"
    assert case["kind"] == "family"
    mother, son = case["people"]
    assert [(n["text"], n["script"], n["romanization"], n["source"]) for n in mother["names"]] == [
        ("리순희", "Hang", "", "self"),
        ("李顺姬", "Hani", "", "self"),
        ("Ri Sun Hui", "Latn", "dprk", "ngo"),
    ]
    assert (mother["relation"], mother["birth_year"], mother["birth_month"], mother["birth_day"]) == (
        "principal",
        1991,
        3,
        None,
    )
    assert son["relation"] == "child"
    assert [d["site"] for d in mother["detentions"]] == ["Tumen Border Detention Centre"]
    assert [s["name"] for s in case["available_steps"]] == ["register"]

    steps = [
        (registrar, "register", None, "registered"),
        (registrar, "screen", {"mode": "prioritized", "reason": "Detained with a child."}, "screened"),
        (
            eligibility,
            "schedule_interview",
            {
                "language": "ko",
                "scheduled_for": "2026-11-09T10:00:00+09:00",
                "place": "Room 2",
                "interviewer_gender": "F",
            },
            "interview_scheduled",
        ),
        (
            eligibility,
            "hold_interview",
            {
                "rights_informed": True,
                "read_back_confirmed": True,
                "started_at": "2026-11-02T10:00:00+09:00",
                "ended_at": "2026-11-02T11:30:00+09:00",
                "notes": "Read back in Korean.",
            },
            "interviewed",
        ),
        (eligibility, "draft_assessment", {**ASSESSMENT, "proposed_outcome": "rejected"}, "assessment_drafted"),
        (reviewer, "approve_assessment", None, "assessment_reviewed"),
        (
            reviewer,
            "decide",
            {"outcome": "rejected", "reasons": "Not credible.", "countries_assessed": ["KP", "CN"]},
            "decided",
        ),
        (registrar, "notify", {"language": "ko"}, "appeal_window"),
        (registrar, "lodge_appeal", {}, "appeal_lodged"),
        (
            appeal,
            "decide_appeal",
            {"outcome": "refugee_status", "reasons": "Credible on appeal.", "countries_assessed": ["KP"]},
            "appeal_decided",
        ),
        (appeal, "notify_appeal", {"language": "ko"}, "final"),
    ]
    for client, step, body, state in steps:
        response = take(client, case_id, step, body)
        assert response.status_code == 200, (step, response.content)
        assert response.json()["state"] == state, step

    case = response.json()
    assert case["final_outcome"] == "refugee_status"
    assert case["countries_assessed"] == ["CN", "KP"]
    held = {d["type"] for d in case["people"][0]["documents"]}
    assert held == {"temporary_certificate", "refugee_certificate"}
    interview = Interview.objects.get(case_id=case_id)
    assert (interview.place, interview.interviewer_gender, interview.notes) == ("Room 2", "F", "Read back in Korean.")

    timeline = registrar.get(f"/api/cases/{case_id}/timeline").json()
    assert [e["seq"] for e in timeline] == list(range(1, 13))
    assert [e["type"] for e in timeline] == ["intake_opened"] + [step for _, step, _, _ in steps]
    assert [e["state_after"] for e in timeline[1:]] == [state for *_, state in steps]
    assert timeline[2]["actor"] == "rhee.registrar"
    assert timeline[2]["reason"] == "Detained with a child."
    assert timeline[7]["data"]["countries_assessed"] == ["CN", "KP"]
    # The narratives stay in their records: the history says they were written, not what.
    assert timeline[5]["data"]["material_facts"] is True


def test_a_returned_assessment_is_reworked_and_a_rejection_becomes_final_once_the_appeal_window_closes(
    staff, api, clock
):
    case = walk_to(staff, open_case(staff), State.ASSESSMENT_DRAFTED)
    reviewer, eligibility, registrar = api(staff.reviewer), api(staff.eligibility), api(staff.registrar)

    response = take(reviewer, case.pk, "return_assessment", {"comments": "Address the 2019 detention."})
    assert response.json()["state"] == "interviewed"
    take(eligibility, case.pk, "draft_assessment", {**ASSESSMENT, "proposed_outcome": "rejected"})
    take(reviewer, case.pk, "approve_assessment")
    take(reviewer, case.pk, "decide", {"outcome": "rejected", "reasons": "Reasons.", "countries_assessed": "KP CN"})
    assert take(registrar, case.pk, "notify", {"language": "ko"}).json()["appeal_deadline"] == "2026-12-02"

    refused = problem(take(registrar, case.pk, "finalize"), 409, "refused")
    assert codes(refused) == ["appeal_window_open"]

    clock.advance(days=73)  # the deadline and six weeks for late appeals (PS §7.2)
    response = take(registrar, case.pk, "finalize")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["final_outcome"]) == ("final", "rejected")


def test_a_case_shows_the_steps_each_officer_may_take_with_their_fields(staff, api):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    steps = {
        s["name"]: s["fields"] for s in api(staff.registrar).get(f"/api/cases/{case.pk}").json()["available_steps"]
    }
    assert set(steps) == {"screen", "withdraw"}
    assert steps["screen"] == [
        {"name": "mode", "kind": "choice", "choices": ["regular", "prioritized", "accelerated"], "required": True},
        {"name": "reason", "kind": "text", "choices": [], "required": True},
    ]
    reviewer_case = api(staff.reviewer).get(f"/api/cases/{case.pk}").json()
    assert reviewer_case["available_steps"] == []


def test_cases_are_found_by_a_name_in_any_script_and_paginated(staff, api, settings):
    open_case(staff)
    walk_to(staff, open_case(staff), State.REGISTERED)
    client = api(staff.eligibility)

    found = post(client, "/api/cases/search", {"q": "리순희"}).json()
    assert found["count"] == 2
    assert {c["principal_name"] for c in found["items"]} == {"리순희"}
    assert post(client, "/api/cases/search", {"q": "ri sun hui"}).json()["count"] == 2
    assert post(client, "/api/cases/search", {"q": "Nobody"}).json() == {"items": [], "count": 0}
    both = post(client, "/api/cases/search", {"q": "Ri Sun Hui", "state": "registered"}).json()
    assert [c["state"] for c in both["items"]] == ["registered"]
    paged = post(client, "/api/cases/search?page=2&page_size=1", {"q": "리순희"}).json()
    assert paged["count"] == 2
    assert len(paged["items"]) == 1

    registered = client.get("/api/cases", {"state": "registered"}).json()
    assert [c["state"] for c in registered["items"]] == ["registered"]

    first = client.get("/api/cases", {"page": 1, "page_size": 1}).json()
    second = client.get("/api/cases", {"page": 2, "page_size": 1}).json()
    assert first["count"] == second["count"] == 2
    assert first["items"][0]["id"] != second["items"][0]["id"]


def test_a_name_in_the_address_is_gone_and_the_answer_says_to_post_the_search(staff, api):
    open_case(staff)
    body = problem(api(staff.eligibility).get("/api/cases", {"q": "리순희"}), 410, "gone")
    assert "POST to /api/cases/search" in body["detail"]
    assert "리순희" not in json.dumps(body, ensure_ascii=False)


def test_a_search_with_an_unknown_field_or_state_is_named(staff, api):
    client = api(staff.eligibility)
    body = problem(post(client, "/api/cases/search", {"name": "리순희", "state": "deported"}), 422, "invalid-input")
    assert set(body["errors"]) == {"name", "state"}


def test_a_listing_with_an_unknown_state_or_page_is_named(staff, api):
    client = api(staff.eligibility)
    body = problem(client.get("/api/cases", {"state": "deported", "page": 0}), 422, "invalid-input")
    assert set(body["errors"]) == {"state", "page"}


@pytest.mark.parametrize("who", ["monitor", "ngo", "outsider"])
def test_someone_outside_casework_cannot_read_a_case_nor_learn_that_it_exists(staff, api, who):
    case = open_case(staff)
    client = api(getattr(staff, who))
    missing = problem(client.get("/api/cases/999999"), 404, "not-found")
    forbidden = problem(client.get(f"/api/cases/{case.pk}"), 404, "not-found")
    assert forbidden == missing
    problem(client.get(f"/api/cases/{case.pk}/timeline"), 404, "not-found")
    assert client.get("/api/cases").json() == {"items": [], "count": 0}


def test_someone_outside_casework_cannot_take_a_step_nor_learn_that_the_case_exists(staff, api):
    case = open_case(staff)
    before = db_state()
    body = problem(take(api(staff.monitor), case.pk, "register"), 404, "not-found")
    assert "refusals" not in body
    assert db_state() == before


def test_a_step_out_of_order_is_refused_with_the_reason_and_changes_nothing(staff, api):
    case = open_case(staff)
    before = db_state()
    body = problem(take(api(staff.registrar), case.pk, "notify", {"language": "ko"}), 409, "refused")
    assert body["refusals"] == [
        {"code": "state_does_not_allow", "sentence": "This step cannot be taken at the case's current stage."}
    ]
    assert db_state() == before


def test_a_step_the_role_does_not_allow_is_forbidden_and_changes_nothing(staff, api):
    case = open_case(staff)
    before = db_state()
    body = problem(take(api(staff.eligibility), case.pk, "register"), 403, "forbidden")
    assert codes(body) == ["role_not_permitted"]
    assert db_state() == before


def test_a_step_with_missing_or_wrongly_typed_fields_names_each_field_and_changes_nothing(staff, api):
    case = walk_to(staff, open_case(staff), State.INTERVIEW_SCHEDULED)
    client = api(staff.eligibility)
    before = db_state()

    body = problem(
        take(client, case.pk, "hold_interview", {"rights_informed": "perhaps", "mood": "calm"}), 422, "invalid-input"
    )
    assert set(body["errors"]) == {"rights_informed", "mood", "started_at", "ended_at"}
    body = problem(take(client, case.pk, "draft_assessment", {"material_facts": "Facts."}), 422, "invalid-input")
    assert set(body["errors"]) == {
        "credibility",
        "inclusion",
        "exclusion",
        "complementary_protection",
        "proposed_outcome",
    }
    body = problem(
        take(client, case.pk, "draft_assessment", {**ASSESSMENT, "proposed_outcome": "asylum"}), 422, "invalid-input"
    )
    assert body["errors"] == {
        "proposed_outcome": "Must be one of: refugee_status, complementary_protection, humanitarian_status, rejected."
    }
    assert db_state() == before


def test_a_step_record_with_a_wrong_time_is_named_and_changes_nothing(staff, api):
    case = walk_to(staff, open_case(staff), State.SCREENED)
    before = db_state()
    for when in ("next Tuesday", "2026-11-09T10:00:00"):
        body = {"language": "ko", "scheduled_for": when}
        answer = problem(take(api(staff.eligibility), case.pk, "schedule_interview", body), 422, "invalid-input")
        assert set(answer["errors"]) == {"scheduled_for"}
    assert db_state() == before


def test_an_unknown_step_is_named_and_changes_nothing(staff, api):
    case = open_case(staff)
    before = db_state()
    body = problem(take(api(staff.registrar), case.pk, "deport"), 422, "invalid-input")
    assert body["errors"] == {"step": "unknown step 'deport'"}
    assert db_state() == before


def test_a_step_on_a_case_that_does_not_exist_is_not_found(staff, api):
    before = db_state()
    problem(take(api(staff.registrar), 424242, "register"), 404, "not-found")
    assert db_state() == before


def test_a_step_body_that_is_not_an_object_is_named(staff, api):
    case = open_case(staff)
    before = db_state()
    problem(take(api(staff.registrar), case.pk, "register", ["register"]), 422, "invalid-input")
    assert db_state() == before
    assert not Event.objects.filter(case=case, type="register").exists()


def test_an_interview_language_longer_than_the_record_holds_is_named(staff, api):
    case = walk_to(staff, open_case(staff), State.SCREENED)
    before = db_state()
    answer = problem(
        take(api(staff.eligibility), case.pk, "schedule_interview", {"language": "x" * 21}), 422, "invalid-input"
    )
    assert set(answer["errors"]) == {"language"}
    assert db_state() == before
