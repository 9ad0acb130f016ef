"""Base45 against RFC 9285's own examples, round trips, and every way a text can be refused."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asylon.credentials import base45

RFC_9285_EXAMPLES = [  # §4.3 and §4.4
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
]


@pytest.mark.parametrize(("raw", "text"), RFC_9285_EXAMPLES)
def test_the_rfc_examples_encode_and_decode(raw, text):
    assert base45.encode(raw) == text
    assert base45.decode(text) == raw


def test_the_empty_string_is_the_empty_encoding():
    assert base45.encode(b"") == ""
    assert base45.decode("") == b""


def test_the_extremes_of_each_group_round_trip():
    assert base45.encode(b"\xff\xff") == "FGW"
    assert base45.decode("FGW") == b"\xff\xff"
    assert base45.decode("00") == b"\x00"
    assert base45.decode("U5") == b"\xff"


@given(st.binary(max_size=512))
def test_every_byte_string_round_trips(raw):
    text = base45.encode(raw)
    assert set(text) <= set(base45.ALPHABET)
    assert len(text) == len(raw) // 2 * 3 + len(raw) % 2 * 2
    assert base45.decode(text) == raw


@given(st.text(alphabet=base45.ALPHABET + "abc=é\n", max_size=64))
def test_a_text_decodes_only_as_the_encoding_of_its_bytes(text):
    """Decoding is injective: a second spelling of the same bytes would let a QR text change and still verify."""
    try:
        raw = base45.decode(text)
    except base45.Base45Error:
        return
    assert base45.encode(raw) == text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("bb8", "'b' at 0 is not in the Base45 alphabet"),
        ("BB8=", "'=' at 3"),
        ("BB\n8", "'\\n' at 2"),
        ("BB8리", "'리' at 3"),
        ("A", "single character is left over at 0"),
        ("BB8A", "single character is left over at 3"),
        ("GGW", "the group at 0 encodes 65536"),
        ("BB8:::", "the group at 3 encodes 91124"),
        ("::", "the final pair at 0 encodes 2024"),
        ("BB8V5", "the final pair at 3 encodes 256"),
    ],
)
def test_an_invalid_text_is_refused_with_the_reason(text, says):
    with pytest.raises(base45.Base45Error, match=re.escape(says)):
        base45.decode(text)


@given(st.text(max_size=64))
def test_decoding_any_text_raises_nothing_but_the_clear_error(text):
    try:
        base45.decode(text)
    except base45.Base45Error as error:
        assert str(error)
