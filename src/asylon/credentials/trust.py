"""Who may sign documents: a root key per authority signs a list of document-signer keys.

Two levels as in HCERT and ICAO (CSCA -> DSC): the root key stays offline and signs the
**trust list**, a COSE_Sign1 message whose CBOR payload is

    {1: authority, 2: version, 3: issued at (NumericDate), 4: [key, ...]}
    key = {1: kid, 2: office, 3: SubjectPublicKeyInfo DER, 4: signs from, 5: signs until}

Verifiers pin the root public key, load the list once, and find signer keys by kid. A signer
key signs documents only inside its own period; periods of one office overlap so that a new
key is on every verifier before it signs. A retired key stays on the list, because documents
it signed remain valid until their own expiry; taking a key off the list withdraws every
document it signed (HCERT: "presence on the most recent list").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from asylon.credentials import cose, keys

# RFC 9052 §4.3: external data bound into the signature keeps a trust list from ever verifying
# as a document or a status list made with the same key, whatever its payload looks like.
TRUST_LIST_AAD = b"asylon trust list 1"
_LAST_SECOND = int(datetime(9999, 12, 30, tzinfo=UTC).timestamp())


class TrustListRejected(ValueError):
    """The trust list is not signed by a pinned root, or is not well formed."""


@dataclass(frozen=True)
class TrustedKey:
    """A document-signer key as verifiers see it."""

    office: str
    public_key: ec.EllipticCurvePublicKey
    signs_from: datetime
    signs_until: datetime
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kid", keys.kid_of(self.public_key))

    def signs_at(self, moment: datetime) -> bool:
        return self.signs_from <= moment <= self.signs_until


@dataclass(frozen=True)
class DocumentSigner:
    """An office's private signing key with the period it may sign in."""

    office: str
    private_key: ec.EllipticCurvePrivateKey
    signs_from: datetime
    signs_until: datetime

    @cached_property
    def trusted(self) -> TrustedKey:
        return TrustedKey(
            office=self.office,
            public_key=self.private_key.public_key(),
            signs_from=self.signs_from,
            signs_until=self.signs_until,
        )


def signer_current(signers: Iterable[DocumentSigner], *, office: str, now: datetime) -> DocumentSigner:
    """The newest key of `office` whose period covers `now`: during an overlap only the new key signs."""
    usable = [s for s in signers if s.office == office and s.signs_from <= now <= s.signs_until]
    if not usable:
        raise LookupError(f"no signing key of office {office!r} is in its period at {now.isoformat()}")
    return max(usable, key=lambda s: s.signs_from)


@dataclass(frozen=True)
class TrustList:
    authority: str
    version: int
    issued_at: datetime
    keys: tuple[TrustedKey, ...]
    _by_kid: dict[bytes, tuple[TrustedKey, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_kid: dict[bytes, tuple[TrustedKey, ...]] = {}
        for key in self.keys:
            by_kid[key.kid] = (*by_kid.get(key.kid, ()), key)
        object.__setattr__(self, "_by_kid", by_kid)

    def find(self, kid: bytes) -> tuple[TrustedKey, ...]:
        """Every key with this kid: 8 bytes can collide, and HCERT says to try each."""
        return self._by_kid.get(kid, ())


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def trust_list_encode(trust_list: TrustList) -> bytes:
    return cbor2.dumps(
        {
            1: trust_list.authority,
            2: trust_list.version,
            3: _seconds(trust_list.issued_at),
            4: [
                {
                    1: k.kid,
                    2: k.office,
                    3: keys.spki(k.public_key),
                    4: _seconds(k.signs_from),
                    5: _seconds(k.signs_until),
                }
                for k in trust_list.keys
            ],
        }
    )


def trust_list_sign(trust_list: TrustList, *, root: ec.EllipticCurvePrivateKey) -> bytes:
    return cose.sign1(
        trust_list_encode(trust_list), key=root, kid=keys.kid_of(root.public_key()), external_aad=TRUST_LIST_AAD
    )


def _moment(value: object, what: str) -> datetime:
    if type(value) is not int or not 0 <= value <= _LAST_SECOND:
        raise TrustListRejected(f"{what} is not a time")
    return datetime.fromtimestamp(value, UTC)


def _text(value: object, what: str) -> str:
    if type(value) is not str or not value:
        raise TrustListRejected(f"{what} is not text")
    return value


def _key(entry: object, position: int) -> TrustedKey:
    where = f"key {position}"
    if not isinstance(entry, dict) or set(entry) != {1, 2, 3, 4, 5}:
        raise TrustListRejected(f"{where} must hold exactly kid, office, key and period")
    der = entry[3]
    if not isinstance(der, bytes):
        raise TrustListRejected(f"{where}: the public key is not bytes")
    try:
        public_key = keys.public_key_from_spki(der)
    except keys.KeyMaterialError as error:
        raise TrustListRejected(f"{where}: {error}") from None
    key = TrustedKey(
        office=_text(entry[2], f"{where}: the office"),
        public_key=public_key,
        signs_from=_moment(entry[4], f"{where}: signs from"),
        signs_until=_moment(entry[5], f"{where}: signs until"),
    )
    if entry[1] != key.kid:
        raise TrustListRejected(f"{where}: the kid is not the fingerprint of its key")
    if key.signs_until < key.signs_from:
        raise TrustListRejected(f"{where}: the period ends before it starts")
    return key


def trust_list_load(
    data: bytes, *, roots: Sequence[ec.EllipticCurvePublicKey], previous: TrustList | None = None
) -> TrustList:
    """A trust list signed by one of the pinned `roots`, and not older than `previous`."""
    try:
        message = cose.parse_sign1(data)
    except cose.CoseError as error:
        raise TrustListRejected(f"not a signed trust list: {error}") from None
    root = next((r for r in roots if keys.kid_of(r) == message.kid), None)
    if root is None:
        raise TrustListRejected("the trust list is not signed by a pinned root key")
    if not cose.verify_sign1(message, root, TRUST_LIST_AAD):
        raise TrustListRejected("the trust list's signature does not verify")
    try:
        body = cbor2.loads(message.payload, max_depth=4, allow_indefinite=False, allow_duplicate_keys=False)
    except Exception:
        # Signed by the root yet unreadable: a bug at the authority, refused all the same.
        raise TrustListRejected("the trust list is not CBOR") from None
    if not isinstance(body, dict) or set(body) != {1, 2, 3, 4} or not isinstance(body[4], list):
        raise TrustListRejected("the trust list must hold exactly authority, version, time and keys")
    version = body[2]
    if type(version) is not int or version < 0:
        raise TrustListRejected("the version is not a number")
    trust_list = TrustList(
        authority=_text(body[1], "the authority"),
        version=version,
        issued_at=_moment(body[3], "the issue time"),
        keys=tuple(_key(entry, i) for i, entry in enumerate(body[4])),
    )
    if previous is not None:
        if trust_list.authority != previous.authority:
            raise TrustListRejected(f"the list is {trust_list.authority!r}'s, not {previous.authority!r}'s")
        if trust_list.version < previous.version:
            # A replayed old list could bring back a key that was withdrawn.
            raise TrustListRejected(
                f"version {trust_list.version} is older than version {previous.version} already held"
            )
    return trust_list
