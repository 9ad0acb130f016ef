"""One self-contained HTML page that verifies documents offline, in Korean, Chinese and English.

It reads a pasted QR text, the camera or a photo of the card; the last two through the
browser's own BarcodeDetector, and where a browser has none the page says so and asks for
the text. The trust list and the status list are verified here, once, and embedded as data
(the status bits deflated): the page loads nothing (no CDN, no fetch). Its status list ages
like any other: past its time to live the page answers "status unknown", never "valid",
until a fresh page is built.
"""

from __future__ import annotations

import base64
import html
import json
import zlib
from pathlib import Path

from asylon.credentials.status import StatusList
from asylon.credentials.trust import TrustList
from asylon.credentials.verify import REASONS, Code

SCRIPT = Path(__file__).parent / "static" / "documents" / "verifier.js"

REASONS_KO = {
    Code.VALID: "진본이며 유효하고 취소되지 않은 문서입니다.",
    Code.WRONG_PREFIX: "Asylon 문서 코드가 아닙니다.",
    Code.NOT_BASE45: "코드를 읽을 수 없습니다. 다시 스캔하십시오.",
    Code.NOT_ZLIB: "코드가 불완전하거나 손상되었습니다.",
    Code.NOT_COSE: "서명된 문서가 들어 있지 않습니다.",
    Code.UNKNOWN_KEY: "신뢰하지 않는 키로 서명되었습니다. 위조로 간주하십시오.",
    Code.BAD_SIGNATURE: "서명이 내용과 맞지 않습니다: 변조 또는 위조된 문서입니다.",
    Code.MALFORMED_PAYLOAD: "서명은 있으나 내용 형식이 올바르지 않습니다.",
    Code.WRONG_ISSUER: "서명 키가 문서의 발급 기관에 속하지 않습니다.",
    Code.KEY_EXPIRED: "서명 키의 사용 기간 밖에서 서명되었습니다.",
    Code.NOT_YET_VALID: "진본이지만 아직 효력이 없습니다.",
    Code.EXPIRED: "진본이지만 유효기간이 지났습니다.",
    Code.REVOKED: "진본이지만 취소된 문서입니다.",
    Code.STATUS_UNKNOWN: "진본이고 유효기간 내이지만 취소 여부를 확인할 수 없습니다(상태 목록이 오래됨).",
}
REASONS_ZH = {
    Code.VALID: "证件真实、有效且未被撤销。",
    Code.WRONG_PREFIX: "这不是 Asylon 证件码。",
    Code.NOT_BASE45: "无法读取此码，请重新扫描。",
    Code.NOT_ZLIB: "此码不完整或已损坏。",
    Code.NOT_COSE: "码中没有签名证件。",
    Code.UNKNOWN_KEY: "签名密钥不受信任，请视为伪造。",
    Code.BAD_SIGNATURE: "签名与内容不符：证件被篡改或伪造。",
    Code.MALFORMED_PAYLOAD: "证件已签名，但内容格式不正确。",
    Code.WRONG_ISSUER: "签名密钥不属于证件的签发机关。",
    Code.KEY_EXPIRED: "签名时密钥不在其使用期内。",
    Code.NOT_YET_VALID: "证件真实，但尚未生效。",
    Code.EXPIRED: "证件真实，但已过期。",
    Code.REVOKED: "证件真实，但已被撤销。",
    Code.STATUS_UNKNOWN: "证件真实且在有效期内，但无法确认是否被撤销（状态列表已过期）。",
}
# Keyed by BCP 47 tag, the one the page sets on <html lang>; it opens in Korean.
UI = {
    "en": {
        "title": "Verify an Asylon document",
        "paste": "Paste the text of the QR code",
        "check": "Verify",
        "camera": "Scan with the camera",
        "stop": "Stop the camera",
        "photo": "Read a photo of the card",
        "scanning": "Hold the QR code in front of the camera.",
        "no_scanner": "This browser cannot read QR codes; paste the text instead.",
        "no_camera": "The camera could not be opened (none, or permission refused). Read a photo or paste the text.",
        "no_code": "No QR code was found. Hold the code flat and well lit, and try again.",
    },
    "ko": {
        "title": "Asylon 문서 확인",
        "paste": "QR 코드의 텍스트를 붙여 넣으십시오",
        "check": "확인",
        "camera": "카메라로 스캔",
        "stop": "카메라 끄기",
        "photo": "증명서 사진 읽기",
        "scanning": "QR 코드를 카메라 앞에 대십시오.",
        "no_scanner": "이 브라우저는 QR 코드를 읽을 수 없습니다. 대신 텍스트를 붙여 넣으십시오.",
        "no_camera": "카메라를 열 수 없습니다(카메라 없음 또는 권한 거부). 사진을 읽거나 텍스트를 붙여 넣으십시오.",
        "no_code": "QR 코드를 찾지 못했습니다. 코드를 평평하고 밝게 비춘 뒤 다시 시도하십시오.",
    },
    "zh-Hans": {
        "title": "验证 Asylon 证件",
        "paste": "粘贴二维码文本",
        "check": "验证",
        "camera": "用摄像头扫描",
        "stop": "关闭摄像头",
        "photo": "读取证件照片",
        "scanning": "请将二维码对准摄像头。",
        "no_scanner": "此浏览器无法读取二维码，请改为粘贴文本。",
        "no_camera": "无法打开摄像头（没有摄像头或权限被拒绝）。请读取照片或粘贴文本。",
        "no_code": "未找到二维码。请将码放平、光线充足后重试。",
    },
}


