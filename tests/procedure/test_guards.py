"""The removal guard, the disclosure guard, the no-return register and the document rule."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asylon.procedure import disclosure, documents, register, removal
from asylon.procedure.case import Case, Close, Notify, Outcome, State, refusals, take
from asylon.procedure.documents import Document, DocumentType
from asylon.procedure.refusals import SENTENCES, Code
from asylon.procedure.roles import Actor, Role
from tests.procedure.personas import (
    TODAY,
    administrator,
    documentation,
    dpo,
    eligibility,
    monitor,
    registrar,
    removal_officer,
    second_dpo,
    walk,
)

SAFETY = removal.CountrySafety(no_return=frozenset({"KP"}))
CHINA_SAFETY = removal.CountrySafety(
    no_return=frozenset(),
    safe_third_countries=frozenset({("MN", "KP")}),
    onward_returns=frozenset({("CN", "KP")}),
)


def removal_codes(cases, destination="KP", safety=SAFETY, actor=removal_officer, origins=frozenset({"KP"})):
    person = removal.Person(origins=origins, cases=tuple(cases))
    return [r.code for r in removal.removal_refusals(person, destination, safety, actor, TODAY)]


def test_every_refusal_code_has_a_sentence():
    assert set(SENTENCES) == set(Code)


def test_removal_is_refused_while_appeal_window_is_open():
    assert removal_codes([walk(State.APPEAL_WINDOW)], safety=removal.CountrySafety(frozenset())) == [
        Code.APPEAL_WINDOW_OPEN,
        Code.NO_FINAL_DECISION,
    ]


@pytest.mark.parametrize("state", [State.INTAKE, State.SCREENED, State.ASSESSMENT_REVIEWED, State.APPEAL_LODGED])
def test_removal_is_refused_while_a_case_is_pending(state):
    codes = removal_codes([walk(state)], safety=removal.CountrySafety(frozenset()))
    assert codes == [Code.CASE_PENDING, Code.NO_FINAL_DECISION]


def test_removal_is_refused_without_any_case():
    assert removal_codes([], safety=removal.CountrySafety(frozenset())) == [Code.NO_FINAL_DECISION]


def test_removal_is_refused_to_a_country_on_the_no_return_register_even_after_rejection():
    assert removal_codes([walk(State.FINAL)]) == [Code.DESTINATION_ON_NO_RETURN_REGISTER]


def test_removal_is_allowed_only_when_every_condition_holds():
    assert removal_codes([walk(State.FINAL)], safety=removal.CountrySafety(frozenset())) == []


def test_removal_is_refused_when_the_person_holds_protection():
    case = take(walk(State.DECIDED, Outcome.REFUGEE_STATUS), Notify(language="ko"), registrar, TODAY)
    codes = removal_codes([case, walk(State.FINAL)], safety=removal.CountrySafety(frozenset()))
    assert codes == [Code.PROTECTION_GRANTED]


def test_removal_is_refused_after_a_closure_without_decision():
    case = take(walk(State.SCREENED), Close(reason="Abandoned"), eligibility, TODAY)
    assert removal_codes([case], safety=removal.CountrySafety(frozenset())) == [Code.NO_FINAL_DECISION]


@pytest.mark.parametrize("state", [State.APPEAL_WINDOW, State.APPEAL_DECIDED])
def test_a_file_whose_decision_is_not_final_yet_is_not_closed_into_a_removal(state):
    # A decided appeal is notified, and an appeal window closes by finalizing, before the file
    # closes (PS §7.2, §9.1): closing it then would end it on a decision that never became final.
    case = walk(state)
    assert [r.code for r in refusals(case, Close(reason="Abandoned"), eligibility, TODAY)] == [
        Code.STATE_DOES_NOT_ALLOW
    ]


def test_removal_is_refused_to_a_destination_never_assessed():
    codes = removal_codes(
        [walk(State.FINAL)],
        destination="RU",
        origins=frozenset({"KP", "RU"}),
        safety=removal.CountrySafety(frozenset()),
    )
    assert codes == [Code.DESTINATION_NOT_ASSESSED]


def test_removal_to_a_third_country_needs_designation_and_no_onward_return():
    final = replace(walk(State.FINAL), countries_assessed=frozenset({"KP", "CN", "MN", "TH"}))
    assert removal_codes([final], destination="CN", safety=CHINA_SAFETY) == [
        Code.THIRD_COUNTRY_NOT_DESIGNATED_SAFE,
        Code.THIRD_COUNTRY_WOULD_RETURN_ONWARD,
    ]
    assert removal_codes([final], destination="TH", safety=CHINA_SAFETY) == [Code.THIRD_COUNTRY_NOT_DESIGNATED_SAFE]
    assert removal_codes([final], destination="MN", safety=CHINA_SAFETY) == []


def test_removal_names_every_reason_at_once():
    codes = removal_codes([walk(State.APPEAL_WINDOW)], destination="CN", safety=CHINA_SAFETY, actor=registrar)
    assert codes == [
        Code.ROLE_NOT_PERMITTED,
        Code.APPEAL_WINDOW_OPEN,
        Code.NO_FINAL_DECISION,
        Code.THIRD_COUNTRY_NOT_DESIGNATED_SAFE,
        Code.THIRD_COUNTRY_WOULD_RETURN_ONWARD,
    ]


OK_RECIPIENT = disclosure.Recipient("Resettlement Office", disclosure.RecipientKind.RESETTLEMENT_STATE, "CA")


def request(
    recipient=OK_RECIPIENT,
    purpose="Resettlement submission",
    basis=disclosure.LegalBasis.CONSENT,
    fields=frozenset({"names"}),
):
    return disclosure.Disclosure(recipient, purpose, basis, fields)


def disclosure_codes(d, origins=frozenset({"KP"}), requester=registrar):
    return [r.code for r in disclosure.request_refusals(d, origins, requester)]


def test_disclosure_to_a_country_of_origin_authority_is_refused_whatever_the_request_says():
    ministry = disclosure.Recipient("Ministry of State Security", disclosure.RecipientKind.AUTHORITY, "KP")
    assert disclosure_codes(request(ministry)) == [Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY]
    assert [r.code for r in disclosure.approval_refusals(request(ministry), frozenset({"KP"}), 1, dpo)] == [
        Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY
    ]


def test_disclosure_to_any_recipient_in_the_country_of_origin_is_refused():
    local = disclosure.Recipient("Red Cross Society", disclosure.RecipientKind.NGO, "KP")
    assert disclosure_codes(request(local)) == [Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN]


def test_disclosure_to_a_recipient_that_passes_data_on_is_refused():
    police = disclosure.Recipient("Border police", disclosure.RecipientKind.AUTHORITY, "CN", frozenset({"KP"}))
    assert disclosure_codes(request(police)) == [Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN]


def test_disclosure_needs_purpose_legal_basis_and_fields():
    assert disclosure_codes(request(purpose=" ", basis=None, fields=frozenset())) == [
        Code.PURPOSE_MISSING,
        Code.LEGAL_BASIS_MISSING,
        Code.FIELDS_MISSING,
    ]
    assert disclosure_codes(request(), requester=monitor) == [Code.ROLE_NOT_PERMITTED]
    assert disclosure_codes(request()) == []


def test_disclosure_is_approved_by_a_second_data_protection_officer():
    origins = frozenset({"KP"})
    assert [r.code for r in disclosure.approval_refusals(request(), origins, dpo.id, dpo)] == [
        Code.APPROVER_IS_REQUESTER
    ]
    assert [r.code for r in disclosure.approval_refusals(request(), origins, dpo.id, registrar)] == [
        Code.ROLE_NOT_PERMITTED
    ]
    assert disclosure.approval_refusals(request(), origins, dpo.id, second_dpo) == []


def attest(org, days_ago=10, country="KP", by=31):
    return register.Attestation(country, by, org, TODAY - timedelta(days=days_ago))


def delisting_codes(attestations, actor=administrator, country="KP"):
    return [r.code for r in register.delisting_refusals(country, frozenset({"KP"}), attestations, actor, TODAY)]


def test_a_country_leaves_the_register_only_on_recent_attestations_by_enough_monitors():
    insufficient = [Code.ATTESTATIONS_INSUFFICIENT]
    assert delisting_codes((attest("Special Rapporteur"),)) == insufficient
    assert delisting_codes((attest("OHCHR"), attest("ohchr ", by=21))) == insufficient
    assert delisting_codes((attest("OHCHR"), attest("Special Rapporteur", days_ago=400, by=21))) == insufficient
    assert delisting_codes((attest("OHCHR"), attest("Special Rapporteur", country="CN", by=21))) == insufficient
    enough = (attest("OHCHR"), attest("Special Rapporteur", by=21))
    assert delisting_codes(enough) == []
    assert delisting_codes(enough, actor=monitor) == [Code.ROLE_NOT_PERMITTED]
    assert delisting_codes(enough, country="CN") == [Code.COUNTRY_NOT_LISTED, Code.ATTESTATIONS_INSUFFICIENT]


def test_one_monitor_under_two_names_is_one_body_and_no_one_attests_for_their_own_delisting():
    insufficient = [Code.ATTESTATIONS_INSUFFICIENT]
    # One account, two organisations: "Human Rights Watch" and "HRW" are one monitor.
    assert delisting_codes((attest("Human Rights Watch"), attest("HRW"))) == insufficient
    # An administrator who is a monitor too: their own attestation does not count for them.
    both = Actor(31, frozenset({Role.ADMINISTRATOR, Role.MONITOR}))
    assert delisting_codes((attest("OHCHR"), attest("Special Rapporteur", by=21)), actor=both) == insufficient
    # Two monitors, one of whom attested for two bodies: each monitor speaks for one of them.
    assert delisting_codes((attest("OHCHR"), attest("Special Rapporteur"), attest("OHCHR", by=21))) == []


@given(
    st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["OHCHR", "ohchr", "HRW", "Special Rapporteur"])), max_size=6)
)
def test_the_quorum_needs_as_many_distinct_monitors_as_distinct_bodies(pairs):
    attestations = tuple(attest(org, by=by) for by, org in pairs)
    monitors = {by for by, _ in pairs}
    bodies = {org.casefold() for _, org in pairs}
    allowed = not delisting_codes(attestations)
    if allowed:
        assert len(monitors) >= register.MONITOR_QUORUM and len(bodies) >= register.MONITOR_QUORUM
    else:  # with two of each, two of the attestations always name different monitors and bodies
        assert len(monitors) < register.MONITOR_QUORUM or len(bodies) < register.MONITOR_QUORUM


def test_listing_is_open_to_monitors_and_administrators_once():
    assert register.listing_refusals("ER", frozenset({"KP"}), monitor) == []
    assert [r.code for r in register.listing_refusals("KP", frozenset({"KP"}), administrator)] == [
        Code.COUNTRY_ALREADY_LISTED
    ]
    assert [r.code for r in register.listing_refusals("ER", frozenset(), registrar)] == [Code.ROLE_NOT_PERMITTED]
    assert register.attestation_refusals(monitor) == []
    assert [r.code for r in register.attestation_refusals(administrator)] == [Code.ROLE_NOT_PERMITTED]


def doc(id=1, type=DocumentType.TEMPORARY_CERTIFICATE, revoked=False):
    start, end = documents.validity(type, TODAY)
    return Document(id, type, start, end, revoked)


def test_the_last_valid_document_of_an_applicant_cannot_be_revoked():
    cases = (walk(State.SCREENED),)
    only = doc()
    assert [r.code for r in documents.revocation_refusals(only, (only,), cases, documentation, TODAY)] == [
        Code.DOCUMENTATION_GAP
    ]
    second = doc(2)
    assert documents.revocation_refusals(only, (only, second), cases, documentation, TODAY) == []
    assert documents.revocation_refusals(only, (only,), (walk(State.FINAL),), documentation, TODAY) == []


def test_a_document_is_not_revoked_when_the_one_kept_runs_out_that_day():
    # Found by the services' stateful test: a renewal was revoked on the last day of the
    # certificate it renewed, after that day's run. The old one was still valid, so the guard
    # allowed it; the next run renews only documents valid on its day, and the applicant was
    # left without one. What is kept must carry the person into tomorrow.
    cases = (walk(State.SCREENED),)
    old = doc()
    renewal = replace(doc(2), valid_from=old.valid_until - timedelta(days=30))
    last_day = old.valid_until
    codes = [r.code for r in documents.revocation_refusals(renewal, (old, renewal), cases, documentation, last_day)]
    assert codes == [Code.DOCUMENTATION_GAP]
    # A day earlier the old one is valid tomorrow too, and tomorrow's run renews it again.
    day_before = last_day - timedelta(days=1)
    assert documents.revocation_refusals(renewal, (old, renewal), cases, documentation, day_before) == []
    assert documents.renewals_due(cases, (old, replace(renewal, revoked=True)), last_day) == [old]


def test_revocation_needs_a_valid_document_and_the_documentation_role():
    revoked = doc(revoked=True)
    codes = [r.code for r in documents.revocation_refusals(revoked, (revoked,), (), registrar, TODAY)]
    assert codes == [Code.ROLE_NOT_PERMITTED, Code.DOCUMENT_NOT_VALID]


def test_status_documents_follow_a_final_positive_decision():
    recognised = take(walk(State.DECIDED, Outcome.REFUGEE_STATUS), Notify(language="ko"), registrar, TODAY)
    assert documents.entitlements((recognised,)) == {DocumentType.REFUGEE_CERTIFICATE}
    assert documents.entitlements((walk(State.SCREENED),)) == {DocumentType.TEMPORARY_CERTIFICATE}
    assert documents.entitlements((walk(State.FINAL),)) == frozenset()
    assert [
        r.code for r in documents.issue_refusals(DocumentType.REFUGEE_CERTIFICATE, (walk(State.FINAL),), documentation)
    ] == [Code.NO_ENTITLEMENT]
    assert [r.code for r in documents.issue_refusals(DocumentType.TEMPORARY_CERTIFICATE, (Case(),), monitor)] == [
        Code.ROLE_NOT_PERMITTED,
        Code.NO_ENTITLEMENT,
    ]


def test_a_document_about_to_expire_is_renewed_with_the_step_that_makes_it_needed_again():
    # Found by the stateful test: a case closed while its certificate ran out was reopened on
    # the certificate's last day. The step issued nothing (a valid document was held) and the
    # next day's renewal run renews only documents still valid that day: a day without one.
    d = doc()
    reopened = walk(State.REGISTERED)
    assert documents.needs_document((reopened,))
    assert documents.documents_to_issue((reopened,), (d,), d.valid_until) == [d.type]
    assert documents.documents_to_issue((reopened,), (d,), d.valid_until - timedelta(days=30)) == [d.type]
    assert documents.documents_to_issue((reopened,), (d,), d.valid_until - timedelta(days=31)) == []
    # Once renewed, the step issues nothing more; a closed case needs nothing renewed.
    renewal = replace(d, id=d.id + 1, valid_from=d.valid_until, valid_until=d.valid_until + timedelta(days=180))
    assert documents.documents_to_issue((reopened,), (d, renewal), d.valid_until) == []
    assert documents.documents_to_issue((walk(State.CLOSED),), (d,), d.valid_until) == []


def test_documents_are_renewed_within_thirty_days_of_expiry():
    d = doc()
    assert not documents.due_for_renewal(d, (d,), TODAY)
    assert documents.due_for_renewal(d, (d,), d.valid_until - timedelta(days=30))
    assert not documents.due_for_renewal(d, (d,), d.valid_until + timedelta(days=1))
    # Renewed once, it is not due again: the run is daily, the renewal is not.
    renewal = replace(
        d, id=d.id + 1, valid_from=d.valid_until - timedelta(days=30), valid_until=d.valid_until + timedelta(days=365)
    )
    assert not documents.due_for_renewal(d, (d, renewal), d.valid_until - timedelta(days=29))
    assert documents.due_for_renewal(d, (d, replace(renewal, revoked=True)), d.valid_until - timedelta(days=29))


def test_renewals_due_are_the_expiring_documents_the_person_is_still_entitled_to():
    temporary, status = doc(), doc(id=2, type=DocumentType.REFUGEE_CERTIFICATE)
    pending = walk(State.SCREENED)
    recognised = take(walk(State.DECIDED, Outcome.REFUGEE_STATUS), Notify(language="ko"), registrar, TODAY)
    soon = temporary.valid_until - timedelta(days=10)
    assert documents.renewals_due((pending,), (temporary,), soon) == [temporary]
    # Recognised: the temporary certificate is not renewed, the refugee certificate is.
    assert documents.renewals_due((recognised,), (temporary,), soon) == []
    assert documents.renewals_due((recognised,), (temporary, status), status.valid_until - timedelta(days=1)) == [
        status
    ]
    # A final rejection leaves nothing to renew; a document far from expiry is not due.
    assert documents.renewals_due((walk(State.FINAL),), (temporary,), soon) == []
    assert documents.renewals_due((pending,), (temporary,), TODAY) == []


_cases = st.sampled_from(
    [
        walk(State.SCREENED),
        walk(State.APPEAL_WINDOW, Outcome.COMPLEMENTARY_PROTECTION),
        walk(State.FINAL),
        walk(State.CLOSED),
        take(walk(State.DECIDED, Outcome.REFUGEE_STATUS), Notify(language="ko"), registrar, TODAY),
    ]
)
_held = st.lists(
    st.builds(
        Document,
        id=st.just(0),
        type=st.sampled_from(list(DocumentType)),
        valid_from=st.dates(TODAY - timedelta(days=800), TODAY + timedelta(days=10)),
        valid_until=st.just(TODAY),
        revoked=st.booleans(),
    ).map(lambda d: replace(d, valid_until=d.valid_from + timedelta(days=180))),
    max_size=4,
).map(lambda ds: tuple(replace(d, id=i + 1) for i, d in enumerate(ds)))


@given(case=_cases, held=_held, days=st.integers(0, 400))
def test_renewing_what_is_due_leaves_nothing_due_and_every_renewal_is_owed(case, held, days):
    cases = (case,)
    today = TODAY + timedelta(days=days)
    due = documents.renewals_due(cases, held, today)
    for d in due:
        assert d in held and d.valid_on(today) and d.type in documents.entitlements(cases)
        assert d.valid_until - today <= documents.RENEWAL_WINDOW
    renewed = held + tuple(Document(100 + i, d.type, *documents.validity(d.type, today)) for i, d in enumerate(due))
    assert documents.renewals_due(cases, renewed, today) == []
