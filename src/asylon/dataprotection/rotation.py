"""Key rotation and crypto-shredding over every sealed column in the database.

The sealed columns are found by introspection: a model gains a `sealed` attribute and is
covered here with nothing else to change.

A rotation runs without downtime. The new key becomes the office's active key first, saved
so that every process writes under it from its next use, while the old key stays to read
what is not re-encrypted yet. Rows are then rewritten in batches, each in its own
transaction with its rows locked: an officer saving a record meanwhile either commits
before the batch reads the row, or waits for the batch and then writes under the new key.
Rows already on the active key are skipped, so an interrupted run resumes where it stopped.

The blind-index key (the HMAC behind `NameKey` digests) is not an office key: rotating an
office leaves it, and the digests, alone. It has its own rotation below, which recomputes
every digest from the decrypted names.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce

from django.apps import apps
from django.db import transaction
from django.db.models import Model, Q

from asylon.dataprotection import cipher, runtime
from asylon.dataprotection.blind import blind_index
from asylon.dataprotection.keys import Keyring
from asylon.dataprotection.runtime import sealed


class KeyStillInUse(Exception):
    """A key cannot be retired while a value is still sealed under it."""

    def __init__(self, office: str, key_id: str, tokens: int) -> None:
        self.office, self.key_id, self.tokens = office, key_id, tokens
        super().__init__(f"key {key_id!r} of office {office!r} still seals {tokens} values; finish the rotation first")


@dataclass(frozen=True)
class SealedTable:
    model: type[Model]
    attributes: tuple[sealed, ...]

    def holding(self, prefix: str) -> Q:
        """Rows with at least one value whose token starts with `prefix`."""
        return reduce(operator.or_, (Q(**{f"{a.column}__startswith": prefix}) for a in self.attributes))

    def off_key(self, office: str, key_id: str) -> Q:
        """Rows with at least one value of the office sealed under another key than `key_id`."""
        return reduce(
            operator.or_,
            (
                Q(**{f"{a.column}__startswith": _prefix(office)})
                & ~Q(**{f"{a.column}__startswith": _prefix(office, key_id)})
                for a in self.attributes
            ),
        )


def _prefix(office: str, key_id: str | None = None) -> str:
    # Neither an office nor a key id holds ":", so a prefix never matches a longer name.
    return f"{cipher.VERSION}:{office}:" + (f"{key_id}:" if key_id is not None else "")


def sealed_tables() -> list[SealedTable]:
    tables = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        found: dict[str, sealed] = {}
        for klass in reversed(model.__mro__):
            found.update({a.name: a for a in vars(klass).values() if isinstance(a, sealed)})
        if found:
            tables.append(SealedTable(model, tuple(found.values())))
    return tables


def key_rotate(*, office: str, key_id: str) -> str:
    """Make a new key the office's active one, at once for every writer; returns the key it replaces."""
    current = runtime.keyring()
    previous = current.office(office).active
    runtime.replace_keyring(current.with_new_key(office, key_id))
    return previous


def reencrypt_pending(*, office: str) -> int:
    """How many rows still hold a value of the office under an older key."""
    active = runtime.keyring().office(office).active
    return sum(t.model._base_manager.filter(t.off_key(office, active)).count() for t in sealed_tables())


def office_reencrypt(*, office: str, batch: int = 500) -> Iterator[int]:
    """Seal every value of the office under its active key, one batch of rows per transaction;
    yields the number of rows each batch rewrote. Stop at any point: running it again goes on."""
    if batch < 1:
        raise ValueError("a batch holds at least one row")
    runtime.keyring().office(office)  # an unknown or shredded office fails before any work
    for table in sealed_tables():
        # _base_manager: a plain manager, also for the append-only Event, whose own manager
        # refuses every update; on PostgreSQL its trigger lets through a re-sealed reason only
        # (cases migration 0006).
        rows = table.model._base_manager.only("pk", "uid", *(a.column for a in table.attributes)).order_by("pk")
        last = None
        while True:
            with transaction.atomic():
                keyring = runtime.keyring()
                active = keyring.office(office).active
                pending = rows.filter(table.off_key(office, active))
                if last is not None:
                    pending = pending.filter(pk__gt=last)
                locked = list(pending.select_for_update()[:batch])
                if not locked:
                    break
                for row in locked:
                    changes = _reencrypted(keyring, office, table, row)
                    table.model._base_manager.filter(pk=row.pk).update(**changes)
                last = locked[-1].pk
            yield len(locked)


