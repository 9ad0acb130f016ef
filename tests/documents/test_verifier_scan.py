"""The page's camera and photo reading, run by Node against a stand-in BarcodeDetector.

What is tested here is the page's own decision logic: when it says the browser cannot read QR
codes, which code it picks among those found, that the camera is always switched off, and
that a scanned text goes through the same verification as a pasted one. Reading pixels is the
browser's BarcodeDetector and is not tested here: Node has none, and neither has every browser.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from asylon.documents.verifier_page import UI, verifier_page_html
from tests.credentials.world import NOW, Authority
from tests.documents.test_verifier_page import NODE, needs_node

RUNNER = r"""
const fs = require("fs"), vm = require("vm");
const page = fs.readFileSync(process.argv[2], "utf8");
const pick = (id) => page.split(`<script id="${id}"`)[1].split(">").slice(1).join(">").split("</script>")[0];
const context = { module: { exports: {} }, crypto: globalThis.crypto, TextDecoder, TextEncoder, Blob, Response,
  DecompressionStream, atob, BigInt, Uint8Array, Map, Date, Number, Error };
vm.runInNewContext(pick("asylon-verify"), context);
const DATA = JSON.parse(pick("asylon-data"));
const { qrDetector, scanPhoto, scanCamera, verifyText } = context.module.exports;
const { text, now } = JSON.parse(fs.readFileSync(0, "utf8"));

