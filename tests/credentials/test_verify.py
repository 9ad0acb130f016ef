"""From QR text to verdict: the document that verifies, and every way one must not."""

import random
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import cbor2
import pytest

from asylon.credentials import cwt, keys, status, transport, verify
from asylon.credentials.issue import SignerKeyNotInUse, document_sign
from asylon.credentials.verify import Code, document_verify, examine
from asylon.procedure.documents import DocumentType as ProcedureType
from tests.credentials.world import (
    AUTHORITY,
    NOW,
    RI_SUN_HUI,
    Authority,
    claims_for,
    cose_parts,
    forge,
    rewrap,
    signer,
)


def check(authority: Authority, text: str, *, now: datetime = NOW, **kwargs: object) -> verify.Verdict:
    trust = kwargs.pop("trust", None) or authority.trust_list()
    status_list = kwargs.pop("status") if "status" in kwargs else authority.status_list()
    # examine() has no safety net: an unexpected exception fails the test instead of hiding as a verdict.
    verdict = examine(text, now=now, trust=trust, status=status_list)
    assert verdict == document_verify(text, now=now, trust=trust, status=status_list)
    assert verdict.reason
    return verdict


def test_every_code_has_a_reason():
    assert set(verify.REASONS) == set(Code)


def test_a_korean_temporary_certificate_verifies_with_its_printed_fields():
    authority = Authority()
    verdict = check(authority, authority.issue())
    assert verdict.code == Code.VALID and verdict.valid
    assert verdict.document == RI_SUN_HUI
    assert verdict.claims is not None and verdict.claims.issuer == AUTHORITY
    assert verdict.claims.issued_at == NOW
    assert (verdict.document.family_name, verdict.document.given_name) == ("리", "순희")
    assert verdict.document.date_of_birth == "1991-03"


def test_the_document_is_valid_through_the_last_day_printed_in_seoul():
    authority = Authority()
    text = authority.issue()
    seoul_midnight_after = datetime(2027, 5, 19, 0, 0, tzinfo=cwt.KST)
    fresh = authority.status_list(issued_at=seoul_midnight_after - timedelta(days=1))
    assert check(authority, text, now=seoul_midnight_after - timedelta(seconds=1), status=fresh).code == Code.VALID
    expired = check(authority, text, now=seoul_midnight_after, status=fresh)
    assert expired.code == Code.EXPIRED
    assert "2027-05-18" in expired.reason
    assert expired.document == RI_SUN_HUI  # authentic, so the guard may see whose card it is


def test_a_document_is_not_valid_before_its_first_day_in_seoul():
    authority = Authority()
    renewal = authority.issue(valid_from=date(2027, 5, 19), valid_until=date(2027, 11, 15))
    first_moment = datetime(2027, 5, 19, 0, 0, tzinfo=cwt.KST)
    verdict = check(authority, renewal, now=first_moment - timedelta(seconds=1))
    assert verdict.code == Code.NOT_YET_VALID
    assert "2027-05-19" in verdict.reason
    listed = authority.status_list(issued_at=first_moment)
    assert check(authority, renewal, now=first_moment, status=listed).code == Code.VALID


def test_a_name_recorded_only_in_latin_script_is_carried_once_and_read_back():
    authority = Authority()
    document = replace(
        RI_SUN_HUI, family_name="AHMADI", given_name="FARIDA", family_name_latin="AHMADI", given_name_latin="FARIDA"
    )
    text = authority.issue(document)
    fields = cbor2.loads(cose_parts(text)[2])[cwt.DOCUMENT_CLAIM]
    assert cwt.FAMILY not in fields and cwt.GIVEN not in fields
    assert check(authority, text).document == document


def test_nationality_is_carried_only_where_the_issuer_chooses():
    authority = Authority()
    assert cwt.NATIONALITY not in cbor2.loads(cose_parts(authority.issue())[2])[cwt.DOCUMENT_CLAIM]
    with_nationality = replace(RI_SUN_HUI, nationality="PRK", date_of_birth=None, status_index=0)
    verdict = check(authority, authority.issue(with_nationality))
    assert verdict.code == Code.VALID and verdict.document == with_nationality


