"""`asylon document-lists` and `asylon verify`: the card verified offline from text or a photo."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from asylon.documents import card, credential
from asylon.documents.models import Document
from tests.services.helpers import T0

AT = (T0 + timedelta(hours=1)).isoformat()


@pytest.fixture
def lists(tmp_path, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: T0)

    def publish():
        call_command("document_lists", str(tmp_path / "lists"), stdout=io.StringIO())
        return tmp_path / "lists"

    return publish


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as stopped:
        return int(stopped.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_valid_text_exits_0_and_shows_the_card_s_fields(registered, lists):
    text = credential.document_qr_text(registered, now=T0)
    folder = lists()
    code, out = run(text, "--lists", str(folder), "--at", AT)
    assert code == 0
    assert out.startswith("VALID: valid\n")
    assert "리 순희" in out and registered.number in out


def test_after_revocation_and_a_refreshed_list_the_verdict_is_revoked(registered, lists):
    text = credential.document_qr_text(registered, now=T0)
    lists()
    Document.objects.filter(pk=registered.pk).update(revoked_on=T0.date())
    code, out = run(text, "--lists", str(lists()), "--at", AT)
    assert (code, out.splitlines()[0]) == (1, "NOT VALID: revoked")


def test_a_stale_status_list_gives_status_unknown_and_exit_1(registered, lists):
    text = credential.document_qr_text(registered, now=T0)
    code, out = run(text, "--lists", str(lists()), "--at", (T0 + timedelta(days=3)).isoformat())
    assert (code, out.splitlines()[0]) == (1, "NOT VALID: status_unknown")


def test_a_tampered_text_names_the_reason(registered, lists):
    text = credential.document_qr_text(registered, now=T0)
    folder = lists()
    assert run("HC1:" + text[5:], "--lists", str(folder), "--at", AT)[1].startswith("NOT VALID: wrong_prefix")
    assert run(text[:-20], "--lists", str(folder), "--at", AT)[0] == 1


def test_a_photo_of_the_printed_card_verifies(registered, lists, tmp_path):
    pypdfium2 = pytest.importorskip("pypdfium2")
    pytest.importorskip("zxingcpp")
    try:
        card.font_path()
    except card.FontMissing:
        pytest.skip("Debian fonts-noto-cjk is not installed")
    folder = lists()
    pdf = card.card_pdf(registered, now=T0)
    photo = tmp_path / "card.png"
    pypdfium2.PdfDocument(io.BytesIO(pdf))[0].render(scale=200 / 72).to_pil().save(photo)
    code, out = run("--image", str(photo), "--lists", str(folder), "--at", AT)
    assert (code, out.splitlines()[0]) == (0, "VALID: valid")


def test_lists_that_do_not_load_exit_2(tmp_path):
    with pytest.raises(Exception) as failed:
        call_command("verify", "ASY1:", "--lists", str(tmp_path), stdout=io.StringIO())
    assert getattr(failed.value, "returncode", None) == 2