// A stand-in for the Shape Detection API: `answers` are what successive detect() calls return.
function detectorClass(answers, formats = ["qr_code", "ean_13"]) {
  const seen = { constructed: [], sources: [], looks: 0 };
  class FakeDetector {
    constructor(options) { seen.constructed.push(options); }
    static async getSupportedFormats() { return formats; }
    async detect(source) {
      seen.sources.push(source);
      const answer = answers[Math.min(seen.looks++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    }
  }
  return { FakeDetector, seen };
}
const qr = (rawValue) => ({ format: "qr_code", rawValue });
const bitmap = () => ({ closed: false, close() { this.closed = true; } });

function camera(answers, { denied = false, stopAfter = null } = {}) {
  const { FakeDetector, seen } = detectorClass(answers);
  const tracks = [{ stopped: false, stop() { this.stopped = true; } }];
  const stream = { getTracks: () => tracks };
  const video = { srcObject: null, readyState: 4, played: false, async play() { this.played = true; } };
  const control = { stopped: false };
  const scope = {
    BarcodeDetector: FakeDetector,
    navigator: { mediaDevices: { async getUserMedia(constraints) {
      seen.constraints = constraints;
      if (denied) throw new Error("NotAllowedError");
      return stream;
    } } },
    setTimeout: (resolve) => { if (stopAfter !== null && seen.looks >= stopAfter) control.stopped = true; resolve(); },
  };
  return { scope, video, control, seen, tracks };
}

(async () => {
  const out = {};
  out.noDetector = [await qrDetector({}), await scanPhoto({}, {}), await scanCamera({}, {}, { stopped: false })];
  out.noQrFormat = await scanPhoto({}, { BarcodeDetector: detectorClass([[]], ["ean_13"]).FakeDetector });
  out.throwingFormats = await qrDetector({ BarcodeDetector: class { static async getSupportedFormats() {
    throw new Error("no"); } } });

  const photo = async (answers, image = bitmap()) => {
    const { FakeDetector, seen } = detectorClass(answers);
    const scope = { BarcodeDetector: FakeDetector, createImageBitmap: async (file) => {
      if (file !== "card.jpg") throw new Error("not an image"); return image; } };
    return { result: await scanPhoto("card.jpg", scope), seen, closed: image.closed };
  };
  const found = await photo([[{ format: "ean_13", rawValue: "4006381333931" }, qr("hello"), qr(text)]]);
  out.photoFound = { result: found.result, formats: found.seen.constructed, closed: found.closed,
    verdict: (await verifyText(found.result.text, now, DATA)).code };
  const other = await photo([[qr("WIFI:S:cafe;;")]]);
  out.photoOtherCode = { result: other.result, verdict: (await verifyText(other.result.text, now, DATA)).code };
  out.photoNone = (await photo([[]])).result;
  out.photoDetectFails = (await photo([new Error("decoder crashed")])).result;
  out.photoUnreadable = await scanPhoto("notes.txt", {
    BarcodeDetector: detectorClass([[]]).FakeDetector, createImageBitmap: async () => { throw new Error("bad"); } });

  let c = camera([[], [], [qr(text)]]);
  const read = await scanCamera(c.video, c.scope, c.control);
  out.cameraFound = { result: read, looks: c.seen.looks, constraints: c.seen.constraints, played: c.video.played,
    off: c.tracks.every((t) => t.stopped) && c.video.srcObject === null,
    verdict: (await verifyText(read.text, now, DATA)).code };
  c = camera([[]], { denied: true });
  out.cameraDenied = { result: await scanCamera(c.video, c.scope, c.control), looks: c.seen.looks };
  out.cameraMissing = await scanCamera({}, { BarcodeDetector: detectorClass([[]]).FakeDetector }, { stopped: false });
  c = camera([[]], { stopAfter: 2 });
  out.cameraStopped = { result: await scanCamera(c.video, c.scope, c.control), looks: c.seen.looks,
    off: c.tracks.every((t) => t.stopped) && c.video.srcObject === null };
  c = camera([[]]);
  out.cameraNothing = { result: await scanCamera(c.video, c.scope, c.control, { tries: 5 }), looks: c.seen.looks,
    off: c.tracks.every((t) => t.stopped) };
  console.log(JSON.stringify(out));
})();
"""


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    if NODE is None:
        pytest.skip("node is not installed")
    authority = Authority()
    folder = tmp_path_factory.mktemp("scan")
    page = folder / "verifier.html"
    page.write_text(verifier_page_html(authority.trust_list(), authority.status_list()), encoding="utf-8")
    runner = folder / "runner.js"
    runner.write_text(RUNNER)
    done = subprocess.run(  # noqa: S603 - our own script and file, no shell
        [NODE, str(runner), str(page)],
        input=json.dumps({"text": authority.issue(), "now": int(NOW.timestamp() * 1000)}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


@needs_node
def test_without_a_barcode_detector_the_page_asks_for_the_text(scans):
    assert scans["noDetector"] == [None, {"message": "no_scanner"}, {"message": "no_scanner"}]
    assert scans["noQrFormat"] == {"message": "no_scanner"}
    assert scans["throwingFormats"] is None


@needs_node
def test_a_photo_of_the_card_gives_its_asylon_code_which_verifies(scans):
    found = scans["photoFound"]
    assert found["result"] == {"text": found["result"]["text"]} and found["result"]["text"].startswith("ASY1:")
    assert found["formats"] == [{"formats": ["qr_code"]}]
    assert found["closed"] is True
    assert found["verdict"] == "valid"


@needs_node
def test_another_qr_code_is_read_and_refused_by_name(scans):
    assert scans["photoOtherCode"] == {"result": {"text": "WIFI:S:cafe;;"}, "verdict": "wrong_prefix"}


@needs_node
def test_a_photo_without_a_readable_code_says_none_was_found(scans):
    assert scans["photoNone"] == scans["photoDetectFails"] == scans["photoUnreadable"] == {"message": "no_code"}


@needs_node
def test_the_camera_reads_until_a_code_appears_then_switches_off(scans):
    found = scans["cameraFound"]
    assert found["looks"] == 3
    assert found["constraints"] == {"video": {"facingMode": "environment"}, "audio": False}
    assert (found["played"], found["off"], found["verdict"]) == (True, True, "valid")


@needs_node
def test_a_refused_or_missing_camera_is_said_and_stopping_switches_it_off(scans):
    assert scans["cameraDenied"] == {"result": {"message": "no_camera"}, "looks": 0}
    assert scans["cameraMissing"] == {"message": "no_camera"}
    assert scans["cameraStopped"] == {"result": {"message": "stopped"}, "looks": 2, "off": True}
    assert scans["cameraNothing"] == {"result": {"message": "no_code"}, "looks": 5, "off": True}


def test_every_message_of_the_page_is_in_all_three_languages():
    assert set(UI) == {"en", "ko", "zh-Hans"}
    for language in ("ko", "zh-Hans"):
        assert set(UI[language]) == set(UI["en"])
        for key, text in UI[language].items():
            assert text and text != UI["en"][key], (language, key)
    assert UI["en"]["no_scanner"] == "This browser cannot read QR codes; paste the text instead."
