"""Removals, disclosures, the no-return register, documents and alerts through the HTTP API."""

from __future__ import annotations

import pytest

from asylon.cases.models import Alert, Event
from asylon.documents.models import Document
from asylon.procedure.case import State
from asylon.procedure.roles import Role
from asylon.safeguards.models import Disclosure, NoReturnListing, Removal
from tests.api.support import codes, db_state, intake, post, problem
from tests.services.helpers import open_case, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def kp_listed(staff, api):
    response = post(api(staff.admin), "/api/register", {"country": "KP", "reason": "COI 2014, rec. 1221(a)."})
    assert response.status_code == 201, response.content


def _recorded_apart_from(before: dict, after: dict, *models: str) -> None:
    """Only the rows of these models were added; nothing else changed."""
    skip = {*models, "removals", "disclosures", "cases"}
    assert {k: v for k, v in after.items() if k not in skip} == {k: v for k, v in before.items() if k not in skip}
    assert [c[:2] for c in after["cases"]] == [c[:2] for c in before["cases"]]


def test_removal_is_refused_while_appeal_window_is_open_and_the_attempt_is_recorded(staff, api, kp_listed):
    case = walk_to(staff, open_case(staff), State.APPEAL_WINDOW)
    before = db_state()

    response = post(api(staff.removal), "/api/removals", {"person_id": case.principal_id, "destination": "KP"})

    body = problem(response, 409, "refused")
    assert codes(body) == ["appeal_window_open", "no_final_decision", "destination_on_no_return_register"]
    assert body["refusals"][0]["sentence"] == "The appeal window is still open."
    removal = Removal.objects.get()
    assert body["instance"] == f"/api/removals/{removal.pk}"
    assert (removal.status, removal.refusal_codes) == ("refused", codes(body))
    event = Event.objects.get(case=case, type="removal_refused")
    assert event.data["refusals"] == codes(body)
    after = db_state()
    assert (after["Removal"], after["Event"]) == (before["Removal"] + 1, before["Event"] + 1)
    _recorded_apart_from(before, after, "Removal", "Event")


def test_removal_to_a_listed_country_is_refused_even_after_a_final_rejection(staff, api, kp_listed):
    case = walk_to(staff, open_case(staff), State.FINAL)
    response = post(api(staff.removal), "/api/removals", {"person_id": case.principal_id, "destination": "KP"})
    assert codes(problem(response, 409, "refused")) == ["destination_on_no_return_register"]


def test_an_allowed_removal_is_asked_again_when_carried_out(staff, api):
    case = walk_to(staff, open_case(staff), State.FINAL)
    officer = api(staff.removal)
    response = post(officer, "/api/removals", {"person_id": case.principal_id, "destination": "KP"})
    assert response.status_code == 201, response.content
    removal = response.json()
    assert (removal["status"], removal["refusals"], removal["requested_by"]) == ("allowed", [], "rafael.removal")

    # Before it is carried out, the country goes on the register.
    post(api(staff.monitor), "/api/register", {"country": "KP", "reason": "New reports of torture on return."})
    answer = problem(post(officer, f"/api/removals/{removal['id']}/carry-out"), 409, "refused")
    assert codes(answer) == ["destination_on_no_return_register"]
    assert Removal.objects.get().status == "refused"
    assert not Event.objects.filter(type="removal_carried_out").exists()


def test_a_removal_is_carried_out_only_when_the_guard_still_allows_it(staff, api):
    case = walk_to(staff, open_case(staff), State.FINAL)
    officer = api(staff.removal)
    removal = post(officer, "/api/removals", {"person_id": case.principal_id, "destination": "KP"}).json()
    response = post(officer, f"/api/removals/{removal['id']}/carry-out")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "carried_out"
    listed = officer.get("/api/removals").json()
    assert [(r["id"], r["status"]) for r in listed["items"]] == [(removal["id"], "carried_out")]