def page_data(trust: TrustList, status: StatusList | None) -> dict[str, object]:
    def point(key: object) -> tuple[str, str]:
        numbers = key.public_numbers()  # type: ignore[attr-defined]
        return f"{numbers.x:064x}", f"{numbers.y:064x}"

    return {
        "authority": trust.authority,
        "trust_version": trust.version,
        "keys": [
            {
                "kid": k.kid.hex(),
                "office": k.office,
                "x": point(k.public_key)[0],
                "y": point(k.public_key)[1],
                "from": int(k.signs_from.timestamp()),
                "until": int(k.signs_until.timestamp()),
            }
            for k in trust.keys
        ],
        "status": None
        if status is None
        else {
            "authority": status.authority,
            "issued_at": int(status.issued_at.timestamp()),
            "ttl": int(status.ttl.total_seconds()),
            "size": status.size,
            # Deflated for the page (zlib, RFC 1950), inflated there with DecompressionStream.
            "deflated": base64.b64encode(zlib.compress(status.bits, 9)).decode(),
        },
        "reasons": {
            "en": {c.value: r for c, r in REASONS.items()},
            "ko": {c.value: r for c, r in REASONS_KO.items()},
            "zh-Hans": {c.value: r for c, r in REASONS_ZH.items()},
        },
        "ui": UI,
    }


def _json_for_script(value: object) -> str:
    # "</" would end the script element early; escaped, the JSON means the same.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def verifier_page_html(trust: TrustList, status: StatusList | None) -> str:
    data = _json_for_script(page_data(trust, status))
    script = SCRIPT.read_text(encoding="utf-8")
    # default-src 'none' also stands for connect-src, img-src and media-src: the page can reach
    # nothing. The camera's stream is a MediaStream object, not a URL, so the CSP does not stop it.
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline';
 style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Asylon verifier · {html.escape(trust.authority)}</title>
<style>body{{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}}
textarea{{width:100%;height:8rem}}video{{width:100%;max-height:20rem;background:#000}}
#verdict.valid{{color:#064}}#verdict.invalid{{color:#a00}}</style>
</head><body>
<nav><button data-lang="ko">한국어</button> <button data-lang="zh-Hans">中文</button>
<button data-lang="en">English</button></nav>
<h1 data-ui="title"></h1>
<p><button id="camera" data-ui="camera"></button> <button id="stop" data-ui="stop" hidden></button>
<label><span data-ui="photo"></span> <input id="photo" type="file" accept="image/*"></label></p>
<video id="video" playsinline muted hidden></video>
<p id="scan-note" role="status"></p>
<label for="text" data-ui="paste"></label><textarea id="text"></textarea>
<button id="check" data-ui="check"></button>
<p id="verdict" role="status"></p><pre id="document"></pre>
<p><small>Trust list v{trust.version}; status list of <span id="listdate"></span></small></p>
<script id="asylon-data" type="application/json">{data}</script>
<script id="asylon-verify">{script}</script>
<script>
const DATA = JSON.parse(document.getElementById("asylon-data").textContent);
const $ = (id) => document.getElementById(id);
let lang = "ko";
let note = "";  // the key of the scanning message shown, so it follows a change of language
function say(key) {{
  note = key;
  $("scan-note").textContent = key ? DATA.ui[lang][key] : "";
}}
function show() {{
  document.querySelectorAll("[data-ui]").forEach((e) => e.textContent = DATA.ui[lang][e.dataset.ui]);
  document.documentElement.lang = lang;
  say(note);
}}
document.querySelectorAll("nav button").forEach((b) => b.onclick = () => {{ lang = b.dataset.lang; show(); }});
$("listdate").textContent =
  DATA.status ? new Date(DATA.status.issued_at * 1000).toISOString().slice(0, 16) : "—";
async function check() {{
  const result = await verifyText($("text").value, Date.now(), DATA);
  const out = $("verdict");
  out.className = result.code === "valid" ? "valid" : "invalid";
  out.textContent = (result.code === "valid" ? "✔ " : "✘ ") + DATA.reasons[lang][result.code];
  const d = result.document;
  $("document").textContent = d
    ? [d.name, d.nameLatin, d.number, d.birth || "", d.validFrom + " – " + d.validUntil, d.office].join("\\n") : "";
}}
function scanned(result) {{
  if (result.text === undefined) {{ say(result.message === "stopped" ? "" : result.message); return; }}
  say("");
  $("text").value = result.text;
  check();
}}
function clear() {{ $("verdict").textContent = ""; $("document").textContent = ""; }}
const control = {{ stopped: false }};
$("check").onclick = check;
$("camera").onclick = async () => {{
  clear();
  control.stopped = false;
  for (const id of ["video", "stop"]) $(id).hidden = false;
  $("camera").disabled = true;
  say("scanning");
  const result = await scanCamera($("video"), window, control);
  for (const id of ["video", "stop"]) $(id).hidden = true;
  $("camera").disabled = false;
  scanned(result);
}};
$("stop").onclick = () => {{ control.stopped = true; }};
$("photo").onchange = async () => {{
  const file = $("photo").files[0];
  if (!file) return;
  clear();
  scanned(await scanPhoto(file, window));
  $("photo").value = "";
}};
qrDetector(window).then((detector) => {{
  if (detector) return;
  $("camera").disabled = true;
  $("photo").disabled = true;
  say("no_scanner");
}});
show();
</script></body></html>
"""
