"""Persons and names as the matching core reads them, and the blocking keys stored for them.

The matching core (asylon.matching.score) compares records that share a blocking key: a
Korean reading of a name, with the year or the birthday. Those keys would reveal the name,
so each is stored only as a blind index (HMAC under the blind-index key, purpose "match"),
beside the name it came from (`NameKey` of kind `match`). Looking a person up is then one
indexed query on the digests; the few candidates it finds are decrypted and scored in memory.
"""

from __future__ import annotations

from collections.abc import Iterable

from asylon.dataprotection.blind import blind_index
from asylon.dataprotection.keys import Keyring
from asylon.matching.score import Record, blocking_keys, prepare
from asylon.people.models import Name, NameKey, Person

PURPOSE = "match"


def name_record(
    record_id: str, *, text: str, romanization: str, source: str, sex: str, birth_date: str, province: str
) -> Record:
    """One name of a person as the core reads it. A name written in pinyin goes in `name_alt`
    with the official writer's hint, so that the core reads its syllables back to Korean."""
    if romanization == "pinyin":
        return Record(record_id, "", name_alt=text, sex=sex, dob=birth_date, province=province, source="official")
    return Record(record_id, text, sex=sex, dob=birth_date, province=province, source=source)


def person_records(person: Person, names: Iterable[Name] | None = None) -> list[Record]:
    """Every name of a stored person, decrypted, each as one record."""
    return [
        name_record(
            str(person.pk),
            text=name.text,
            romanization=name.romanization,
            source=name.source,
            sex=person.sex,
            birth_date=person.birth_date,
            province=person.province,
        )
        for name in (person.names.all() if names is None else names)
    ]


def match_digests(keyring: Keyring, records: Iterable[Record]) -> set[str]:
    return {blind_index(keyring, PURPOSE, key) for record in records for key in blocking_keys(prepare(record))}


def name_match_keys(keyring: Keyring, name: Name, person: Person) -> list[NameKey]:
    """The `match` rows of one name (unsaved): its blocking keys under the person's birth date."""
    record = name_record(
        str(person.pk),
        text=name.text,
        romanization=name.romanization,
        source=name.source,
        sex=person.sex,
        birth_date=person.birth_date,
        province=person.province,
    )
    return [
        NameKey(name=name, person_id=person.pk, digest=digest, kind=NameKey.MATCH)
        for digest in sorted(match_digests(keyring, [record]))
    ]
