"""The printed card: a QR code at error correction Q and a PDF in Korean, Chinese and English.

The card is issued to its holder, the person whose data it prints; it is not a disclosure
to a third party (see tests/disclosure/test_one_path.py, ISSUED_TO_HOLDER).

Fonts: Noto Sans CJK (SIL Open Font License 1.1), the KR face for Hangul and the SC face for
Chinese, from Debian's `fonts-noto-cjk` 1:20220127+repack1-1. The file's SHA-256 is pinned:
a card is refused rather than rendered with other glyphs, so every machine prints the same.
fpdf2 embeds only the glyphs a card uses, so a card stays small.
"""

from __future__ import annotations

import hashlib
import io
import os
from datetime import datetime
from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF

from asylon.credentials import cwt
from asylon.documents.credential import card_content, document_qr_text
from asylon.documents.models import Document

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_SHA256 = "b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a"
FONT_FACES = {"ko": 1, "zh": 2}  # face numbers in the collection: JP, KR, SC, TC, HK
QR_ERROR = "q"
MODULE_MM = 0.4  # ISO/IEC 18004 readers on phones: 0.33 mm and up; 0.4 mm for worn paper

TITLES = {
    cwt.DocumentType.TEMPORARY_CERTIFICATE: ("임시 신분 증명서", "临时身份证明", "Temporary Identity Certificate"),
    cwt.DocumentType.REFUGEE_CERTIFICATE: ("난민 신분 증명서", "难民身份证明", "Refugee Identity Certificate"),
    cwt.DocumentType.COMPLEMENTARY_PROTECTION_DOCUMENT: (
        "보충적 보호 증명서",
        "补充保护证明",
        "Complementary Protection Document",
    ),
    cwt.DocumentType.HUMANITARIAN_STATUS_DOCUMENT: (
        "인도적 체류 증명서",
        "人道居留证明",
        "Humanitarian Status Document",
    ),
}
LABELS = {
    "name": ("성명", "姓名", "Name"),
    "birth": ("생년월일", "出生日期", "Date of birth"),
    "number": ("문서 번호", "证件号码", "Document no."),
    "validity": ("유효기간", "有效期", "Valid"),
    "office": ("발급 사무소", "签发机关", "Issuing office"),
    "photo": ("사진", "照片", "Photo"),
}


class FontMissing(Exception):
    """The pinned card font is not installed, or another file sits at its path."""


def qr_code(text: str) -> segno.QRCode:
    # boost_error=False: exactly level Q, so the version reported is the one Q needs.
    return segno.make_qr(text, error=QR_ERROR, boost_error=False)


def qr_png(text: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    qr_code(text).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_printed_mm(code: segno.QRCode) -> float:
    """The printed side with the four-module quiet zone."""
    return (code.symbol_size(scale=1, border=0)[0] + 8) * MODULE_MM


def font_path() -> Path:
    path = Path(os.environ.get("ASYLON_CARD_FONT", FONT))
    if not path.is_file():
        raise FontMissing(f"the card font {path} is missing: install Debian's fonts-noto-cjk")
    if _sha256(path) != FONT_SHA256:
        raise FontMissing(f"{path} is not the pinned Noto Sans CJK (its SHA-256 differs)")
    return path


@cache
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _name_lines(document: Document) -> list[tuple[str, str]]:
    """Every recorded script of the holder's name, as (font, text); Hani in the SC face."""
    lines = []
    for name in document.person.names.all():
        text = name.text.strip() or f"{name.family_name} {name.given_name}".strip()
        lines.append(("zh" if name.script == "Hani" else "ko", text))
    return lines


def card_pdf(document: Document, *, now: datetime) -> bytes:
    """One A6 landscape page: titles and labels in three languages, photo area, names, QR."""
    font = font_path()
    content = card_content(document)
    text = document_qr_text(document, now=now)
    pdf = FPDF(orientation="L", unit="mm", format=(105, 148))  # A6
    pdf.set_creation_date(now)
    pdf.set_title(content.number)
    pdf.set_auto_page_break(auto=False)
    for family, number in FONT_FACES.items():
        pdf.add_font(family, fname=str(font), collection_font_number=number)
    pdf.add_page()
    ko, zh, en = TITLES[content.type]
    pdf.set_font("ko", size=11)
    pdf.set_xy(6, 5)
    pdf.cell(text=f"{ko} · {en}")
    pdf.set_font("zh", size=9)
    pdf.set_xy(6, 11)
    pdf.cell(text=zh)
    # Photo area: 35 x 45 mm, the passport photo size, pasted and stamped at the office.
    pdf.rect(6, 18, 28, 36)
    pdf.set_font("zh", size=6)
    pdf.set_xy(6, 34)
    pdf.cell(w=28, text=" / ".join(LABELS["photo"]), align="C")
    y = 18.0

    def field(label: str, value: str, face: str = "ko") -> None:
        nonlocal y
        pdf.set_font("zh", size=5.5)
        pdf.set_xy(38, y)
        pdf.cell(text=" / ".join(LABELS[label]))
        pdf.set_font(face, size=8.5)
        pdf.set_xy(38, y + 2.6)
        pdf.cell(text=value)
        y += 7.4

    for family, name in _name_lines(document):
        field("name", name, family)
    field("birth", content.date_of_birth or "—")
    field("number", content.number)
    field("validity", f"{content.valid_from.isoformat()} – {content.valid_until.isoformat()}")
    field("office", content.office)
    code = qr_code(text)
    side = qr_printed_mm(code)
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=1, border=4, xmldecl=False, omitsize=True)
    svg.seek(0)
    pdf.image(svg, x=148 - 5 - side, y=105 - 5 - side, w=side, h=side)
    return bytes(pdf.output())


def document_for_card(*, user: object, document_id: int) -> Document:
    """The document, for an officer who may issue it in a case they see; one answer for
    "missing" and "forbidden"."""
    from asylon.cases.access import cases_for_user
    from asylon.cases.services import NotFound, require_role
    from asylon.procedure import documents as procedure

    require_role(user, procedure.ISSUERS)  # type: ignore[arg-type]
    visible = cases_for_user(user).values("pk")  # type: ignore[arg-type]
    document = Document.objects.select_related("person", "case").filter(pk=document_id, case__in=visible).first()
    if not isinstance(document, Document):
        raise NotFound(f"document {document_id}")
    return document
