// Offline verifier for ASY1: texts, the same checks in the same order as asylon.credentials.verify.
// No network: the trust and status lists are embedded in the page at build time (DATA).
"use strict";

const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const PREFIX = "ASY1:";
const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

class Refused extends Error {
  constructor(code) { super(code); this.code = code; }
}

function base45Decode(text) {
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    const v = [...chunk].map((c) => B45.indexOf(c));
    if (v.includes(-1) || chunk.length === 1) throw new Refused("not_base45");
    const n = v[0] + v[1] * 45 + (chunk.length === 3 ? v[2] * 2025 : 0);
    if (chunk.length === 3) {
      if (n > 0xffff) throw new Refused("not_base45");
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) throw new Refused("not_base45");
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

// Inflates a zlib stream (RFC 1950, "deflate" in Compression Streams), refusing more than
// `limit` bytes as they arrive: a crafted code could otherwise inflate to megabytes.
async function inflate(bytes, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new Error("too large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
  return out;
}

async function inflateMessage(bytes) {
  try {
    return await inflate(bytes, 8192);
  } catch (e) {
    throw new Refused("not_zlib");
  }
}

// The status list's bits travel deflated (a million entries with few revoked shrink from
// 128 KB to a few KB) and are inflated once per page; a list that does not inflate to
// exactly its size is no list, and the verdict becomes "status unknown".
const inflatedStatus = new WeakMap();
function statusBits(status) {
  if (!inflatedStatus.has(status)) {
    const deflated = Uint8Array.from(atob(status.deflated), (c) => c.charCodeAt(0));
    inflatedStatus.set(status, inflate(deflated, status.size / 8).then(
      (bits) => (bits.length === status.size / 8 ? bits : null), () => null));
  }
  return inflatedStatus.get(status);
}

// A minimal CBOR decoder (RFC 8949): definite lengths only, integers, strings, arrays, maps, tags.
function cborDecode(bytes) {
  let pos = 0;
  const need = (n) => { if (pos + n > bytes.length) throw new Error("short"); };
  function length(info) {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!size) throw new Error("indefinite or reserved");
    need(size);
    let n = 0n;
    for (let i = 0; i < size; i++) n = (n << 8n) | BigInt(bytes[pos++]);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("too large");
    return Number(n);
  }
  function item(depth) {
    if (depth > 8) throw new Error("too deep");
    need(1);
    const first = bytes[pos++];
    const major = first >> 5;
    const n = length(first & 31);
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2: need(n); pos += n; return bytes.slice(pos - n, pos);
      case 3: need(n); pos += n; return new TextDecoder("utf-8", { fatal: true }).decode(bytes.slice(pos - n, pos));
      case 4: { const a = []; for (let i = 0; i < n; i++) a.push(item(depth + 1)); return a; }
      case 5: {
        const m = new Map();
        for (let i = 0; i < n; i++) {
          const k = item(depth + 1);
          if (m.has(k)) throw new Error("duplicate key");
          m.set(k, item(depth + 1));
        }
        return m;
      }
      case 6: return { tag: n, value: item(depth + 1) };
      default: throw new Error("unsupported");
    }
  }
  const value = item(0);
  if (pos !== bytes.length) throw new Error("trailing bytes");
  return value;
}

function head(major, n) {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  return [(major << 5) | 25, n >> 8, n & 0xff];
}

function sigStructure(protectedBytes, payload) {
  const label = new TextEncoder().encode("Signature1");
  return new Uint8Array([
    0x84, ...head(3, label.length), ...label,
    ...head(2, protectedBytes.length), ...protectedBytes,
    0x40,
    ...head(2, payload.length), ...payload,
  ]);
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text) => new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16)));
const EPOCH_DAY = 86400000;

async function verifyText(text, nowMs, data) {
  try {
    return await examine(text.trim(), nowMs, data);
  } catch (e) {
    return { code: e instanceof Refused ? e.code : "malformed_payload", document: null };
  }
}

