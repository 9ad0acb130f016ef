"""Names on every page: in the script they were recorded in, the others beside, each with the
language of its script so that screen readers and fonts read it rightly; aliases marked."""

from __future__ import annotations

from django.urls import reverse

from asylon.cases import services
from asylon.people.models import Name
from tests.front.conftest import NOW
from tests.services.helpers import open_case

HANGUL = '<span class="name-primary" lang="ko">리순희</span>'
HANZI = '<span class="name-other" lang="zh-Hans">李顺姬</span>'
LATIN = '<span class="name-other" lang="en">Ri Sun Hui</span>'


def with_alias() -> services.PersonInput:
    return services.PersonInput(
        names=[
            services.NameInput(text="리순희", script="Hang", is_primary=True),
            services.NameInput(text="李顺姬", script="Hani", source="chinese_police"),
            services.NameInput(text="Ri Sun Hui", script="Latn", romanization="dprk", source="ngo"),
            services.NameInput(text="김영희", script="Hang", source="chinese_police", is_alias=True),
        ],
        sex="F",
        birth_year=1991,
        nationalities=["KP"],
    )


def test_the_case_list_shows_each_name_in_its_script_with_its_language(staff, browser_for):
    open_case(staff, with_alias())

    page = browser_for(staff.registrar).get(reverse("front:cases")).content.decode()

    assert HANGUL in page and HANZI in page and LATIN in page
    assert '<span class="name-other" lang="ko">김영희</span> <span class="tag alias">alias</span>' in page


def test_the_queues_show_every_name_with_its_language(staff, browser_for):
    open_case(staff, with_alias())

    page = browser_for(staff.registrar).get(reverse("front:queue", args=["register"])).content.decode()

    assert HANGUL in page and HANZI in page and LATIN in page


def test_the_detention_queue_shows_the_other_names_beside_the_primary_one(staff, browser_for):
    case = open_case(staff, with_alias())
    case.principal.detentions.update(next_review_on=NOW.date())

    page = browser_for(staff.registrar).get(reverse("front:queue", args=["detention"])).content.decode()

    assert HANGUL in page and LATIN in page


def test_the_case_page_marks_each_name_with_its_language_and_aliases_as_aliases(staff, browser_for):
    case = open_case(staff, with_alias())

    page = browser_for(staff.registrar).get(reverse("front:case", args=[case.pk])).content.decode()

    assert '<h3><span lang="ko">리순희</span></h3>' in page
    assert '<td class="name-text"><span lang="zh-Hans">李顺姬</span></td>' in page
    assert '<td class="name-text"><span lang="en">Ri Sun Hui</span></td>' in page
    assert '<span lang="ko">김영희</span> <span class="tag alias">alias</span>' in page


def test_a_name_whose_keys_were_destroyed_carries_no_language_of_its_own(staff, browser_for, monkeypatch):
    from asylon.dataprotection.runtime import UNREADABLE
    from asylon.front.templatetags.asylon_front import name_text

    name = Name(script="Hang")
    monkeypatch.setattr(Name, "readable", property(lambda self: type("R", (), {"text": UNREADABLE})()))

    assert name_text(name) == f"<span>{UNREADABLE}</span>"


def test_both_lists_draw_their_pages_with_the_one_pager(staff, browser_for):
    open_case(staff)
    browser = browser_for(staff.registrar)

    for response in (browser.get(reverse("front:cases")), browser.get(reverse("front:queue", args=["register"]))):
        used = [t.name for t in response.templates]
        assert "front/_pager.html" in used and "front/_page_count.html" in used
