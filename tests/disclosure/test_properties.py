"""Recipients × data categories × case states: never a disclosure to the state a person fled, and
every file is the preview the approver saw.

The expected answer is worked out here from the register as it stands, not by asking the guard."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from asylon.cases import services
from asylon.cases.models import Case
from asylon.people.models import DetentionEpisode, Person
from asylon.procedure.case import State
from asylon.procedure.disclosure import RecipientKind
from asylon.procedure.refusals import Code, Refused
from asylon.safeguards import services as safeguards
from asylon.safeguards.export import disclosure_export, disclosure_preview
from asylon.safeguards.models import Disclosure, DisclosureExport, Recipient
from tests.disclosure.conftest import ASKED
from tests.services.helpers import open_case, principal, walk_to

pytestmark = pytest.mark.django_db

COUNTRIES = ("KP", "ER", "CN", "CH", "CA")
NATIONALITIES = ("KP", "ER")
STATES = (
    State.INTAKE,
    State.REGISTERED,
    State.INTERVIEW_SCHEDULED,
    State.ASSESSMENT_DRAFTED,
    State.APPEAL_WINDOW,
    State.FINAL,
)
ORIGIN_CODES = {
    Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY,
    Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN,
    Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN,
}


def _rename(person):
    services.name_add(person=person, name=services.NameInput(text="Ri Sun-hui", script="Latn", source="unhcr"))


def _rebirth(person):
    person.birth_date = "1990" if person.birth_date != "1990" else "1989"
    person.save(update_fields=["birth_date_sealed"])


def _learn(person):
    person.languages = [*person.languages, "ru"]
    person.save(update_fields=["languages"])


def _need(person):
    person.specific_needs = [*person.specific_needs, "disability"]
    person.save(update_fields=["specific_needs"])


def _release(person):
    episode = DetentionEpisode.objects.filter(person=person).order_by("pk").first()
    episode.released_on = (episode.released_on or ASKED.date()) - timedelta(days=1)
    episode.save(update_fields=["released_on"])


# A change to each field that can change without touching the origins; each call changes it again.
DATA_CHANGES = {"names": _rename, "birth_date": _rebirth, "languages": _learn, "specific_needs": _need}
DATA_CHANGES["detention"] = _release
# What may happen between approval and export.
BETWEEN = ("nothing", "data", "recipient_forwards_to_origin", "recipient_moves_to_origin", "person_moves", "late")

recipients = st.builds(
    lambda kind, country, forwards: (kind, country, sorted(forwards)),
    st.sampled_from(list(RecipientKind)),
    st.sampled_from(COUNTRIES),
    st.frozensets(st.sampled_from(COUNTRIES), max_size=2),
)
field_sets = st.frozensets(st.sampled_from(sorted(safeguards.DISCLOSABLE_FIELDS)), min_size=1)


def origins_of(person: Person, fields) -> frozenset[str]:
    origins = set(person.nationalities) | set(person.habitual_residences)
    if "family" in fields:
        for link in person.family_links.select_related("relative"):
            origins |= set(link.relative.nationalities) | set(link.relative.habitual_residences)
    return frozenset(origins)


def forbidden(recipient: Recipient, origins: frozenset[str]) -> bool:
    return recipient.country in origins or bool(set(recipient.forwards_to) & origins)


def test_no_disclosure_ever_reaches_a_country_of_origin_and_every_file_is_the_approved_preview(staff):
    walked: dict[tuple[State, str], Case] = {}

    def case_in(state: State, nationality: str) -> Case:
        # Cases are walked once per test (the database is rolled back after it, not per example).
        if (state, nationality) not in walked:
            walked[state, nationality] = walk_to(staff, open_case(staff, principal(nationality=nationality)), state)
        return walked[state, nationality]

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        recipient=recipients,
        fields=field_sets,
        state=st.sampled_from(STATES),
        nationality=st.sampled_from(NATIONALITIES),
        between=st.sampled_from(BETWEEN),
        changed=st.sampled_from(sorted(DATA_CHANGES)),
    )
    def check(recipient, fields, state, nationality, between, changed):
        kind, country, forwards = recipient
        case = case_in(state, nationality)
        person = Person.objects.get(pk=case.principal_id)
        residences = list(person.habitual_residences)
        to = Recipient.objects.create(name="Recipient", kind=kind, country=country, forwards_to=forwards)
        asked = safeguards.disclosure_request(
            user=staff.registrar,
            person_id=person.pk,
            recipient_id=to.pk,
            purpose="Purpose.",
            legal_basis="consent",
            fields=sorted(fields),
            at=ASKED,
        )
        if forbidden(to, origins_of(person, fields)):
            assert (asked.status, set(asked.refusal_codes) <= ORIGIN_CODES) == (Disclosure.Status.REFUSED, True)
            for act in (disclosure_preview, disclosure_export):
                with pytest.raises(Refused) as refused:
                    act(user=staff.dpo, disclosure_id=asked.pk, at=ASKED)
                assert set(refused.value.codes) & ORIGIN_CODES
            with pytest.raises(Refused):
                safeguards.disclosure_decide(user=staff.second_dpo, disclosure_id=asked.pk, approve=True, at=ASKED)
            assert not DisclosureExport.objects.filter(disclosure=asked).exists()
            event("refused at request")
            return

        preview = disclosure_preview(user=staff.dpo, disclosure_id=asked.pk, at=ASKED)
        assert preview.content.fields == tuple(sorted(fields))
        assert [set(row) for row in preview.content.rows] == [set(fields)]
        safeguards.disclosure_decide(
            user=staff.dpo, disclosure_id=asked.pk, approve=True, seen_digest=preview.digest, at=ASKED
        )

        exported_at = ASKED + timedelta(hours=1)
        expected: Code | None = None
        if between == "data":
            DATA_CHANGES[changed](person)
            expected = Code.DISCLOSURE_CONTENT_CHANGED if changed in fields else None
        elif between == "recipient_forwards_to_origin":
            to.forwards_to = sorted({*to.forwards_to, nationality})
            to.save(update_fields=["forwards_to"])
            expected = Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN
        elif between == "recipient_moves_to_origin":
            to.country = nationality
            to.save(update_fields=["country"])
            expected = (
                Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY
                if kind == RecipientKind.AUTHORITY
                else Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN
            )
        elif between == "person_moves":
            Person.objects.filter(pk=person.pk).update(habitual_residences=[*residences, to.country])
            expected = (
                Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY
                if kind == RecipientKind.AUTHORITY
                else Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN
            )
        elif between == "late":
            exported_at = ASKED + timedelta(days=8)
            expected = Code.DISCLOSURE_APPROVAL_EXPIRED

        try:
            if expected is not None:
                with pytest.raises(Refused) as refused:
                    disclosure_export(user=staff.registrar, disclosure_id=asked.pk, at=exported_at)
                assert expected in refused.value.codes
                assert not DisclosureExport.objects.filter(disclosure=asked).exists()
                event(f"refused at export: {expected}")
                return
            file = disclosure_export(user=staff.registrar, disclosure_id=asked.pk, at=exported_at)
        finally:
            Person.objects.filter(pk=person.pk).update(habitual_residences=residences)

        event("exported")
        # Exported: the recipient, as the register stands now, is not of, in or sharing with an origin.
        to.refresh_from_db()
        assert not forbidden(to, origins_of(Person.objects.get(pk=person.pk), fields))
        body = json.loads(file.content)
        watermark = file.record.watermark
        assert body["disclosure"]["watermark"] == watermark
        assert [row.pop("watermark") for row in body["rows"]] == [watermark]
        assert (body["fields"], body["rows"]) == (list(preview.content.fields), list(preview.content.rows))

    check()
