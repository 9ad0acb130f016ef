"""The document keys of this installation: a root key for the authority, a signer key per office.

They live in one JSON file named by ASYLON_DOCUMENT_KEYS_FILE, never in the database or the
repository:

    {"authority": "KR-MOJ", "version": 3, "status_size": 1048576,
     "root": "-----BEGIN PRIVATE KEY-----...",            # absent where the root stays offline
     "root_public": "-----BEGIN PUBLIC KEY-----...",
     "signers": [{"office": "seoul", "key": "-----BEGIN PRIVATE KEY-----...",
                  "signs_from": "2026-01-01T00:00:00+00:00", "signs_until": "2027-03-01T00:00:00+00:00"}]}

`version` is the trust list's, raised whenever a signer is added or withdrawn. Production
fails loudly when the file is missing or an office has no key in its period; the demo
creates the file, and a key for each new office, in its data folder, as
asylon.dataprotection.runtime does for the data keys.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction

from asylon.credentials import keys, status, trust
from asylon.credentials.keys import KeyMaterialError

DEMO_AUTHORITY = "KR-MOJ"
# One year of signing plus two months of overlap with the next key (BSI TR-03137).
SIGNER_PERIOD = timedelta(days=425)
STATUS_TTL = timedelta(days=2)

_lock = threading.Lock()
_cached: tuple[tuple[int, int, int], IssuerKeys] | None = None


@dataclass(frozen=True)
class IssuerKeys:
    authority: str
    version: int
    status_size: int
    root_public: ec.EllipticCurvePublicKey
    root: ec.EllipticCurvePrivateKey | None
    signers: tuple[trust.DocumentSigner, ...]

    def signer(self, office: str, now: datetime) -> trust.DocumentSigner:
        try:
            return trust.signer_current(self.signers, office=office, now=now)
        except LookupError as error:
            raise KeyMaterialError(f"{error} (add one to {path()})") from None


def path() -> Path:
    named = getattr(settings, "ASYLON_DOCUMENT_KEYS_FILE", "") or os.environ.get("ASYLON_DOCUMENT_KEYS_FILE", "")
    return Path(named) if named else Path(settings.DATA_DIR) / "document-keys.json"


def _public_pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _loads(text: str, where: str) -> IssuerKeys:
    try:
        data = json.loads(text)
        root = keys.private_key_from_pem(data["root"].encode(), where=f"{where}: root") if data.get("root") else None
        root_public = (
            root.public_key() if root is not None else serialization.load_pem_public_key(data["root_public"].encode())
        )
        if not isinstance(root_public, ec.EllipticCurvePublicKey):
            raise KeyMaterialError(f"{where}: the root public key is not a P-256 key")
        signers = tuple(
            trust.DocumentSigner(
                office=entry["office"],
                private_key=keys.private_key_from_pem(entry["key"].encode(), where=f"{where}: {entry['office']}"),
                signs_from=datetime.fromisoformat(entry["signs_from"]),
                signs_until=datetime.fromisoformat(entry["signs_until"]),
            )
            for entry in data["signers"]
        )
        return IssuerKeys(
            authority=data["authority"],
            version=int(data["version"]),
            status_size=int(data.get("status_size", status.MIN_SIZE * 8)),
            root_public=root_public,
            root=root,
            signers=signers,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise KeyMaterialError(f"{where} is not a document key file: {error!r}") from None


def _dumps(issuer: IssuerKeys) -> str:
    return json.dumps(
        {
            "authority": issuer.authority,
            "version": issuer.version,
            "status_size": issuer.status_size,
            "root": keys.private_key_pem(issuer.root).decode() if issuer.root is not None else None,
            "root_public": _public_pem(issuer.root_public),
            "signers": [
                {
                    "office": s.office,
                    "key": keys.private_key_pem(s.private_key).decode(),
                    "signs_from": s.signs_from.isoformat(),
                    "signs_until": s.signs_until.isoformat(),
                }
                for s in issuer.signers
            ],
        },
        indent=1,
    )


def _stamp(file: Path) -> tuple[int, int, int] | None:
    try:
        found = file.stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def _save(issuer: IssuerKeys, file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    # Written whole then renamed, so a reader never sees half a key file.
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".document-keys-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(_dumps(issuer))
    os.chmod(tmp, 0o600)
    os.replace(tmp, file)


def _demo_keys(file: Path, office: str | None, now: datetime) -> None:
    """Under a lock on the file, the keys already on disk win: two processes starting at once
    never sign with keys the other one overwrote."""
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(file.with_name(file.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if file.exists():
            issuer = _loads(file.read_text(encoding="utf-8"), str(file))
        else:
            root = keys.private_key_generate()
            issuer = IssuerKeys(
                authority=DEMO_AUTHORITY,
                version=1,
                status_size=status.MIN_SIZE * 8,
                root_public=root.public_key(),
                root=root,
                signers=(),
            )
        changed = not file.exists()
        if office is not None and not any(
            s.office == office and s.signs_from <= now <= s.signs_until for s in issuer.signers
        ):
            # Backdated a day, so that a document issued earlier today still falls in the period.
            start = now - timedelta(days=1)
            new = trust.DocumentSigner(
                office=office,
                private_key=keys.private_key_generate(),
                signs_from=start,
                signs_until=start + SIGNER_PERIOD,
            )
            issuer = replace(issuer, version=issuer.version + 1, signers=(*issuer.signers, new))
            changed = True
        if changed:
            _save(issuer, file)


def issuer_keys() -> IssuerKeys:
    """The keys as the file holds them now: a rotation in another process is read on next use."""
    global _cached
    file = path()
    with _lock:
        stamp = _stamp(file)
        if stamp is None:
            if not settings.ASYLON_DEMO:
                raise KeyMaterialError(f"no document key file at {file} (set ASYLON_DOCUMENT_KEYS_FILE)")
            _demo_keys(file, None, datetime.now().astimezone())
            stamp = _stamp(file)
            assert stamp is not None
        if _cached is None or _cached[0] != stamp:
            _cached = (stamp, _loads(file.read_text(encoding="utf-8"), str(file)))
        return _cached[1]


def signer_for(office: str, now: datetime) -> trust.DocumentSigner:
    """The office's key in its period at `now`; the demo creates one on first use."""
    issuer = issuer_keys()
    if settings.ASYLON_DEMO and not any(
        s.office == office and s.signs_from <= now <= s.signs_until for s in issuer.signers
    ):
        with _lock:
            _demo_keys(path(), office, now)
        issuer = issuer_keys()
    return issuer.signer(office, now)


def trust_list_signed(now: datetime) -> bytes:
    """The trust list of every signer key, retired ones included (documents they signed stay valid)."""
    issuer = issuer_keys()
    if issuer.root is None:
        raise KeyMaterialError("the root key is offline: publish the trust list it signed instead")
    unsigned = trust.TrustList(
        authority=issuer.authority,
        version=issuer.version,
        issued_at=now,
        keys=tuple(s.trusted for s in issuer.signers),
    )
    from asylon.transparency.services import trust_list_log

    # Logged before it is signed, in one transaction: no list reaches a verifier unlogged.
    with transaction.atomic():
        trust_list_log(unsigned, at=now)
        return trust.trust_list_sign(unsigned, root=issuer.root)


def root_public_pem() -> bytes:
    return _public_pem(issuer_keys().root_public).encode()
