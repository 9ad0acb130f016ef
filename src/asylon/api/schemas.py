"""What the API accepts and returns.

Input schemas check shape and type only, and refuse fields they do not know, so a typo is
named instead of silently dropped. Whether a value is acceptable (a script code, a country,
a birth date) is for the services to say; the allowed values are listed here from the same
constants, for the reader of the docs. String lengths follow the database columns, so a
value too long is named here rather than failing on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Model
from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, StrictBool, StrictInt, field_validator
from pydantic_core import PydanticCustomError

from asylon.api.problems import RefusalOut
from asylon.cases.models import Alert, Interview
from asylon.cases.services import DetentionInput, NameInput, PersonInput
from asylon.people.models import ROMANIZATIONS, SCRIPTS, SPECIFIC_NEEDS, DetentionEpisode, Name, Person
from asylon.procedure.case import Channel, State
from asylon.procedure.disclosure import LegalBasis, RecipientKind
from asylon.procedure.refusals import SENTENCES, Code
from asylon.safeguards.models import Attestation, Recipient


def _max(model: type[Model], field: str) -> int:
    return model._meta.get_field(field).max_length  # type: ignore[union-attr,return-value]


def _codes(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"`{code}`" for code, _ in pairs if code)


NUL = "May not contain the NUL character (U+0000)."


def holds_nul(value: Any) -> bool:
    """Whether text anywhere in the value holds U+0000, which PostgreSQL cannot store."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(v) for v in value)
    return False


