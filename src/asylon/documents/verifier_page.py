"""One self-contained HTML page that verifies pasted QR texts offline, in Korean, Chinese and English.

The trust list and the status list are verified here, once, and embedded as data: the page
loads nothing (no CDN, no fetch). Its status list ages like any other: past its time to live
the page answers "status unknown", never "valid", until a fresh page is built.
"""

from __future__ import annotations

import base64
import html
import json
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
UI = {
    "en": {"title": "Verify an Asylon document", "paste": "Paste the text of the QR code", "check": "Verify"},
    "ko": {"title": "Asylon 문서 확인", "paste": "QR 코드의 텍스트를 붙여 넣으십시오", "check": "확인"},
    "zh": {"title": "验证 Asylon 证件", "paste": "粘贴二维码文本", "check": "验证"},
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
            "bits": base64.b64encode(status.bits).decode(),
        },
        "reasons": {
            "en": {c.value: r for c, r in REASONS.items()},
            "ko": {c.value: r for c, r in REASONS_KO.items()},
            "zh": {c.value: r for c, r in REASONS_ZH.items()},
        },
        "ui": UI,
    }


def _json_for_script(value: object) -> str:
    # "</" would end the script element early; escaped, the JSON means the same.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def verifier_page_html(trust: TrustList, status: StatusList | None) -> str:
    data = _json_for_script(page_data(trust, status))
    script = SCRIPT.read_text(encoding="utf-8")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Asylon verifier · {html.escape(trust.authority)}</title>
<style>body{{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}}
textarea{{width:100%;height:8rem}}#verdict.valid{{color:#064}}#verdict.invalid{{color:#a00}}</style>
</head><body>
<nav><button data-lang="ko">한국어</button> <button data-lang="zh">中文</button>
<button data-lang="en">English</button></nav>
<h1 id="title"></h1>
<label for="text" id="paste"></label><textarea id="text"></textarea>
<button id="check"></button>
<p id="verdict"></p><pre id="document"></pre>
<p><small>Trust list v{trust.version}; status list of <span id="listdate"></span></small></p>
<script id="asylon-data" type="application/json">{data}</script>
<script id="asylon-verify">{script}</script>
<script>
const DATA = JSON.parse(document.getElementById("asylon-data").textContent);
let lang = "ko";
function show() {{
  for (const id of ["title", "paste", "check"]) document.getElementById(id).textContent = DATA.ui[lang][id];
  document.documentElement.lang = lang;
}}
document.querySelectorAll("nav button").forEach((b) => b.onclick = () => {{ lang = b.dataset.lang; show(); }});
document.getElementById("listdate").textContent =
  DATA.status ? new Date(DATA.status.issued_at * 1000).toISOString().slice(0, 16) : "—";
document.getElementById("check").onclick = async () => {{
  const result = await verifyText(document.getElementById("text").value, Date.now(), DATA);
  const out = document.getElementById("verdict");
  out.className = result.code === "valid" ? "valid" : "invalid";
  out.textContent = (result.code === "valid" ? "✔ " : "✘ ") + DATA.reasons[lang][result.code];
  const d = result.document;
  document.getElementById("document").textContent = d
    ? [d.name, d.nameLatin, d.number, d.birth || "", d.validFrom + " – " + d.validUntil, d.office].join("\\n") : "";
}};
show();
</script></body></html>
"""
