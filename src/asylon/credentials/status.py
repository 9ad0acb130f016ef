"""Revocation: a signed bitstring, one bit per document at a random index (W3C Bitstring Status List).

The list is a COSE_Sign1 message made with a document-signer key, its CBOR payload

    {1: authority, 2: issued at (NumericDate), 3: time to live (seconds), 4: size (bits),
     5: zlib(bits, level 9)}

Bit `i` is the `i % 8`-th bit from the most significant end of byte `i // 8` (index 0 is the
left-most bit, as in the W3C list); 1 means revoked. Indexes are drawn at random so a
document's position says nothing about when or where it was issued, and a list has at least
131,072 entries so that no list describes a small group.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import cbor2

from asylon.credentials import cose
from asylon.credentials.trust import DocumentSigner, TrustList

STATUS_LIST_AAD = b"asylon status list 1"  # RFC 9052 §4.3, as for the trust list
MIN_SIZE = 131_072  # W3C Bitstring Status List v1.0: a 16 KB minimum gives herd privacy
MAX_SIZE = 2**27  # 16 MiB of bits: far beyond one authority's documents, small enough to inflate
# A list stamped this far ahead of the verifier's clock means the clock or the list is wrong.
CLOCK_SKEW = timedelta(minutes=5)
MAX_TTL = timedelta(days=366)  # a list trusted for longer than a year is no revocation at all
_LAST_SECOND = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())


class StatusListRejected(ValueError):
    """The status list is not signed by a trusted key in its period, or is not well formed."""


class StatusListFull(Exception):
    """No free index was found; the authority needs a larger or a further list."""


@dataclass(frozen=True)
class StatusList:
    authority: str
    issued_at: datetime
    ttl: timedelta
    size: int
    bits: bytes

    def __post_init__(self) -> None:
        if not MIN_SIZE <= self.size <= MAX_SIZE or self.size % 8:
            raise ValueError(f"a status list has a multiple of 8 entries from {MIN_SIZE} to {MAX_SIZE}")
        if len(self.bits) != self.size // 8:
            raise ValueError("the bits do not match the size")
        if not timedelta(0) < self.ttl <= MAX_TTL:
            raise ValueError(f"the time to live must be positive and at most {MAX_TTL.days} days")

    def covers(self, index: int) -> bool:
        return 0 <= index < self.size

    def is_revoked(self, index: int) -> bool:
        if not self.covers(index):
            raise IndexError(f"index {index} is outside a list of {self.size}")
        return bool(self.bits[index >> 3] >> (7 - (index & 7)) & 1)

    def is_fresh(self, now: datetime) -> bool:
        """Whether a verifier may still rely on the list at `now`."""
        return self.issued_at - CLOCK_SKEW <= now <= self.issued_at + self.ttl


def status_list_build(
    *, authority: str, size: int, revoked: Iterable[int], issued_at: datetime, ttl: timedelta
) -> StatusList:
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise IndexError(f"index {index} is outside a list of {size}")
        bits[index >> 3] |= 0x80 >> (index & 7)
    return StatusList(authority=authority, issued_at=issued_at, ttl=ttl, size=size, bits=bytes(bits))


def status_index_random(size: int, *, taken: Container[int], attempts: int = 64) -> int:
    """A free index drawn uniformly with `secrets`, so that no one can predict or order them."""
    for _ in range(attempts):
        index = secrets.randbelow(size)
        if index not in taken:
            return index
    raise StatusListFull(f"{attempts} random draws found no free index among {size}")


def status_list_encode(status_list: StatusList) -> bytes:
    return cbor2.dumps(
        {
            1: status_list.authority,
            2: int(status_list.issued_at.timestamp()),
            3: int(status_list.ttl.total_seconds()),
            4: status_list.size,
            5: zlib.compress(status_list.bits, 9),
        }
    )


def status_list_sign(status_list: StatusList, *, signer: DocumentSigner) -> bytes:
    if not signer.signs_from <= status_list.issued_at <= signer.signs_until:
        raise ValueError("the signer key is outside its signing period at the list's issue time")
    trusted = signer.trusted
    return cose.sign1(
        status_list_encode(status_list), key=signer.private_key, kid=trusted.kid, external_aad=STATUS_LIST_AAD
    )


def status_list_load(data: bytes, *, trust: TrustList) -> StatusList:
    """A status list signed by a key of `trust` within its period; verify this once, then check many documents."""
    try:
        message = cose.parse_sign1(data)
    except cose.CoseError as error:
        raise StatusListRejected(f"not a signed status list: {error}") from None
    signers = [key for key in trust.find(message.kid) if cose.verify_sign1(message, key.public_key, STATUS_LIST_AAD)]
    if not signers:
        raise StatusListRejected("the status list is not signed by a key on the trust list")
    try:
        body = cbor2.loads(message.payload, max_depth=2, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception:
        # Signed yet unreadable: a bug at the issuer, refused all the same.
        raise StatusListRejected("the status list is not CBOR") from None
    if not isinstance(body, dict) or set(body) != {1, 2, 3, 4, 5}:
        raise StatusListRejected("the status list must hold exactly authority, time, ttl, size and bits")
    authority, issued, ttl, size, compressed = (body[k] for k in (1, 2, 3, 4, 5))
    if type(authority) is not str or authority != trust.authority:
        raise StatusListRejected("the status list is not the trusted authority's")
    if type(issued) is not int or not 0 <= issued <= _LAST_SECOND:
        raise StatusListRejected("the issue time is not a time")
    issued_at = datetime.fromtimestamp(issued, UTC)
    if not any(key.signs_at(issued_at) for key in signers):
        raise StatusListRejected("the key was outside its signing period when the list was issued")
    if type(ttl) is not int or not 0 < ttl <= MAX_TTL.total_seconds():
        raise StatusListRejected("the time to live is not a number of seconds up to a year")
    if type(size) is not int or not isinstance(compressed, bytes):
        raise StatusListRejected("the size or the bits are of the wrong type")
    if not MIN_SIZE <= size <= MAX_SIZE or size % 8:
        raise StatusListRejected(f"the size {size} is not a multiple of 8 from {MIN_SIZE} to {MAX_SIZE}")
    inflater = zlib.decompressobj()
    try:
        # One byte of room: a stream that ends exactly at the limit must still reach its end marker.
        bits = inflater.decompress(compressed, size // 8 + 1)
    except zlib.error:
        raise StatusListRejected("the bits are not a zlib stream") from None
    if len(bits) != size // 8 or inflater.unconsumed_tail or not inflater.eof or inflater.unused_data:
        raise StatusListRejected(f"the bits do not inflate to exactly {size // 8} bytes")
    return StatusList(authority=authority, issued_at=issued_at, ttl=timedelta(seconds=ttl), size=size, bits=bits)
