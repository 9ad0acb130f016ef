"""Every write to a case: one function per use case, shared by the UI, the API and the CLI.

The write routine: atomic() → lock the case row → ask the core → append the event →
save(update_fields=...). Locking the row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
takes the database write lock at BEGIN IMMEDIATE) means two officers acting on the
same case at once are serialized: the second sees the first one's result and is refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext

from asylon.accounts.models import User
from asylon.cases.models import (
    Alert,
    Appeal,
    Assessment,
    Case,
    CaseMember,
    Decision,
    Event,
    Interview,
    NumberSeries,
)
from asylon.dataprotection import runtime
from asylon.dataprotection.blind import blind_index
from asylon.documents import services as document_services
from asylon.people.matchkeys import name_match_keys
from asylon.people.models import (
    ROMANIZATIONS,
    SCRIPTS,
    SPECIFIC_NEEDS,
    DetentionEpisode,
    FamilyLink,
    Name,
    NameKey,
    Person,
    is_country_code,
    office_slug,
    partial_date,
)
from asylon.procedure import access as access_rules
from asylon.procedure import case as procedure
from asylon.procedure import detention
from asylon.procedure.refusals import Code, Refusal, Refused
from asylon.procedure.roles import Role

INTAKE_ROLES = access_rules.INTAKE
ALERT_ROLES = access_rules.ALERT_RAISERS


class NotFound(Exception):
    """The record does not exist, or this user may not know that it does."""


class InvalidInput(ValueError):
    """Input that cannot make a record; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class NameInput:
    text: str
    script: str
    romanization: str = ""
    source: str = "self"
    family_name: str = ""
    given_name: str = ""
    is_primary: bool = False
    is_alias: bool = False


@dataclass(frozen=True)
class PersonInput:
    names: list[NameInput]
    sex: str
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    nationalities: list[str] = field(default_factory=list)
    habitual_residences: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    specific_needs: list[str] = field(default_factory=list)
    province: str = ""
    contact: str = ""
    relation: str = "principal"
    # What the person asked for to be heard: kept on their membership of the case.
    interpreter_language: str = ""
    interviewer_gender: str = ""
    interpreter_gender: str = ""


@dataclass(frozen=True)
class FamilyLinkInput:
    """A link between two members of one intake, by their places in its list of people."""

    person: int
    relative: int
    relation: str


@dataclass(frozen=True)
class DetentionInput:
    site: str
    detained_since: date


def now() -> datetime:
    return timezone.now()


def require_role(user: User, roles: frozenset[Role]) -> None:
    """Checked before any lookup, so that a user without the role learns nothing of what exists."""
    if not user.actor().has_any(roles):
        raise Refused([Refusal.of(Code.ROLE_NOT_PERMITTED)])


# What an officer sees beside the field, in their language (the registration page shows it).
def _one_of(choices: Iterable[str]) -> str:
    return gettext("Must be one of: %(choices)s.") % {"choices": ", ".join(choices)}


def _at_most(limit: int) -> str:
    return gettext("At most %(limit)s characters.") % {"limit": limit}


def too_long(model: type[Model], values: dict[str, str], prefix: str = "") -> dict[str, str]:
    """Text longer than its column holds, named before the database refuses it."""
    found = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if limit is not None and len(value) > limit:
            found[prefix + name] = _at_most(limit)
    return found


def event_append(
    *,
    case: Case,
    type: str,
    actor: User | None,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    state_before: str = "",
) -> Event:
    """Append to the case's history; the caller holds the case row lock, so seq is unique."""
    from asylon.transparency.services import event_log

    last = case.events.aggregate(last=Max("seq"))["last"] or 0
    event = Event.objects.create(
        case=case,
        office=case.office,
        seq=last + 1,
        type=type,
        actor=actor,
        at=at,
        reason=reason,
        data=data or {},
        state_before=state_before,
        state_after=case.state,
    )
    # In the same transaction: an event without its log entry cannot exist, nor the reverse.
    event_log(event)
    return event


SCRIPT_CODES = {code for code, _ in SCRIPTS}
ROMANIZATION_CODES = {code for code, _ in ROMANIZATIONS}


