from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

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


def search(browser, query: str, **fields):
    """Post the search form and follow the redirect, as the browser does."""
    return browser.post(reverse("front:cases"), {"q": query, **fields}, follow=True)


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
    assert "2025-06-01" in page  # ISO 8601 in English, never the US month-first order


def test_searching_by_part_of_a_hangul_name_finds_the_case(staff, browser_for, two_cases):
    ri, _kim = two_cases

    response = search(browser_for(staff.registrar), "순희")

    assert numbers_listed(response) == [ri.number]


def test_searching_by_a_latin_romanization_ignores_case_and_spaces(staff, browser_for, two_cases):
    _ri, kim = two_cases

    response = search(browser_for(staff.registrar), "kim cholsu")

    assert numbers_listed(response) == [kim.number]


def test_searching_by_case_number_finds_exactly_that_case(staff, browser_for, two_cases):
    _ri, kim = two_cases

    response = search(browser_for(staff.registrar), kim.number)

    assert numbers_listed(response) == [kim.number]


def test_searching_by_document_number_finds_the_holders_case(staff, browser_for, two_cases):
    ri, _kim = two_cases
    walk_to(staff, ri, State.REGISTERED)
    document = Document.objects.get(case=ri)

    response = search(browser_for(staff.registrar), document.number)

    assert numbers_listed(response) == [ri.number]


def test_the_stage_filter_keeps_only_cases_at_that_stage(staff, browser_for, two_cases):
    ri, kim = two_cases
    walk_to(staff, ri, State.REGISTERED)
    browser = browser_for(staff.registrar)

    assert numbers_listed(browser.get(reverse("front:cases"), {"state": "registered"})) == [ri.number]
    assert numbers_listed(browser.get(reverse("front:cases"), {"state": "intake"})) == [kim.number]


def test_a_search_that_finds_nothing_says_so_and_how_to_search(staff, browser_for, two_cases):
    response = search(browser_for(staff.registrar), "박영호")

    page = response.content.decode()
    assert response.context["rows"] == []
    assert "No case matches “박영호”." in page
    assert "Show all cases" in page


def test_the_list_pages_by_twenty_five_with_counts_and_links_that_keep_the_search(staff, browser_for):
    for i in range(26):
        open_case(staff, applicant("리순희", "李顺姬", f"Ri Sun Hui {i}"))
    browser = browser_for(staff.registrar)

    first = search(browser, "Ri Sun")
    token = first.context["request"].GET["s"]
    second = browser.get(reverse("front:cases"), {"s": token, "page": 2})

    assert len(first.context["rows"]) == 25
    assert "1–25 of 26" in first.content.decode()
    assert f"?s={token}&amp;page=2" in first.content.decode()
    assert len(second.context["rows"]) == 1
    assert "26–26 of 26" in second.content.decode()
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


# What an officer types into the search stays out of every address (issue 6): out of the
# browser's history, the server's access log and the Referer of the next request.


def test_a_search_is_posted_and_answered_at_an_address_that_holds_only_a_token(staff, browser_for, two_cases):
    ri, _kim = two_cases
    browser = browser_for(staff.registrar)

    response = search(browser, "리순희", state="intake")

    [(address, status)] = response.redirect_chain
    assert status == 303
    assert re.fullmatch(r"/cases/\?s=[\w-]{8}&state=intake", address), address
    for form in ("리순희", quote("리순희"), quote_plus("리순희"), "q="):
        assert form not in address
    assert numbers_listed(response) == [ri.number]
    # The officer still sees what they searched for, in the page (which is never cached).
    assert response.context["query"] == "리순희"
    assert 'value="리순희"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_search_form_posts_with_its_csrf_token(staff, browser_for):
    page = browser_for(staff.registrar).get(reverse("front:cases")).content.decode()

    form = page.partition('role="search"')[0].rpartition("<form")[2]
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in page.partition('role="search"')[2].partition("</form>")[0]


def test_pages_tell_the_browser_to_send_no_address_to_another_site(staff, browser_for, two_cases):
    response = search(browser_for(staff.registrar), "Ri Sun Hui")

    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.content.decode()
    # Within the site, the Referer of the next click is this address: a token, no name.
    assert "Ri" not in response.redirect_chain[0][0]


def test_a_name_in_the_address_is_not_searched(staff, browser_for, two_cases):
    # An old bookmark with ?q= shows the whole list: the address is never a way to search.
    response = browser_for(staff.registrar).get(reverse("front:cases"), {"q": "리순희"})

    assert len(response.context["rows"]) == 2
    assert response.context["query"] == ""


def test_an_unknown_search_token_shows_every_case_and_says_the_search_is_gone(staff, browser_for, two_cases):
    response = browser_for(staff.registrar).get(reverse("front:cases"), {"s": "nosuchtk"})

    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert "That search is no longer kept" in response.content.decode()


def test_a_search_token_opens_nothing_in_another_officers_session(staff, browser_for, two_cases):
    first = search(browser_for(staff.registrar), "순희")
    address = first.redirect_chain[0][0]

    response = browser_for(staff.eligibility).get(address)

    assert response.context["expired"] is True
    assert response.context["query"] == ""


def test_only_the_latest_searches_are_kept_and_older_tokens_expire(staff, browser_for, two_cases):
    from asylon.front.searches import KEPT

    browser = browser_for(staff.registrar)
    addresses = [search(browser, f"Ri {i}").redirect_chain[0][0] for i in range(KEPT + 1)]

    assert browser.get(addresses[0]).context["expired"] is True
    assert browser.get(addresses[1]).context["query"] == "Ri 1"
    assert browser.get(addresses[-1]).context["query"] == f"Ri {KEPT}"


def test_a_kept_search_is_sealed_in_the_session_row(staff, browser_for, two_cases):
    from django.contrib.sessions.models import Session

    browser = browser_for(staff.registrar)
    search(browser, "리순희 Ri Sun Hui")

    session = Session.objects.get(session_key=browser.session.session_key)
    decoded = json.dumps(session.get_decoded(), ensure_ascii=False)
    for text in ("리순희", "Ri Sun Hui", json.dumps("리순희")[1:-1]):
        assert text not in session.session_data
        assert text not in decoded


def test_a_search_by_an_officer_whose_unit_holds_no_keys_is_sealed_under_another_offices_key(db, settings):
    from django.contrib.sessions.backends.db import SessionStore

    from asylon.dataprotection.runtime import keyring_for
    from asylon.front.searches import search_keep, search_recall

    keyring_for("main")  # one office with keys
    settings.ASYLON_DEMO = False  # outside the demo, none are made for a new unit
    session = SessionStore()

    token = search_keep(session, office="headquarters-without-keys", query="리순희")

    assert search_recall(session, token) == "리순희"
    assert search_recall(session, "another") is None
