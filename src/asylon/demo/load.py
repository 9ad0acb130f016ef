"""Load the demo scenario through the same services officers use.

Every case is walked to its stage step by step, as officers would have taken it, with
dates spread over the months before today, so the timelines, appeal windows and
documents in the demo are the ones the rules produce.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, time, timedelta
from random import Random

from django.db import transaction
from tqdm import tqdm

from asylon.accounts.models import RoleGrant, User
from asylon.cases import services
from asylon.cases.models import Alert
from asylon.demo.scenario import DemoCase, DemoPerson, Scenario
from asylon.documents.models import Document
from asylon.documents.services import document_create
from asylon.people.models import office_slug
from asylon.procedure import case as p
from asylon.procedure import documents as document_rules
from asylon.procedure.roles import Role
from asylon.safeguards.models import NoReturnListing, OnwardReturn, Recipient, SafeThirdCountry
from asylon.safeguards.services import register_list

# One account per role; the second eligibility officer, reviewer, DPO and monitor exist so
# that separation of duties and quorums can be shown in the demo. All work in the demo office,
# except one eligibility officer of another unit: they read no demo case until a supervisor
# assigns one to them or they open emergency access (need to know).
DEMO_UNIT = "Demo office"
STAFF: tuple[tuple[str, Role, str], ...] = (
    ("registration", Role.REGISTRATION_OFFICER, DEMO_UNIT),
    ("eligibility", Role.ELIGIBILITY_OFFICER, DEMO_UNIT),
    ("eligibility2", Role.ELIGIBILITY_OFFICER, DEMO_UNIT),
    ("reviewer", Role.REVIEWER, DEMO_UNIT),
    ("reviewer2", Role.REVIEWER, DEMO_UNIT),
    ("appeal", Role.APPEAL_OFFICER, DEMO_UNIT),
    ("documentation", Role.DOCUMENTATION_OFFICER, DEMO_UNIT),
    ("removal", Role.REMOVAL_OFFICER, DEMO_UNIT),
    ("dpo", Role.DATA_PROTECTION_OFFICER, DEMO_UNIT),
    ("dpo2", Role.DATA_PROTECTION_OFFICER, DEMO_UNIT),
    ("supervisor", Role.SUPERVISOR, DEMO_UNIT),
    ("outpost", Role.ELIGIBILITY_OFFICER, "Border outpost"),
    ("monitor", Role.MONITOR, DEMO_UNIT),
    ("monitor2", Role.MONITOR, DEMO_UNIT),
    ("ngo", Role.PARTNER_NGO, DEMO_UNIT),
    ("admin", Role.ADMINISTRATOR, DEMO_UNIT),
)


def staff_ensure() -> dict[str, tuple[User, str]]:
    """Create the demo accounts, or give the existing ones fresh passwords; returns them with passwords."""
    accounts = {}
    for username, role, unit in STAFF:
        user, _ = User.objects.get_or_create(username=username, defaults={"unit": unit})
        RoleGrant.objects.get_or_create(user=user, role=role)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save(update_fields=["password"])
        accounts[username] = (user, password)
    return accounts


def _registers(admin: User, today: date) -> None:
    if not NoReturnListing.objects.filter(country="KP", delisted_on=None).exists():
        # Through the service, so that the listing is in the transparency log for monitors.
        register_list(
            user=admin,
            country="KP",
            reason=(
                "Commission of Inquiry on the DPRK (A/HRC/25/63), recommendation 1221(a): no forced return "
                "unless treatment, as verified by international human rights monitors, markedly improves."
            ),
            at=datetime(2014, 2, 17, 9, 0, tzinfo=UTC),
        )
    OnwardReturn.objects.get_or_create(
        country="CN", origin="KP", defaults={"noted_on": date(2014, 2, 17), "source": "A/HRC/25/CRP.1 paras 435-477"}
    )
    SafeThirdCountry.objects.get_or_create(country="KR", nationality="KP", defaults={"designated_on": date(2020, 1, 1)})
    for name, kind, country, forwards in (
        ("Ministry of State Security", "authority", "KP", []),
        ("Public Security Bureau, border division", "authority", "CN", ["KP"]),
        ("Resettlement Programme, Republic of Korea", "resettlement_state", "KR", []),
        ("Legal Aid Clinic for Refugees", "legal_representative", "TH", []),
    ):
        Recipient.objects.get_or_create(name=name, defaults={"kind": kind, "country": country, "forwards_to": forwards})


def _at(day: date, rng: Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)


def _person_input(person: DemoPerson, relation: str) -> services.PersonInput:
    return services.PersonInput(
        names=[services.NameInput(**asdict(n)) for n in person.names],
        sex=person.sex,
        birth_year=person.birth_year,
        birth_month=person.birth_month,
        birth_day=person.birth_day,
        nationalities=[person.nationality],
        languages=list(person.languages),
        specific_needs=list(person.specific_needs),
        province=person.province,
        relation=relation,
    )


def _path(case: DemoCase, rng: Random) -> list[tuple[p.Step, str, tuple[int, int]]]:
    outcome = p.Outcome(case.proposed_outcome) if case.proposed_outcome else p.Outcome.REJECTED
    mode = p.ProcessingMode(case.processing_mode)
    drafted = p.DraftAssessment(
        material_facts="Crossed the Tumen river at night; detained in China after an identity check.",
        credibility="Account detailed and consistent with country information on the border region.",
        inclusion="Illegal exit is punished on return: sur place claim under Art. 1A(2), political opinion imputed.",
        exclusion="No indication of conduct under Art. 1F.",
        complementary_protection="Substantial grounds for believing torture on return (CAT Art. 3; ICCPR Art. 7).",
        proposed_outcome=outcome,
    )
    path: list[tuple[p.Step, str, tuple[int, int]]] = [
        (p.Register(), "registration", (1, 10)),
        (p.Screen(mode=mode, reason=_mode_reason(mode)), "registration", (1, 7)),
        (p.ScheduleInterview(language="ko"), "eligibility", (3, 20)),
        # Its start and end are drawn in `_held` once the day it is recorded is known.
        (
            p.HoldInterview(rights_informed=True, read_back_confirmed=True, started_at=_UNSET, ended_at=_UNSET),
            "eligibility",
            (7, 40),
        ),
        (drafted, "eligibility", (3, 30)),
        (p.ApproveAssessment(), "reviewer", (2, 15)),
        (
            p.Decide(outcome=outcome, reasons=_reasons(outcome), countries_assessed=frozenset({"KP", "CN"})),
            "reviewer",
            (1, 10),
        ),
        (p.Notify(language="ko"), "registration", (1, 7)),
    ]
    early = ("intake", "registered", "screened", "interview_scheduled", "interviewed", "assessment_drafted")
    early += ("assessment_reviewed", "decided", "appeal_window")
    if case.target_stage in early:
        return path[: early.index(case.target_stage)]
    if case.target_stage in ("appeal_lodged", "appeal_decided") or (
        case.target_stage in ("final", "closed") and case.appealed and outcome != p.Outcome.REFUGEE_STATUS
    ):
        overturned = rng.random() < 0.35
        appeal_outcome = p.Outcome.REFUGEE_STATUS if overturned else outcome
        path += [
            (p.LodgeAppeal(), "appeal", (2, 25)),
            (
                p.DecideAppeal(
                    outcome=appeal_outcome, reasons=_reasons(appeal_outcome), countries_assessed=frozenset({"KP", "CN"})
                ),
                "appeal",
                (10, 60),
            ),
            (p.NotifyAppeal(language="ko"), "registration", (1, 7)),
        ]
        if case.target_stage in ("appeal_lodged", "appeal_decided"):
            return path[:-2] if case.target_stage == "appeal_lodged" else path[:-1]
    elif case.target_stage in ("final", "closed") and outcome != p.Outcome.REFUGEE_STATUS:
        # The window closes six weeks after the deadline (PS §7.2).
        path.append((p.Finalize(), "registration", (73, 90)))
    if case.target_stage == "closed":
        path.append((p.Close(reason="Resettled to a safe third country."), "eligibility", (20, 200)))
    if case.target_stage == "withdrawn":
        path = path[: rng.randint(1, 4)]
        path.append((p.Withdraw(reason="Applicant withdrew the claim in writing."), "registration", (5, 40)))
    return path


_UNSET = datetime.min.replace(tzinfo=UTC)


def _held(step: p.Step, recorded: datetime, rng: Random) -> p.Step:
    """An interview of one to three hours, ending a little before its record is entered."""
    if not isinstance(step, p.HoldInterview):
        return step
    ended = recorded - timedelta(minutes=rng.randint(10, 50))
    return replace(step, started_at=ended - timedelta(minutes=rng.randint(60, 180)), ended_at=ended)


def _mode_reason(mode: p.ProcessingMode) -> str:
    return {
        p.ProcessingMode.PRIORITIZED: "Detained; specific needs or detention over a year.",
        p.ProcessingMode.ACCELERATED: "Manifestly well-founded: illegal exit from the DPRK.",
        p.ProcessingMode.REGULAR: "No specific needs; not detained.",
    }[mode]


def _reasons(outcome: p.Outcome) -> str:
    return {
        p.Outcome.REFUGEE_STATUS: "Well-founded fear of persecution for imputed political opinion on return.",
        p.Outcome.COMPLEMENTARY_PROTECTION: "No Convention ground; real risk of torture on return (CAT Art. 3).",
        p.Outcome.HUMANITARIAN_STATUS: "Protection needs not established; humanitarian grounds for stay.",
        p.Outcome.REJECTED: "Material facts not established after the applicant was given the chance to explain.",
    }[outcome]


def _schedule(path: list[tuple[p.Step, str, tuple[int, int]]], case: DemoCase, today: date, rng: Random) -> list[date]:
    """Dates for the steps, counted back from a recent last step so windows come out right."""
    if not path:
        return []
    last = today - timedelta(days=rng.randint(2, 20) if case.target_stage == "appeal_window" else rng.randint(1, 30))
    days = [last]
    for _, _, (low, high) in reversed(path[1:]):
        days.append(days[-1] - timedelta(days=rng.randint(low, high)))
    return list(reversed(days))


def _renew_until(case_id: int, today: date) -> None:
    """Compress the daily renewal runs between registration and today into one pass."""
    from asylon.cases.models import Case

    case = Case.objects.get(pk=case_id)
    for person in services.case_persons(case):
        cases = services.domain_cases_of(person)
        for kind in document_rules.entitlements(cases):
            latest = (
                Document.objects.filter(person=person, type=kind, revoked_on__isnull=True)
                .order_by("-valid_until")
                .first()
            )
            while latest is not None and latest.valid_until - document_rules.RENEWAL_WINDOW < today:
                renewed_on = latest.valid_until - document_rules.RENEWAL_WINDOW
                latest = document_create(
                    person=person, case_id=case_id, document_type=kind, user=None, at=_at(renewed_on, Random(latest.pk))
                )


def _review_detention(case_id: int, officer: User, today: date, rng: Random) -> None:
    """Reviews kept up to date for most detainees, a few overdue; released once protected."""
    from asylon.cases.models import Case
    from asylon.people.models import DetentionEpisode

    case = Case.objects.get(pk=case_id)
    protected = case.final_outcome in {o.value for o in p.PROTECTIVE} and case.state != p.State.APPEAL_WINDOW
    for episode in DetentionEpisode.objects.filter(person__memberships__case=case, released_on__isnull=True):
        if protected:
            reason = "Released on recognition of international protection."
            services.detention_review(
                user=officer, episode_id=episode.pk, release=True, reason=reason, at=case.updated_at
            )
        elif rng.random() < 0.9:
            day = max(today - timedelta(days=rng.randint(0, 28)), case.updated_at.date())
            reason = "Continued: no alternative to detention offered by the authorities yet."
            services.detention_review(
                user=officer, episode_id=episode.pk, release=False, reason=reason, at=_at(day, rng)
            )


def case_load(case: DemoCase, people: dict[str, DemoPerson], staff: dict[str, User], today: date, seed: int) -> int:
    rng = Random(f"{seed}:{case.key}")
    path = _path(case, rng)
    days = _schedule(path, case, today, rng)
    opened = days[0] - timedelta(days=rng.randint(1, 15)) if days else today - timedelta(days=rng.randint(0, 20))
    if case.detained_since and case.detained_since < opened:
        opened = max(case.detained_since + timedelta(days=1), opened - timedelta(days=rng.randint(0, 60)))
    members = [_person_input(people[case.principal], "principal")]
    members += [_person_input(people[key], relation) for key, relation in case.dependants]
    detained = (
        services.DetentionInput(case.detention_site, case.detained_since)
        if case.detention_site and case.detained_since
        else None
    )
    with transaction.atomic():
        opened_case = services.intake_open(
            user=staff["registration"],
            people=members,
            channel=p.Channel(case.channel),
            fear_expressed=people[case.principal].fear_expressed,
            detained=detained,
            at=_at(min(opened, days[0]) if days else opened, rng),
        )
        # Its own stream, so that the interview times leave every other draw of the demo as it was.
        timing = Random(f"{seed}:{case.key}:interview")
        for (step, who, _), day in zip(path, days, strict=True):
            at = _at(day, rng)
            services.case_take(user=staff[who], case_id=opened_case.pk, step=_held(step, at, timing), at=at)
        _renew_until(opened_case.pk, today)
        if detained is not None:
            _review_detention(opened_case.pk, staff["eligibility"], today, rng)
    return opened_case.pk


def scenario_load(scenario: Scenario, *, seed: int, progress: bool = False) -> dict[str, int]:
    """Load every case; each in its own transaction, so an interrupted load leaves whole cases."""
    staff = {username: user for username, (user, _) in staff_ensure_quiet().items()}
    _registers(staff["admin"], scenario.today)
    people = {person.key: person for person in scenario.persons}
    loaded: dict[str, int] = {}
    for case in tqdm(scenario.cases, desc="Loading demo cases", unit="case", disable=not progress):
        loaded[case.key] = case_load(case, people, staff, scenario.today, seed)
    by_person = {case.principal: loaded[case.key] for case in scenario.cases}
    for alert in scenario.alerts:
        raiser = staff["ngo"] if alert.raised_by == "ngo" else staff["monitor"]
        Alert.objects.create(
            office=office_slug(raiser.unit),
            raised_by=raiser,
            organisation=alert.organisation,
            names_given=alert.names_given,
            site=alert.site,
            risk=alert.risk,
            raised_at=_at(alert.raised_on, Random(alert.key)),
            case_id=by_person.get(alert.person) if alert.person else None,
        )
    return loaded


def staff_ensure_quiet() -> dict[str, tuple[User, str]]:
    """The demo accounts, created without a password when they do not exist yet."""
    accounts = {}
    for username, role, unit in STAFF:
        user, created = User.objects.get_or_create(username=username, defaults={"unit": unit})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        RoleGrant.objects.get_or_create(user=user, role=role)
        accounts[username] = (user, "")
    return accounts