def _person_problems(data: PersonInput, prefix: str) -> dict[str, str]:
    found = {}
    if not data.names:
        found[f"{prefix}.names"] = gettext("At least one name is required.")
    for i, name in enumerate(data.names):
        where = f"{prefix}.names[{i}]"
        if not name.text.strip():
            found[f"{where}.text"] = gettext("A name cannot be empty.")
        if name.script not in SCRIPT_CODES:
            found[f"{where}.script"] = _one_of(sorted(SCRIPT_CODES))
        for part, limit in Name.LIMITS.items():
            if len(getattr(name, part)) > limit:
                found[f"{where}.{part}"] = _at_most(limit)
        found.update(too_long(Name, {"source": name.source}, f"{where}."))
        if name.romanization not in ROMANIZATION_CODES:
            found[f"{where}.romanization"] = _one_of(sorted(c or "(none)" for c in ROMANIZATION_CODES))
        if name.is_primary and name.is_alias:
            found[f"{where}.is_alias"] = gettext("The primary name cannot be an alias.")
    if sum(n.is_primary for n in data.names) > 1:
        found[f"{prefix}.names"] = gettext("Only one name can be the primary one.")
    elif data.names and all(n.is_alias for n in data.names):
        found[f"{prefix}.names"] = gettext("At least one name must be the person's own, not an alias.")
    for part, limit in Person.LIMITS.items():
        if len(getattr(data, part)) > limit:
            found[f"{prefix}.{part}"] = _at_most(limit)
    if data.sex not in ("F", "M", "X"):
        found[f"{prefix}.sex"] = gettext("Must be F, M or X.")
    found.update(_birth_date_problems(data, prefix))
    for field_name in ("nationalities", "habitual_residences"):
        bad = [c for c in getattr(data, field_name) if not is_country_code(c)]
        if bad:
            found[f"{prefix}.{field_name}"] = gettext("Not two-letter ISO 3166 codes: %(codes)s.") % {
                "codes": ", ".join(bad)
            }
    for name in ("interviewer_gender", "interpreter_gender"):
        if getattr(data, name) not in ("", "F", "M"):
            found[f"{prefix}.{name}"] = gettext("Must be F, M or empty (no preference).")
    found.update(too_long(CaseMember, {"interpreter_language": data.interpreter_language}, f"{prefix}."))
    unknown_needs = sorted(set(data.specific_needs) - set(SPECIFIC_NEEDS))
    if unknown_needs:
        found[f"{prefix}.specific_needs"] = gettext("Unknown: %(values)s.") % {"values": ", ".join(unknown_needs)}
    return found


def _birth_date_problems(data: PersonInput, prefix: str) -> dict[str, str]:
    year, month, day = data.birth_year, data.birth_month, data.birth_day
    if year is not None and not 1900 <= year <= 2100:
        return {f"{prefix}.birth_year": gettext("Must be a year between 1900 and 2100.")}
    if month is not None and (year is None or not 1 <= month <= 12):
        return {f"{prefix}.birth_month": gettext("Needs a year, and must be 1 to 12.")}
    if day is not None:
        if month is None or year is None:
            return {f"{prefix}.birth_day": gettext("A day needs a year and a month.")}
        try:
            date(year, month, day)
        except ValueError:
            return {
                f"{prefix}.birth_day": gettext("%(month)s has no day %(day)s.")
                % {"month": f"{year}-{month:02d}", "day": day}
            }
    return {}


def _person_create(data: PersonInput, office: str) -> Person:
    person = Person.objects.create(
        office=office,
        sex=data.sex,
        nationalities=data.nationalities,
        habitual_residences=data.habitual_residences,
        languages=data.languages,
        specific_needs=data.specific_needs,
        birth_date=partial_date(data.birth_year, data.birth_month, data.birth_day),
        province=unicodedata.normalize("NFC", data.province),
        contact=unicodedata.normalize("NFC", data.contact),
    )
    # Without a primary name, the first of the person's own names (not an alias) is the primary one.
    primary = next((i for i, n in enumerate(data.names) if n.is_primary), None)
    if primary is None:
        primary = next(i for i, n in enumerate(data.names) if not n.is_alias)
    for i, n in enumerate(data.names):
        name_add(person=person, name=replace(n, is_primary=i == primary))
    return person


def name_add(*, person: Person, name: NameInput) -> Name:
    """Store a name encrypted, with the blind indexes that let it be found."""
    texts = {k: unicodedata.normalize("NFC", getattr(name, k)) for k in Name.LIMITS}
    stored = Name.objects.create(
        person=person,
        office=person.office,
        script=name.script,
        romanization=name.romanization,
        source=name.source,
        is_primary=name.is_primary,
        is_alias=name.is_alias,
        **texts,
    )
    keys = runtime.keyring()
    NameKey.objects.bulk_create(
        [NameKey(name=stored, person=person, digest=blind_index(keys, "name", key)) for key in stored.search_keys()]
        + name_match_keys(keys, stored, person)
    )
    return stored


