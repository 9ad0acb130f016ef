"""The main pages in English, Korean and Chinese, saved under docs/screenshots/ for the README.

Run on demand with scripts/screenshots (the `screenshots` mark is deselected otherwise).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from asylon.cases import services
from asylon.procedure import case as p
from tests.services.helpers import open_case, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.screenshots]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LANGUAGES = {"en": "English", "ko": "한국어", "zh-hans": "简体中文"}


def person(hangul: str, hanzi: str, latin: str, sex: str, year: int, needs: tuple[str, ...] = ()):
    return services.PersonInput(
        names=[
            services.NameInput(
                text=hangul, script="Hang", family_name=hangul[0], given_name=hangul[1:], is_primary=True
            ),
            services.NameInput(text=hanzi, script="Hani", romanization="", source="chinese_police"),
            services.NameInput(text=latin, script="Latn", romanization="mr", source="ngo"),
        ],
        sex=sex,
        birth_year=year,
        nationalities=["KP"],
        languages=["ko"],
        specific_needs=list(needs),
    )


@pytest.fixture
def caseload(staff):
    """A few cases at different stages, with names in the scripts they were recorded in."""
    earlier = timezone.now() - timedelta(days=3)
    people = [
        person("리순희", "李顺姬", "Ri Sun-hŭi", "F", 1991),
        person("김철민", "金哲民", "Kim Ch'ŏl-min", "M", 1984),
        person("박영옥", "朴英玉", "Pak Yŏng-ok", "F", 1962, ("older_person",)),
        person("최은정", "崔恩贞", "Ch'oe Ŭn-jŏng", "F", 2009, ("unaccompanied_child",)),
        person("한명수", "韩明洙", "Han Myŏng-su", "M", 1977),
    ]
    stages = [p.State.INTERVIEWED, p.State.INTAKE, p.State.SCREENED, p.State.ASSESSMENT_DRAFTED, p.State.APPEAL_WINDOW]
    return [
        walk_to(staff, open_case(staff, someone), to, at=earlier) if to != p.State.INTAKE else open_case(staff, someone)
        for someone, to in zip(people, stages, strict=True)
    ]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_main_pages_are_saved_as_screenshots(staff, desk_for, caseload, language):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = language.split("-")[0]
    shots: list[tuple[str, str]] = [
        ("landing", "/"),
        ("cases", "/cases/"),
        ("case", f"/cases/{caseload[0].pk}/"),
        ("register", "/register/"),
    ]
    registrar = desk_for(staff.registrar, language=language)
    for name, path in shots:
        registrar.open(path)
        registrar.page.screenshot(path=SCREENSHOTS / f"{name}-{suffix}.png")

    # A step form, open as the officer finds it: the assessment to draft after the interview.
    eligibility = desk_for(staff.eligibility, language=language)
    eligibility.open(f"/cases/{caseload[0].pk}/")
    step = eligibility.page.locator("#step-draft_assessment")
    step.scroll_into_view_if_needed()
    eligibility.page.screenshot(path=SCREENSHOTS / f"step-{suffix}.png")

    for name in [*(n for n, _ in shots), "step"]:
        assert (SCREENSHOTS / f"{name}-{suffix}.png").stat().st_size > 10_000
