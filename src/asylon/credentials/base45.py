"""Base45 (RFC 9285): bytes as text in the QR code's alphanumeric alphabet."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

# 255 marks a byte outside the alphabet; str.translate does the lookup in C.
_INVALID = 255
_VALUES = bytes(ALPHABET.index(chr(b)) if chr(b) in ALPHABET else _INVALID for b in range(256))
_CHARS = ALPHABET.encode("ascii")


class Base45Error(ValueError):
    """The text is not Base45; the message says where and why."""


def encode(data: bytes) -> str:
    """Two bytes become three characters, a last odd byte two (RFC 9285 §4)."""
    out = bytearray()
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += bytes((_CHARS[c], _CHARS[d], _CHARS[e]))
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += bytes((_CHARS[c], _CHARS[d]))
    return out.decode("ascii")


def decode(text: str) -> bytes:
    """The inverse of `encode`; raises `Base45Error` on anything it could not have produced."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as error:
        raise Base45Error(f"character {text[error.start]!r} at {error.start} is not in the Base45 alphabet") from None
    values = raw.translate(_VALUES)
    bad = values.find(_INVALID)
    if bad >= 0:
        raise Base45Error(f"character {text[bad]!r} at {bad} is not in the Base45 alphabet")
    if len(values) % 3 == 1:
        # RFC 9285 §4: the encoder writes groups of three and at most one final pair, never one character.
        raise Base45Error(f"a single character is left over at {len(values) - 1}")
    whole = len(values) - len(values) % 3
    count = whole // 3
    # Every group at once, in one big integer with a 3-byte lane per group: c + 45d + 2025e is
    # at most 91,124 < 2**24, so no lane carries into the next. A scanned text is decoded on
    # every verification, and a per-group loop took as long as the rest of the unwrapping.
    c, d, e = bytearray(whole), bytearray(whole), bytearray(whole)
    c[2::3], d[2::3], e[2::3] = values[0:whole:3], values[1:whole:3], values[2:whole:3]
    number = int.from_bytes(c, "big") + 45 * int.from_bytes(d, "big") + 2025 * int.from_bytes(e, "big")
    lanes = number.to_bytes(whole, "big")
    if lanes[0::3] != bytes(count):
        at = next(i for i, high in enumerate(lanes[0::3]) if high)
        # RFC 9285 §6 asks for a robust decoder: "GGW" (65536) has no two-byte source and must not wrap.
        raise Base45Error(
            f"the group at {at * 3} encodes {int.from_bytes(lanes[at * 3 : at * 3 + 3])}, more than two bytes hold"
        )
    out = bytearray(2 * count)
    out[0::2], out[1::2] = lanes[1::3], lanes[2::3]
    if whole < len(values):
        n = values[whole] + values[whole + 1] * 45
        if n > 0xFF:
            raise Base45Error(f"the final pair at {whole} encodes {n}, more than one byte holds")
        out.append(n)
    return bytes(out)
