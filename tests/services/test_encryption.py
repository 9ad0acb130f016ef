"""Names are encrypted in the database and found only through blind indexes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import connection

from asylon.cases import services
from asylon.cases.selectors import case_search
from asylon.dataprotection.cipher import DecryptionError
from asylon.people.models import Name, NameKey, Person
from tests.services.helpers import open_case, principal


def kim() -> services.PersonInput:
    return services.PersonInput(
        names=[
            services.NameInput(text="김철수", script="Hang", family_name="김", given_name="철수", is_primary=True),
            services.NameInput(text="Kim Chol Su", script="Latn", romanization="dprk", source="ngo"),
        ],
        sex="M",
        nationalities=["KP"],
    )


pytestmark = pytest.mark.django_db


def dump_names() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_name")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM people_namekey")
        rows += cursor.fetchall()
    return repr(rows)


def test_no_name_is_readable_in_the_database(staff):
    open_case(staff, principal("리순희"))
    dump = dump_names()
    for clear in ("리순희", "순희", "Ri Sun Hui", "risunhui", "sunhui"):
        assert clear not in dump
    name = Name.objects.get(script="Hang")
    assert name.text == "리순희"
    assert name.text_sealed.startswith("v1:")


def test_a_name_moved_to_another_row_does_not_decrypt(staff):
    open_case(staff, principal("리순희"))
    open_case(staff, kim())
    first, second = Name.objects.filter(script="Hang").order_by("pk")
    Name.objects.filter(pk=second.pk).update(text_sealed=first.text_sealed)
    with pytest.raises(DecryptionError):
        _ = Name.objects.get(pk=second.pk).text


@pytest.mark.parametrize("typed", ["리순희", "순희", "Ri Sun Hui", "ri sun-hui", "Sun Hui", "Ri Sun", "RI"])
def test_a_case_is_found_by_what_an_officer_types(staff, typed):
    case = open_case(staff, principal("리순희"))
    open_case(staff, kim())
    assert list(case_search(staff.registrar, typed)) == [case]


def test_only_whole_words_and_name_parts_are_indexed(staff):
    open_case(staff, principal("리순희"))
    assert list(case_search(staff.registrar, "Su")) == []
    assert NameKey.objects.count() > 0


def test_narratives_and_reasons_are_sealed_in_every_table(staff):
    from asylon.cases.models import Assessment, Decision
    from asylon.procedure import case as p
    from tests.procedure.personas import assessment
    from tests.services.helpers import walk_to

    case = walk_to(staff, open_case(staff, principal("리순희")), p.State.DECIDED)
    clear = [
        assessment().material_facts,
        assessment().complementary_protection,
        "Detained over a year.",  # the screening reason, kept on the event
        "Reasons.",  # the decision's written reasons
    ]
    with connection.cursor() as cursor:
        dump = ""
        for table in ("cases_assessment", "cases_decision", "cases_event", "cases_interview"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump += repr(cursor.fetchall())
    for text in clear:
        assert text not in dump
    assert Assessment.objects.get(case=case).material_facts == assessment().material_facts
    assert Decision.objects.get(case=case).reasons == "Reasons."
    assert case.events.get(type="screen").reason == "Detained over a year."


def test_every_read_of_a_case_file_is_recorded_without_personal_data(staff):
    from asylon.cases.models import CaseRead
    from asylon.cases.selectors import case_get_for_user

    case = open_case(staff, principal("리순희"))
    case_get_for_user(staff.reviewer, case.pk, purpose="review")
    read = CaseRead.objects.get()
    assert (read.case, read.user, read.purpose) == (case, staff.reviewer, "review")
    with pytest.raises(services.NotFound):
        case_get_for_user(staff.monitor, case.pk, purpose="curiosity")
    assert CaseRead.objects.count() == 1


def test_a_read_that_cannot_be_recorded_is_not_served(staff, monkeypatch):
    from asylon.cases import selectors
    from asylon.cases.models import CaseRead

    case = open_case(staff, principal("리순희"))

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(CaseRead.objects, "create", broken)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        selectors.case_get_for_user(staff.reviewer, case.pk, purpose="review")


def dump_people() -> tuple[list[str], str]:
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "people_person")]
        cursor.execute("SELECT * FROM people_person")
        return columns, repr(cursor.fetchall())


def test_birth_date_province_and_contact_are_not_readable_in_the_database(staff):
    applicant = replace(
        principal("리순희"), birth_day=7, province="Ryanggang", contact="Hyesan, 연봉동 12; +82 10 1234 5678"
    )
    case = open_case(staff, applicant)
    columns, dump = dump_people()
    assert not {"birth_year", "birth_month", "birth_day", "province", "contact"} & set(columns)
    # Strings no base64 ciphertext can hold by chance ("-", spaces and Hangul are not in its alphabet).
    for clear in ("1991-03", "Ryanggang", "Hyesan", "연봉동", "1234 5678"):
        assert clear not in dump
    person = Person.objects.get(pk=case.principal_id)
    assert (person.birth_year, person.birth_month, person.birth_day) == (1991, 3, 7)
    assert (person.birth_date_text, person.province) == ("1991-03-07", "Ryanggang")
    assert person.contact == "Hyesan, 연봉동 12; +82 10 1234 5678"
    assert person.birth_date_sealed.startswith("v1:main:")


@pytest.mark.parametrize(
    ("year", "month", "day", "stored", "shown"),
    [
        (1991, 3, 7, "1991-03-07", "1991-03-07"),
        (1991, 3, None, "1991-03", "1991-03"),
        (1991, None, None, "1991", "1991"),
        (None, None, None, "", "????"),
    ],
)
def test_a_partial_birth_date_keeps_exactly_what_is_known(staff, year, month, day, stored, shown):
    applicant = replace(principal(), birth_year=year, birth_month=month, birth_day=day)
    person = Person.objects.get(pk=open_case(staff, applicant).principal_id)
    assert (person.birth_date, person.birth_date_text) == (stored, shown)
    assert (person.birth_year, person.birth_month, person.birth_day) == (year, month, day)
    assert bool(person.birth_date_sealed) == bool(stored)


@pytest.mark.parametrize(
    ("year", "month", "day", "field", "message"),
    [
        (1991, 13, None, "birth_month", "Needs a year, and must be 1 to 12."),
        (1991, 0, None, "birth_month", "Needs a year, and must be 1 to 12."),
        (None, 3, None, "birth_month", "Needs a year, and must be 1 to 12."),
        (1991, None, 7, "birth_day", "A day needs a year and a month."),
        (1991, 2, 30, "birth_day", "1991-02 has no day 30."),
        (1899, None, None, "birth_year", "Must be a year between 1900 and 2100."),
    ],
)
def test_a_birth_date_the_old_constraints_refused_is_refused_and_nothing_is_written(
    staff, year, month, day, field, message
):
    applicant = replace(principal(), birth_year=year, birth_month=month, birth_day=day)
    with pytest.raises(services.InvalidInput) as invalid:
        open_case(staff, applicant)
    assert invalid.value.errors == {f"people[0].{field}": message}
    assert Person.objects.count() == 0


def test_a_province_or_contact_longer_than_the_record_holds_is_named(staff):
    applicant = replace(principal(), province="도" * 101, contact="x" * 501)
    with pytest.raises(services.InvalidInput) as invalid:
        open_case(staff, applicant)
    assert invalid.value.errors == {
        "people[0].province": "At most 100 characters.",
        "people[0].contact": "At most 500 characters.",
    }
    assert Person.objects.count() == 0


def test_a_sealed_birth_date_moved_to_another_person_or_column_does_not_decrypt(staff):
    first = open_case(staff, replace(principal("리순희"), province="Ryanggang")).principal
    second = open_case(staff, kim()).principal
    Person.objects.filter(pk=second.pk).update(birth_date_sealed=first.birth_date_sealed)
    Person.objects.filter(pk=first.pk).update(contact_sealed=first.province_sealed)
    with pytest.raises(DecryptionError, match="does not belong here"):
        _ = Person.objects.get(pk=second.pk).birth_date
    with pytest.raises(DecryptionError, match="does not belong here"):
        _ = Person.objects.get(pk=first.pk).contact
