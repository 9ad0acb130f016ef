"""Refusals: why the procedure says no, as stable codes and plain sentences."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    # The procedure
    STATE_DOES_NOT_ALLOW = "state_does_not_allow"
    ROLE_NOT_PERMITTED = "role_not_permitted"
    SCREENING_REQUIRED = "screening_required"
    PROCESSING_MODE_REASON_MISSING = "processing_mode_reason_missing"
    INTERVIEW_LANGUAGE_MISSING = "interview_language_missing"
    RIGHTS_NOT_READ = "rights_not_read"
    READ_BACK_MISSING = "read_back_missing"
    INTERVIEW_END_NOT_AFTER_START = "interview_end_not_after_start"
    INTERVIEW_IN_FUTURE = "interview_in_future"
    ASSESSMENT_INCOMPLETE = "assessment_incomplete"
    REVIEWER_IS_DRAFTER = "reviewer_is_drafter"
    REVIEW_COMMENTS_MISSING = "review_comments_missing"
    DECISION_MAKER_IS_DRAFTER = "decision_maker_is_drafter"
    REASONS_MISSING = "reasons_missing"
    COUNTRIES_ASSESSED_MISSING = "countries_assessed_missing"
    NOTIFICATION_LANGUAGE_MISSING = "notification_language_missing"
    APPEAL_WINDOW_OPEN = "appeal_window_open"
    APPEAL_DEADLINE_PASSED = "appeal_deadline_passed"
    LATE_APPEAL_REASON_MISSING = "late_appeal_reason_missing"
    APPEAL_OFFICER_IS_FIRST_INSTANCE_DECISION_MAKER = "appeal_officer_is_first_instance_decision_maker"
    APPEAL_OFFICER_HEARD_CLAIM = "appeal_officer_heard_claim"
    REASON_MISSING = "reason_missing"
    NO_PROTECTION_TO_END = "no_protection_to_end"
    # The removal guard
    CASE_PENDING = "case_pending"
    NO_FINAL_DECISION = "no_final_decision"
    PROTECTION_GRANTED = "protection_granted"
    DESTINATION_NOT_ASSESSED = "destination_not_assessed"
    DESTINATION_ON_NO_RETURN_REGISTER = "destination_on_no_return_register"
    THIRD_COUNTRY_NOT_DESIGNATED_SAFE = "third_country_not_designated_safe"
    THIRD_COUNTRY_WOULD_RETURN_ONWARD = "third_country_would_return_onward"
    # The disclosure guard
    RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY = "recipient_is_country_of_origin_authority"
    RECIPIENT_IN_COUNTRY_OF_ORIGIN = "recipient_in_country_of_origin"
    RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN = "recipient_shares_with_country_of_origin"
    PURPOSE_MISSING = "purpose_missing"
    LEGAL_BASIS_MISSING = "legal_basis_missing"
    FIELDS_MISSING = "fields_missing"
    APPROVER_IS_REQUESTER = "approver_is_requester"
    DISCLOSURE_ALREADY_DECIDED = "disclosure_already_decided"
    DISCLOSURE_NOT_APPROVED = "disclosure_not_approved"
    DISCLOSURE_APPROVAL_EXPIRED = "disclosure_approval_expired"
    DISCLOSURE_CONTENT_CHANGED = "disclosure_content_changed"
    # The no-return register
    ATTESTATIONS_INSUFFICIENT = "attestations_insufficient"
    COUNTRY_NOT_LISTED = "country_not_listed"
    COUNTRY_ALREADY_LISTED = "country_already_listed"
    # Need to know
    CASE_OUTSIDE_UNIT = "case_outside_unit"
    ASSIGNEE_NOT_CASEWORKER = "assignee_not_caseworker"
    ACCESS_REASON_TOO_SHORT = "access_reason_too_short"
    ACCESS_TOO_LONG = "access_too_long"
    ACCESS_ALREADY_GRANTED = "access_already_granted"
    REVIEWER_IS_ACCESS_USER = "reviewer_is_access_user"
    ACCESS_OUTSIDE_UNIT = "access_outside_unit"
    ACCESS_ALREADY_REVIEWED = "access_already_reviewed"
    # Documents
    DOCUMENTATION_GAP = "documentation_gap"
    NO_ENTITLEMENT = "no_entitlement"
    DOCUMENT_NOT_VALID = "document_not_valid"
    # Identity: merging two records of one person
    MERGE_OF_ONE_RECORD = "merge_of_one_record"
    MERGE_OUTSIDE_REACH = "merge_outside_reach"
    MERGE_FAMILY_LINK = "merge_family_link"
    MERGE_TWIN_LIKE = "merge_twin_like"
    PERSON_ALREADY_MERGED = "person_already_merged"
    PAIR_ALREADY_DECIDED = "pair_already_decided"
    PAIR_NOT_MERGED = "pair_not_merged"


SENTENCES: dict[Code, str] = {
    Code.STATE_DOES_NOT_ALLOW: "This step cannot be taken at the case's current stage.",
    Code.ROLE_NOT_PERMITTED: "Your role does not allow this step.",
    Code.SCREENING_REQUIRED: (
        "The person expressed fear of return or holds a nationality on the no-return register: "
        "the file cannot be closed before screening."
    ),
    Code.PROCESSING_MODE_REASON_MISSING: "Screening needs a processing mode and the reason for it.",
    Code.INTERVIEW_LANGUAGE_MISSING: "An interview needs the language the applicant will be heard in.",
    Code.RIGHTS_NOT_READ: "The applicant must be informed of their rights before the interview counts.",
    Code.READ_BACK_MISSING: "The interview record must be read back to the applicant and confirmed.",
    Code.INTERVIEW_END_NOT_AFTER_START: "The interview must end after the time it started.",
    Code.INTERVIEW_IN_FUTURE: "An interview cannot be recorded as held at a time still to come.",
    Code.ASSESSMENT_INCOMPLETE: (
        "An assessment needs the material facts, credibility findings, inclusion, exclusion, "
        "complementary protection and a proposed outcome."
    ),
    Code.REVIEWER_IS_DRAFTER: "The reviewer must be an officer other than the one who drafted the assessment.",
    Code.REVIEW_COMMENTS_MISSING: "An assessment returned for rework needs the reviewer's comments.",
    Code.DECISION_MAKER_IS_DRAFTER: (
        "The decision must be taken by an officer other than the one who drafted the assessment."
    ),
    Code.REASONS_MISSING: "A decision needs written reasons.",
    Code.COUNTRIES_ASSESSED_MISSING: ("A decision must name the countries for which the risk on return was assessed."),
    Code.NOTIFICATION_LANGUAGE_MISSING: "The decision must be notified in a language the applicant understands.",
    Code.APPEAL_WINDOW_OPEN: "The appeal window is still open.",
    Code.APPEAL_DEADLINE_PASSED: "The appeal deadline and the grace period for late appeals have passed.",
    Code.LATE_APPEAL_REASON_MISSING: "An appeal lodged after the deadline needs the reason it is late.",
    Code.APPEAL_OFFICER_IS_FIRST_INSTANCE_DECISION_MAKER: (
        "The appeal must be decided by an officer other than the first-instance decision-maker."
    ),
    Code.APPEAL_OFFICER_HEARD_CLAIM: (
        "The appeal must be decided by an officer other than the one who heard or assessed the claim."
    ),
    Code.REASON_MISSING: "This step needs a written reason.",
    Code.NO_PROTECTION_TO_END: "Cessation and cancellation apply only to a person who holds protection.",
    Code.CASE_PENDING: "A case of this person is still pending.",
    Code.NO_FINAL_DECISION: "There is no final negative decision on this person's claim.",
    Code.PROTECTION_GRANTED: "This person holds international protection or humanitarian status.",
    Code.DESTINATION_NOT_ASSESSED: "The risk in the destination was never assessed in this person's case.",
    Code.DESTINATION_ON_NO_RETURN_REGISTER: "The destination is on the no-return register.",
    Code.THIRD_COUNTRY_NOT_DESIGNATED_SAFE: (
        "The destination is a third country not designated safe for persons of this nationality."
    ),
    Code.THIRD_COUNTRY_WOULD_RETURN_ONWARD: ("The destination is known to send people on to the country they fled."),
    Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY: (
        "Personal data is never disclosed to an authority of the person's country of origin."
    ),
    Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN: (
        "Personal data is never sent to a recipient in the person's country of origin."
    ),
    Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN: (
        "The recipient is known to pass data on to the person's country of origin."
    ),
    Code.PURPOSE_MISSING: "A disclosure needs a stated purpose.",
    Code.LEGAL_BASIS_MISSING: "A disclosure needs a legal basis.",
    Code.FIELDS_MISSING: "A disclosure must name the exact fields to be disclosed.",
    Code.APPROVER_IS_REQUESTER: "A disclosure must be approved by someone other than the person who asked for it.",
    Code.DISCLOSURE_ALREADY_DECIDED: "This disclosure request has already been decided.",
    Code.DISCLOSURE_NOT_APPROVED: "This disclosure has not been approved.",
    Code.DISCLOSURE_APPROVAL_EXPIRED: (
        "The approval of this disclosure is too old to export on: it needs a new request and approval."
    ),
    Code.DISCLOSURE_CONTENT_CHANGED: (
        "The data to be disclosed has changed since the approver saw it: it needs a new request and approval."
    ),
    Code.ATTESTATIONS_INSUFFICIENT: (
        "A country leaves the no-return register only on recent attestations of marked improvement "
        "by enough independent monitors."
    ),
    Code.COUNTRY_NOT_LISTED: "The country is not on the no-return register.",
    Code.COUNTRY_ALREADY_LISTED: "The country is already on the no-return register.",
    Code.CASE_OUTSIDE_UNIT: "The case belongs to another unit; only its own supervisors assign it.",
    Code.ASSIGNEE_NOT_CASEWORKER: "Cases are assigned only to officers whose role is casework.",
    Code.ACCESS_REASON_TOO_SHORT: "Emergency access needs a written reason of at least 20 characters.",
    Code.ACCESS_TOO_LONG: "Emergency access lasts at most 8 hours.",
    Code.ACCESS_ALREADY_GRANTED: "You can already read this case; emergency access is not needed.",
    Code.REVIEWER_IS_ACCESS_USER: (
        "Emergency access is reviewed by a data protection officer other than the one who used it."
    ),
    Code.ACCESS_ALREADY_REVIEWED: "This emergency access has already been reviewed.",
    Code.ACCESS_OUTSIDE_UNIT: (
        "This emergency access was to another unit's case; that unit's data protection officers review it."
    ),
    Code.DOCUMENTATION_GAP: "This would leave an applicant without a valid document.",
    Code.NO_ENTITLEMENT: "The person is not entitled to this document at the case's current stage.",
    Code.DOCUMENT_NOT_VALID: "The document is not currently valid.",
    Code.MERGE_OF_ONE_RECORD: "A record cannot be merged with itself.",
    Code.MERGE_OUTSIDE_REACH: (
        "One of the two persons has a case you may not read: only an officer who may read every case "
        "of both decides whether they are the same person."
    ),
    Code.MERGE_FAMILY_LINK: "The two persons are registered as relatives: they are not merged.",
    Code.MERGE_TWIN_LIKE: (
        "Same surname and birthday but another given name, as twins have: these records are not merged."
    ),
    Code.PERSON_ALREADY_MERGED: "One of the two records is already merged into another.",
    Code.PAIR_ALREADY_DECIDED: "This pair has already been decided.",
    Code.PAIR_NOT_MERGED: "These two records are not merged.",
}


@dataclass(frozen=True)
class Refusal:
    code: Code
    sentence: str

    @classmethod
    def of(cls, code: Code) -> Refusal:
        return cls(code, SENTENCES[code])


class Refused(Exception):
    """The procedure refused a step; carries every reason, not only the first."""

    def __init__(self, refusals: list[Refusal]) -> None:
        assert refusals, "Refused needs at least one refusal"
        self.refusals = refusals
        super().__init__("; ".join(r.code for r in refusals))

    @property
    def codes(self) -> list[Code]:
        return [r.code for r in self.refusals]