def _case_number(at: datetime) -> str:
    prefix = f"AS-{at.year}-"
    return f"{prefix}{NumberSeries.draw(prefix, Case.objects.filter(number__startswith=prefix)):06d}"


@transaction.atomic
def intake_open(
    *,
    user: User,
    people: list[PersonInput],
    channel: procedure.Channel,
    fear_expressed: bool = True,
    detained: DetentionInput | None = None,
    alert_id: int | None = None,
    family_links: list[FamilyLinkInput] | None = None,
    at: datetime | None = None,
) -> Case:
    """A person (and their family) comes to the procedure: self-presented, detained, or alerted.

    Each dependant is linked to the principal by their `relation`; `family_links` adds the
    links between dependants (a child of the principal's spouse, siblings)."""
    from asylon.safeguards.services import no_return_countries

    require_role(user, INTAKE_ROLES)
    at = at or now()
    problems = {} if people else {"people": gettext("An intake needs at least the principal applicant.")}
    for i, person in enumerate(people):
        problems.update(_person_problems(person, f"people[{i}]"))
    if channel not in set(procedure.Channel):
        problems["channel"] = _one_of(procedure.Channel)
    problems.update(_family_link_problems(family_links or [], len(people)))
    if detained is not None and not detained.site.strip():
        problems["detention.site"] = gettext("A detention needs the site.")
    if detained is not None:
        problems.update(too_long(DetentionEpisode, {"site": detained.site}, "detention."))
    if problems:
        raise InvalidInput(problems)
    office = office_slug(user.unit)
    persons = [_person_create(p, office) for p in people]
    principal = persons[0]
    case = Case.objects.create(
        number=_case_number(at),
        kind="family" if len(persons) > 1 else "individual",
        principal=principal,
        office=office,
        state=procedure.State.INTAKE,
        channel=channel,
        fear_expressed=fear_expressed,
        no_return_nationality=bool(set(principal.nationalities) & no_return_countries(at.date())),
        opened_at=at,
        updated_at=at,
    )
    for person, data in zip(persons, people, strict=True):
        CaseMember.objects.create(
            case=case,
            person=person,
            relation="principal" if person == principal else data.relation,
            interpreter_language=data.interpreter_language,
            interviewer_gender=data.interviewer_gender,
            interpreter_gender=data.interpreter_gender,
        )
        if person != principal:
            FamilyLink.objects.create(person=principal, relative=person, relation=data.relation)
    for link in family_links or []:
        FamilyLink.objects.create(person=persons[link.person], relative=persons[link.relative], relation=link.relation)
    if detained is not None:
        for person in persons:
            DetentionEpisode.objects.create(
                person=person,
                site=detained.site,
                detained_since=detained.detained_since,
                next_review_on=_next_review(detained.detained_since, at.date()),
            )
    if alert_id is not None:
        # Another unit's alert is not found: its officers do not learn of it.
        updated = Alert.objects.filter(pk=alert_id, case__isnull=True, office=user.office).update(case=case)
        if not updated:
            raise NotFound(f"alert {alert_id}")
    event_append(case=case, type="intake_opened", actor=user, at=at, data={"channel": channel, "persons": len(persons)})
    from asylon.people.duplicates import pairs_find

    for person in persons:
        pairs_find(person, found_by="registration", at=at, exclude=[p.pk for p in persons])
    return case


def _family_link_problems(links: list[FamilyLinkInput], count: int) -> dict[str, str]:
    found = {}
    seen = set()
    for i, link in enumerate(links):
        where = f"family_links[{i}]"
        if not (0 < link.person < count and 0 < link.relative < count):
            # Links with the principal come from each dependant's relation.
            found[f"{where}.person"] = gettext("Both must be dependants listed in this intake.")
        elif link.person == link.relative:
            found[f"{where}.relative"] = gettext("A person is not linked to themselves.")
        elif (link.person, link.relative) in seen:
            found[f"{where}.relative"] = gettext("This link is already given.")
        if not link.relation.strip():
            found[f"{where}.relation"] = gettext("A link needs the relation.")
        found.update(too_long(FamilyLink, {"relation": link.relation}, f"{where}."))
        seen.add((link.person, link.relative))
    return found


