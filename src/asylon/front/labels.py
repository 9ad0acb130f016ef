"""The words officers read for the core's codes, marked for translation.

Display vocabulary only: which step may be taken, and why not, is the core's to say.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from asylon.procedure.case import Channel, Outcome, Proceeding, ProcessingMode, ReopeningGround, State
from asylon.procedure.documents import DocumentType
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
}


def label(vocabulary: str, value: object) -> str:
    """The words for a code; a code without words yet is shown readably, not hidden."""
    if value is None:
        return ""
    words = VOCABULARIES[vocabulary].get(str(value))
    return str(words) if words is not None else str(value).replace("_", " ")