def test_a_role_without_removal_powers_is_forbidden_and_learns_nothing_about_the_person(staff, api, kp_listed):
    case = walk_to(staff, open_case(staff), State.APPEAL_WINDOW)
    body = problem(
        post(api(staff.registrar), "/api/removals", {"person_id": case.principal_id, "destination": "KP"}),
        403,
        "forbidden",
    )
    assert codes(body) == ["role_not_permitted"]
    # Only a removal officer's attempt enters the person's history: an outsider cannot write there.
    assert not Removal.objects.exists()
    assert not Event.objects.filter(type__startswith="removal").exists()


def test_a_removal_of_an_unknown_person_or_to_a_malformed_country_writes_nothing(staff, api):
    case = open_case(staff)
    officer = api(staff.removal)
    before = db_state()
    problem(post(officer, "/api/removals", {"person_id": 424242, "destination": "KP"}), 404, "not-found")
    answer = problem(
        post(officer, "/api/removals", {"person_id": case.principal_id, "destination": "North Korea"}),
        422,
        "invalid-input",
    )
    assert set(answer["errors"]) == {"destination"}
    answer = problem(post(officer, "/api/removals", {"person_id": "one", "destination": "KP"}), 422, "invalid-input")
    assert set(answer["errors"]) == {"person_id"}
    problem(post(officer, "/api/removals/424242/carry-out"), 404, "not-found")
    assert db_state() == before


@pytest.fixture
def recipients(staff, api):
    dpo = api(staff.dpo)
    authority = post(
        dpo, "/api/recipients", {"name": "Ministry of State Security", "kind": "authority", "country": "KP"}
    )
    unhcr = post(dpo, "/api/recipients", {"name": "UNHCR", "kind": "international_organisation", "country": "CH"})
    assert (authority.status_code, unhcr.status_code) == (201, 201), authority.content
    return authority.json()["id"], unhcr.json()["id"]


def test_disclosure_to_a_country_of_origin_authority_is_refused_and_the_request_recorded(staff, api, recipients):
    case = open_case(staff)
    authority, _ = recipients
    before = db_state()
    request = {
        "person_id": case.principal_id,
        "recipient_id": authority,
        "purpose": "Identity verification.",
        "legal_basis": "legal_obligation",
        "fields": ["names", "birth_date"],
    }

    body = problem(post(api(staff.eligibility), "/api/disclosures", request), 409, "refused")

    assert codes(body) == ["recipient_is_country_of_origin_authority"]
    disclosure = Disclosure.objects.get()
    assert body["instance"] == f"/api/disclosures/{disclosure.pk}"
    assert (disclosure.status, disclosure.refusal_codes) == ("refused", ["recipient_is_country_of_origin_authority"])
    after = db_state()
    assert after["Disclosure"] == before["Disclosure"] + 1
    _recorded_apart_from(before, after, "Disclosure")


def test_a_disclosure_is_approved_by_a_data_protection_officer_other_than_the_requester(staff, api, recipients):
    case = open_case(staff)
    _, unhcr = recipients
    request = {
        "person_id": case.principal_id,
        "recipient_id": unhcr,
        "purpose": "Resettlement referral.",
        "legal_basis": "consent",
        "fields": ["names"],
    }
    response = post(api(staff.dpo), "/api/disclosures", request)
    assert (response.status_code, response.json()["status"]) == (201, "pending")
    decision = f"/api/disclosures/{response.json()['id']}/decision"

    assert codes(problem(post(api(staff.dpo), decision, {"approve": True}), 409, "refused")) == [
        "approver_is_requester"
    ]
    assert codes(problem(post(api(staff.registrar), decision, {"approve": True}), 403, "forbidden")) == [
        "role_not_permitted"
    ]
    problem(post(api(staff.second_dpo), decision, {"approve": "yes"}), 422, "invalid-input")
    assert Disclosure.objects.get().status == "pending"

    approved = post(api(staff.second_dpo), decision, {"approve": True})
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert codes(problem(post(api(staff.second_dpo), decision, {"approve": False}), 409, "refused")) == [
        "disclosure_already_decided"
    ]