def test_a_mononym_verifies():
    authority = Authority()
    document = replace(RI_SUN_HUI, family_name="", given_name="순희", family_name_latin="", given_name_latin="SUNHUI")
    assert check(authority, authority.issue(document)).document == document


def test_a_tampered_payload_byte_is_a_bad_signature():
    authority = Authority()
    protected, unprotected, payload, signature = cose_parts(authority.issue())
    assert isinstance(payload, bytes)
    tampered = payload.replace(b"SUN HUI", b"SUN HEE")
    assert tampered != payload
    assert check(authority, rewrap([protected, unprotected, tampered, signature])).code == Code.BAD_SIGNATURE


def test_a_tampered_signature_is_a_bad_signature():
    authority = Authority()
    protected, unprotected, payload, signature = cose_parts(authority.issue())
    assert isinstance(signature, bytes)
    for position in (0, 31, 32, 63):
        flipped = bytearray(signature)
        flipped[position] ^= 0x01
        text = rewrap([protected, unprotected, payload, bytes(flipped)])
        assert check(authority, text).code == Code.BAD_SIGNATURE
    assert check(authority, rewrap([protected, unprotected, payload, signature[:63]])).code == Code.BAD_SIGNATURE
    assert check(authority, rewrap([protected, unprotected, payload, bytes(64)])).code == Code.BAD_SIGNATURE


def test_the_mirror_signature_with_the_high_s_is_refused():
    """(r, n - s) is the same ECDSA signature spelled differently; refusing it leaves one valid text per document."""
    authority = Authority()
    protected, unprotected, payload, signature = cose_parts(authority.issue())
    assert isinstance(signature, bytes)
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    high = signature[:32] + (n - int.from_bytes(signature[32:], "big")).to_bytes(32, "big")
    assert check(authority, rewrap([protected, unprotected, payload, high])).code == Code.BAD_SIGNATURE


def test_a_key_absent_from_the_trust_list_is_an_unknown_key():
    authority = Authority()
    stranger = keys.private_key_generate()
    assert check(authority, forge(claims_for(), key=stranger)).code == Code.UNKNOWN_KEY


def test_another_key_using_a_trusted_kid_is_a_bad_signature():
    authority = Authority()
    text = forge(claims_for(), key=keys.private_key_generate(), kid=authority.seoul.trusted.kid)
    assert check(authority, text).code == Code.BAD_SIGNATURE


def test_two_keys_sharing_a_kid_are_both_tried():
    """HCERT: 8 bytes can collide, so every key with the kid is tried."""
    authority = Authority()
    decoy = signer("SEOUL", NOW - timedelta(days=30)).trusted
    object.__setattr__(decoy, "kid", authority.seoul.trusted.kid)
    trust_list = authority.trust_list()
    colliding = replace(trust_list, keys=(decoy, *trust_list.keys))
    assert len(colliding.find(authority.seoul.trusted.kid)) == 2
    assert check(authority, authority.issue(), trust=colliding).code == Code.VALID


def test_a_document_signed_outside_the_keys_period_is_refused():
    authority = Authority()
    before = forge(
        claims_for(issued_at=authority.seoul.signs_from - timedelta(seconds=1)), key=authority.seoul.private_key
    )
    assert check(authority, before).code == Code.KEY_EXPIRED
    late_document = replace(RI_SUN_HUI, valid_from=date(2027, 12, 1), valid_until=date(2028, 5, 31))
    late = claims_for(late_document, issued_at=authority.seoul.signs_until + timedelta(seconds=1))
    later = datetime(2028, 1, 5, tzinfo=UTC)
    verdict = check(authority, forge(late, key=authority.seoul.private_key), now=later, status=None)
    assert verdict.code == Code.KEY_EXPIRED and verdict.claims is None


