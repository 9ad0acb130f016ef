"""The offline HTML verifier: its JavaScript, run by Node, gives the same verdicts as Python."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import zlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from asylon.credentials import verify
from asylon.documents import credential
from asylon.documents.models import Document
from asylon.documents.verifier_page import verifier_page_html
from tests.documents.test_credential import lists
from tests.services.helpers import T0

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

RUNNER = r"""
const fs = require("fs"), vm = require("vm");
const page = fs.readFileSync(process.argv[2], "utf8");
const pick = (id) => page.split(`<script id="${id}"`)[1].split(">").slice(1).join(">").split("</script>")[0];
const context = { module: { exports: {} }, crypto: globalThis.crypto, TextDecoder, TextEncoder, Blob, Response,
  DecompressionStream, atob, BigInt, Uint8Array, Map, Date, Number, Error };
vm.runInNewContext(pick("asylon-verify"), context);
const DATA = JSON.parse(pick("asylon-data"));
const { texts, now } = JSON.parse(fs.readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const text of texts) out.push((await context.module.exports.verifyText(text, now, DATA)).code);
  console.log(JSON.stringify(out));
})();
"""


def page(tmp_path, monkeypatch, at=T0):
    monkeypatch.setattr(timezone, "now", lambda: at)
    out = tmp_path / "verifier.html"
    call_command("verifier_page", str(out), stdout=io.StringIO())
    return out


def node_codes(html_path, texts, now) -> list[str]:
    runner = html_path.parent / "runner.js"
    runner.write_text(RUNNER)
    done = subprocess.run(  # noqa: S603 - our own script and file, no shell
        [NODE, str(runner), str(html_path)],
        input=json.dumps({"texts": texts, "now": int(now.timestamp() * 1000)}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_page_is_self_contained(registered, tmp_path, monkeypatch):
    html = page(tmp_path, monkeypatch).read_text()
    assert "http://" not in html.replace("http-equiv", "") and "https://" not in html
    assert "<script src" not in html and "fetch(" not in html
    assert "default-src 'none'" in html
    for word in ("Asylon 문서 확인", "验证 Asylon 证件", "Verify an Asylon document"):
        assert word in html


@needs_node
def test_node_gives_the_python_verdicts_for_genuine_tampered_and_bad_texts(registered, tmp_path, monkeypatch):
    text = credential.document_qr_text(registered, now=T0)
    html = page(tmp_path, monkeypatch)
    now = T0 + timedelta(hours=1)
    flipped = text[:-10] + ("0" if text[-10] != "0" else "1") + text[-9:]
    texts = [text, "HC1:" + text[5:], text[:-30], flipped, "ASY1:%%%", "ASY1:", "random bytes", text.lower()]
    trusted, listed = lists(T0)
    python = [verify.document_verify(t, now=now, trust=trusted, status=listed).code.value for t in texts]
    assert python[0] == "valid"
    assert node_codes(html, texts, now) == python


@needs_node
def test_node_says_revoked_once_the_page_is_rebuilt_and_status_unknown_when_stale(registered, tmp_path, monkeypatch):
    text = credential.document_qr_text(registered, now=T0)
    now = T0 + timedelta(hours=1)
    assert node_codes(page(tmp_path, monkeypatch), [text], now + timedelta(days=3)) == ["status_unknown"]
    Document.objects.filter(pk=registered.pk).update(revoked_on=T0.date())
    assert node_codes(page(tmp_path, monkeypatch), [text], now) == ["revoked"]


@needs_node
def test_the_page_carries_the_status_bits_deflated_and_honours_them(tmp_path):
    from tests.credentials.world import NOW, RI_SUN_HUI, Authority

    authority = Authority(revoked={RI_SUN_HUI.status_index})
    path = tmp_path / "verifier.html"
    html = verifier_page_html(authority.trust_list(), authority.status_list())
    path.write_text(html, encoding="utf-8")
    data = json.loads(html.split('<script id="asylon-data" type="application/json">')[1].split("</script>")[0])
    assert "bits" not in data["status"]
    assert len(data["status"]["deflated"]) < 2_000  # 128 KB of bits with one set
    other = authority.issue(status_index=RI_SUN_HUI.status_index + 1)
    assert node_codes(path, [authority.issue(), other], NOW) == ["revoked", "valid"]


@needs_node
def test_status_bits_that_do_not_inflate_to_the_list_s_size_give_status_unknown(tmp_path):
    from tests.credentials.world import NOW, Authority

    authority = Authority()
    html = verifier_page_html(authority.trust_list(), authority.status_list())
    deflated = json.loads(html.split('<script id="asylon-data" type="application/json">')[1].split("</script>")[0])[
        "status"
    ]["deflated"]
    texts = [authority.issue()]
    for broken in (deflated[:-8], base64.b64encode(zlib.compress(bytes(100))).decode()):
        path = tmp_path / "verifier.html"
        path.write_text(html.replace(deflated, broken), encoding="utf-8")
        assert node_codes(path, texts, NOW) == ["status_unknown"]
