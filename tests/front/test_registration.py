"""Registering a person and their family in one form, without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asylon.cases.models import Case, CaseMember, Event
from asylon.people.models import DetentionEpisode, FamilyLink, Name, Person
from tests.services.helpers import open_case, principal

URL = "/register/"


def form(**extra: str) -> dict[str, str]:
    """A principal applicant with three names, and her son, as an officer fills them in."""
    data = {
        "person-TOTAL_FORMS": "2",
        "person-INITIAL_FORMS": "0",
        "link-TOTAL_FORMS": "0",
        "link-INITIAL_FORMS": "0",
        "channel": "detained",
        "fear_expressed": "on",
        "detained": "on",
        "detention_site": "Tumen Border Detention Centre",
        "detained_since": "2025-06-01",
        "person-0-sex": "F",
        "person-0-birth_year": "1991",
        "person-0-birth_month": "3",
        "person-0-nationalities": "KP",
        "person-0-languages": ["ko", "zh"],
        "person-0-interpreter_language": "ko",
        "person-0-interviewer_gender": "F",
        "person-0-interpreter_gender": "F",
        "person-0-specific_needs": ["survivor_of_violence"],
        "person-0-name-TOTAL_FORMS": "3",
        "person-0-name-INITIAL_FORMS": "0",
        "person-0-name-0-text": "리순희",
        "person-0-name-0-script": "Hang",
        "person-0-name-0-source": "self",
        "person-0-name-0-is_primary": "on",
        "person-0-name-1-text": "李顺姬",
        "person-0-name-1-script": "Hani",
        "person-0-name-1-source": "chinese_police",
        "person-0-name-2-text": "Ri Sun Hui",
        "person-0-name-2-script": "Latn",
        "person-0-name-2-romanization": "dprk",
        "person-0-name-2-source": "ngo",
        "person-1-relation": "child",
        "person-1-sex": "M",
        "person-1-birth_year": "2015",
        "person-1-nationalities": "KP",
        "person-1-specific_needs": ["child"],
        "person-1-name-TOTAL_FORMS": "1",
        "person-1-name-INITIAL_FORMS": "0",
        "person-1-name-0-text": "리철",
        "person-1-name-0-script": "Hang",
        "person-1-name-0-source": "self",
        "action": "save",
    }
    data.update(extra)
    return data


def written() -> tuple[int, int, int, int, int]:
    return (
        Case.objects.count(),
        Person.objects.count(),
        Name.objects.count(),
        FamilyLink.objects.count(),
        Event.objects.count(),
    )


def test_the_registration_page_is_for_registration_officers_only(staff, browser_for):
    assert browser_for(staff.registrar).get(URL).status_code == 200
    for who in (staff.eligibility, staff.monitor, staff.outsider):
        assert browser_for(who).get(URL).status_code == 403
        assert browser_for(who).post(URL, form()).status_code == 403
    assert written() == (0, 0, 0, 0, 0)


def test_a_blank_form_offers_a_row_for_each_usual_script(staff, browser_for):
    page = browser_for(staff.registrar).get(URL).content.decode()

    assert 'name="person-0-name-TOTAL_FORMS" value="3"' in page
    assert page.count('value="Hang" selected') == 1 and page.count('value="Hani" selected') == 1
    assert "Add a family member" in page
    assert 'src="/static/front/htmx.min.js"' in page or "front/htmx.min.js" in page
    assert "<script>" not in page  # no inline script: the content policy holds


def test_registering_a_family_writes_persons_names_links_detention_and_case_in_one_go(staff, browser_for):
    response = browser_for(staff.registrar).post(URL, form())

    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert response.url == reverse("front:case", args=[case.pk])
    assert (case.kind, case.channel, case.state) == ("family", "detained", "intake")
    mother, son = case.principal, Person.objects.exclude(pk=case.principal_id).get()
    assert sorted((n.script, n.text, n.source, n.romanization) for n in mother.names.all()) == [
        ("Hang", "리순희", "self", ""),
        ("Hani", "李顺姬", "chinese_police", ""),
        ("Latn", "Ri Sun Hui", "ngo", "dprk"),
    ]
    assert mother.names.get(is_primary=True).text == "리순희"
    assert (mother.birth_date, mother.sex, mother.languages) == ("1991-03", "F", ["ko", "zh"])
    assert mother.specific_needs == ["survivor_of_violence"]
    assert (son.birth_date, son.specific_needs) == ("2015", ["child"])
    assert FamilyLink.objects.get().relation == "child"
    needs = CaseMember.objects.get(case=case, person=mother)
    assert (needs.interpreter_language, needs.interviewer_gender, needs.interpreter_gender) == ("ko", "F", "F")
    assert DetentionEpisode.objects.filter(site="Tumen Border Detention Centre").count() == 2


def test_links_between_dependants_are_recorded_too(staff, browser_for):
    data = form(**{"person-TOTAL_FORMS": "3", "link-TOTAL_FORMS": "1"})
    data.update(
        {
            "person-2-relation": "spouse",
            "person-2-sex": "M",
            "person-2-name-TOTAL_FORMS": "1",
            "person-2-name-INITIAL_FORMS": "0",
            "person-2-name-0-text": "김철수",
            "person-2-name-0-script": "Hang",
            "person-2-name-0-source": "self",
            "link-0-person": "1",
            "link-0-relation": "child",
            "link-0-relative": "2",
        }
    )

    assert browser_for(staff.registrar).post(URL, data).status_code == 302

    links = {
        (link.person.names.get().text if link.person.names.count() == 1 else "principal", link.relation)
        for link in FamilyLink.objects.select_related("person")
    }
    assert ("리철", "child") in links
    assert FamilyLink.objects.count() == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("person-0-birth_month", "13", "Select a valid choice."),
        ("person-0-birth_year", "1850", "Ensure this value is greater than or equal to 1900."),
        ("person-1-name-0-romanization", "rr", "Only a name in Latin letters has a romanization."),
        ("person-0-nationalities", "North Korea", "Not two-letter country codes"),
        ("detention_site", "", "Give the detention site."),
    ],
)
def test_a_bad_field_writes_nothing_and_is_named_beside_it_with_the_typed_input_kept(
    staff, browser_for, field, value, message
):
    response = browser_for(staff.registrar).post(URL, form(**{field: value}))

    assert response.status_code == 422
    assert written() == (0, 0, 0, 0, 0)
    page = response.content.decode()
    assert message in page
    # The error sits in the field's own block, right after it.
    block = page.partition(f'id="id_{field}"')[2].partition('<div class="field')[0]
    assert message in block, block
    assert 'value="李顺姬"' in page and 'value="Ri Sun Hui"' in page
    assert 'value="Tumen Border Detention Centre"' in page or field == "detention_site"


def test_a_day_without_a_month_is_refused_beside_the_day(staff, browser_for):
    response = browser_for(staff.registrar).post(URL, form(**{"person-0-birth_month": "", "person-0-birth_day": "7"}))

    assert response.status_code == 422
    assert "A day needs the year and the month." in response.content.decode()
    assert written() == (0, 0, 0, 0, 0)


def test_a_person_without_any_name_is_refused(staff, browser_for):
    response = browser_for(staff.registrar).post(URL, form(**{"person-1-name-0-text": ""}))

    assert response.status_code == 422
    assert "Give at least one name." in response.content.decode()
    assert written() == (0, 0, 0, 0, 0)


def test_an_error_found_by_the_intake_service_rolls_everything_back(staff, browser_for):
    # The form reads each link; the intake service judges it, inside the transaction that would write it all.
    data = form(**{"link-TOTAL_FORMS": "1", "link-0-person": "1", "link-0-relation": "sibling", "link-0-relative": "1"})

    response = browser_for(staff.registrar).post(URL, data)

    assert response.status_code == 422
    assert "A person is not linked to themselves." in response.content.decode()
    assert written() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("ko", "사람을 자기 자신과 연결할 수 없습니다."), ("zh-hans", "一个人不能与其本人关联。")],
)
def test_what_the_intake_service_finds_reads_in_the_officers_language(staff, browser_for, language, sentence):
    data = form(**{"link-TOTAL_FORMS": "1", "link-0-person": "1", "link-0-relation": "sibling", "link-0-relative": "1"})

    response = browser_for(staff.registrar).post(URL, data, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 422
    assert sentence in response.content.decode()
    assert written() == (0, 0, 0, 0, 0)


def test_adding_a_family_member_keeps_what_was_typed_and_writes_nothing(staff, browser_for):
    response = browser_for(staff.registrar).post(URL, form(action="add_person"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="person-TOTAL_FORMS" value="3"' in page
    assert 'name="person-2-name-TOTAL_FORMS" value="3"' in page
    assert 'value="리순희"' in page and 'value="리철"' in page
    assert "Family member 3" in page
    assert 'class="error"' not in page  # the new empty row is not judged until saved
    assert written() == (0, 0, 0, 0, 0)


def test_adding_a_name_row_to_one_member(staff, browser_for):
    response = browser_for(staff.registrar).post(URL, form(action="add_name-1"))

    assert 'name="person-1-name-TOTAL_FORMS" value="2"' in response.content.decode()


def test_possible_duplicates_are_shown_before_saving_and_must_be_confirmed(staff, browser_for):
    existing = open_case(staff, principal("리순희"))
    browser = browser_for(staff.registrar)

    response = browser.post(URL, form())

    assert response.status_code == 409
    page = response.content.decode()
    assert "Possible duplicates" in page and existing.number in page
    assert Case.objects.count() == 1
    confirmed = browser.post(URL, form(confirm_no_duplicate="on"))
    assert confirmed.status_code == 302
    assert Case.objects.count() == 2


def test_the_duplicates_panel_answers_alone_for_htmx(staff, browser_for):
    existing = open_case(staff, principal("리순희"))

    response = browser_for(staff.registrar).post(reverse("front:register_duplicates"), form(action="check"))

    assert response.status_code == 200
    assert existing.number in response.content.decode()
    assert "<html" not in response.content.decode()


def test_a_duplicate_in_a_case_the_officer_may_not_read_is_never_shown(staff, browser_for):
    elsewhere = open_case(staff, principal("리순희"))
    Case.objects.filter(pk=elsewhere.pk).update(office="bangkok")

    response = browser_for(staff.registrar).post(reverse("front:register_duplicates"), form(action="check"))

    assert elsewhere.number not in response.content.decode()
    assert "No possible duplicate found" in response.content.decode()


def test_registering_from_an_alert_answers_it(staff, browser_for):
    from asylon.cases.models import Alert
    from tests.services.helpers import T0

    alert = Alert.objects.create(raised_by=staff.ngo, organisation="Border NGO", names_given="리순희", raised_at=T0)
    browser = browser_for(staff.registrar)

    page = browser.get(URL, {"alert": alert.pk}).content.decode()
    assert "Answering an alert" in page and "Border NGO" in page
    response = browser.post(URL, form(alert=str(alert.pk), channel="alert"))

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.case == Case.objects.get()


def test_a_name_can_be_marked_as_an_alias_and_is_shown_as_one(staff, browser_for):
    browser = browser_for(staff.registrar)
    data = form(
        **{
            "person-0-name-TOTAL_FORMS": "4",
            "person-0-name-3-text": "김영희",
            "person-0-name-3-script": "Hang",
            "person-0-name-3-source": "chinese_police",
            "person-0-name-3-is_alias": "on",
        }
    )

    response = browser.post(URL, data)

    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get()
    names = {n.text: n.is_alias for n in Name.objects.filter(person=case.principal)}
    assert names == {"리순희": False, "李顺姬": False, "Ri Sun Hui": False, "김영희": True}
    page = browser.get(response["Location"]).content.decode()
    assert '<span lang="ko">김영희</span> <span class="tag alias">alias</span>' in page


def test_the_primary_name_cannot_be_an_alias_and_nothing_is_saved(staff, browser_for):
    data = form(**{"person-0-name-0-is_alias": "on"})

    response = browser_for(staff.registrar).post(URL, data)

    assert response.status_code == 422
    names = response.context["registration"].members[0].names
    assert names.forms[0].errors == {"is_alias": ["The primary name cannot be an alias."]}
    assert not Case.objects.exists()
