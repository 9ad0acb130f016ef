from __future__ import annotations

import re

import pytest
from django.urls import reverse

from asylon.cases import services
from asylon.documents.models import Document
from asylon.procedure import case as p
from asylon.procedure.case import State
from tests.services.helpers import open_case, walk_to


def applicant(hangul: str, hanzi: str, latin: str) -> services.PersonInput:
    return services.PersonInput(
        names=[
            services.NameInput(text=hangul, script="Hang", is_primary=True),
            services.NameInput(text=hanzi, script="Hani", source="chinese_police"),
            services.NameInput(text=latin, script="Latn", romanization="dprk", source="ngo"),
        ],
        sex="F",
        birth_year=1991,
        birth_month=3,
        nationalities=["KP"],
    )


@pytest.fixture
def two_cases(staff):
    ri = open_case(staff, applicant("리순희", "李顺姬", "Ri Sun Hui"))
    kim = open_case(staff, applicant("김철수", "金哲洙", "Kim Chol Su"), channel=p.Channel.SELF_PRESENTED)
    return ri, kim


def numbers_listed(response) -> list[str]:
    return [row.case.number for row in response.context["rows"]]


def test_the_list_shows_each_case_with_the_primary_name_first_and_the_others_beside(staff, browser_for, two_cases):
    ri, _kim = two_cases

    response = browser_for(staff.registrar).get(reverse("front:cases"))

    page = response.content.decode()
    assert response.status_code == 200
    assert ri.number in page
    row = page.partition(ri.number)[2].partition("</tr>")[0]
    names = re.sub(r"<[^>]+>", "", row)
    assert "리순희 · 李顺姬 · Ri Sun Hui" in " ".join(names.split())
    assert "Intake" in page
    assert "Detained" in page
    assert "Self-presented" in page
    # Detained since 1 June 2025, in the short date format of the language.
    assert "06/01/2025" in page


def test_searching_by_part_of_a_hangul_name_finds_the_case(staff, browser_for, two_cases):
    ri, _kim = two_cases

    response = browser_for(staff.registrar).get(reverse("front:cases"), {"q": "순희"})

    assert numbers_listed(response) == [ri.number]


def test_searching_by_a_latin_romanization_ignores_case_and_spaces(staff, browser_for, two_cases):
    _ri, kim = two_cases

    response = browser_for(staff.registrar).get(reverse("front:cases"), {"q": "kim cholsu"})

    assert numbers_listed(response) == [kim.number]


def test_searching_by_case_number_finds_exactly_that_case(staff, browser_for, two_cases):
    _ri, kim = two_cases

    response = browser_for(staff.registrar).get(reverse("front:cases"), {"q": kim.number})

    assert numbers_listed(response) == [kim.number]


def test_searching_by_document_number_finds_the_holders_case(staff, browser_for, two_cases):
    ri, _kim = two_cases
    walk_to(staff, ri, State.REGISTERED)
    document = Document.objects.get(case=ri)

    response = browser_for(staff.registrar).get(reverse("front:cases"), {"q": document.number})

    assert numbers_listed(response) == [ri.number]


def test_the_stage_filter_keeps_only_cases_at_that_stage(staff, browser_for, two_cases):
    ri, kim = two_cases
    walk_to(staff, ri, State.REGISTERED)
    browser = browser_for(staff.registrar)

    assert numbers_listed(browser.get(reverse("front:cases"), {"state": "registered"})) == [ri.number]
    assert numbers_listed(browser.get(reverse("front:cases"), {"state": "intake"})) == [kim.number]


def test_a_search_that_finds_nothing_says_so_and_how_to_search(staff, browser_for, two_cases):
    response = browser_for(staff.registrar).get(reverse("front:cases"), {"q": "박영호"})

    page = response.content.decode()
    assert response.context["rows"] == []
    assert "No case matches “박영호”." in page
    assert "Show all cases" in page


def test_the_list_pages_by_fifty_with_counts_and_links_that_keep_the_search(staff, browser_for):
    for i in range(51):
        open_case(staff, applicant("리순희", "李顺姬", f"Ri Sun Hui {i}"))
    browser = browser_for(staff.registrar)

    first = browser.get(reverse("front:cases"), {"q": "Ri Sun"})
    second = browser.get(reverse("front:cases"), {"q": "Ri Sun", "page": 2})

    assert len(first.context["rows"]) == 50
    assert "1–50 of 51" in first.content.decode()
    assert "?q=Ri+Sun&amp;page=2" in first.content.decode()
    assert len(second.context["rows"]) == 1
    assert "51–51 of 51" in second.content.decode()
    assert set(numbers_listed(first)).isdisjoint(numbers_listed(second))


def test_a_page_number_out_of_range_shows_the_last_page(staff, browser_for, two_cases):
    response = browser_for(staff.registrar).get(reverse("front:cases"), {"page": 99})

    assert response.status_code == 200
    assert len(response.context["rows"]) == 2


@pytest.mark.parametrize("who", ["monitor", "outsider"])
def test_a_monitor_or_an_outsider_sees_no_case_in_the_list(staff, browser_for, two_cases, who):
    response = browser_for(getattr(staff, who)).get(reverse("front:cases"))

    assert response.context["rows"] == []
    assert two_cases[0].number not in response.content.decode()


def test_the_list_reads_a_full_page_in_a_fixed_number_of_queries(staff, browser_for, django_assert_max_num_queries):
    for i in range(12):
        open_case(staff, applicant("리순희", "李顺姬", f"Ri Sun Hui {i}"))
    browser = browser_for(staff.registrar)
    browser.get(reverse("front:cases"))

    # Session, user, roles (header), count, page, names, detentions: none of them once per row.
    with django_assert_max_num_queries(8):
        browser.get(reverse("front:cases"))
