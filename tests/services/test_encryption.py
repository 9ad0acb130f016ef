"""Names are encrypted in the database and found only through blind indexes."""

from __future__ import annotations

import pytest
from django.db import connection

from asylon.cases import services
from asylon.cases.selectors import case_search
from asylon.dataprotection.cipher import DecryptionError
from asylon.people.models import Name, NameKey
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
