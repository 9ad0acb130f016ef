"""Removals, disclosures and the no-return register: each write asks the core's guard."""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from asylon.accounts.models import User
from asylon.cases.access import cases_for_user
from asylon.cases.models import Case, CaseMember
from asylon.cases.services import InvalidInput, NotFound, domain_cases_of, event_append, require_role, too_long
from asylon.people.identity import cluster_ids, cluster_lock
from asylon.people.models import FamilyLink, Person, is_country_code
from asylon.procedure import disclosure as disclosure_rules
from asylon.procedure import register as register_rules
from asylon.procedure import removal as removal_rules
from asylon.procedure.refusals import Code, Refusal, Refused
from asylon.procedure.roles import Role
from asylon.safeguards.models import (
    Attestation,
    Disclosure,
    NoReturnListing,
    OnwardReturn,
    Recipient,
    Removal,
    SafeThirdCountry,
)
from asylon.transparency.services import attestation_log, disclosure_decision_log, listing_log


def no_return_countries(today: date) -> frozenset[str]:
    active = NoReturnListing.objects.filter(
        Q(delisted_on__isnull=True) | Q(delisted_on__gt=today), listed_on__lte=today
    )
    return frozenset(active.values_list("country", flat=True))


def country_safety(today: date) -> removal_rules.CountrySafety:
    return removal_rules.CountrySafety(
        no_return=no_return_countries(today),
        safe_third_countries=frozenset(
            SafeThirdCountry.objects.filter(designated_on__lte=today).values_list("country", "nationality")
        ),
        onward_returns=frozenset(OnwardReturn.objects.values_list("country", "origin")),
    )


DISCLOSABLE_FIELDS = frozenset(
    {
        "names",
        "birth_date",
        "sex",
        "nationalities",
        "languages",
        "specific_needs",
        "family",
        "documents",
        "detention",
        "case_status",
    }
)


def _country(code: str, field: str = "country") -> str:
    code = code.strip().upper()
    if not is_country_code(code):
        raise InvalidInput({field: f"Must be a two-letter ISO 3166 code, not {code!r}."})
    return code


def _lock_person_cases(person: Person) -> tuple[list[Person], list[Case]]:
    """Every record of the human being (the merge cluster: a duplicate record may hold the
    pending claim) and every case of any of them, locked: first the records, then the cases,
    each in primary-key order, as a merge or un-merge locks its pair and their cases
    (asylon.people.identity._locked), so neither can change the cluster under the guard: it
    committed before, and is seen, or it waits. An appeal lodged meanwhile either lands
    before the guard looks, or waits for it."""
    cluster = cluster_lock(person)
    # (DISTINCT cannot be combined with FOR UPDATE on PostgreSQL, hence the subquery.)
    theirs = CaseMember.objects.filter(person__in=[p.pk for p in cluster]).values("case_id")
    return cluster, list(Case.objects.select_for_update().filter(pk__in=theirs).order_by("pk"))


# The no-return register's lock, one per country: pg_advisory_xact_lock(REGISTER_LOCK, country).
# A removal takes its destination's before the guard reads the register, and holds it to its
# commit; a listing or delisting takes it before it reads the register. Without it, under READ
# COMMITTED, a carry-out could read the register, a listing of its destination commit, and the
# carry-out commit after it: a removal to a country already on the register. No row to lock
# exists before the first listing, hence an advisory lock (the two-key space, which does not
# overlap asylon.transparency.storage's one-key locks). SQLite needs none: settings.py opens
# every transaction IMMEDIATE, so writers are serialized already.
REGISTER_LOCK = 0x4E52  # "NR"


def _register_lock(country: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = int.from_bytes(country.encode("ascii"), "big")
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REGISTER_LOCK, key])


@transaction.atomic
def register_list(*, user: User, country: str, reason: str, at: datetime | None = None) -> NoReturnListing:
    at = at or timezone.now()
    country = _country(country)
    _register_lock(country)
    refusals = register_rules.listing_refusals(country, no_return_countries(at.date()), user.actor())
    if not reason.strip():
        refusals.append(Refusal.of(Code.REASON_MISSING))
    if refusals:
        raise Refused(refusals)
    listing = NoReturnListing.objects.create(country=country, reason=reason, listed_on=at.date(), listed_by=user)
    listing_log(listing, action="listed", actor_id=user.pk, at=at)
    return listing


