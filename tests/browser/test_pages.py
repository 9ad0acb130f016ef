"""Every page an officer reaches from the header, in the three languages, checked by axe.

The flows in test_procedure.py check the pages a case passes through; this walks the rest:
the sign-in page, each role's queues, the case list, the registration form, emergency access
and sign-in security.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from asylon.procedure import case as p
from tests.services.helpers import open_case, walk_to

pytestmark = pytest.mark.browser

LANGUAGE_NAMES = {"en": "English", "ko": "한국어", "zh-hans": "简体中文"}


def header_pages(desk) -> list[str]:
    """The addresses of the header's navigation, as the signed-in officer sees it."""
    links = desk.page.locator("nav.main-nav a")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def queue_pages(desk) -> list[str]:
    links = desk.page.locator("a[href^='/queues/']")
    return sorted({links.nth(i).get_attribute("href").split("?")[0] for i in range(links.count())})


@pytest.mark.parametrize("language", list(LANGUAGE_NAMES))
def test_every_page_of_the_header_passes_axe_in_each_language(staff, desk_for, language):
    earlier = timezone.now() - timedelta(days=2)
    walk_to(staff, open_case(staff), p.State.SCREENED, at=earlier)
    walk_to(staff, open_case(staff), p.State.ASSESSMENT_DRAFTED, at=earlier)
    open_case(staff)

    anonymous = desk_for(language=language)
    anonymous.open("/login/")
    assert anonymous.page.locator("html").get_attribute("lang") == language

    for officer in (staff.registrar, staff.eligibility, staff.reviewer, staff.dpo):
        desk = desk_for(officer, language=language)
        assert desk.page.locator("html").get_attribute("lang") == language
        visited = {desk.page.url.removeprefix(desk.base_url)}
        for path in [*header_pages(desk), *queue_pages(desk), "/account/security/"]:
            if path not in visited:
                desk.open(path)
                visited.add(path)
                assert desk.page.locator("html").get_attribute("lang") == language
        assert len(visited) >= 3


def test_a_page_with_an_unlabelled_field_and_an_image_without_text_fails_the_axe_check(desk_for):
    # The check itself can fail: a page served in the application's place with two faults.
    desk = desk_for()
    desk.page.route(
        desk.base_url + "/faulty/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<!doctype html><html lang="en"><title>Faulty</title><main><img src="x.png"><input></main></html>',
        ),
    )

    with pytest.raises(AssertionError) as failed:
        desk.open("/faulty/")

    assert "image-alt (critical)" in str(failed.value)
    assert "label (critical)" in str(failed.value)
    desk.checked = desk.landed  # the faulty page was checked: that it failed is the point
