"""The same flow's key pages in Korean and in Chinese, the language chosen with the header's switcher."""

from __future__ import annotations

from datetime import date

import pytest

from tests.services.helpers import T0, open_case

pytestmark = pytest.mark.browser

# What an officer reads in each language: the words are the catalogue's, the dates the format
# module's (asylon/config/formats), so a missing translation or a US-style date fails here.
LANGUAGES = {
    "ko": {
        "name": "한국어",
        "change": "변경",
        "cases": "사건",
        "intake": "접수",
        "registered": "등록됨",
        "screened": "사전 심사 완료",
        "register": "등록",
        "screen": "사전 심사",
        "mode": "처리 방식",
        "reason": "사유",
        "prioritized": "우선 처리",
        "refusal": "사전 심사에는 처리 방식과 그 사유가 필요합니다.",
        "done": "등록: 완료. 사건은 이제 “등록됨” 단계에 있습니다.",
        "date": "{d.year}년 {d.month}월 {d.day}일",
        "timeline": "경과",
        "certificate": "임시 신분증명서",
    },
    "zh-hans": {
        "name": "简体中文",
        "change": "切换",
        "cases": "案件",
        "intake": "受理",
        "registered": "已登记",
        "screened": "已完成初步审查",
        "register": "登记",
        "screen": "初步审查",
        "mode": "处理方式",
        "reason": "理由",
        "prioritized": "优先处理",
        "refusal": "初步审查须注明处理方式及其理由。",
        "done": "登记：已完成。案件现处于“已登记”阶段。",
        "date": "{d.year}年{d.month}月{d.day}日",
        "timeline": "时间线",
        "certificate": "临时身份证明",
    },
}


def switch_language(desk, name: str, button: str) -> None:
    desk.page.locator("#language-select").select_option(label=name)
    desk.submit(desk.page.locator("form.language").get_by_role("button", name=button))


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_an_officer_switches_language_and_takes_steps_in_it(staff, desk_for, code):
    words = LANGUAGES[code]
    case = open_case(staff)
    detained_since = words["date"].format(d=date(2025, 6, 1))
    opened = words["date"].format(d=T0.date())
    desk = desk_for(staff.registrar)

    desk.open("/cases/")
    switch_language(desk, words["name"], "Change")

    page = desk.page
    assert page.locator("html").get_attribute("lang") == code
    assert page.get_by_role("heading", level=1).inner_text() == words["cases"]
    row = page.locator("table.cases tr", has_text=case.number)
    assert row.locator(".stage").inner_text() == words["intake"]
    assert detained_since in row.inner_text()

    desk.open(f"/cases/{case.pk}/")
    assert page.locator("html").get_attribute("lang") == code
    assert page.get_by_role("heading", name=words["timeline"]).is_visible()
    assert opened in page.locator("table.timeline").inner_text()
    register = page.locator("#step-register")
    desk.submit(register.get_by_role("button", name=words["register"], exact=True))
    assert page.locator(".messages").inner_text().strip() == words["done"]
    assert page.locator("h1 .stage").inner_text() == words["registered"]
    assert words["certificate"] in page.locator("article.person").first.inner_text()

    # A refusal from the core, read in the officer's language: screening without a reason.
    screen = page.locator("#step-screen")
    if screen.get_attribute("open") is None:
        screen.locator("summary").click()
    screen.get_by_label(words["mode"]).select_option(label=words["prioritized"])
    desk.submit(screen.get_by_role("button", name=words["screen"], exact=True))
    screen = page.locator("#step-screen")
    assert words["refusal"] in screen.locator(".alert").inner_text()

    screen.get_by_label(words["reason"]).fill("구금 1년 이상 / 拘留一年以上")
    desk.submit(screen.get_by_role("button", name=words["screen"], exact=True))
    assert page.locator("h1 .stage").inner_text() == words["screened"]

    # And back to English with the same switcher, now labelled in the chosen language.
    switch_language(desk, "English", words["change"])
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1 .stage").inner_text() == "Screened"
