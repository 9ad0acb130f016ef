"""Officers at a real browser: Debian's Chromium driven by Playwright against a live server.

Every page a test lands on is checked by axe-core (tests/browser/axe, see its README) before
the test reads it: a serious or critical violation fails the test. Chromium comes from the
`chromium` Debian package, never from Playwright's download; where it is missing these tests
are skipped with the reason, unless ASYLON_REQUIRE_BROWSER=1 (set by CI) makes that an error.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.accounts.conftest import PASSWORD, SECRET, totp_code

AXE_SOURCE = (Path(__file__).parent / "axe" / "axe.min.js").read_text(encoding="utf-8")
# The impacts that fail a page. axe's "moderate" and "minor" findings are printed, not failed.
FAILING_IMPACTS = ("serious", "critical")
# What the pages checked by axe are counted in, for the closing line of the run.
AXE_CHECKED: list[str] = []


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_sessionfinish(session):
    # Under pytest-xdist each worker counts its own pages; the controller adds them up.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["axe_checked"] = list(AXE_CHECKED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    AXE_CHECKED.extend(getattr(node, "workeroutput", {}).get("axe_checked", []))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if AXE_CHECKED:
        distinct = len({url.split("?")[0] for url in AXE_CHECKED})
        terminalreporter.write_line(
            f"axe-core: {len(AXE_CHECKED)} pages checked ({distinct} distinct addresses), "
            "no serious or critical violation"
            if exitstatus == 0
            else f"axe-core: {len(AXE_CHECKED)} pages checked ({distinct} distinct addresses)"
        )


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        reason = "Chromium is not installed: `apt-get install chromium` (Debian) runs the browser tests"
        if os.environ.get("ASYLON_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which Django takes for async
    # code; the tests' own database calls are still plain calls made between browser steps.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
            yield browser
            browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


class Desk:
    """One officer's browser window. Every page it lands on is checked by axe first."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.landed = 0
        self.checked = 0
        page.on("load", self._landed)

    def _landed(self, _page) -> None:
        self.landed += 1

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check()

    def submit(self, button) -> None:
        """Click a button that sends a form, wait for the page the server answers with."""
        with self.page.expect_navigation():
            button.click()
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        result = self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        failing = [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"axe on {self.page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in failing
        )
        self.checked += 1
        AXE_CHECKED.append(self.page.url)

    def sign_in(self, user, *, password: str = PASSWORD) -> None:
        """Password, then the code of the officer's authenticator app, as at the office."""
        # By the fields' names, not their labels: the page is in the window's language.
        self.open("/login/")
        self.page.locator("input[name=username]").fill(user.username)
        self.page.locator("input[name=password]").fill(password)
        self.submit(self.page.locator("main form button[type=submit]"))
        self.page.locator("input[name=code]").fill(totp_code(SECRET, timezone.now()))
        self.submit(self.page.locator("main form button[type=submit]").first)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def desk_for(request, chromium, live_server) -> Iterator[object]:
    """`desk_for(user)`: a fresh browser window, its officer signed in with a second factor."""
    from asylon.accounts.models import TotpDevice
    from asylon.people.models import office_slug

    contexts = []
    desks: list[Desk] = []

    def desk(user=None, *, language: str = "en") -> Desk:
        context = chromium.new_context(locale=language, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        # axe joins every document before the page's own scripts, through the browser's hook,
        # which the pages' content policy does not govern: the policy is tested as served.
        context.add_init_script(script=AXE_SOURCE)
        opened = Desk(context.new_page(), live_server.url)
        desks.append(opened)
        if user is not None:
            if not TotpDevice.objects.filter(user=user).exists():
                TotpDevice.objects.create(
                    user=user,
                    office=office_slug(user.unit),
                    secret=SECRET,
                    confirmed_at=timezone.now() - timedelta(hours=1),
                )
            opened.sign_in(user)
        return opened

    yield desk
    for context in contexts:
        context.close()
    # Every page that loaded was checked: no test reads a page axe has not seen.
    for opened in desks if not getattr(request.node, "browser_call_failed", True) else ():
        assert opened.checked >= opened.landed, f"{opened.landed - opened.checked} pages were not checked by axe"