async function examine(text, nowMs, data) {
  if (!text.startsWith(PREFIX)) throw new Refused("wrong_prefix");
  if (text.length > 4296) throw new Refused("not_base45");
  const cose = await inflateMessage(base45Decode(text.slice(PREFIX.length)));
  let parts, header;
  try {
    const message = cborDecode(cose);
    if (message.tag !== 18 || !Array.isArray(message.value) || message.value.length !== 4) throw new Error();
    parts = message.value;
    if (!(parts[0] instanceof Uint8Array && parts[2] instanceof Uint8Array && parts[3] instanceof Uint8Array)) throw new Error();
    if (!(parts[1] instanceof Map) || parts[1].size !== 0) throw new Error();
    header = cborDecode(parts[0]);
    if (!(header instanceof Map) || header.size !== 2 || header.get(1) !== -7) throw new Error();
    if (!(header.get(4) instanceof Uint8Array) || header.get(4).length !== 8) throw new Error();
  } catch (e) {
    throw new Refused("not_cose");
  }
  const [protectedBytes, , payload, signature] = parts;
  const candidates = data.keys.filter((k) => k.kid === hex(header.get(4)));
  if (!candidates.length) throw new Refused("unknown_key");
  const signers = [];
  const r = BigInt("0x" + (hex(signature.slice(0, 32)) || "0"));
  const s = BigInt("0x" + (hex(signature.slice(32)) || "0"));
  if (signature.length === 64 && r > 0n && r < ORDER && s > 0n && s <= ORDER / 2n) {
    for (const key of candidates) {
      const publicKey = await crypto.subtle.importKey(
        "raw", fromHex("04" + key.x + key.y), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
      const ok = await crypto.subtle.verify(
        { name: "ECDSA", hash: "SHA-256" }, publicKey, signature, sigStructure(protectedBytes, payload));
      if (ok) signers.push(key);
    }
  }
  if (!signers.length) throw new Refused("bad_signature");
  const claims = cborDecode(payload);
  if (!(claims instanceof Map)) throw new Refused("malformed_payload");
  const f = claims.get(-65537);
  if (!(f instanceof Map)) throw new Refused("malformed_payload");
  const name = (a, b) => [f.get(a), f.get(b)].filter((x) => x).join(" ");
  const document = {
    type: f.get(1), number: f.get(2), name: name(3, 4) || name(5, 6), nameLatin: name(5, 6),
    birth: f.get(7) || null,
    validFrom: new Date(f.get(8) * EPOCH_DAY).toISOString().slice(0, 10),
    validUntil: new Date(f.get(9) * EPOCH_DAY).toISOString().slice(0, 10),
    office: f.get(10), index: f.get(11),
  };
  if (typeof document.number !== "string" || typeof document.index !== "number") throw new Refused("malformed_payload");
  const own = signers.filter((k) => k.office === document.office);
  if (claims.get(1) !== data.authority || !own.length) throw new Refused("wrong_issuer");
  const iat = claims.get(6) * 1000;
  if (!own.some((k) => k.from * 1000 <= iat && iat <= k.until * 1000)) throw new Refused("key_expired");
  const verdict = (code) => ({ code, document });
  if (nowMs < claims.get(5) * 1000) return verdict("not_yet_valid");
  if (nowMs >= claims.get(4) * 1000) return verdict("expired");
  const status = data.status;
  if (!status || status.authority !== claims.get(1) || document.index >= status.size) return verdict("status_unknown");
  const bits = await statusBits(status);
  if (bits === null) return verdict("status_unknown");
  if ((bits[document.index >> 3] >> (7 - (document.index & 7))) & 1) return verdict("revoked");
  const issued = status.issued_at * 1000;
  if (nowMs < issued - 300000 || nowMs > issued + status.ttl * 1000) return verdict("status_unknown");
  return verdict("valid");
}

// Reading the code with the browser's own BarcodeDetector (Shape Detection API), from the
// camera or from a photo of the card: no library, nothing loaded. `scope` is the window; the
// tests pass a stand-in. Each function answers { text } or { message } with a key of DATA.ui.
async function qrDetector(scope) {
  const Detector = scope.BarcodeDetector;
  if (typeof Detector !== "function") return null;
  try {
    // A browser may define the class yet read no QR codes on this device.
    if (typeof Detector.getSupportedFormats === "function") {
      const formats = await Detector.getSupportedFormats();
      if (!Array.isArray(formats) || !formats.includes("qr_code")) return null;
    }
    return new Detector({ formats: ["qr_code"] });
  } catch (e) {
    return null;
  }
}

// Among the codes found, an ASY1: text first; any other QR text is verified too, so that the
// guard reads "not an Asylon document" rather than nothing.
async function qrTextIn(detector, source) {
  let found;
  try {
    found = await detector.detect(source);
  } catch (e) {
    return null;
  }
  const texts = (Array.isArray(found) ? found : [])
    .filter((code) => code && code.format === "qr_code" && typeof code.rawValue === "string" && code.rawValue)
    .map((code) => code.rawValue);
  return texts.find((text) => text.startsWith(PREFIX)) ?? texts[0] ?? null;
}

async function scanPhoto(file, scope) {
  const detector = await qrDetector(scope);
  if (!detector) return { message: "no_scanner" };
  let image;
  try {
    image = await scope.createImageBitmap(file);
  } catch (e) {
    return { message: "no_code" };
  }
  try {
    const text = await qrTextIn(detector, image);
    return text === null ? { message: "no_code" } : { text };
  } finally {
    if (typeof image.close === "function") image.close();
  }
}

// Looks at the camera every `interval` ms until a code is read, `control.stopped` is set, or
// `tries` looks found nothing; the camera is always switched off before it answers.
async function scanCamera(video, scope, control, { interval = 250, tries = 240 } = {}) {
  const detector = await qrDetector(scope);
  if (!detector) return { message: "no_scanner" };
  const media = scope.navigator && scope.navigator.mediaDevices;
  if (!media || typeof media.getUserMedia !== "function") return { message: "no_camera" };
  let stream;
  try {
    stream = await media.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (e) {
    return { message: "no_camera" };
  }
  try {
    video.srcObject = stream;
    await video.play();
    for (let i = 0; i < tries; i++) {
      if (control.stopped) return { message: "stopped" };
      if (video.readyState >= 2) {
        const text = await qrTextIn(detector, video);
        if (text !== null) return { text };
      }
      await new Promise((resolve) => scope.setTimeout(resolve, interval));
    }
    return { message: "no_code" };
  } catch (e) {
    return { message: "no_camera" };
  } finally {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  }
}

if (typeof module !== "undefined") {
  module.exports = { verifyText, base45Decode, cborDecode, qrDetector, qrTextIn, scanPhoto, scanCamera };
}
