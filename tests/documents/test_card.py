"""The printed card: QR at level Q, a PDF in three languages that decodes back to a valid verdict."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from asylon.credentials import verify
from asylon.documents import card, credential
from tests.documents.test_credential import NOW, lists

try:
    card.font_path()
    FONT = True
except card.FontMissing:
    FONT = False
needs_font = pytest.mark.skipif(not FONT, reason="Debian fonts-noto-cjk is not installed")


def test_a_korean_temporary_certificate_fits_qr_version_13_at_level_q(registered):
    code = card.qr_code(credential.document_qr_text(registered, now=NOW))
    assert code.error == "Q"
    assert code.version <= 13
    assert card.qr_printed_mm(code) < 35


@needs_font
def test_the_card_pdf_renders_and_its_qr_decodes_to_a_valid_document(registered):
    pypdfium2 = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    pdf = card.card_pdf(registered, now=NOW)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) < 200_000  # only the glyphs used are embedded
    page = pypdfium2.PdfDocument(io.BytesIO(pdf))[0]
    image = page.render(scale=300 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    trusted, listed = lists()
    verdict = verify.document_verify(found[0].text, now=NOW + timedelta(minutes=1), trust=trusted, status=listed)
    assert verdict.code is verify.Code.VALID
    text = page.get_textpage().get_text_range()
    for printed in ("리순희", "Ri Sun Hui", "임시 신분 증명서", "临时身份证明", registered.number, "1991-03"):
        assert printed in text


def test_a_card_is_refused_when_the_font_is_not_the_pinned_one(registered, tmp_path, monkeypatch):
    other = tmp_path / "other.ttc"
    other.write_bytes(b"not the font")
    monkeypatch.setenv("ASYLON_CARD_FONT", str(other))
    with pytest.raises(card.FontMissing, match="SHA-256"):
        card.card_pdf(registered, now=NOW)
