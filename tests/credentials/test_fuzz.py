"""Hypothesis against the verifier: no input crashes it, and no change to a genuine text is `valid`.

Every property calls `examine`, the verifier without its safety net, so an exception the
checks did not anticipate fails here instead of being folded into a verdict.
"""

import unicodedata
import zlib
from datetime import date, timedelta

import cbor2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asylon.credentials import base45, cose, cwt, transport
from asylon.credentials.verify import Code, examine
from tests.credentials.world import NOW, RI_SUN_HUI, Authority, forge

AUTHORITY = Authority()
TRUST = AUTHORITY.trust_list()
STATUS = AUTHORITY.status_list()
GENUINE = AUTHORITY.issue()
GENUINE_COSE = transport.qr_text_decode(GENUINE)
GENUINE_ZLIB = base45.decode(GENUINE[len(transport.PREFIX) :])

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def verdict_of(text: str) -> Code:
    return examine(text, now=NOW, trust=TRUST, status=STATUS).code


def test_the_genuine_text_is_valid():
    assert verdict_of(GENUINE) == Code.VALID


@FUZZ
@given(st.text(max_size=600))
def test_any_text_is_refused_without_a_crash(text):
    assert verdict_of(text) != Code.VALID


@FUZZ
@given(st.text(alphabet=base45.ALPHABET, max_size=600))
def test_any_base45_text_behind_the_prefix_is_refused_without_a_crash(body):
    assert verdict_of(transport.PREFIX + body) != Code.VALID


edits = st.lists(
    st.one_of(
        st.tuples(st.just("replace"), st.integers(0, 10_000), st.characters()),
        st.tuples(st.just("replace"), st.integers(0, 10_000), st.sampled_from(base45.ALPHABET)),
        st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(base45.ALPHABET)),
        st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 8)),
        st.tuples(st.just("swap"), st.integers(0, 10_000), st.integers(0, 10_000)),
    ),
    min_size=1,
    max_size=4,
)


def mutate(text: str, operations) -> str:
    chars = list(text)
    for operation, at, what in operations:
        at %= max(len(chars), 1)
        if operation == "replace" and chars:
            chars[at] = what
        elif operation == "insert":
            chars.insert(at, what)
        elif operation == "delete":
            del chars[at : at + what]
        elif operation == "swap" and chars:
            other = what % len(chars)
            chars[at], chars[other] = chars[other], chars[at]
    return "".join(chars)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_a_changed_text_is_never_valid_unless_it_carries_the_same_message(operations):
    mutated = mutate(GENUINE, operations)
    if verdict_of(mutated) == Code.VALID:
        # Only a different spelling of the very same signed bytes may pass (a zlib stream
        # can be written more than one way); Base45 and COSE admit one spelling each.
        assert transport.qr_text_decode(mutated) == GENUINE_COSE


def byte_edits(length: int):
    return st.lists(st.tuples(st.integers(0, length - 1), st.integers(1, 255)), min_size=1, max_size=3)


@FUZZ
@given(byte_edits(len(GENUINE_COSE)), st.integers(0, len(GENUINE_COSE)))
def test_a_changed_cose_message_is_never_valid(flips, cut):
    changed = bytearray(GENUINE_COSE)
    for position, mask in flips:
        changed[position] ^= mask
    for message in (bytes(changed), GENUINE_COSE[:cut], GENUINE_COSE + bytes(changed[:1])):
        if message != GENUINE_COSE:
            assert verdict_of(transport.qr_text_encode(message)) != Code.VALID


@FUZZ
@given(byte_edits(len(GENUINE_ZLIB)))
def test_a_changed_zlib_stream_is_valid_only_when_it_inflates_to_the_same_message(flips):
    changed = bytearray(GENUINE_ZLIB)
    for position, mask in flips:
        changed[position] ^= mask
    if verdict_of(transport.PREFIX + base45.encode(bytes(changed))) == Code.VALID:
        assert zlib.decompress(bytes(changed)) == GENUINE_COSE


cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.integers(-70_000, 20) | st.text(max_size=3), inner, max_size=6)
    ),
    max_leaves=20,
)


@FUZZ
@given(cbor_values)
def test_any_signed_payload_is_judged_without_a_crash(value):
    payload = cbor2.dumps(value)
    assert verdict_of(forge(payload, key=AUTHORITY.seoul.private_key)) != Code.VALID


genuine_fields = cbor2.loads(cwt.claims_encode(cwt.claims_decode(cose.parse_sign1(GENUINE_COSE).payload)))


@FUZZ
@given(
    st.sampled_from(sorted(genuine_fields[cwt.DOCUMENT_CLAIM])),
    cbor_values,
)
def test_a_signed_document_with_any_field_replaced_is_judged_without_a_crash(key, value):
    fields = {**genuine_fields[cwt.DOCUMENT_CLAIM], key: value}
    payload = cbor2.dumps({**genuine_fields, cwt.DOCUMENT_CLAIM: fields})
    verdict = examine(forge(payload, key=AUTHORITY.seoul.private_key), now=NOW, trust=TRUST, status=STATUS)
    if verdict.code == Code.VALID:
        assert verdict.document is not None and cwt.claims_encode(verdict.claims) == payload


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30).map(
    lambda s: unicodedata.normalize("NFC", s)
)
latin = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ -'"), min_size=1, max_size=30)
births = st.one_of(
    st.none(),
    st.dates(date(1900, 1, 1), date(2026, 11, 1)).flatmap(
        lambda d: st.sampled_from([f"{d.year:04d}", f"{d.year:04d}-{d.month:02d}", d.isoformat()])
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    type_=st.sampled_from(cwt.DocumentType),
    family=names.filter(bool),
    given=names,
    family_latin=latin,
    given_latin=latin | st.just(""),
    birth=births,
    days=st.integers(1, 730),
    index=st.integers(0, 8 * 131_072 - 1),
    nationality=st.none() | st.sampled_from(["PRK", "CHN", "MMR", "XXA"]),
)
def test_every_printable_document_round_trips(
    type_, family, given, family_latin, given_latin, birth, days, index, nationality
):
    document = cwt.Document(
        type=type_,
        number="T26-0004417-K",
        family_name=family,
        given_name=given,
        family_name_latin=family_latin,
        given_name_latin=given_latin,
        date_of_birth=birth,
        valid_from=RI_SUN_HUI.valid_from,
        valid_until=RI_SUN_HUI.valid_from + timedelta(days=days),
        office="SEOUL",
        status_index=index,
        nationality=nationality,
    )
    verdict = examine(AUTHORITY.issue(document), now=NOW, trust=TRUST, status=STATUS)
    assert verdict.code == Code.VALID
    assert verdict.document == document