def _next_review(since: date, today: date) -> date:
    review = detention.next_review(since)
    while review < today:
        review = detention.next_review(review)
    return review


def case_lock(user: User, case_id: int) -> Case:
    """The case row, locked, if this user may see it; the same answer for missing and forbidden."""
    from asylon.cases.access import cases_for_user

    try:
        return cases_for_user(user).select_for_update().get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFound(f"case {case_id}") from None


def case_persons(case: Case) -> list[Person]:
    return [m.person for m in case.members.select_related("person")]


def domain_cases_of(*persons: Person) -> tuple[procedure.Case, ...]:
    """Every case in which any of the persons is principal or dependant, as the core sees them.
    One record follows no merge: the removal and disclosure guards pass every record of the
    human being (asylon.people.identity.cluster_lock)."""
    return tuple(c.to_domain() for c in Case.objects.filter(members__person__in=persons).distinct())


@dataclass(frozen=True)
class StepRecord:
    """What an officer wrote for a step beyond what the core judges."""

    scheduled_for: datetime | None = None
    place: str = ""
    interviewer_gender: str = ""
    interpreter_gender: str = ""
    notes: str = ""

    def problems(self) -> dict[str, str]:
        found = {}
        for name in ("interviewer_gender", "interpreter_gender"):
            if getattr(self, name) not in ("", "F", "M"):
                found[name] = gettext("Must be F, M or empty (no preference).")
        if len(self.place) > 200:
            found["place"] = _at_most(200)
        if self.scheduled_for is not None and self.scheduled_for.tzinfo is None:
            found["scheduled_for"] = gettext("Must carry a time zone.")
        return found


@transaction.atomic
def case_take(
    *, user: User, case_id: int, step: procedure.Step, record: StepRecord | None = None, at: datetime | None = None
) -> Case:
    """Take one step of the procedure on a case, or raise `Refused` with every reason."""
    at = at or now()
    record = record or StepRecord()
    problems = record.problems()
    if isinstance(step, procedure.ScheduleInterview | procedure.Notify | procedure.NotifyAppeal):
        problems.update(too_long(Interview, {"language": step.language}))
    if problems:
        raise InvalidInput(problems)
    # Locks the row: two reviewers deciding the same case at once are serialized, and the
    # second one is refused by the core because the stage has moved on.
    case = case_lock(user, case_id)
    before = case.to_domain()
    after = procedure.take(before, step, user.actor(), at.date())
    case.from_domain(after)
    case.updated_at = at
    case.save(update_fields=Case.DOMAIN_FIELDS)
    _record_step(case, step, record, user, at)
    payload = {k: _json_value(v) for k, v in asdict(step).items()}
    for text in ("material_facts", "credibility", "inclusion", "exclusion", "complementary_protection", "reasons"):
        # Narratives live in their own sealed records; the event says that they were written, not what.
        if text in payload:
            payload[text] = bool(payload[text])
    for text in ("reason", "comments", "late_reason"):
        payload.pop(text, None)  # kept, sealed, as the event's reason
    event_append(
        case=case, type=step.name, actor=user, at=at, reason=_reason(step), data=payload, state_before=before.state
    )
    document_services.documents_issue_due(case=case, user=None, at=at)
    return case


