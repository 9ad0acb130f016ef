"""Figures for offline-verifiable documents: issue and verify rates beside raw P-256, sizes, a fuzz run.

Run: `python bench/credentials.py [fuzz inputs]` (default 100,000). Not a test: one process,
so every rate is per core; each rate is the median of five runs, and raw ECDSA is measured
in the same run so the ratio holds on any machine.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

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
RUNS = 5


def rate(call: Callable[[], object], n: int) -> float:
    """Median calls per second over RUNS runs of n calls."""
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(n):
            call()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def main(fuzz_inputs: int) -> None:
    print(f"CPython {sys.version.split()[0]}, one core, median of {RUNS} runs")
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

    raw_sign = rate(lambda: private.sign(sample, ec.ECDSA(hashes.SHA256())), 2_000)
    raw_verify = rate(lambda: public.verify(der, sample, ec.ECDSA(hashes.SHA256())), 2_000)
    issued = rate(lambda: document_sign(DOCUMENT, issuer=AUTHORITY, signer=signer, now=NOW), 2_000)
    verified = rate(lambda: document_verify(text, now=NOW, trust=trust_list, status=status_list), 2_000)
    unwrapped = rate(lambda: cose.parse_sign1(transport.qr_text_decode(text)), 5_000)

    print(f"raw P-256 sign (cryptography)        {raw_sign:10,.0f} /s")
    print(f"raw P-256 verify (cryptography)      {raw_verify:10,.0f} /s")
    print(f"documents issued (to QR text)        {issued:10,.0f} /s")
    print(f"documents verified (from QR text)    {verified:10,.0f} /s  = {verified / raw_verify:.2f} × raw verify")
    print(f"  of which unwrapping, no signature  {unwrapped:10,.0f} /s")
    print(f"QR text, typical Korean document     {len(text):10,} characters (COSE {len(message)} bytes)")
    print(f"  with nationality                   {len(with_nationality):10,} characters")
    print(f"status list, 1,000,000 at 1 % revoked {len(signed_list):9,} bytes signed")
    print(f"trust list with one key              {len(trust.trust_list_sign(unsigned, root=root)):10,} bytes")

    crashes, valid = 0, 0
    alphabet = base45.ALPHABET
    start = time.perf_counter()
    for i in range(fuzz_inputs):
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars))
            choice = rng.random()
            if choice < 0.6:
                chars[at] = rng.choice(alphabet)
            elif choice < 0.8:
                del chars[at]
            else:
                chars.insert(at, rng.choice(alphabet))
        candidate = "".join(chars) if i % 10 else transport.qr_text_encode(_flip(message, rng))
        try:
            verdict = examine(candidate, now=NOW, trust=trust_list, status=status_list)
        except Exception:
            crashes += 1
            continue
        if verdict.code == Code.VALID and transport.qr_text_decode(candidate) != message:
            valid += 1
    seconds = time.perf_counter() - start
    print(f"fuzz: {fuzz_inputs:,} mutated texts in {seconds:.1f} s, {crashes} crashes, {valid} wrongly valid")


def _flip(message: bytes, rng: random.Random) -> bytes:
    changed = bytearray(message)
    changed[rng.randrange(len(changed))] ^= 1 << rng.randrange(8)
    return bytes(changed)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
