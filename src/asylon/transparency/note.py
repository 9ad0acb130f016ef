"""Signed notes, checkpoints and cosignatures in the C2SP formats, with Ed25519.

- c2sp.org/signed-note: text, a blank line, then `— <key name> base64(key ID || signature)`
  lines; key ID = SHA-256(name || 0x0A || type || public key)[:4]; verifier keys are
  `<name>+<hex key ID>+base64(type || public key)`, as in golang.org/x/mod/sumdb/note.
- c2sp.org/tlog-checkpoint: the note text `<origin>\\n<size>\\n<base64 root>\\n[extensions]`.
- c2sp.org/tlog-cosignature: a witness's type 0x04 signature, timestamp (u64, big-endian)
  || Ed25519 over `cosignature/v1\\ntime <t>\\n` + the checkpoint text.

Parsing is strict: anything the specs do not allow raises a NoteError subclass whose
message names what is wrong. A note is only trusted through `open_note`, which insists
on at least one verified signature from a key the caller knows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from cryptography.exceptions import InvalidSignature as _CryptographyInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

EM_DASH = "\u2014"
SIGNATURE_LINE_PREFIX = EM_DASH + " "

# c2sp.org/signed-note §Signature types.
ED25519 = 0x01
COSIGNATURE_V1 = 0x04  # c2sp.org/tlog-cosignature, Ed25519 with a timestamp

KEY_ID_SIZE = 4
ED25519_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
TIMESTAMP_SIZE = 8
MAX_TIMESTAMP = 2**63 - 1  # c2sp.org/tlog-cosignature: "MUST NOT exceed 2^63 - 1"
MAX_TREE_SIZE = 2**64 - 1
# c2sp.org/signed-note: verifiers MUST accept at least 16 signatures and SHOULD cap them.
MAX_SIGNATURES = 100

_COSIGNATURE_HEADER = "cosignature/v1\n"
_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff]")


class NoteError(ValueError):
    """Base class: a note, key or checkpoint that cannot be trusted, and why."""


class MalformedNote(NoteError):
    pass


class MalformedKey(NoteError):
    pass


class MalformedCheckpoint(NoteError):
    pass


class InvalidSignature(NoteError):
    """A signature by a known key that does not verify: the whole note is rejected."""


class UnverifiedNote(NoteError):
    """A well-formed note with no verified signature from any known key."""


def key_id(name: str, algorithm: int, public_key: bytes) -> bytes:
    """c2sp.org/signed-note: SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public_key).digest()[:KEY_ID_SIZE]


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    """c2sp.org/tlog-cosignature §Ed25519 signed message."""
    _check_timestamp(timestamp, NoteError)
    return f"{_COSIGNATURE_HEADER}time {timestamp}\n{checkpoint_text}".encode()


@dataclass(frozen=True)
class VerifierKey:
    """A public key with its name and signature type; `str()` gives the vkey encoding."""

    name: str
    algorithm: int
    public_key: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.name, MalformedKey)
        if self.algorithm not in (ED25519, COSIGNATURE_V1):
            raise MalformedKey(f"signature type {self.algorithm:#04x} is not supported (only 0x01 and 0x04)")
        if len(self.public_key) != ED25519_KEY_SIZE:
            raise MalformedKey(f"an Ed25519 public key is {ED25519_KEY_SIZE} bytes, not {len(self.public_key)}")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.algorithm, self.public_key)

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """Parse `<name>+<hex key ID>+<base64(type || key)>`, checking the key ID."""
        parts = vkey.split("+", 2)  # the base64 may itself contain "+"
        if len(parts) != 3:
            raise MalformedKey("a verifier key is <name>+<key ID>+<key>")
        name, id_hex, key_b64 = parts
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise MalformedKey(f"the key ID {id_hex!r} is not 8 hexadecimal digits")
        raw = _b64decode(key_b64, "the key", MalformedKey)
        if not raw:
            raise MalformedKey("the key is empty")
        key = cls(name, raw[0], raw[1:])
        if key.key_id != bytes.fromhex(id_hex):
            raise MalformedKey(f"the key ID {id_hex} does not match the name and key ({key.key_id.hex()})")
        return key

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([self.algorithm]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, text: str, signature: bytes) -> bool:
        """Whether `signature` (the bytes after the key ID) signs `text` under this key."""
        if self.algorithm == COSIGNATURE_V1:
            if len(signature) != TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE:
                return False
            timestamp = int.from_bytes(signature[:TIMESTAMP_SIZE], "big")
            if timestamp > MAX_TIMESTAMP:
                return False
            message = cosignature_message(text, timestamp)
            signature = signature[TIMESTAMP_SIZE:]
        else:
            if len(signature) != ED25519_SIGNATURE_SIZE:
                return False
            message = text.encode()
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (_CryptographyInvalidSignature, ValueError):
            return False
        return True


