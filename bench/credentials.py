"""Figures for offline-verifiable documents: issue and verify rates beside raw P-256, sizes, a fuzz run.

Run: `python bench/credentials.py [fuzz inputs]` (default 100,000). Not a test: one process,
so every rate is per core; each rate is the median of five rounds in which the measurements
take turns, and raw ECDSA is measured in the same rounds so the ratio holds on any machine.
The fuzzer feeds mutations of genuine texts to `examine` (the verifier without its safety
net) and counts crashes and false "valid".
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from asylon.credentials import base45, cose, cwt, keys, status, transport, trust
from asylon.credentials.issue import document_sign
from asylon.credentials.verify import Code, document_verify, examine

NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
AUTHORITY = "KR-MOJ"
DOCUMENT = cwt.Document(
    type=cwt.DocumentType.REFUGEE_CERTIFICATE,
    number="R26-0004417-K",
    family_name="리",
    given_name="순희",
    family_name_latin="RI",
    given_name_latin="SUN HUI",
    date_of_birth="1991-03",
    valid_from=date(2026, 11, 20),
    valid_until=date(2027, 11, 19),
    office="SEOUL",
    status_index=734_512,
)
# A second document for the fuzzer: a Latin-only mononym, complementary protection, born unknown.
OTHER = cwt.Document(
    type=cwt.DocumentType.COMPLEMENTARY_PROTECTION_DOCUMENT,
    number="C26-0000012-7",
    family_name="",
    given_name="NAW",
    family_name_latin="",
    given_name_latin="NAW",
    date_of_birth=None,
    valid_from=date(2026, 11, 20),
    valid_until=date(2027, 11, 19),
    office="SEOUL",
    status_index=12,
)
RUNS = 5


def rates(calls: dict[str, Callable[[], object]], n: int) -> dict[str, float]:
    """Median calls per second of each over RUNS rounds of n calls. The calls take turns within
    each round, so on a shared machine a burst of load falls on all of them, not on one."""
    seen: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(RUNS):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(n):
                call()
            seen[name].append(n / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in seen.items()}


def main(fuzz_inputs: int) -> None:
    print(f"CPython {sys.version.split()[0]}, one core, median of {RUNS} interleaved rounds")
    root = keys.private_key_generate()
    signer = trust.DocumentSigner(
        office="SEOUL",
        private_key=keys.private_key_generate(),
        signs_from=NOW - timedelta(days=30),
        signs_until=NOW + timedelta(days=395),
    )
    unsigned = trust.TrustList(authority=AUTHORITY, version=1, issued_at=NOW, keys=(signer.trusted,))
    trust_list = trust.trust_list_load(trust.trust_list_sign(unsigned, root=root), roots=[root.public_key()])

    million = 1_000_000
    rng = random.Random(25)  # noqa: S311 — a reproducible sample of revoked indexes, not cryptography
    revoked = rng.sample(range(million), million // 100)
    built = status.status_list_build(
        authority=AUTHORITY, size=million, revoked=revoked, issued_at=NOW, ttl=timedelta(days=7)
    )
    signed_list = status.status_list_sign(built, signer=signer)
    status_list = status.status_list_load(signed_list, trust=trust_list)

    text = document_sign(DOCUMENT, issuer=AUTHORITY, signer=signer, now=NOW)
    with_nationality = document_sign(replace(DOCUMENT, nationality="PRK"), issuer=AUTHORITY, signer=signer, now=NOW)
    assert document_verify(text, now=NOW, trust=trust_list, status=status_list).code == Code.VALID
    message = transport.qr_text_decode(text)

    private = signer.private_key
    public = private.public_key()
    sample = cose.sig_structure(cose.parse_sign1(message).protected, cose.parse_sign1(message).payload)
    der = private.sign(sample, ec.ECDSA(hashes.SHA256()))

    measured = rates(
        {
            "raw sign": lambda: private.sign(sample, ec.ECDSA(hashes.SHA256())),
            "raw verify": lambda: public.verify(der, sample, ec.ECDSA(hashes.SHA256())),
            "issued": lambda: document_sign(DOCUMENT, issuer=AUTHORITY, signer=signer, now=NOW),
            "verified": lambda: document_verify(text, now=NOW, trust=trust_list, status=status_list),
            "unwrapped": lambda: cose.parse_sign1(transport.qr_text_decode(text)),
        },
        2_000,
    )
    raw_sign, raw_verify, issued, verified, unwrapped = measured.values()

    print(f"raw P-256 sign (cryptography)        {raw_sign:10,.0f} /s")
    print(f"raw P-256 verify (cryptography)      {raw_verify:10,.0f} /s")
    print(f"documents issued (to QR text)        {issued:10,.0f} /s")
    print(f"documents verified (from QR text)    {verified:10,.0f} /s  = {verified / raw_verify:.2f} × raw verify")
    print(f"  of which unwrapping, no signature  {unwrapped:10,.0f} /s")
    print(f"QR text, typical Korean document     {len(text):10,} characters (COSE {len(message)} bytes)")
    print(f"  with nationality                   {len(with_nationality):10,} characters")
    print(f"status list, 1,000,000 at 1 % revoked {len(signed_list):9,} bytes signed")
    print(f"trust list with one key              {len(trust.trust_list_sign(unsigned, root=root)):10,} bytes")

    qr_version, qr_mm = _qr_figures(text)
    print(f"QR code of that text at level Q      version {qr_version}, {qr_mm:.1f} mm wide with its quiet zone")
    goals = {
        "verified >= 5,000/s": verified >= 5_000,
        ">= 0.5 x raw verify": verified >= raw_verify / 2,
        "QR version <= 13": qr_version <= 13,
        "status list <= 25 KB": len(signed_list) <= 25_000,
    }
    print("goals: " + "; ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in goals.items()))

    genuine = [text, with_nationality, document_sign(OTHER, issuer=AUTHORITY, signer=signer, now=NOW)]
    fuzz(
        genuine,
        fuzz_inputs,
        rng,
        now=NOW,
        trust_list=trust_list,
        status_list=status_list,
        stranger=keys.private_key_generate(),
    )


def _qr_figures(text: str) -> tuple[int, float]:
    """The card's own QR settings (asylon.documents.card), which need Django only to import."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asylon.config.settings")
    import django

    django.setup()
    from asylon.documents import card

    code = card.qr_code(text)
    return int(code.version), card.qr_printed_mm(code)


