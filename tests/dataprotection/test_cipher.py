"""Field encryption, rotation, shredding and blind indexes, without a database."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylon.dataprotection import cipher
from asylon.dataprotection.blind import blind_index
from asylon.dataprotection.keys import KeyMaterialError, Keyring

KEYS = Keyring.generate(["seoul", "bangkok"], "2026-11")
HERE = cipher.associated_data("people_name", "text", "7f3c")


def test_a_value_round_trips_and_is_not_readable_at_rest():
    token = cipher.encrypt(KEYS, "seoul", "리순희", HERE)
    assert "리순희" not in token and "Ri" not in token
    assert token.startswith("v1:seoul:2026-11:")
    assert cipher.decrypt(KEYS, token, HERE) == "리순희"


def test_the_same_value_encrypts_differently_each_time():
    assert cipher.encrypt(KEYS, "seoul", "Kim", HERE) != cipher.encrypt(KEYS, "seoul", "Kim", HERE)


@pytest.mark.parametrize(
    "elsewhere",
    [
        cipher.associated_data("people_name", "text", "8a01"),  # another row
        cipher.associated_data("people_name", "given_name", "7f3c"),  # another column
        cipher.associated_data("cases_assessment", "text", "7f3c"),  # another table
    ],
)
def test_a_ciphertext_moved_to_another_place_fails_to_decrypt(elsewhere):
    token = cipher.encrypt(KEYS, "seoul", "리순희", HERE)
    with pytest.raises(cipher.DecryptionError, match="does not belong here"):
        cipher.decrypt(KEYS, token, elsewhere)


@pytest.mark.parametrize(
    "broken",
    [
        "리순희",
        "v2:seoul:2026-11:AAAA",
        "v1:seoul:2026-11:not base64!",
        "v1:seoul:2026-11:AAAA",
        "v1:lima:2026-11:" + "A" * 64,
        "v1:seoul:1999-01:" + "A" * 64,
    ],
)
def test_anything_but_a_valid_ciphertext_raises_and_never_comes_back_as_data(broken):
    with pytest.raises(cipher.DecryptionError):
        cipher.decrypt(KEYS, broken, HERE)


def test_a_flipped_bit_is_detected():
    token = cipher.encrypt(KEYS, "seoul", "Pak Tong Gu", HERE)
    head, body = token.rsplit(":", 1)
    flipped = body[:-6] + ("A" if body[-6] != "A" else "B") + body[-5:]
    with pytest.raises(cipher.DecryptionError):
        cipher.decrypt(KEYS, f"{head}:{flipped}", HERE)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.text(max_size=40), min_size=1, max_size=8), rotations=st.integers(1, 3))
def test_key_rotation_round_trips_every_value(values, rotations):
    keyring = KEYS
    tokens = [cipher.encrypt(keyring, "seoul", v, HERE) for v in values]
    for n in range(rotations):
        keyring = keyring.with_new_key("seoul", f"r{n}")
        assert all(cipher.needs_rotation(keyring, t) for t in tokens)
        tokens = [cipher.reencrypt(keyring, t, HERE) for t in tokens]
        assert not any(cipher.needs_rotation(keyring, t) for t in tokens)
    retired = keyring.without_key("seoul", "2026-11")
    assert [cipher.decrypt(retired, t, HERE) for t in tokens] == values


def test_shredding_an_office_makes_its_records_unreadable_but_not_others():
    seoul = cipher.encrypt(KEYS, "seoul", "림영철", HERE)
    bangkok = cipher.encrypt(KEYS, "bangkok", "최은희", HERE)
    shredded = KEYS.shred("seoul")
    with pytest.raises(cipher.DecryptionError, match="no key"):
        cipher.decrypt(shredded, seoul, HERE)
    assert cipher.decrypt(shredded, bangkok, HERE) == "최은희"
    with pytest.raises(KeyMaterialError, match="shredded"):
        cipher.encrypt(shredded, "seoul", "x", HERE)


def test_the_keyring_round_trips_through_its_file_and_names_bad_material():
    assert Keyring.from_json(KEYS.to_json()) == KEYS
    with pytest.raises(KeyMaterialError, match="not JSON"):
        Keyring.from_json("{")
    with pytest.raises(KeyMaterialError, match="'offices'"):
        Keyring.from_json('{"blind_index": ""}')
    with pytest.raises(KeyMaterialError, match="must be 32 bytes"):
        Keyring.from_json('{"blind_index": "AAAA", "offices": {}}')
    with pytest.raises(KeyMaterialError, match="active key"):
        KEYS.without_key("seoul", "2026-11")


def test_blind_indexes_match_equal_values_only_and_reveal_nothing():
    a = blind_index(KEYS, "name", "리순희")
    assert a == blind_index(KEYS, "name", "리순희")
    assert a != blind_index(KEYS, "name", "리순이")
    assert a != blind_index(KEYS, "surname", "리순희")
    assert a != blind_index(Keyring.generate([], "k"), "name", "리순희")
    assert len(a) == 32 and "리" not in a