def test_only_a_data_protection_officer_or_administrator_adds_a_recipient(staff, api):
    before = db_state()
    response = post(api(staff.registrar), "/api/recipients", {"name": "X", "kind": "ngo", "country": "KR"})
    problem(response, 403, "forbidden")
    response = post(api(staff.dpo), "/api/recipients", {"name": "X", "kind": "embassy", "country": "KR"})
    assert set(problem(response, 422, "invalid-input")["errors"]) == {"kind"}
    assert db_state() == before


def test_a_country_leaves_the_register_only_on_a_quorum_of_monitor_attestations(staff, api, kp_listed):
    admin = api(staff.admin)
    assert [entry["country"] for entry in admin.get("/api/register").json()] == ["KP"]
    before = db_state()

    answer = problem(admin.delete("/api/register/KP"), 409, "refused")
    assert codes(answer) == ["attestations_insufficient"]
    assert db_state() == before

    attestation = {"organisation": "OHCHR", "statement": "Marked improvement verified."}
    problem(post(api(staff.ngo), "/api/register/KP/attestations", attestation), 403, "forbidden")
    assert db_state() == before
    for monitor, body in ((staff.monitor, "OHCHR"), (staff.second_monitor, "Special Rapporteur on the DPRK")):
        response = post(api(monitor), "/api/register/KP/attestations", {**attestation, "organisation": body})
        assert response.status_code == 201, response.content

    problem(api(staff.monitor).delete("/api/register/KP"), 403, "forbidden")
    response = admin.delete("/api/register/KP")
    assert response.status_code == 200, response.content
    assert response.json()["delisted_on"] == "2026-11-02"
    assert NoReturnListing.objects.get().delisted_on is not None


def test_listing_a_country_twice_or_without_a_reason_is_refused(staff, api, kp_listed):
    before = db_state()
    admin = api(staff.admin)
    assert codes(problem(post(admin, "/api/register", {"country": "KP", "reason": "Again."}), 409, "refused")) == [
        "country_already_listed"
    ]
    assert codes(problem(post(admin, "/api/register", {"country": "ER", "reason": " "}), 409, "refused")) == [
        "reason_missing"
    ]
    for country in ("Eritrea", "ÊR", "ＫＰ"):  # two letters, but not of ISO 3166's A to Z
        answer = problem(post(admin, "/api/register", {"country": country, "reason": "R."}), 422, "invalid-input")
        assert set(answer["errors"]) == {"country"}
    problem(post(api(staff.registrar), "/api/register", {"country": "ER", "reason": "R."}), 403, "forbidden")
    assert db_state() == before


def test_revoking_the_only_valid_document_of_an_applicant_is_refused(staff, api):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    document = Document.objects.get(person=case.principal)
    before = db_state()
    answer = problem(
        post(api(staff.documentation), f"/api/documents/{document.pk}/revocation", {"reason": "Lost."}),
        409,
        "refused",
    )
    assert codes(answer) == ["documentation_gap"]
    problem(post(api(staff.documentation), "/api/documents/424242/revocation", {"reason": "Lost."}), 404, "not-found")
    problem(post(api(staff.documentation), f"/api/documents/{document.pk}/revocation", {}), 422, "invalid-input")
    assert db_state() == before


def test_a_lost_document_is_replaced_and_the_old_one_revoked_together(staff, api):
    case = walk_to(staff, open_case(staff), State.REGISTERED)
    old = Document.objects.get(person=case.principal)
    before = db_state()
    problem(post(api(staff.documentation), f"/api/documents/{old.pk}/replacement", {}), 422, "invalid-input")
    problem(post(api(staff.registrar), f"/api/documents/{old.pk}/replacement", {"reason": "Lost."}), 403, "forbidden")
    assert db_state() == before
    answer = post(api(staff.documentation), f"/api/documents/{old.pk}/replacement", {"reason": "Lost at a checkpoint."})
    assert answer.status_code == 201, answer.content
    new = Document.objects.get(pk=answer.json()["id"])
    old.refresh_from_db()
    assert (new.type, new.person_id, new.revoked_on) == (old.type, old.person_id, None)
    assert old.revoked_on is not None and old.revoked_reason == "Lost at a checkpoint."
    assert new.number != old.number
    # A revoked document is not replaced twice.
    problem(
        post(api(staff.documentation), f"/api/documents/{old.pk}/replacement", {"reason": "Lost."}), 404, "not-found"
    )