@transaction.atomic
def attestation_record(
    *, user: User, country: str, organisation: str, statement: str, at: datetime | None = None
) -> Attestation:
    at = at or timezone.now()
    refusals = register_rules.attestation_refusals(user.actor())
    if not organisation.strip() or not statement.strip():
        refusals.append(Refusal.of(Code.REASON_MISSING))
    if refusals:
        raise Refused(refusals)
    if too_long(Attestation, {"organisation": organisation}):
        raise InvalidInput(too_long(Attestation, {"organisation": organisation}))
    attestation = Attestation.objects.create(
        country=_country(country), monitor=user, organisation=organisation, attested_on=at.date(), statement=statement
    )
    attestation_log(attestation, at=at)
    return attestation


@transaction.atomic
def register_delist(*, user: User, country: str, at: datetime | None = None) -> NoReturnListing:
    at = at or timezone.now()
    country = _country(country)
    _register_lock(country)
    listing = NoReturnListing.objects.select_for_update().filter(country=country, delisted_on__isnull=True).first()
    attestations = tuple(
        register_rules.Attestation(a.country, a.monitor_id, a.organisation, a.attested_on)
        for a in Attestation.objects.filter(country=country)
    )
    refusals = register_rules.delisting_refusals(
        country, no_return_countries(at.date()), attestations, user.actor(), at.date()
    )
    if refusals:
        raise Refused(refusals)
    assert listing is not None
    listing.delisted_on = at.date()
    listing.delisted_by = user
    listing.save(update_fields=["delisted_on", "delisted_by"])
    listing_log(listing, action="delisted", actor_id=user.pk, at=at)
    return listing


def _person_for(user: User, person_id: int) -> Person:
    """A person in a case this user may see; the same answer for missing and forbidden."""
    person = Person.objects.filter(pk=person_id, memberships__case__in=cases_for_user(user)).first()
    if person is None:
        raise NotFound(f"person {person_id}")
    return person


@transaction.atomic
def removal_request(*, user: User, person_id: int, destination: str, at: datetime | None = None) -> Removal:
    """Ask the guard. The attempt is recorded whatever it answers, and returned: a refused one
    with status "refused" and the guard's codes. Only a removal officer's attempts count."""
    require_role(user, removal_rules.REMOVERS)
    at = at or timezone.now()
    destination = _country(destination, "destination")
    person = _person_for(user, person_id)
    cluster, cases = _lock_person_cases(person)
    refusals = _removal_refusals(cluster, destination, user, at)
    removal = Removal.objects.create(
        person=person,
        destination=destination,
        requested_by=user,
        requested_at=at,
        status=Removal.Status.REFUSED if refusals else Removal.Status.ALLOWED,
        refusal_codes=[r.code for r in refusals],
    )
    for case in cases:
        event_append(
            case=case,
            type="removal_refused" if refusals else "removal_allowed",
            actor=user,
            at=at,
            data={"removal": removal.pk, "destination": destination, "refusals": removal.refusal_codes},
            state_before=case.state,
        )
    return removal


def _removal_refusals(cluster: list[Person], destination: str, user: User, at: datetime) -> list[Refusal]:
    """The guard, on the whole human being: the origins and cases of every record in the
    cluster, locked by `_lock_person_cases`; the register read under the destination's lock."""
    origins = frozenset[str]().union(*(p.origins for p in cluster))
    subject = removal_rules.Person(origins=origins, cases=domain_cases_of(*cluster))
    _register_lock(destination)
    return removal_rules.removal_refusals(subject, destination, country_safety(at.date()), user.actor(), at.date())


