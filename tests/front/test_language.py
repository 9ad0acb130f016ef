from __future__ import annotations

from django.urls import reverse


def test_the_language_switcher_changes_the_language_of_the_page(staff, browser_for):
    browser = browser_for(staff.registrar)
    assert '<html lang="en">' in browser.get(reverse("front:cases")).content.decode()

    response = browser.post(reverse("front:set_language"), {"language": "ko", "next": reverse("front:cases")})

    assert response.status_code == 302
    assert response.url == reverse("front:cases")
    page = browser.get(reverse("front:cases"))
    assert '<html lang="ko">' in page.content.decode()
    assert page.context["LANGUAGE_CODE"] == "ko"


def test_the_sign_in_page_offers_every_language_in_its_own_name(db):
    from django.test import Client

    page = Client().get(reverse("front:login")).content.decode()

    for code, name in (("en", "English"), ("ko", "한국어"), ("zh-hans", "简体中文")):
        assert f'value="{code}"' in page
        assert name in page