def _flip(data: bytes, rng: random.Random) -> bytes:
    changed = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        changed[rng.randrange(len(changed))] ^= 1 << rng.randrange(8)
    return bytes(changed)


def _sign1(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    return cbor2.dumps(cbor2.CBORTag(cose.COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _tampered_claims(payload: bytes, rng: random.Random) -> bytes:
    """The printed fields a forger would change: name, number, dates, office, status index."""
    claims = cbor2.loads(payload)
    document = dict(claims[cwt.DOCUMENT_CLAIM])
    field = rng.choice([cwt.FAMILY_LATIN, cwt.GIVEN_LATIN, cwt.NUMBER, cwt.UNTIL, cwt.OFFICE, cwt.INDEX, cwt.BIRTH])
    document[field] = {
        cwt.FAMILY_LATIN: "KIM",
        cwt.GIVEN_LATIN: "SOO JIN",
        cwt.NUMBER: "R26-0009999-4",
        cwt.UNTIL: int(document.get(cwt.UNTIL, 0)) + rng.randint(1, 3650),
        cwt.OFFICE: "BUSAN",
        cwt.INDEX: rng.randrange(1_000_000),
        cwt.BIRTH: "1985",
    }[field]
    claims[cwt.DOCUMENT_CLAIM] = document
    if rng.random() < 0.3:
        claims[cwt.EXP] = int(claims[cwt.EXP]) + 10 * 365 * 86_400
    return bytes(cbor2.dumps(claims))


def _mutant(kind: str, text: str, message: bytes, rng: random.Random, stranger: ec.EllipticCurvePrivateKey) -> str:
    body = text[len(transport.PREFIX) :]
    if kind == "edited characters":
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars))
            choice = rng.random()
            if choice < 0.6:
                chars[at] = rng.choice(base45.ALPHABET)
            elif choice < 0.8:
                del chars[at]
            else:
                chars.insert(at, rng.choice(base45.ALPHABET))
        return "".join(chars)
    if kind == "truncated":
        return text[: rng.randrange(len(text))]
    if kind == "wrong prefix":
        return rng.choice(["HC1:", "ASY2:", "asy1:", "ASY1", "ASY:", "", " ASY1:"]) + body
    if kind == "random text":
        length = rng.randrange(400)
        if rng.random() < 0.5:
            return transport.PREFIX + "".join(rng.choice(base45.ALPHABET) for _ in range(length))
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(length))
    if kind == "random bytes, well wrapped":
        return transport.qr_text_encode(rng.randbytes(rng.randrange(1, 400)))
    if kind == "flipped zlib bits":
        return transport.PREFIX + base45.encode(_flip(base45.decode(body), rng))
    if kind == "flipped COSE bits":
        return transport.qr_text_encode(_flip(message, rng))
    parsed = cose.parse_sign1(message)
    payload = _tampered_claims(parsed.payload, rng)
    if kind == "tampered payload, old signature":
        return transport.qr_text_encode(_sign1(parsed.protected, payload, parsed.signature))
    if kind == "tampered payload, re-signed by a stranger":
        # The stranger claims the genuine signer's kid: only the signature can tell them apart.
        kid = parsed.kid if rng.random() < 0.7 else keys.kid_of(stranger.public_key())
        return transport.qr_text_encode(cose.sign1(payload, key=stranger, kid=kid))
    raise ValueError(kind)