@transaction.atomic
def removal_carry_out(*, user: User, removal_id: int, at: datetime | None = None) -> Removal:
    """The guard is asked again at the moment of removal: an appeal or a listing may have come
    since. Refused then, the removal is recorded as refused with this attempt's reasons."""
    require_role(user, removal_rules.REMOVERS)
    at = at or timezone.now()
    visible = Person.objects.filter(memberships__case__in=cases_for_user(user)).values("pk")
    # The removal's row alone: its person is locked with the rest of the cluster, in order.
    removal = (
        Removal.objects.select_for_update(of=("self",))
        .filter(pk=removal_id, person__in=visible)
        .select_related("person")
        .first()
    )
    if removal is None:
        raise NotFound(f"removal {removal_id}")
    if removal.status != Removal.Status.ALLOWED:
        # Nothing to carry out: a refused or completed removal stays as it was recorded.
        raise Refused([Refusal.of(Code.STATE_DOES_NOT_ALLOW)])
    cluster, cases = _lock_person_cases(removal.person)
    refusals = _removal_refusals(cluster, removal.destination, user, at)
    if refusals:
        for case in cases:
            event_append(
                case=case,
                type="removal_refused",
                actor=user,
                at=at,
                data={
                    "removal": removal.pk,
                    "destination": removal.destination,
                    "refusals": [r.code for r in refusals],
                },
                state_before=case.state,
            )
        removal.status = Removal.Status.REFUSED
        removal.refusal_codes = [r.code for r in refusals]
        removal.save(update_fields=["status", "refusal_codes"])
        return removal
    removal.status = Removal.Status.CARRIED_OUT
    removal.carried_out_by = user
    removal.carried_out_at = at
    removal.save(update_fields=["status", "carried_out_by", "carried_out_at"])
    for case in cases:
        event_append(
            case=case,
            type="removal_carried_out",
            actor=user,
            at=at,
            data={"removal": removal.pk, "destination": removal.destination},
            state_before=case.state,
        )
    return removal


def _recipient_domain(recipient: Recipient) -> disclosure_rules.Recipient:
    return disclosure_rules.Recipient(
        recipient.name,
        disclosure_rules.RecipientKind(recipient.kind),
        recipient.country,
        frozenset(recipient.forwards_to),
    )


def _disclosure_domain(d: Disclosure) -> disclosure_rules.Disclosure:
    return disclosure_rules.Disclosure(
        _recipient_domain(d.recipient),
        d.purpose,
        disclosure_rules.LegalBasis(d.legal_basis) if d.legal_basis else None,
        frozenset(d.fields),
    )


def disclosed_origins(person: Person, fields: list[str]) -> frozenset[str]:
    """The countries the origin guard protects: those of every record of the person (the merge
    cluster, locked in primary-key order, so a merge or un-merge is seen or waits), and, where
    the `family` field would name relatives (asylon.safeguards.export lists them by name),
    those of every record of each relative of any of those records. Called inside the
    request's, approval's, preview's and export's transaction."""
    cluster = cluster_lock(person)
    origins = frozenset[str]().union(*(p.origins for p in cluster))
    if "family" in fields:
        relatives = FamilyLink.objects.filter(person__in=[p.pk for p in cluster]).values_list("relative", flat=True)
        theirs = {pk for relative in set(relatives) for pk in cluster_ids(relative)}
        for relative in Person.objects.filter(pk__in=theirs):
            origins |= relative.origins
    return origins


@transaction.atomic
def recipient_create(
    *, user: User, name: str, kind: str, country: str, forwards_to: list[str] | None = None, agreement: str = ""
) -> Recipient:
    if not user.actor().has_any(frozenset({Role.DATA_PROTECTION_OFFICER, Role.ADMINISTRATOR})):
        raise Refused([Refusal.of(Code.ROLE_NOT_PERMITTED)])
    kinds = [k.value for k in disclosure_rules.RecipientKind]
    if kind not in kinds:
        raise InvalidInput({"kind": f"Must be one of: {', '.join(kinds)}."})
    if not name.strip():
        raise InvalidInput({"name": "This field is required."})
    if too_long(Recipient, {"name": name}):
        raise InvalidInput(too_long(Recipient, {"name": name}))
    return Recipient.objects.create(
        name=name,
        kind=kind,
        country=_country(country),
        forwards_to=[_country(c, "forwards_to") for c in forwards_to or []],
        agreement=agreement,
    )