class _Ed25519Signer:
    algorithm: int

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_key_name(name, MalformedKey)
        self.name = name
        self._private_key = private_key
        self.verifier_key = VerifierKey(name, self.algorithm, private_key.public_key().public_bytes_raw())

    @classmethod
    def generate(cls, name: str) -> Self:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Self:
        if len(seed) != ED25519_KEY_SIZE:
            raise MalformedKey(f"an Ed25519 seed is {ED25519_KEY_SIZE} bytes, not {len(seed)}")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_skey(cls, skey: str) -> Self:
        """Parse `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>` (golang.org/x/mod/sumdb/note)."""
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise MalformedKey("a signer key is PRIVATE+KEY+<name>+<key ID>+<key>")
        _, _, name, id_hex, key_b64 = parts
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise MalformedKey(f"the key ID {id_hex!r} is not 8 hexadecimal digits")
        raw = _b64decode(key_b64, "the key", MalformedKey)
        if not raw or raw[0] != cls.algorithm:
            raise MalformedKey(f"a {cls.__name__} key has signature type {cls.algorithm:#04x}")
        signer = cls.from_seed(name, raw[1:])
        # The key ID is of the public key, so it can only be checked once that is derived.
        if signer.verifier_key.key_id != bytes.fromhex(id_hex):
            raise MalformedKey(f"the key ID {id_hex} does not match the name and key")
        return signer

    def skey(self) -> str:
        """The secret signer key; keep it out of the database and the repository."""
        seed = self._private_key.private_bytes_raw()
        encoded = base64.b64encode(bytes([self.algorithm]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier_key.key_id.hex()}+{encoded}"

    def _signature(self, message: bytes, prefix: bytes = b"") -> NoteSignature:
        return NoteSignature(self.name, self.verifier_key.key_id, prefix + self._private_key.sign(message))


class NoteSigner(_Ed25519Signer):
    """A signed-note Ed25519 key (type 0x01): the log's checkpoint key."""

    algorithm = ED25519

    def sign(self, text: str) -> NoteSignature:
        _check_text(text)
        return self._signature(text.encode())


class Cosigner(_Ed25519Signer):
    """A tlog-cosignature/v1 Ed25519 key (type 0x04): a witness's key."""

    algorithm = COSIGNATURE_V1

    def cosign(self, checkpoint_text: str, timestamp: int) -> NoteSignature:
        """Cosign a checkpoint's text as of `timestamp` (POSIX seconds)."""
        _check_text(checkpoint_text)
        return self._signature(cosignature_message(checkpoint_text, timestamp), timestamp.to_bytes(8, "big"))


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID, and the signature bytes after the key ID."""

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.name, MalformedNote)
        if len(self.key_id) != KEY_ID_SIZE:
            raise MalformedNote(f"a key ID is {KEY_ID_SIZE} bytes, not {len(self.key_id)}")
        if not self.signature:
            raise MalformedNote("the signature is empty")

    def line(self) -> str:
        return f"{SIGNATURE_LINE_PREFIX}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"

    @property
    def timestamp(self) -> int:
        """The time a cosignature/v1 was made (POSIX seconds)."""
        if len(self.signature) != TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE:
            raise MalformedNote("not a cosignature: the signature is not a timestamp and an Ed25519 signature")
        return int.from_bytes(self.signature[:TIMESTAMP_SIZE], "big")


@dataclass(frozen=True)
class Note:
    """A note's text (ending in a newline) and its signatures, verified or not."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        _check_text(self.text)
        if len(self.signatures) > MAX_SIGNATURES:
            raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")

    @classmethod
    def parse(cls, data: str | bytes) -> Note:
        """Split a signed note into text and signature lines (c2sp.org/signed-note §Format)."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as error:
                raise MalformedNote(f"the note is not valid UTF-8 (byte {error.start})") from None
        _check_characters(data, "the note", MalformedNote)
        # The text is separated from the signatures by the note's last empty line.
        split = data.rfind("\n\n")
        if split < 0:
            raise MalformedNote("no blank line separates the text from the signatures")
        text, block = data[: split + 1], data[split + 2 :]
        if not block:
            raise MalformedNote("the note has no signature lines")
        if not block.endswith("\n"):
            raise MalformedNote("the last signature line does not end in a newline (truncated note?)")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")
        return cls(text, tuple(_parse_signature_line(number, line) for number, line in enumerate(lines, 1)))

    def __str__(self) -> str:
        return self.text + "\n" + "".join(signature.line() for signature in self.signatures)

    def with_signatures(self, *signatures: NoteSignature) -> Note:
        """This note with more signatures; one by the same key replaces the old one."""
        replaced = {(s.name, s.key_id) for s in signatures}
        kept = tuple(s for s in self.signatures if (s.name, s.key_id) not in replaced)
        return Note(self.text, kept + signatures)


@dataclass(frozen=True)
class VerifiedNote:
    """A note whose `verified` signatures were checked against known keys."""

    note: Note
    verified: tuple[tuple[VerifierKey, NoteSignature], ...]

    @property
    def text(self) -> str:
        return self.note.text

    def signed_by(self, key: VerifierKey) -> bool:
        return any(known == key for known, _ in self.verified)

    def signatures_by(self, key: VerifierKey) -> list[NoteSignature]:
        return [signature for known, signature in self.verified if known == key]


def sign_note(text: str, *signers: NoteSigner) -> Note:
    """A note of `text` signed by each signer."""
    return Note(text, tuple(signer.sign(text) for signer in signers))


def open_note(data: str | bytes | Note, known: Iterable[VerifierKey]) -> VerifiedNote:
    """Parse a note and verify it against the keys the caller trusts (c2sp.org/signed-note §Signatures).

    Signatures by unknown keys are ignored (a key is its name and key ID together). A known
    key's signature that fails rejects the whole note (InvalidSignature); a note with no
    verified signature from a known key is rejected too (UnverifiedNote).
    """
    note = data if isinstance(data, Note) else Note.parse(data)
    keys: dict[tuple[str, bytes], VerifierKey] = {}
    for key in known:
        identity = (key.name, key.key_id)
        if identity in keys and keys[identity] != key:
            raise ValueError(f"two known keys share the name and key ID {key.name}+{key.key_id.hex()}")
        keys[identity] = key
    verified: list[tuple[VerifierKey, NoteSignature]] = []
    for signature in note.signatures:
        signer = keys.get((signature.name, signature.key_id))
        if signer is None:
            continue
        if not signer.verify(note.text, signature.signature):
            raise InvalidSignature(f"the signature by {signer.name}+{signer.key_id.hex()} does not verify")
        verified.append((signer, signature))
    if not verified:
        raise UnverifiedNote("the note has no valid signature from a known key")
    return VerifiedNote(note, tuple(verified))


@dataclass(frozen=True)
class Checkpoint:
    """A tree head as c2sp.org/tlog-checkpoint writes it: origin, size, root, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin:
            raise MalformedCheckpoint("the origin line is empty")
        for what, line in [("origin", self.origin), *(("extension line", e) for e in self.extensions)]:
            if not line:
                raise MalformedCheckpoint(f"an empty {what}")
            if "\n" in line:
                raise MalformedCheckpoint(f"the {what} contains a newline")
            _check_characters(line, f"the {what}", MalformedCheckpoint)
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedCheckpoint(f"the tree size {self.size} is not between 0 and 2^64 - 1")
        if len(self.root) != 32:
            raise MalformedCheckpoint(f"the root hash is 32 bytes, not {len(self.root)}")

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body (a note's text)."""
        if not text.endswith("\n"):
            raise MalformedCheckpoint("the checkpoint does not end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint(f"a checkpoint has at least 3 lines, not {len(lines)}")
        origin, size, root, *extensions = lines
        if not _TREE_SIZE.fullmatch(size):
            raise MalformedCheckpoint(f"the tree size {size!r} is not a decimal number without leading zeros")
        return cls(origin, int(size), _b64decode(root, "the root hash", MalformedCheckpoint), tuple(extensions))

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def _parse_signature_line(number: int, line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_LINE_PREFIX):
        raise MalformedNote(f"signature line {number} does not start with an em dash (U+2014) and a space")
    name, space, encoded = line[len(SIGNATURE_LINE_PREFIX) :].partition(" ")
    if not space or not encoded:
        raise MalformedNote(f"signature line {number} has no signature after the key name")
    raw = _b64decode(encoded, f"the signature on line {number}", MalformedNote)
    if len(raw) <= KEY_ID_SIZE:
        raise MalformedNote(f"the signature on line {number} is too short to hold a key ID and a signature")
    try:
        return NoteSignature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])
    except MalformedNote as error:
        raise MalformedNote(f"signature line {number}: {error}") from None


def _b64decode(encoded: str, what: str, error: type[NoteError]) -> bytes:
    """Standard base64 (RFC 4648 §4), canonical only, so one value has one spelling."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise error(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode() != encoded:
        raise error(f"{what} is not canonical base64")
    return raw


def _check_key_name(name: str, error: type[NoteError]) -> None:
    # c2sp.org/signed-note: non-empty, no Unicode spaces, no "+".
    if not name:
        raise error("the key name is empty")
    if "+" in name or any(character.isspace() for character in name):
        raise error(f"the key name {name!r} contains a space or a plus sign")
    _check_characters(name, "the key name", error)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNote("the note text does not end in a newline")
    _check_characters(text, "the note text", MalformedNote)


def _check_characters(text: str, what: str, error: type[NoteError]) -> None:
    # c2sp.org/signed-note: valid UTF-8 with no ASCII control characters but newline. A
    # lone surrogate would be unencodable, so it is refused here too.
    found = _FORBIDDEN_CHARACTER.search(text)
    if found:
        raise error(f"{what} contains the forbidden character {found.group()!r} at position {found.start()}")


def _check_timestamp(timestamp: int, error: type[NoteError]) -> None:
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise error(f"the timestamp {timestamp} is not between 0 and 2^63 - 1")