def test_issuing_outside_the_keys_period_is_refused_at_the_office():
    authority = Authority()
    with pytest.raises(SignerKeyNotInUse):
        authority.issue(now=authority.seoul.signs_until + timedelta(seconds=1))


def test_a_document_naming_another_office_than_its_keys_is_the_wrong_issuer():
    authority = Authority()
    busan_document = replace(RI_SUN_HUI, office="BUSAN")
    text = forge(claims_for(busan_document), key=authority.seoul.private_key)
    verdict = check(authority, text)
    assert verdict.code == Code.WRONG_ISSUER
    assert verdict.claims is None  # a forgery's fields are never shown
    with pytest.raises(cwt.DocumentMalformed, match="cannot sign"):
        document_sign(busan_document, issuer=AUTHORITY, signer=authority.seoul, now=NOW)


def test_a_document_naming_another_authority_is_the_wrong_issuer():
    authority = Authority()
    text = forge(claims_for(issuer="JP-MOJ"), key=authority.seoul.private_key)
    assert check(authority, text).code == Code.WRONG_ISSUER


def test_a_revoked_document_is_revoked():
    authority = Authority()
    text = authority.issue()
    authority.revoked.add(RI_SUN_HUI.status_index)
    verdict = check(authority, text)
    assert verdict.code == Code.REVOKED and not verdict.valid
    assert verdict.document == RI_SUN_HUI


def test_only_its_own_bit_revokes_a_document():
    authority = Authority()
    authority.revoked |= {RI_SUN_HUI.status_index - 1, RI_SUN_HUI.status_index + 1}
    assert check(authority, authority.issue()).code == Code.VALID


def test_a_stale_status_list_gives_status_unknown_never_valid():
    authority = Authority()
    text = authority.issue()
    week_old = authority.status_list(issued_at=NOW - timedelta(days=7))
    assert check(authority, text, status=week_old).code == Code.VALID  # exactly at its time to live
    stale = authority.status_list(issued_at=NOW - timedelta(days=7, seconds=1))
    verdict = check(authority, text, status=stale)
    assert verdict.code == Code.STATUS_UNKNOWN and not verdict.valid
    assert verdict.document == RI_SUN_HUI
    assert "past its time to live" in verdict.reason


def test_a_revocation_stays_visible_in_a_stale_list():
    authority = Authority()
    text = authority.issue()
    authority.revoked.add(RI_SUN_HUI.status_index)
    stale = authority.status_list(issued_at=NOW - timedelta(days=30))
    assert check(authority, text, status=stale).code == Code.REVOKED


def test_a_missing_status_list_gives_status_unknown():
    authority = Authority()
    verdict = check(authority, authority.issue(), status=None)
    assert verdict.code == Code.STATUS_UNKNOWN
    assert "No status list" in verdict.reason


def test_a_status_list_from_the_future_gives_status_unknown():
    authority = Authority()
    ahead = authority.status_list(issued_at=NOW + status.CLOCK_SKEW + timedelta(seconds=1))
    assert check(authority, authority.issue(), status=ahead).code == Code.STATUS_UNKNOWN


def test_an_index_beyond_the_list_gives_status_unknown():
    authority = Authority()
    text = authority.issue(status_index=8 * status.MIN_SIZE)  # the world's lists have 8 × 131,072 entries
    verdict = check(authority, text)
    assert verdict.code == Code.STATUS_UNKNOWN
    assert "does not cover" in verdict.reason


@pytest.mark.parametrize(
    "text",
    ["", "HC1:NCFOXN%TS3DH3ZSUZK+.V0ET", "asy1:BB8", "ASY2:BB8", "ASY1", " ASY1:BB8", "https://example.org/ASY1:"],
)
def test_a_text_without_our_prefix_is_the_wrong_prefix(text):
    assert check(Authority(), text).code == Code.WRONG_PREFIX


def test_a_text_that_is_not_text_is_the_wrong_prefix():
    authority = Authority()
    for thing in (None, b"ASY1:BB8", 42):
        assert document_verify(thing, now=NOW, trust=authority.trust_list(), status=None).code == Code.WRONG_PREFIX  # type: ignore[arg-type]