def test_an_ngo_raises_an_alert_and_the_registration_officer_opens_the_intake_on_it(staff, api):
    ngo, registrar = api(staff.ngo), api(staff.registrar)
    alert = {"organisation": "Crossing Borders", "names_given": "Ri Sun Hui", "risk": "Deportation on Friday."}
    response = post(ngo, "/api/alerts", alert)
    assert response.status_code == 201, response.content
    alert_id = response.json()["id"]
    assert [a["id"] for a in registrar.get("/api/alerts").json()["items"]] == [alert_id]
    assert [a["id"] for a in ngo.get("/api/alerts").json()["items"]] == [alert_id]
    assert api(staff.monitor).get("/api/alerts").json()["items"] == []

    case = post(registrar, "/api/intakes", intake(channel="alert", alert_id=alert_id)).json()
    assert Alert.objects.get().case_id == case["id"]
    assert ngo.get("/api/alerts").json()["items"][0]["case_id"] == case["id"]


def test_an_alert_is_for_the_registration_officers_of_the_unit_it_was_raised_to(staff, api, make_user):
    elsewhere = make_user("ola.registrar", Role.REGISTRATION_OFFICER)
    elsewhere.unit = "Border outpost"
    elsewhere.save()
    alert = {"organisation": "Crossing Borders", "names_given": "Ri Sun Hui", "risk": "Deportation on Friday."}
    alert_id = post(api(staff.ngo), "/api/alerts", alert).json()["id"]
    assert api(elsewhere).get("/api/alerts").json()["items"] == []

    before = db_state()
    problem(post(api(elsewhere), "/api/intakes", intake(channel="alert", alert_id=alert_id)), 404, "not-found")
    assert db_state() == before
    assert Alert.objects.get().case_id is None


def test_an_alert_by_someone_who_may_not_raise_one_or_without_the_risk_writes_nothing(staff, api):
    before = db_state()
    alert = {"organisation": "Crossing Borders", "names_given": "Ri Sun Hui", "risk": "Deportation."}
    problem(post(api(staff.outsider), "/api/alerts", alert), 403, "forbidden")
    answer = problem(post(api(staff.ngo), "/api/alerts", {**alert, "risk": " "}), 422, "invalid-input")
    assert answer["errors"] == {"risk": "This field is required."}
    assert db_state() == before


def test_a_removal_cannot_be_carried_out_twice(staff, api):
    case = walk_to(staff, open_case(staff), State.FINAL)
    officer = api(staff.removal)
    removal = post(officer, "/api/removals", {"person_id": case.principal_id, "destination": "KP"}).json()
    assert post(officer, f"/api/removals/{removal['id']}/carry-out").status_code == 200
    answer = problem(post(officer, f"/api/removals/{removal['id']}/carry-out"), 409, "refused")
    assert "state_does_not_allow" in codes(answer)


def test_carrying_out_a_refused_removal_is_refused_for_that_reason(staff, api):
    case = walk_to(staff, open_case(staff), State.FINAL)
    # Never assessed in the decision: refused, and the refusal recorded.
    post(api(staff.removal), "/api/removals", {"person_id": case.principal_id, "destination": "MN"})
    assert Removal.objects.get().status == "refused"
    answer = problem(post(api(staff.removal), f"/api/removals/{Removal.objects.get().pk}/carry-out"), 409, "refused")
    assert codes(answer) == ["state_does_not_allow"]