def _json_value(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _reason(step: procedure.Step) -> str:
    for attr in ("reason", "comments", "late_reason"):
        value = getattr(step, attr, "")
        if value:
            return str(value)
    return ""


def _record_step(case: Case, step: procedure.Step, record: StepRecord, user: User, at: datetime) -> None:
    if isinstance(step, procedure.ScheduleInterview):
        # Rescheduling moves the interview not yet held; it does not leave a second one behind.
        interview = case.interviews.filter(held_at__isnull=True).order_by("-pk").first() or Interview(
            case=case, office=case.office
        )
        interview.language = step.language
        interview.scheduled_for = record.scheduled_for
        interview.place = record.place
        interview.interviewer_gender = record.interviewer_gender
        interview.interpreter_gender = record.interpreter_gender
        interview.save()
    elif isinstance(step, procedure.HoldInterview):
        interview = case.interviews.order_by("-pk").first()
        assert interview is not None, "a scheduled case has an interview record"
        interview.held_by = user
        interview.held_at = at
        interview.rights_informed = step.rights_informed
        interview.read_back_confirmed = step.read_back_confirmed
        interview.started_at = step.started_at
        interview.ended_at = step.ended_at
        interview.notes = record.notes
        interview.save(
            update_fields=[
                "held_by",
                "held_at",
                "started_at",
                "ended_at",
                "rights_informed",
                "read_back_confirmed",
                "notes_sealed",
            ]
        )
    elif isinstance(step, procedure.DraftAssessment):
        Assessment.objects.create(
            case=case,
            office=case.office,
            drafter=user,
            drafted_at=at,
            material_facts=step.material_facts,
            credibility=step.credibility,
            inclusion=step.inclusion,
            exclusion=step.exclusion,
            complementary_protection=step.complementary_protection,
            proposed_outcome=step.proposed_outcome,
        )
    elif isinstance(step, procedure.ApproveAssessment | procedure.ReturnAssessment):
        approved = isinstance(step, procedure.ApproveAssessment)
        for assessment in case.assessments.filter(review=""):
            assessment.reviewer = user
            assessment.review = "approved" if approved else "returned"
            assessment.review_comments = "" if approved else step.comments  # type: ignore[union-attr]
            assessment.save(update_fields=["reviewer", "review", "review_comments_sealed"])
    elif isinstance(step, procedure.Decide | procedure.DecideAppeal):
        Decision.objects.create(
            case=case,
            office=case.office,
            instance="first" if isinstance(step, procedure.Decide) else "appeal",
            outcome=step.outcome,
            reasons=step.reasons,
            countries_assessed=sorted(step.countries_assessed),
            decided_by=user,
            decided_at=at,
        )
    elif isinstance(step, procedure.Notify | procedure.NotifyAppeal):
        case.decisions.filter(notified_on__isnull=True).update(notified_on=at.date(), notified_in=step.language)
    elif isinstance(step, procedure.LodgeAppeal):
        Appeal.objects.create(
            case=case, office=case.office, lodged_on=at.date(), lodged_by=user, late_reason=step.late_reason
        )


@transaction.atomic
def alert_raise(
    *, user: User, organisation: str, names_given: str, risk: str, site: str = "", at: datetime | None = None
) -> Alert:
    require_role(user, ALERT_ROLES)
    texts = {"names_given": names_given, "risk": risk, "organisation": organisation}
    problems = {k: "This field is required." for k, v in texts.items() if not v.strip()}
    problems.update(too_long(Alert, {"organisation": organisation, "site": site}))
    if len(names_given) > Alert.LIMITS["names_given"]:
        problems["names_given"] = _at_most(Alert.LIMITS["names_given"])
    if problems:
        raise InvalidInput(problems)
    return Alert.objects.create(
        office=office_slug(user.unit),
        raised_by=user,
        organisation=organisation,
        names_given=names_given,
        risk=risk,
        site=site,
        raised_at=at or now(),
    )


DETENTION_REVIEWERS = frozenset({Role.REGISTRATION_OFFICER, Role.ELIGIBILITY_OFFICER})


@transaction.atomic
def detention_review(
    *, user: User, episode_id: int, release: bool, reason: str, at: datetime | None = None
) -> DetentionEpisode:
    """UNHCR Detention Guidelines (2012), Guideline 7: record a periodic review, or the release."""
    from asylon.cases.access import cases_for_user

    at = at or now()
    episode = DetentionEpisode.objects.select_for_update().filter(pk=episode_id, released_on__isnull=True).first()
    cases = list(
        cases_for_user(user).select_for_update().filter(members__person_id=getattr(episode, "person_id", None))
    )
    if episode is None or not cases:
        raise NotFound(f"detention {episode_id}")
    refusals = [] if user.actor().has_any(DETENTION_REVIEWERS) else [Refusal.of(Code.ROLE_NOT_PERMITTED)]
    if not reason.strip():
        refusals.append(Refusal.of(Code.REASON_MISSING))
    if refusals:
        raise Refused(refusals)
    if release:
        episode.released_on = at.date()
    else:
        episode.next_review_on = detention.next_review(at.date())
    episode.save(update_fields=["released_on", "next_review_on"])
    for case in cases:
        event_append(
            case=case,
            type="detention_released" if release else "detention_reviewed",
            actor=user,
            at=at,
            reason=reason,
            data={"person": episode.person_id, "next_review_on": str(episode.next_review_on) if not release else None},
            state_before=case.state,
        )
    return episode