def _reencrypted(keyring: Keyring, office: str, table: SealedTable, row: Model) -> dict[str, str]:
    changes = {}
    for attribute in table.attributes:
        token = getattr(row, attribute.column)
        if not token.startswith(_prefix(office)) or not cipher.needs_rotation(keyring, token):
            continue
        try:
            changes[attribute.column] = cipher.reencrypt(keyring, token, attribute.associated_data(row))
        except cipher.DecryptionError as error:
            # Stops the run with the batch rolled back: a value that does not decrypt is a
            # finding for the data protection officer, never something to re-seal or skip.
            where = f"{table.model._meta.db_table} row {row.pk}, {attribute.name}"
            raise cipher.DecryptionError(f"{where}: {error}") from error
    return changes


def key_tokens(*, office: str, key_id: str) -> int:
    """How many stored values are sealed under this key, counted from the tokens themselves."""
    prefix = _prefix(office, key_id)
    return sum(
        t.model._base_manager.filter(**{f"{a.column}__startswith": prefix}).count()
        for t in sealed_tables()
        for a in t.attributes
    )


def key_retire(*, office: str, key_id: str) -> None:
    """Remove a key from the keyring once no value is sealed under it; refused otherwise."""
    remaining = key_tokens(office=office, key_id=key_id)
    if remaining:
        raise KeyStillInUse(office, key_id, remaining)
    runtime.replace_keyring(runtime.keyring().without_key(office, key_id))


@dataclass(frozen=True)
class Shredded:
    office: str
    records: int  # rows holding at least one value the shredding made unreadable
    name_keys: int  # blind-index digests deleted, so the office's names are no longer found


def office_shred(*, office: str) -> Shredded:
    """Destroy every key of the office: its sealed values, and every backup of them, become unreadable."""
    from asylon.people.models import Name, NameKey

    keyring = runtime.keyring()
    keyring.office(office)  # an unknown or already shredded office is named before any change
    tables = sealed_tables()
    with transaction.atomic():
        records = sum(t.model._base_manager.filter(t.holding(_prefix(office))).count() for t in tables)
        # The digests are HMACs under the surviving blind-index key: left behind, they would
        # still confirm that a name was on file at this office.
        names = next(t for t in tables if t.model is Name).holding(_prefix(office))
        deleted, _ = NameKey.objects.filter(name__in=Name.objects.filter(names)).delete()
        # Last, inside the transaction: if the key file cannot be written, the digests stay.
        runtime.replace_keyring(keyring.shred(office))
    return Shredded(office=office, records=records, name_keys=deleted)


def blind_index_rotate() -> None:
    """A fresh blind-index key, at once for every writer; then `name_keys_recompute`."""
    runtime.replace_keyring(runtime.keyring().with_new_blind_index())


def name_keys_pending() -> int:
    from asylon.people.models import Name

    return Name.objects.count()


def name_keys_recompute(*, batch: int = 500) -> Iterator[int]:
    """Compute every name's digests again under the current blind-index key, a batch of names
    per transaction; yields the names each batch covered. Until a name's batch has run, a
    search by that name misses it; reads and writes go on meanwhile. Names of a shredded
    office keep no digest. Digests do not say their key, so a resumed run starts over."""
    from asylon.people.matchkeys import name_match_keys
    from asylon.people.models import Name, NameKey

    if batch < 1:
        raise ValueError("a batch holds at least one row")
    last = 0
    while True:
        with transaction.atomic():
            names = list(Name.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:batch])
            if not names:
                return
            keyring = runtime.keyring()
            NameKey.objects.filter(name__in=names).delete()
            fresh = []
            for name in names:
                try:
                    variants = name.search_keys()
                except cipher.KeysDestroyed:
                    continue
                fresh += [
                    NameKey(name=name, person_id=name.person_id, digest=blind_index(keyring, "name", v))
                    for v in variants
                ]
                fresh += name_match_keys(keyring, name, name.person)
            NameKey.objects.bulk_create(fresh)
            last = names[-1].pk
        yield len(names)
