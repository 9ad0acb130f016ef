"""Issue 4's "Done when", end to end, with nothing but files between the office and the guard.

A temporary certificate issued at registration (through the case services, as the demo issues
its documents) is printed, rendered from its PDF to an image, and verified from that image
with `asylon verify` and from its QR text in the HTML page, run by Node. The document is then
replaced as lost, which revokes it through the procedure; verifiers with refreshed lists say
"revoked", while a page built before the revocation answers from the list it carries until
that list is past its time to live, and never "valid" after.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import timezone

from asylon.cli.management.commands.verify import qr_texts_in_image
from asylon.documents import card, credential, keys, services
from asylon.documents.models import Document
from asylon.procedure import documents as procedure
from tests.documents.test_cli import run
from tests.documents.test_verifier_page import needs_node, node_codes
from tests.services.helpers import T0, Clock

PRINTED = T0 + timedelta(minutes=30)
LOST = T0 + timedelta(hours=5)  # the holder reports the card lost, and the office replaces it
CHECKED = T0 + timedelta(hours=6)  # a guard checks the lost card after the lists were refreshed
STALE = T0 + keys.STATUS_TTL + timedelta(seconds=1)  # the first list is past its time to live


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock(T0)
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


def card_photo(document: Document, tmp_path):
    pypdfium2 = pytest.importorskip("pypdfium2")
    pytest.importorskip("zxingcpp")
    try:
        card.font_path()
    except card.FontMissing:
        pytest.skip("Debian fonts-noto-cjk is not installed")
    pdf = card.card_pdf(document, now=PRINTED)
    photo = tmp_path / "card.png"
    pypdfium2.PdfDocument(io.BytesIO(pdf))[0].render(scale=300 / 72).to_pil().save(photo)
    return photo


def lists(folder):
    call_command("document_lists", str(folder), stdout=io.StringIO())
    return folder


def verifier_page(path):
    call_command("verifier_page", str(path), stdout=io.StringIO())
    return path


def verdict(*args: str, at) -> tuple[int, str]:
    code, out = run(*args, "--at", at.isoformat())
    return code, out.splitlines()[0]


@needs_node
def test_a_printed_certificate_verifies_offline_until_it_is_revoked_and_the_lists_refreshed(
    registered, staff, clock, tmp_path
):
    assert registered.type == procedure.DocumentType.TEMPORARY_CERTIFICATE
    photo = card_photo(registered, tmp_path)
    before = lists(tmp_path / "lists-before")
    old_page = verifier_page(tmp_path / "verifier-before.html")

    # The card, as a photo: `asylon verify` reads and verifies it.
    code, out = run("--image", str(photo), "--lists", str(before), "--at", PRINTED.isoformat())
    assert (code, out.splitlines()[0]) == (0, "VALID: valid")
    assert registered.number in out and "Ri Sun Hui" in out
    # The same QR text, pasted into the page built from the same lists.
    [text] = qr_texts_in_image(photo)
    assert text.startswith("ASY1:")
    assert node_codes(old_page, [text], PRINTED) == ["valid"]

    # Replacement when lost: a new certificate first, so the holder is never without one
    # (the core refuses to revoke the only valid document), then the lost one is revoked.
    clock.now = LOST
    replacement = services.document_issue(
        user=staff.documentation,
        person_id=registered.person_id,
        case_id=registered.case_id,
        document_type=procedure.DocumentType.TEMPORARY_CERTIFICATE,
    )
    services.document_revoke(user=staff.documentation, document_id=registered.pk, reason="Reported lost by the holder.")
    registered.refresh_from_db()
    assert registered.revoked_on == LOST.date()
    replacement_text = credential.document_qr_text(replacement, now=LOST)
    after = lists(tmp_path / "lists-after")
    new_page = verifier_page(tmp_path / "verifier-after.html")

    # Verifiers with the refreshed lists: the lost card is revoked, its replacement valid.
    assert verdict(text, "--lists", str(after), at=CHECKED) == (1, "NOT VALID: revoked")
    assert verdict("--image", str(photo), "--lists", str(after), at=CHECKED) == (1, "NOT VALID: revoked")
    assert verdict(replacement_text, "--lists", str(after), at=CHECKED) == (0, "VALID: valid")
    assert node_codes(new_page, [text, replacement_text], CHECKED) == ["revoked", "valid"]

    # A verifier still holding the old lists cannot know: within their time to live they
    # answer as on the day they were built, which is why lists are refreshed every day...
    assert verdict(text, "--lists", str(before), at=CHECKED) == (0, "VALID: valid")
    assert node_codes(old_page, [text], CHECKED) == ["valid"]
    # ...and past it they never say "valid", for any document.
    assert verdict(text, "--lists", str(before), at=STALE) == (1, "NOT VALID: status_unknown")
    assert node_codes(old_page, [text, replacement_text], STALE) == ["status_unknown", "status_unknown"]
    # The refreshed page says revoked for as long as the document would have run, stale list or not.
    assert node_codes(new_page, [text], STALE + timedelta(days=30)) == ["revoked"]


@needs_node
def test_the_old_page_is_never_valid_once_its_status_list_is_stale(registered, clock, tmp_path):
    text = credential.document_qr_text(registered, now=T0)
    page = verifier_page(tmp_path / "verifier.html")
    limit = T0 + keys.STATUS_TTL
    moments = [T0 + timedelta(hours=h) for h in range(0, 24 * 6, 8)] + [limit, limit + timedelta(seconds=1)]
    for moment in moments:
        [code] = node_codes(page, [text], moment)
        assert code == ("valid" if moment <= limit else "status_unknown"), moment


class _Reach(HTMLParser):
    """Every attribute through which a page could load or send something."""

    LOADING = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "ping"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str | None]] = []
        self.csp: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "meta" and (named.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = named.get("content")
        self.found += [(tag, name, value) for name, value in attrs if name in self.LOADING]


def test_the_page_reaches_no_network(registered, clock, tmp_path):
    page = verifier_page(tmp_path / "verifier.html").read_text(encoding="utf-8")
    reach = _Reach()
    reach.feed(page)
    assert reach.found == []
    # No URL anywhere: no scheme, no protocol-relative "//host", no CSS url() or @import.
    assert re.findall(r"(?i)\b(?:https?|wss?|ftp|data|blob):", page.replace("http-equiv", "")) == []
    assert re.findall(r"""["'(=]\s*//\w""", page) == []
    for call in ("fetch(", "XMLHttpRequest", "WebSocket", "EventSource", "sendBeacon", "import(", "url(", "@import"):
        assert call not in page
    # And a policy that forbids connections, should any slip in: default-src 'none' stands for
    # connect-src, img-src and media-src, and scripts may only be the page's own.
    assert reach.csp is not None
    directives = {d.split()[0]: d.split()[1:] for d in reach.csp.split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives.get("connect-src", ["'none'"]) == ["'none'"]
    assert directives["script-src"] == ["'unsafe-inline'"]
    assert set(directives) <= {"default-src", "script-src", "style-src", "base-uri", "form-action"}
