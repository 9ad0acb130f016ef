"""The verifier page in a real browser: Debian's Chromium, the page opened from disk, no network.

Chromium on Linux has no BarcodeDetector, so the page's own fallback is what a guard on such a
browser sees. The photo and camera paths are then driven with a stand-in detector injected
before the page loads (it returns a preset text and reads no pixels) and, for the camera,
Chromium's fake capture device: what is tested is the page's wiring in a browser (file input,
getUserMedia, the video element, the verdict shown), not the reading of pixels.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
import segno

from asylon.credentials.verify import REASONS, Code
from asylon.documents.verifier_page import REASONS_KO, UI, verifier_page_html
from tests.credentials.world import NOW, Authority

# A stand-in for the Shape Detection API, defined before the page's own script runs.
STAND_IN = """
window.__looks = 0;
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code"]; }
  constructor(options) { window.__formats = options.formats; }
  async detect(source) {
    window.__looks += 1;
    window.__source = source.constructor.name;
    return window.__looks > 2 ? [{ format: "qr_code", rawValue: window.__qr }] : [];
  }
};
"""
CLOCK = f"Date.now = () => {int(NOW.timestamp() * 1000)};"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed: `apt-get install chromium` (Debian) runs the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # Playwright's sync API keeps an event loop in this thread; no database is used here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                # A test pattern for a camera, and "allow" answered for the permission prompt.
                args=["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
            )
            yield browser
            browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def offline(chromium, tmp_path):
    """Opens the page from disk in a context with the network off; records every request."""
    authority = Authority()
    page_file = tmp_path / "verifier.html"
    page_file.write_text(verifier_page_html(authority.trust_list(), authority.status_list()), encoding="utf-8")
    context = chromium.new_context(offline=True)
    context.grant_permissions(["camera"])
    requests: list[str] = []
    violations: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    def open_page(*scripts: str):
        page = context.new_page()
        for script in (CLOCK, *scripts):
            page.add_init_script(script)
        page.on(
            "console", lambda message: violations.append(message.text) if "Content Security" in message.text else None
        )
        page.goto(page_file.as_uri())
        return page

    yield authority, open_page, requests, violations, page_file
    context.close()


def verdict_of(page) -> str:
    page.wait_for_function("() => document.getElementById('verdict').textContent !== ''")
    return page.text_content("#verdict")


def test_a_pasted_text_verifies_in_the_page_opened_from_disk_with_the_network_off(offline):
    authority, open_page, requests, violations, page_file = offline
    page = open_page()
    genuine = authority.issue()
    page.fill("#text", genuine)
    page.click("#check")
    assert verdict_of(page) == "✔ " + REASONS_KO[Code.VALID]
    page.click("nav button[data-lang=en]")
    page.click("#check")
    page.wait_for_function(f"() => document.getElementById('verdict').textContent.includes({REASONS[Code.VALID]!r})")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.fill("#text", genuine[:-12] + ("0" if genuine[-12] != "0" else "1") + genuine[-11:])
    page.click("#check")
    page.wait_for_function("() => document.getElementById('verdict').className === 'invalid'")
    assert page.text_content("#verdict").startswith("✘ ")
    assert requests == [page_file.as_uri()]
    assert violations == []


def test_the_page_s_policy_is_enforced_and_forbids_connections(offline):
    _, open_page, _, _, _ = offline
    page = open_page()
    blocked = page.evaluate(
        """async () => {
          let directive = null;
          document.addEventListener("securitypolicyviolation", (e) => { directive = e.effectiveDirective; });
          try { await fetch("https://verifier.invalid/status"); } catch (e) {}
          await new Promise((resolve) => setTimeout(resolve, 100));
          return directive;
        }"""
    )
    assert blocked == "connect-src"


def test_without_a_barcode_detector_the_page_says_so_in_each_language(offline):
    _, open_page, requests, _, page_file = offline
    page = open_page()
    if page.evaluate("typeof BarcodeDetector") != "undefined":
        pytest.skip("this Chromium has a BarcodeDetector")
    page.wait_for_function("() => document.getElementById('scan-note').textContent !== ''")
    assert page.text_content("#scan-note") == UI["ko"]["no_scanner"]
    assert page.is_disabled("#camera") and page.is_disabled("#photo")
    for language in ("zh-Hans", "en"):
        page.click(f"nav button[data-lang={language}]")
        assert page.text_content("#scan-note") == UI[language]["no_scanner"]
    assert requests == [page_file.as_uri()]


def test_a_photo_chosen_in_the_page_is_read_and_verified(offline, tmp_path):
    authority, open_page, requests, violations, page_file = offline
    text = authority.issue()
    photo = tmp_path / "card.png"
    segno.make_qr(text, error="q").save(photo, scale=4)
    page = open_page(STAND_IN, f"window.__qr = {text!r};", "window.__looks = 2;")
    page.set_input_files("#photo", str(photo))
    assert verdict_of(page) == "✔ " + REASONS_KO[Code.VALID]
    assert page.input_value("#text") == text
    assert page.evaluate("[window.__formats, window.__source]") == [["qr_code"], "ImageBitmap"]
    assert requests == [page_file.as_uri()]
    assert violations == []


def test_the_camera_is_read_until_a_code_appears_then_switched_off(offline):
    authority, open_page, requests, violations, page_file = offline
    text = authority.issue()
    page = open_page(STAND_IN, f"window.__qr = {text!r};")
    page.click("#camera")
    assert verdict_of(page) == "✔ " + REASONS_KO[Code.VALID]
    assert page.evaluate("[window.__looks, window.__source]") == [3, "HTMLVideoElement"]
    # The stream is released and the video hidden once the code is read.
    assert page.evaluate("document.getElementById('video').srcObject") is None
    assert page.is_hidden("#video") and page.is_enabled("#camera")
    assert requests == [page_file.as_uri()]
    assert violations == []