def test_every_truncation_of_a_valid_text_is_refused_by_name():
    authority = Authority()
    text = authority.issue()
    trust, status_list = authority.trust_list(), authority.status_list()
    seen = set()
    for length in range(len(text)):
        verdict = examine(text[:length], now=NOW, trust=trust, status=status_list)
        assert verdict.code != Code.VALID
        seen.add(verdict.code)
    assert seen == {Code.WRONG_PREFIX, Code.NOT_BASE45, Code.NOT_ZLIB}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ASY1:bb8", Code.NOT_BASE45),
        ("ASY1:GGW", Code.NOT_BASE45),
        ("ASY1:" + "0" * (transport.MAX_TEXT), Code.NOT_BASE45),
        ("ASY1:BB8", Code.NOT_ZLIB),
        ("ASY1:", Code.NOT_ZLIB),
    ],
)
def test_damaged_text_is_named_for_the_layer_that_failed(text, code):
    assert check(Authority(), text).code == code


def test_a_zlib_bomb_is_refused_before_it_inflates():
    bomb = transport.PREFIX + transport.base45.encode(zlib.compress(bytes(10_000_000), 9))
    assert check(Authority(), bomb).code in {Code.NOT_BASE45, Code.NOT_ZLIB}


def test_trailing_bytes_after_the_zlib_stream_are_refused():
    authority = Authority()
    inner = transport.base45.decode(authority.issue()[5:])
    assert check(authority, transport.PREFIX + transport.base45.encode(inner + b"\x00")).code == Code.NOT_ZLIB


def test_random_bytes_are_refused_at_every_layer():
    authority = Authority()
    rng = random.Random(20261120)
    for _ in range(200):
        blob = rng.randbytes(rng.randrange(0, 400))
        assert check(authority, blob.decode("latin-1")).code == Code.WRONG_PREFIX
        assert check(authority, transport.PREFIX + transport.base45.encode(blob)).code == Code.NOT_ZLIB
        zlibbed = transport.PREFIX + transport.base45.encode(zlib.compress(blob))
        assert check(authority, zlibbed).code == Code.NOT_COSE


def test_random_unicode_is_refused():
    authority = Authority()
    rng = random.Random(7)
    for _ in range(200):
        text = "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(rng.randrange(1, 300)))
        assert check(authority, text).code == Code.WRONG_PREFIX
        assert check(authority, transport.PREFIX + text).code == Code.NOT_BASE45


def test_a_signed_payload_that_is_not_our_claims_is_malformed():
    authority = Authority()
    key = authority.seoul.private_key
    claims = cwt.claims_encode(claims_for())
    decoded = cbor2.loads(claims)
    with_unknown_field = {**decoded, cwt.DOCUMENT_CLAIM: {**decoded[cwt.DOCUMENT_CLAIM], 13: "restricted"}}
    with_bool_index = {**decoded, cwt.DOCUMENT_CLAIM: {**decoded[cwt.DOCUMENT_CLAIM], cwt.INDEX: True}}
    with_float_time = {**decoded, cwt.EXP: 1.8e9}
    with_hcert_key = {k if k != cwt.DOCUMENT_CLAIM else -260: v for k, v in decoded.items()}
    with_bad_birth = {**decoded, cwt.DOCUMENT_CLAIM: {**decoded[cwt.DOCUMENT_CLAIM], cwt.BIRTH: "1991-13"}}
    with_type_9 = {**decoded, cwt.DOCUMENT_CLAIM: {**decoded[cwt.DOCUMENT_CLAIM], cwt.TYPE: 9}}
    one_name_part = {**decoded, cwt.DOCUMENT_CLAIM: {k: v for k, v in decoded[cwt.DOCUMENT_CLAIM].items() if k != 4}}
    for payload in (
        b"",
        b"\xff",
        cbor2.dumps([1, 2, 3]),
        claims + b"\x00",
        cbor2.dumps(with_unknown_field),
        cbor2.dumps(with_bool_index),
        cbor2.dumps(with_float_time),
        cbor2.dumps(with_hcert_key),
        cbor2.dumps(with_bad_birth),
        cbor2.dumps(with_type_9),
        cbor2.dumps(one_name_part),
        cbor2.dumps(dict(reversed(decoded.items()))),  # the same claims in another order
    ):
        assert check(authority, forge(payload, key=key)).code == Code.MALFORMED_PAYLOAD, payload