@transaction.atomic
def disclosure_request(
    *,
    user: User,
    person_id: int,
    recipient_id: int,
    purpose: str,
    legal_basis: str | None,
    fields: list[str],
    at: datetime | None = None,
) -> Disclosure:
    """Recorded whatever the guard answers; a refused request stays refused."""
    require_role(user, disclosure_rules.REQUESTERS)
    at = at or timezone.now()
    bases = [b.value for b in disclosure_rules.LegalBasis]
    if legal_basis and legal_basis not in bases:
        raise InvalidInput({"legal_basis": f"Must be one of: {', '.join(bases)}."})
    unknown = sorted(set(fields) - DISCLOSABLE_FIELDS)
    if unknown:
        raise InvalidInput({"fields": f"Unknown fields: {', '.join(unknown)}."})
    # The origin guard's answer below depends on the person; only a user who may see the person
    # gets that far. To anyone else a person who exists and one who does not look the same.
    person = _person_for(user, person_id)
    recipient = Recipient.objects.filter(pk=recipient_id).first()
    if recipient is None:
        raise NotFound(f"recipient {recipient_id}")
    disclosure = Disclosure(
        person=person,
        recipient=recipient,
        purpose=purpose,
        legal_basis=legal_basis or "",
        fields=sorted(set(fields)),
        requested_by=user,
        requested_at=at,
    )
    refusals = disclosure_rules.request_refusals(
        _disclosure_domain(disclosure), disclosed_origins(person, disclosure.fields), user.actor()
    )
    disclosure.status = Disclosure.Status.REFUSED if refusals else Disclosure.Status.PENDING
    disclosure.refusal_codes = [r.code for r in refusals]
    disclosure.save()
    disclosure_decision_log(disclosure, origins=disclosed_origins(person, disclosure.fields), at=at)
    return disclosure


@transaction.atomic
def disclosure_decide(
    *, user: User, disclosure_id: int, approve: bool, seen_digest: str | None = None, at: datetime | None = None
) -> Disclosure:
    """An approval fixes the content: its digest is stored, and an export goes out only while the
    content still has it. `seen_digest`, the digest of the preview the approver looked at, makes
    the approval refused if the data changed in between."""
    require_role(user, frozenset({Role.DATA_PROTECTION_OFFICER}))
    at = at or timezone.now()
    visible = Person.objects.filter(memberships__case__in=cases_for_user(user)).values("pk")
    # The disclosure and its recipient; its person is locked with the rest of the cluster, in order.
    d = (
        Disclosure.objects.select_for_update(of=("self", "recipient"))
        .select_related("recipient", "person")
        .filter(pk=disclosure_id, person__in=visible)
        .first()
    )
    if d is None:
        raise NotFound(f"disclosure {disclosure_id}")
    d.person = next(p for p in cluster_lock(d.person) if p.pk == d.person_id)
    if d.status != Disclosure.Status.PENDING:
        raise Refused([Refusal.of(Code.DISCLOSURE_ALREADY_DECIDED)])
    refusals = disclosure_rules.approval_refusals(
        _disclosure_domain(d), disclosed_origins(d.person, d.fields), d.requested_by_id, user.actor()
    )
    if approve and refusals:
        raise Refused(refusals)
    role_refusals = [r for r in refusals if r.code in (Code.ROLE_NOT_PERMITTED, Code.APPROVER_IS_REQUESTER)]
    if not approve and role_refusals:
        raise Refused(role_refusals)
    digest = ""
    if approve:
        # Imported here: the export module builds on this one.
        from asylon.safeguards.export import disclosure_content

        digest = disclosure_content(d).digest
        if seen_digest is not None and seen_digest != digest:
            raise Refused([Refusal.of(Code.DISCLOSURE_CONTENT_CHANGED)])
    d.status = Disclosure.Status.APPROVED if approve else Disclosure.Status.REJECTED
    d.decided_by = user
    d.decided_at = at
    d.approved_digest = digest
    d.save(update_fields=["status", "decided_by", "decided_at", "approved_digest"])
    disclosure_decision_log(d, origins=disclosed_origins(d.person, d.fields), at=at)
    return d