MUTATIONS = (
    "edited characters",
    "truncated",
    "wrong prefix",
    "random text",
    "random bytes, well wrapped",
    "flipped zlib bits",
    "flipped COSE bits",
    "tampered payload, old signature",
    "tampered payload, re-signed by a stranger",
)


def fuzz(
    genuine: list[str],
    inputs: int,
    rng: random.Random,
    *,
    now: datetime,
    trust_list: trust.TrustList,
    status_list: status.StatusList,
    stranger: ec.EllipticCurvePrivateKey,
) -> None:
    """Mutations of genuine texts through `examine`, the verifier without its safety net."""
    messages = {t: transport.qr_text_decode(t) for t in genuine}
    originals = set(messages.values())
    crashes: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    false_valid = same_message = 0
    start = time.perf_counter()
    for i in range(inputs):
        kind = MUTATIONS[i % len(MUTATIONS)]
        text = genuine[(i // len(MUTATIONS)) % len(genuine)]
        candidate = text
        while candidate == text:  # an edit can put back the character it replaced
            candidate = _mutant(kind, text, messages[text], rng, stranger)
        try:
            verdict = examine(candidate, now=now, trust=trust_list, status=status_list)
        except Exception as error:
            crashes[f"{kind}: {type(error).__name__}"] += 1
            continue
        verdicts[verdict.code.value] += 1
        if verdict.code == Code.VALID:
            # Valid is right only for the very same signed bytes spelled another way (a zlib
            # stream has more than one spelling); anything else is a false "valid".
            if transport.qr_text_decode(candidate) in originals:
                same_message += 1
            else:
                false_valid += 1
    seconds = time.perf_counter() - start
    print(f"fuzz: {inputs:,} inputs tried in {seconds:.1f} s ({len(MUTATIONS)} kinds of mutation, equal shares):")
    print("  " + "; ".join(MUTATIONS))
    print(f"  crashes: {sum(crashes.values())}" + "".join(f"\n    {k}: {n}" for k, n in crashes.most_common()))
    print(f"  false valid: {false_valid}  (valid: the same signed bytes in another zlib spelling: {same_message})")
    print("  verdicts: " + ", ".join(f"{code} {n:,}" for code, n in verdicts.most_common()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