def test_a_status_list_offered_as_a_document_is_a_bad_signature():
    """The status list's signature binds other external data (RFC 9052 §4.3), so it cannot pass as a document."""
    authority = Authority()
    built = status.status_list_build(
        authority=AUTHORITY, size=status.MIN_SIZE, revoked=(), issued_at=NOW, ttl=timedelta(days=1)
    )
    signed = status.status_list_sign(built, signer=authority.seoul)
    assert check(authority, transport.qr_text_encode(signed)).code == Code.BAD_SIGNATURE


def test_the_safety_net_turns_an_unexpected_error_into_a_refusal(monkeypatch):
    authority = Authority()
    text = authority.issue()

    def broken(payload: bytes) -> cwt.Claims:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cwt, "claims_decode", broken)
    verdict = document_verify(text, now=NOW, trust=authority.trust_list(), status=authority.status_list())
    assert verdict.code == Code.MALFORMED_PAYLOAD


def test_a_naive_now_is_a_programming_error():
    authority = Authority()
    with pytest.raises(ValueError, match="timezone-aware"):
        document_verify("ASY1:", now=datetime(2026, 11, 20), trust=authority.trust_list(), status=None)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"date_of_birth": "1991-13"}, "not a calendar date"),
        ({"date_of_birth": "1991-02-30"}, "not a calendar date"),
        ({"date_of_birth": "91"}, "YYYY"),
        ({"date_of_birth": "١٩٩١"}, "YYYY"),  # Arabic-Indic digits match \d, not [0-9]
        ({"number": ""}, "document number is empty"),
        ({"family_name_latin": "", "given_name_latin": ""}, "in each script"),
        ({"given_name": "순희" * 60}, "longer than"),
        ({"given_name": "\u1109\u116e\u11ab"}, "NFC"),  # 순 as conjoining jamo
        ({"nationality": "kp"}, "alpha-3"),
        ({"valid_until": date(2026, 11, 19)}, "end before it starts"),
        ({"status_index": -1}, "negative"),
    ],
)
def test_a_document_not_fit_to_print_is_refused(changes, says):
    with pytest.raises(cwt.DocumentMalformed, match=says):
        replace(RI_SUN_HUI, **changes)


def test_a_document_already_expired_is_not_issued():
    with pytest.raises(cwt.DocumentMalformed, match="expired when issued"):
        Authority().issue(valid_from=date(2026, 1, 1), valid_until=date(2026, 6, 30))


def test_claims_need_aware_times_in_order():
    with pytest.raises(cwt.DocumentMalformed, match="timezone-aware"):
        replace(claims_for(), issued_at=datetime(2026, 11, 20))
    with pytest.raises(cwt.DocumentMalformed, match="expire before"):
        replace(claims_for(), expires=NOW - timedelta(days=1))


def test_the_document_types_are_the_procedures():
    assert [t.name for t in cwt.DocumentType] == [t.name for t in ProcedureType]


def test_a_typical_document_fits_a_small_qr_code():
    text = Authority().issue(replace(RI_SUN_HUI, nationality="PRK"))
    # The research measured 343–350 characters at QR version 13-Q for a comparable card.
    assert len(text) <= 350, len(text)


def test_a_document_from_before_a_clock_change_still_verifies_now():
    authority = Authority()
    text = authority.issue()
    later = datetime(2027, 1, 5, tzinfo=UTC)
    assert check(authority, text, now=later, status=authority.status_list(issued_at=later)).code == Code.VALID
