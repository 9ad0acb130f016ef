"""The revocation list: one bit per document, compressed, signed, and trusted only while fresh."""

import random
from datetime import timedelta

import cbor2
import pytest

from asylon.credentials import cose, keys, status
from tests.credentials.world import AUTHORITY, NOW, Authority, signer

DAY = timedelta(days=1)


def build(revoked=(), size=status.MIN_SIZE, issued_at=NOW, ttl=DAY) -> status.StatusList:
    return status.status_list_build(authority=AUTHORITY, size=size, revoked=revoked, issued_at=issued_at, ttl=ttl)


def test_index_zero_is_the_left_most_bit_as_in_the_w3c_list():
    status_list = build(revoked=[0, 9, status.MIN_SIZE - 1])
    assert status_list.bits[:2] == b"\x80\x40"
    assert status_list.bits[-1] == 0x01
    assert [i for i in range(16) if status_list.is_revoked(i)] == [0, 9]
    assert status_list.is_revoked(status.MIN_SIZE - 1)


def test_an_index_outside_the_list_is_not_an_answer():
    status_list = build()
    assert not status_list.covers(status.MIN_SIZE) and not status_list.covers(-1)
    with pytest.raises(IndexError):
        status_list.is_revoked(status.MIN_SIZE)
    with pytest.raises(IndexError):
        build(revoked=[status.MIN_SIZE])


def test_a_signed_list_loads_with_its_bits_and_times():
    authority = Authority()
    built = build(revoked=[3, 77_777], ttl=timedelta(hours=36))
    loaded = status.status_list_load(
        status.status_list_sign(built, signer=authority.seoul), trust=authority.trust_list()
    )
    assert loaded == built


def test_a_list_is_fresh_from_its_issue_until_its_time_to_live_ends():
    status_list = build(ttl=DAY)
    assert status_list.is_fresh(NOW) and status_list.is_fresh(NOW + DAY)
    assert not status_list.is_fresh(NOW + DAY + timedelta(seconds=1))
    assert status_list.is_fresh(NOW - status.CLOCK_SKEW)
    assert not status_list.is_fresh(NOW - status.CLOCK_SKEW - timedelta(seconds=1))


def test_a_list_with_any_byte_changed_is_refused():
    authority = Authority()
    signed = status.status_list_sign(build(revoked=[5]), signer=authority.seoul)
    trust_list = authority.trust_list()
    rng = random.Random(3)
    for position in range(len(signed)):
        tampered = bytearray(signed)
        tampered[position] ^= 1 << rng.randrange(8)
        with pytest.raises(status.StatusListRejected):
            status.status_list_load(bytes(tampered), trust=trust_list)


def test_a_list_signed_by_an_unlisted_key_is_refused():
    authority = Authority()
    stranger = signer("SEOUL", NOW - DAY)
    with pytest.raises(status.StatusListRejected, match="not signed by a key on the trust list"):
        status.status_list_load(status.status_list_sign(build(), signer=stranger), trust=authority.trust_list())


def test_a_key_cannot_sign_a_list_outside_its_period():
    authority = Authority()
    with pytest.raises(ValueError, match="signing period"):
        status.status_list_sign(build(issued_at=authority.seoul.signs_until + DAY), signer=authority.seoul)
    # forged past the check: the verifier refuses it all the same
    late = build(issued_at=authority.seoul.signs_until + DAY)
    forged = cose.sign1(
        status.status_list_encode(late),
        key=authority.seoul.private_key,
        kid=authority.seoul.trusted.kid,
        external_aad=status.STATUS_LIST_AAD,
    )
    with pytest.raises(status.StatusListRejected, match="outside its signing period"):
        status.status_list_load(forged, trust=authority.trust_list())


def _signed_body(authority: Authority, body: dict) -> bytes:
    return cose.sign1(
        cbor2.dumps(body),
        key=authority.seoul.private_key,
        kid=authority.seoul.trusted.kid,
        external_aad=status.STATUS_LIST_AAD,
    )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({1: "JP-MOJ"}, "not the trusted authority"),
        ({2: -5}, "not a time"),
        ({3: 0}, "time to live"),
        ({3: 400 * 86400}, "time to live"),
        ({4: status.MIN_SIZE + 4}, "multiple of 8"),
        ({4: 8}, "multiple of 8"),
        ({4: status.MIN_SIZE * 2}, "inflate to exactly"),
        ({5: b"not zlib"}, "not a zlib stream"),
        ({5: "text"}, "wrong type"),
        ({6: 1}, "exactly authority"),
    ],
)
def test_a_signed_list_of_the_wrong_form_is_refused(change, says):
    authority = Authority()
    body = cbor2.loads(status.status_list_encode(build()))
    with pytest.raises(status.StatusListRejected, match=says):
        status.status_list_load(_signed_body(authority, {**body, **change}), trust=authority.trust_list())


def test_a_trust_list_or_document_is_not_a_status_list():
    authority = Authority()
    with pytest.raises(status.StatusListRejected):
        status.status_list_load(b"\xd2\x84", trust=authority.trust_list())
    document_message = cose.sign1(b"\xa0", key=authority.seoul.private_key, kid=authority.seoul.trusted.kid)
    with pytest.raises(status.StatusListRejected, match="not signed by a key"):
        status.status_list_load(document_message, trust=authority.trust_list())


def test_a_random_index_avoids_those_taken():
    taken = set(range(0, 1000, 2))
    drawn = {status.status_index_random(1000, taken=taken) for _ in range(200)}
    assert drawn and all(i % 2 == 1 and 0 <= i < 1000 for i in drawn)


def test_a_full_list_has_no_free_index():
    class Everything:
        def __contains__(self, index: object) -> bool:
            return True

    with pytest.raises(status.StatusListFull):
        status.status_index_random(status.MIN_SIZE, taken=Everything())


def test_a_list_too_small_to_hide_in_is_not_built():
    with pytest.raises(ValueError, match="multiple of 8"):
        build(size=1024)


def test_a_million_documents_with_one_percent_revoked_fit_in_25_kb():
    authority = Authority()
    million = 1_000_000
    revoked = random.Random(1).sample(range(million), million // 100)
    built = build(revoked=revoked, size=million)
    signed = status.status_list_sign(built, signer=authority.seoul)
    assert len(signed) <= 25_000, len(signed)
    loaded = status.status_list_load(signed, trust=authority.trust_list())
    assert sum(loaded.is_revoked(i) for i in revoked[:1000]) == 1000
    assert sum(map(int.bit_count, loaded.bits)) == len(revoked)


def test_the_kid_of_a_status_list_names_its_signer():
    authority = Authority()
    message = cose.parse_sign1(status.status_list_sign(build(), signer=authority.seoul))
    assert message.kid == keys.kid_of(authority.seoul.private_key.public_key())
