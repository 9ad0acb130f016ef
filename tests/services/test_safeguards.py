"""Removals, disclosures and the no-return register through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from asylon.cases import services
from asylon.cases.models import Event
from asylon.procedure import case as p
from asylon.procedure.refusals import Code, Refused
from asylon.safeguards import services as safeguards
from asylon.safeguards.models import Disclosure, NoReturnListing, OnwardReturn, Recipient, Removal, SafeThirdCountry
from tests.services.helpers import T0, open_case, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def registers(staff):
    NoReturnListing.objects.create(country="KP", reason="COI 2014 rec. 1221(a)", listed_on=T0.date())
    OnwardReturn.objects.create(country="CN", origin="KP", noted_on=T0.date())
    SafeThirdCountry.objects.create(country="MN", nationality="KP", designated_on=T0.date())


def test_removal_is_refused_while_appeal_window_is_open_and_the_attempt_is_recorded(staff, registers):
    case = walk_to(staff, open_case(staff), p.State.APPEAL_WINDOW)
    removal = safeguards.removal_request(user=staff.removal, person_id=case.principal_id, destination="KP", at=T0)
    assert removal.status == Removal.Status.REFUSED
    assert removal.refusal_codes == [
        Code.APPEAL_WINDOW_OPEN,
        Code.NO_FINAL_DECISION,
        Code.DESTINATION_ON_NO_RETURN_REGISTER,
    ]
    event = Event.objects.get(case=case, type="removal_refused")
    assert event.data["refusals"] == removal.refusal_codes


def test_removal_to_a_country_never_assessed_is_refused_after_a_final_rejection(staff, registers):
    case = walk_to(staff, open_case(staff), p.State.APPEAL_WINDOW)
    later = T0 + timedelta(days=73)
    services.case_take(user=staff.registrar, case_id=case.pk, step=p.Finalize(), at=later)
    case.refresh_from_db()
    assert case.countries_assessed == ["CN", "KP"]
    refused = safeguards.removal_request(user=staff.removal, person_id=case.principal_id, destination="MN", at=later)
    assert refused.refusal_codes == [Code.DESTINATION_NOT_ASSESSED]


def test_removal_is_asked_again_at_the_moment_it_is_carried_out(staff, registers):
    case = walk_to(staff, open_case(staff), p.State.FINAL)
    later = T0 + timedelta(days=40)
    NoReturnListing.objects.filter(country="KP").update(delisted_on=later.date())
    OnwardReturn.objects.all().delete()
    SafeThirdCountry.objects.create(country="CN", nationality="KP", designated_on=T0.date())
    removal = safeguards.removal_request(user=staff.removal, person_id=case.principal_id, destination="CN", at=later)
    assert (removal.status, removal.refusal_codes) == (Removal.Status.ALLOWED, [])
    # Before it is carried out, the applicant's file is reopened on new evidence.
    services.case_take(
        user=staff.eligibility,
        case_id=case.pk,
        step=p.Reopen(ground=p.ReopeningGround.NEW_EVIDENCE, reason="Medical report."),
        at=later,
    )
    removal = safeguards.removal_carry_out(user=staff.removal, removal_id=removal.pk, at=later)
    assert removal.status == Removal.Status.REFUSED
    assert Code.CASE_PENDING in removal.refusal_codes
    assert not Removal.objects.filter(status=Removal.Status.CARRIED_OUT).exists()


def test_a_country_leaves_the_register_only_with_a_quorum_of_monitors(staff, registers):
    with pytest.raises(Refused) as refused:
        safeguards.register_delist(user=staff.admin, country="KP", at=T0)
    assert refused.value.codes == [Code.ATTESTATIONS_INSUFFICIENT]
    for monitor, body in ((staff.monitor, "OHCHR"), (staff.second_monitor, "Special Rapporteur on the DPRK")):
        safeguards.attestation_record(user=monitor, country="KP", organisation=body, statement="Improved.", at=T0)
    safeguards.register_delist(user=staff.admin, country="KP", at=T0)
    assert safeguards.no_return_countries(T0.date() + timedelta(days=1)) == frozenset()


def test_disclosure_to_a_country_of_origin_authority_is_refused_and_recorded(staff, registers):
    case = open_case(staff)
    ministry = Recipient.objects.create(name="Ministry of State Security", kind="authority", country="KP")
    d = safeguards.disclosure_request(
        user=staff.registrar,
        person_id=case.principal_id,
        recipient_id=ministry.pk,
        purpose="Repatriation verification",
        legal_basis="legal_obligation",
        fields=["names"],
    )
    assert (d.status, d.refusal_codes) == (Disclosure.Status.REFUSED, [Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY])
    with pytest.raises(Refused) as refused:
        safeguards.disclosure_decide(user=staff.dpo, disclosure_id=d.pk, approve=True)
    assert refused.value.codes == [Code.DISCLOSURE_ALREADY_DECIDED]


def test_a_disclosure_is_approved_by_a_second_person(staff, registers):
    case = open_case(staff)
    desk = Recipient.objects.create(name="Resettlement desk", kind="resettlement_state", country="CA")
    d = safeguards.disclosure_request(
        user=staff.dpo,
        person_id=case.principal_id,
        recipient_id=desk.pk,
        purpose="Resettlement submission",
        legal_basis="consent",
        fields=["names", "birth_date"],
    )
    with pytest.raises(Refused) as refused:
        safeguards.disclosure_decide(user=staff.dpo, disclosure_id=d.pk, approve=True)
    assert refused.value.codes == [Code.APPROVER_IS_REQUESTER]
    assert safeguards.disclosure_decide(user=staff.second_dpo, disclosure_id=d.pk, approve=True).status == "approved"


def test_only_a_data_protection_officer_learns_whether_a_disclosure_request_exists(staff, registers):
    case = open_case(staff)
    desk = Recipient.objects.create(name="Resettlement desk", kind="resettlement_state", country="CA")
    d = safeguards.disclosure_request(
        user=staff.dpo,
        person_id=case.principal_id,
        recipient_id=desk.pk,
        purpose="Resettlement submission",
        legal_basis="consent",
        fields=["names"],
    )
    for disclosure_id in (d.pk, d.pk + 100):
        with pytest.raises(Refused) as refused:
            safeguards.disclosure_decide(user=staff.registrar, disclosure_id=disclosure_id, approve=True)
        assert refused.value.codes == [Code.ROLE_NOT_PERMITTED]
    assert Disclosure.objects.get(pk=d.pk).status == "pending"