class In(Schema):
    """A request body: an unknown field is an error, not silently dropped; so is text holding
    the NUL character, which would fail on PostgreSQL (and pass on SQLite)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise PydanticCustomError("nul_character", NUL)
        return value


# Intake


class NameIn(In):
    text: str = Field(max_length=Name.LIMITS["text"], description="The name as written, in its own script.")
    script: str = Field(description=f"ISO 15924 code of the script: {_codes(SCRIPTS)}.")
    romanization: str = Field(
        "", description=f"For a Latin-script name, how it was romanized: {_codes(ROMANIZATIONS)}; empty if not."
    )
    source: str = Field(
        "self", max_length=_max(Name, "source"), description="Who gave this spelling: `self`, `passport`, `ngo`..."
    )
    family_name: str = Field("", max_length=Name.LIMITS["family_name"], description="The family-name part, if known.")
    given_name: str = Field("", max_length=Name.LIMITS["given_name"], description="The given-name part, if known.")
    is_primary: StrictBool = Field(False, description="The name the file is known by; the first name when none is.")
    is_alias: StrictBool = Field(
        False, description="A name the person used or was known by besides their own; never the primary name."
    )

    def to_input(self) -> NameInput:
        return NameInput(**self.model_dump())


class PersonIn(In):
    names: list[NameIn] = Field(description="Every spelling of the name, in every script it was written in.")
    sex: str = Field(description="`F`, `M` or `X`.")
    birth_year: StrictInt | None = Field(None, description="Year of birth, if known.")
    birth_month: StrictInt | None = Field(None, description="Month of birth (1–12), only with a year.")
    birth_day: StrictInt | None = Field(None, description="Day of birth, only with a year and a month.")
    nationalities: list[str] = Field([], description="ISO 3166 two-letter codes, e.g. `KP`.")
    habitual_residences: list[str] = Field([], description="Countries of former habitual residence, ISO 3166.")
    languages: list[str] = Field([], description="Languages spoken, e.g. `ko`.")
    specific_needs: list[str] = Field([], description=f"Any of: {', '.join(f'`{n}`' for n in SPECIFIC_NEEDS)}.")
    province: str = Field("", max_length=Person.LIMITS["province"], description="Province or region of origin.")
    contact: str = Field(
        "", max_length=Person.LIMITS["contact"], description="How to reach the person: phone or address, free text."
    )
    relation: str = Field(
        "principal", max_length=20, description="To the principal applicant: `spouse`, `child`, `parent`, `sibling`."
    )

    def to_input(self) -> PersonInput:
        data = self.model_dump(exclude={"names"})
        return PersonInput(names=[n.to_input() for n in self.names], **data)


class DetentionIn(In):
    site: str = Field(max_length=_max(DetentionEpisode, "site"), description="Where the person is held.")
    detained_since: date = Field(description="The first day of detention.")

    def to_input(self) -> DetentionInput:
        return DetentionInput(site=self.site, detained_since=self.detained_since)


class IntakeIn(In):
    people: list[PersonIn] = Field(description="The principal applicant first, then the family who came with them.")
    channel: Channel = Field(description="How the person came to the procedure.")
    fear_expressed: StrictBool = Field(True, description="Whether the person expressed any fear of return.")
    detention: DetentionIn | None = Field(None, description="Where and since when the family is detained, if so.")
    alert_id: StrictInt | None = Field(None, description="The alert this intake answers, if any.")


# Cases


class NameOut(Schema):
    text: str
    script: str
    romanization: str
    source: str
    family_name: str
    given_name: str
    is_primary: bool
    is_alias: bool


class DocumentOut(Schema):
    id: int
    type: str
    number: str = Field(description="With its ICAO 9303 check digit.")
    valid_from: date
    valid_until: date
    revoked_on: date | None
    revoked_reason: str


class DetentionOut(Schema):
    site: str
    detained_since: date
    released_on: date | None
    next_review_on: date = Field(description="The next periodic review of the detention (UNHCR Guideline 7).")


class PersonOut(Schema):
    id: int
    relation: str = Field(description="`principal`, or the relation to the principal applicant.")
    sex: str
    birth_year: int | None
    birth_month: int | None
    birth_day: int | None
    nationalities: list[str]
    habitual_residences: list[str]
    languages: list[str]
    specific_needs: list[str]
    province: str
    contact: str
    names: list[NameOut] = Field(description="The primary name first.")
    documents: list[DocumentOut]
    detentions: list[DetentionOut]


class StepFieldOut(Schema):
    name: str
    kind: str = Field(
        description="`text`, `bool`, `choice` (one of `choices`), `countries` (ISO 3166 codes) or `datetime` "
        "(ISO 8601 with its offset, e.g. `2026-11-10T09:30:00+09:00`)."
    )
    choices: list[str]
    required: bool


class StepOut(Schema):
    name: str = Field(description="POST its fields to /api/cases/{id}/steps/{name}.")
    fields: list[StepFieldOut]


class CaseOut(Schema):
    id: int
    number: str
    kind: str = Field(description="`individual` or `family`.")
    state: str
    channel: str
    fear_expressed: bool
    no_return_nationality: bool = Field(description="The principal holds a nationality on the no-return register.")
    proceeding: str = Field(description="`determination`, `cessation` or `cancellation`.")
    processing_mode: str
    outcome: str = Field(description="The first-instance outcome, once decided.")
    final_outcome: str = Field(description="The outcome that stands, once the case is final.")
    countries_assessed: list[str] = Field(description="Countries for which the risk on return was assessed.")
    notified_on: date | None
    appeal_deadline: date | None
    opened_at: datetime
    updated_at: datetime
    people: list[PersonOut]
    available_steps: list[StepOut] = Field(
        description="The steps you may start now; their fields are judged when taken."
    )


class CaseSearchIn(In):
    """A search, sent in the body: a name in an address would stay in access logs and histories."""

    q: str = Field("", max_length=200, description="A name in any script, a case number or a document number.")
    state: State | None = Field(None, description="Only cases at this stage.")


class CaseSummaryOut(Schema):
    id: int
    number: str
    kind: str
    state: str
    principal_name: str = Field(description="The principal applicant's primary name.")
    opened_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_principal_name(case: Any) -> str:
        name = case.principal.primary_name()
        return name.text if name else ""


class EventOut(Schema):
    seq: int
    type: str = Field(description="The step taken (`decide`), or what happened (`removal_refused`).")
    actor: str | None = Field(description="The username of who acted; empty for the system.")
    at: datetime
    state_before: str
    state_after: str
    reason: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(event: Any) -> str | None:
        return event.actor.username if event.actor else None


class StepRecordIn(In):
    """What an officer writes down with a step, beyond what the procedure judges."""

    scheduled_for: AwareDatetime | None = Field(None, description="When the interview takes place, with its offset.")
    place: str = Field("", max_length=_max(Interview, "place"))
    interviewer_gender: str = Field(
        "", max_length=_max(Interview, "interviewer_gender"), description="As the applicant asked: `F` or `M`."
    )
    interpreter_gender: str = Field("", max_length=_max(Interview, "interpreter_gender"))
    notes: str = Field("", description="Interview notes.")


# Alerts


class AlertIn(In):
    organisation: str = Field(max_length=_max(Alert, "organisation"))
    names_given: str = Field(max_length=Alert.LIMITS["names_given"], description="The names as the alert gives them.")
    risk: str = Field(description="What the person is at risk of, and how soon.")
    site: str = Field("", max_length=_max(Alert, "site"), description="Where the person is, if known.")


class AlertOut(Schema):
    id: int
    organisation: str
    names_given: str
    site: str
    risk: str
    raised_at: datetime
    raised_by: str
    case_id: int | None = Field(description="The case opened on this alert, once there is one.")

    @staticmethod
    def resolve_raised_by(alert: Any) -> str:
        return alert.raised_by.username


# Removals, disclosures, the register


def _refusals(codes: list[str]) -> list[RefusalOut]:
    return [RefusalOut(code=c, sentence=SENTENCES[Code(c)]) for c in codes]


class RemovalIn(In):
    person_id: StrictInt
    destination: str = Field(description="ISO 3166 code of the country the person would be sent to.")


class RemovalOut(Schema):
    id: int
    person_id: int
    destination: str
    status: str = Field(description="`refused`, `allowed` or `carried_out`.")
    refusals: list[RefusalOut]
    requested_by: str
    requested_at: datetime
    carried_out_at: datetime | None

    @staticmethod
    def resolve_refusals(removal: Any) -> list[RefusalOut]:
        return _refusals(removal.refusal_codes)

    @staticmethod
    def resolve_requested_by(removal: Any) -> str:
        return removal.requested_by.username


class RecipientIn(In):
    name: str = Field(max_length=_max(Recipient, "name"))
    kind: RecipientKind
    country: str = Field(description="ISO 3166 code of the country the recipient is in.")
    forwards_to: list[str] = Field([], description="Countries the recipient is known to pass data on to.")
    agreement: str = Field("", description="The data-sharing agreement, by reference.")


class RecipientOut(Schema):
    id: int
    name: str
    kind: str
    country: str
    forwards_to: list[str]
    agreement: str


class DisclosureIn(In):
    person_id: StrictInt
    recipient_id: StrictInt
    purpose: str
    legal_basis: LegalBasis | None = None
    fields: list[str] = Field(description="The exact fields to disclose, e.g. `names`, `birth_date`.")


class DisclosureOut(Schema):
    id: int
    person_id: int
    recipient_id: int
    purpose: str
    legal_basis: str
    fields: list[str]
    status: str = Field(description="`refused`, `pending`, `approved` or `rejected`.")
    refusals: list[RefusalOut]
    requested_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_refusals(disclosure: Any) -> list[RefusalOut]:
        return _refusals(disclosure.refusal_codes)


class DisclosureDecisionIn(In):
    approve: StrictBool = Field(description="True to approve, false to reject.")


class ListingIn(In):
    country: str = Field(description="ISO 3166 code.")
    reason: str = Field(description="Why no one may be returned there, with its source.")


class ListingOut(Schema):
    country: str
    reason: str
    listed_on: date
    delisted_on: date | None


class AttestationIn(In):
    organisation: str = Field(max_length=_max(Attestation, "organisation"), description="The monitoring body.")
    statement: str = Field(description="What the monitor found about treatment in the country.")


class AttestationOut(Schema):
    id: int
    country: str
    organisation: str
    attested_on: date
    statement: str


class RevocationIn(In):
    reason: str


class DocumentRevokedOut(DocumentOut):
    person_id: int
    case_id: int
