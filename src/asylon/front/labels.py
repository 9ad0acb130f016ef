"""The words officers read for the core's codes, marked for translation.

Display vocabulary only: which step may be taken, and why not, is the core's to say.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from asylon.procedure.case import Channel, Outcome, Proceeding, ProcessingMode, ReopeningGround, State
from asylon.procedure.documents import DocumentType
from asylon.procedure.refusals import Code
from asylon.procedure.roles import Role

STATES = {
    State.INTAKE: _("Intake"),
    State.REGISTERED: _("Registered"),
    State.SCREENED: _("Screened"),
    State.INTERVIEW_SCHEDULED: _("Interview scheduled"),
    State.INTERVIEWED: _("Interviewed"),
    State.ASSESSMENT_DRAFTED: _("Assessment drafted"),
    State.ASSESSMENT_REVIEWED: _("Assessment reviewed"),
    State.DECIDED: _("Decided"),
    State.APPEAL_WINDOW: _("Appeal window open"),
    State.APPEAL_LODGED: _("Appeal lodged"),
    State.APPEAL_DECIDED: _("Appeal decided"),
    State.FINAL: _("Final"),
    State.CLOSED: _("Closed"),
    State.WITHDRAWN: _("Withdrawn"),
}

# What the officer does: the words on the action buttons.
STEPS = {
    "register": _("Register"),
    "screen": _("Screen"),
    "schedule_interview": _("Schedule interview"),
    "hold_interview": _("Record interview held"),
    "draft_assessment": _("Draft assessment"),
    "approve_assessment": _("Approve assessment"),
    "return_assessment": _("Return assessment for rework"),
    "decide": _("Decide"),
    "notify": _("Notify decision"),
    "lodge_appeal": _("Lodge appeal"),
    "finalize": _("Finalize decision"),
    "decide_appeal": _("Decide appeal"),
    "notify_appeal": _("Notify appeal decision"),
    "close": _("Close file"),
    "withdraw": _("Record withdrawal"),
    "reopen": _("Reopen"),
    "open_cessation": _("Open cessation proceeding"),
    "open_cancellation": _("Open cancellation proceeding"),
}

# Steps that end or turn a proceeding: drawn apart from the ordinary next step.
GRAVE_STEPS = frozenset({"close", "withdraw", "open_cessation", "open_cancellation"})

# What happened: the words in the timeline.
EVENTS = {
    "intake_opened": _("Intake opened"),
    "register": _("Registered"),
    "screen": _("Screened"),
    "schedule_interview": _("Interview scheduled"),
    "hold_interview": _("Interview held"),
    "draft_assessment": _("Assessment drafted"),
    "approve_assessment": _("Assessment approved"),
    "return_assessment": _("Assessment returned for rework"),
    "decide": _("Decided"),
    "notify": _("Decision notified"),
    "lodge_appeal": _("Appeal lodged"),
    "finalize": _("Decision became final"),
    "decide_appeal": _("Appeal decided"),
    "notify_appeal": _("Appeal decision notified"),
    "close": _("File closed"),
    "withdraw": _("Claim withdrawn"),
    "reopen": _("Reopened"),
    "open_cessation": _("Cessation proceeding opened"),
    "open_cancellation": _("Cancellation proceeding opened"),
    "removal_refused": _("Removal refused"),
    "removal_allowed": _("Removal allowed"),
    "removal_carried_out": _("Removal carried out"),
}

FIELDS = {
    "mode": _("Processing mode"),
    "reason": _("Reason"),
    "language": _("Language"),
    "rights_informed": _("The applicant was informed of their rights"),
    "read_back_confirmed": _("The record was read back to the applicant, who confirmed it"),
    "material_facts": _("Material facts"),
    "credibility": _("Credibility findings"),
    "inclusion": _("Inclusion (Refugee Convention Art. 1A(2))"),
    "exclusion": _("Exclusion (Art. 1F)"),
    "complementary_protection": _("Complementary protection (CAT Art. 3, ICCPR Arts. 6–7)"),
    "proposed_outcome": _("Proposed outcome"),
    "comments": _("Comments for the drafter"),
    "outcome": _("Outcome"),
    "reasons": _("Written reasons"),
    "countries_assessed": _("Countries for which the risk on return was assessed"),
    "late_reason": _("Why the appeal is late"),
    "ground": _("Ground for reopening"),
    "scheduled_for": _("Date and time"),
    "place": _("Place"),
    "interviewer_gender": _("Interviewer requested"),
    "interpreter_gender": _("Interpreter requested"),
    "notes": _("Notes or transcript"),
    "started_at": _("Started"),
    "ended_at": _("Ended"),
    "channel": _("Channel"),
    "persons": _("Persons"),
    "destination": _("Destination"),
}

HELP = {
    "language": _("A language the applicant understands, e.g. ko."),
    "countries_assessed": _("Two-letter country codes separated by spaces, e.g. KP CN."),
    "late_reason": _("Only needed when the appeal is lodged after the deadline."),
}

CHOICES = {
    ProcessingMode.REGULAR: _("Regular"),
    ProcessingMode.PRIORITIZED: _("Prioritized"),
    ProcessingMode.ACCELERATED: _("Accelerated"),
    Outcome.REFUGEE_STATUS: _("Refugee status"),
    Outcome.COMPLEMENTARY_PROTECTION: _("Complementary protection"),
    Outcome.HUMANITARIAN_STATUS: _("Humanitarian status"),
    Outcome.REJECTED: _("Rejected"),
    ReopeningGround.CHANGED_CIRCUMSTANCES: _("Changed circumstances"),
    ReopeningGround.NEW_EVIDENCE: _("New evidence"),
    ReopeningGround.IMPROPER_DECISION: _("Improper decision"),
    ReopeningGround.ABANDONMENT_EXPLAINED: _("Abandonment explained"),
}

GENDERS = {
    "": _("No preference"),
    "F": pgettext_lazy("interviewer or interpreter", "A woman"),
    "M": pgettext_lazy("interviewer or interpreter", "A man"),
}

CHANNELS = {
    Channel.SELF_PRESENTED: _("Self-presented"),
    Channel.DETAINED: _("Detained"),
    Channel.ALERT: _("Alert"),
}

PROCEEDINGS = {
    Proceeding.DETERMINATION: _("Determination"),
    Proceeding.CESSATION: _("Cessation"),
    Proceeding.CANCELLATION: _("Cancellation"),
}

ROLES = {
    Role.REGISTRATION_OFFICER: _("Registration officer"),
    Role.ELIGIBILITY_OFFICER: _("Eligibility officer"),
    Role.REVIEWER: _("Reviewer"),
    Role.APPEAL_OFFICER: _("Appeal officer"),
    Role.DOCUMENTATION_OFFICER: _("Documentation officer"),
    Role.REMOVAL_OFFICER: _("Removal officer"),
    Role.DATA_PROTECTION_OFFICER: _("Data protection officer"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.MONITOR: _("Monitor"),
    Role.PARTNER_NGO: _("Partner NGO"),
    Role.ADMINISTRATOR: _("Administrator"),
}

DOCUMENT_TYPES = {
    DocumentType.TEMPORARY_CERTIFICATE: _("Temporary identity certificate"),
    DocumentType.REFUGEE_CERTIFICATE: _("Refugee identity certificate"),
    DocumentType.COMPLEMENTARY_PROTECTION_DOCUMENT: _("Complementary protection document"),
    DocumentType.HUMANITARIAN_STATUS_DOCUMENT: _("Humanitarian status document"),
}

DOCUMENT_STATUSES = {
    "valid": _("valid"),
    "expired": _("expired"),
    "revoked": _("revoked"),
    "not_yet_valid": _("not yet valid"),
}

SCRIPTS = {"Hang": _("Hangul"), "Hani": _("Han characters"), "Latn": _("Latin")}

# The `lang` a name written in each script carries on a page (BCP 47), whatever the page's own
# language: Hangul is read as Korean, Han characters as Simplified Chinese (the names come to
# the office as Chinese records write them), and romanizations in Latin letters as English.
SCRIPT_LANGUAGES = {"Hang": "ko", "Hani": "zh-Hans", "Latn": "en"}

ROMANIZATIONS = {
    "rr": _("Revised Romanization"),
    "mr": _("McCune-Reischauer"),
    "dprk": _("DPRK official"),
    "pinyin": _("Hanyu Pinyin"),
    "passport": _("passport spelling"),
}

NAME_SOURCES = {
    "self": _("the applicant"),
    "interview": _("interview"),
    "ngo": _("partner NGO"),
    "chinese_police": _("Chinese police"),
}

SEXES = {"F": _("female"), "M": _("male"), "X": _("other")}

RELATIONS = {
    "principal": _("Principal applicant"),
    "spouse": _("Spouse"),
    "child": _("Child"),
    "parent": _("Parent"),
    "sibling": _("Sibling"),
}

SPECIFIC_NEEDS = {
    "child": _("child"),
    "unaccompanied_child": _("unaccompanied child"),
    "survivor_of_violence": _("survivor of violence"),
    "pregnancy": _("pregnancy"),
    "disability": _("disability"),
    "older_person": _("older person"),
    "serious_medical_condition": _("serious medical condition"),
}

LANGUAGES = {
    "ko": _("Korean"),
    "zh": _("Chinese"),
    "en": _("English"),
    "ru": _("Russian"),
    "ja": _("Japanese"),
    "mn": _("Mongolian"),
}

REVIEWS = {"approved": _("approved"), "returned": _("returned for rework"), "": _("awaiting review")}

INSTANCES = {"first": _("First instance"), "appeal": _("Appeal")}


# The core's refusal sentences, in its English, marked here because makemessages reads only
# literals and the core stays free of Django. tests/front/test_translations.py holds each
# equal to the core's, so that `{% translate refusal.sentence %}` finds its translation.
REFUSALS = {
    Code.STATE_DOES_NOT_ALLOW: _("This step cannot be taken at the case's current stage."),
    Code.ROLE_NOT_PERMITTED: _("Your role does not allow this step."),
    Code.SCREENING_REQUIRED: _(
        "The person expressed fear of return or holds a nationality on the no-return register: the file "
        "cannot be closed before screening."
    ),
    Code.PROCESSING_MODE_REASON_MISSING: _("Screening needs a processing mode and the reason for it."),
    Code.INTERVIEW_LANGUAGE_MISSING: _("An interview needs the language the applicant will be heard in."),
    Code.RIGHTS_NOT_READ: _("The applicant must be informed of their rights before the interview counts."),
    Code.READ_BACK_MISSING: _("The interview record must be read back to the applicant and confirmed."),
    Code.INTERVIEW_END_NOT_AFTER_START: _("The interview must end after the time it started."),
    Code.INTERVIEW_IN_FUTURE: _("An interview cannot be recorded as held at a time still to come."),
    Code.ASSESSMENT_INCOMPLETE: _(
        "An assessment needs the material facts, credibility findings, inclusion, exclusion, complementary "
        "protection and a proposed outcome."
    ),
    Code.REVIEWER_IS_DRAFTER: _("The reviewer must be an officer other than the one who drafted the assessment."),
    Code.REVIEW_COMMENTS_MISSING: _("An assessment returned for rework needs the reviewer's comments."),
    Code.DECISION_MAKER_IS_DRAFTER: _(
        "The decision must be taken by an officer other than the one who drafted the assessment."
    ),
    Code.REASONS_MISSING: _("A decision needs written reasons."),
    Code.COUNTRIES_ASSESSED_MISSING: _("A decision must name the countries for which the risk on return was assessed."),
    Code.NOTIFICATION_LANGUAGE_MISSING: _("The decision must be notified in a language the applicant understands."),
    Code.APPEAL_WINDOW_OPEN: _("The appeal window is still open."),
    Code.APPEAL_DEADLINE_PASSED: _("The appeal deadline and the grace period for late appeals have passed."),
    Code.LATE_APPEAL_REASON_MISSING: _("An appeal lodged after the deadline needs the reason it is late."),
    Code.APPEAL_OFFICER_IS_FIRST_INSTANCE_DECISION_MAKER: _(
        "The appeal must be decided by an officer other than the first-instance decision-maker."
    ),
    Code.APPEAL_OFFICER_HEARD_CLAIM: _(
        "The appeal must be decided by an officer other than the one who heard or assessed the claim."
    ),
    Code.REASON_MISSING: _("This step needs a written reason."),
    Code.NO_PROTECTION_TO_END: _("Cessation and cancellation apply only to a person who holds protection."),
    Code.CASE_PENDING: _("A case of this person is still pending."),
    Code.NO_FINAL_DECISION: _("There is no final negative decision on this person's claim."),
    Code.PROTECTION_GRANTED: _("This person holds international protection or humanitarian status."),
    Code.DESTINATION_NOT_ASSESSED: _("The risk in the destination was never assessed in this person's case."),
    Code.DESTINATION_ON_NO_RETURN_REGISTER: _("The destination is on the no-return register."),
    Code.THIRD_COUNTRY_NOT_DESIGNATED_SAFE: _(
        "The destination is a third country not designated safe for persons of this nationality."
    ),
    Code.THIRD_COUNTRY_WOULD_RETURN_ONWARD: _("The destination is known to send people on to the country they fled."),
    Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY: _(
        "Personal data is never disclosed to an authority of the person's country of origin."
    ),
    Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN: _(
        "Personal data is never sent to a recipient in the person's country of origin."
    ),
    Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN: _(
        "The recipient is known to pass data on to the person's country of origin."
    ),
    Code.PURPOSE_MISSING: _("A disclosure needs a stated purpose."),
    Code.LEGAL_BASIS_MISSING: _("A disclosure needs a legal basis."),
    Code.FIELDS_MISSING: _("A disclosure must name the exact fields to be disclosed."),
    Code.APPROVER_IS_REQUESTER: _("A disclosure must be approved by someone other than the person who asked for it."),
    Code.DISCLOSURE_ALREADY_DECIDED: _("This disclosure request has already been decided."),
    Code.DISCLOSURE_NOT_APPROVED: _("This disclosure has not been approved."),
    Code.DISCLOSURE_APPROVAL_EXPIRED: _(
        "The approval of this disclosure is too old to export on: it needs a new request and approval."
    ),
    Code.DISCLOSURE_CONTENT_CHANGED: _(
        "The data to be disclosed has changed since the approver saw it: it needs a new request and approval."
    ),
    Code.ATTESTATIONS_INSUFFICIENT: _(
        "A country leaves the no-return register only on recent attestations of marked improvement by enough "
        "independent monitors."
    ),
    Code.COUNTRY_NOT_LISTED: _("The country is not on the no-return register."),
    Code.COUNTRY_ALREADY_LISTED: _("The country is already on the no-return register."),
    Code.CASE_OUTSIDE_UNIT: _("The case belongs to another unit; only its own supervisors assign it."),
    Code.ASSIGNEE_NOT_CASEWORKER: _("Cases are assigned only to officers whose role is casework."),
    Code.ACCESS_REASON_TOO_SHORT: _("Emergency access needs a written reason of at least 20 characters."),
    Code.ACCESS_TOO_LONG: _("Emergency access lasts at most 8 hours."),
    Code.ACCESS_ALREADY_GRANTED: _("You can already read this case; emergency access is not needed."),
    Code.REVIEWER_IS_ACCESS_USER: _(
        "Emergency access is reviewed by a data protection officer other than the one who used it."
    ),
    Code.ACCESS_ALREADY_REVIEWED: _("This emergency access has already been reviewed."),
    Code.ACCESS_OUTSIDE_UNIT: _(
        "This emergency access was to another unit's case; that unit's data protection officers review it."
    ),
    Code.DOCUMENTATION_GAP: _("This would leave an applicant without a valid document."),
    Code.NO_ENTITLEMENT: _("The person is not entitled to this document at the case's current stage."),
    Code.DOCUMENT_NOT_VALID: _("The document is not currently valid."),
    Code.MERGE_OF_ONE_RECORD: _("A record cannot be merged with itself."),
    Code.MERGE_OUTSIDE_REACH: _(
        "One of the two persons has a case you may not read: only an officer who may read every case of both "
        "decides whether they are the same person."
    ),
    Code.MERGE_FAMILY_LINK: _("The two persons are registered as relatives: they are not merged."),
    Code.MERGE_TWIN_LIKE: _(
        "Same surname and birthday but another given name, as twins have: these records are not merged."
    ),
    Code.PERSON_ALREADY_MERGED: _("One of the two records is already merged into another."),
    Code.PAIR_ALREADY_DECIDED: _("This pair has already been decided."),
    Code.PAIR_NOT_MERGED: _("These two records are not merged."),
}

VOCABULARIES = {
    "state": STATES,
    "step": STEPS,
    "event": EVENTS,
    "field": FIELDS,
    "choice": CHOICES,
    "gender": GENDERS,
    "channel": CHANNELS,
    "proceeding": PROCEEDINGS,
    "role": ROLES,
    "document_type": DOCUMENT_TYPES,
    "document_status": DOCUMENT_STATUSES,
    "script": SCRIPTS,
    "romanization": ROMANIZATIONS,
    "name_source": NAME_SOURCES,
    "sex": SEXES,
    "relation": RELATIONS,
    "specific_need": SPECIFIC_NEEDS,
    "language": LANGUAGES,
    "review": REVIEWS,
    "instance": INSTANCES,
    "refusal": REFUSALS,
}


def label(vocabulary: str, value: object) -> str:
    """The words for a code; a code without words yet is shown readably, not hidden."""
    if value is None:
        return ""
    words = VOCABULARIES[vocabulary].get(str(value))
    return str(words) if words is not None else str(value).replace("_", " ")
