"""A unit of work reads the key file once: a rotation or a shredding still takes effect for the next."""

from __future__ import annotations

import pytest

from asylon.dataprotection import cipher, rotation, runtime
from asylon.people.models import Name, Person
from tests.dataprotection.keyfile import own_keyfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_file(settings, monkeypatch, tmp_path):
    return own_keyfile(settings, monkeypatch, tmp_path)


def seat(office: str, name: str) -> Person:
    person = Person.objects.create(office=office, sex="F", birth_date="1991-03", province="Ryanggang")
    Name.objects.create(person=person, office=office, script="Hang", text=name, family_name=name[:1])
    return person


def counted_stats(monkeypatch) -> list[object]:
    seen: list[object] = []
    stat = runtime._stat

    def counting(path):
        seen.append(path)
        return stat(path)

    monkeypatch.setattr(runtime, "_stat", counting)
    return seen


def test_sealed_values_read_in_a_steady_block_stat_the_key_file_once(keys_file, monkeypatch):
    people = [seat("main", name) for name in ("리순희", "김철수", "박영호")]
    fresh = list(Person.objects.filter(pk__in=[p.pk for p in people]).prefetch_related("names"))
    seen = counted_stats(monkeypatch)
    with runtime.steady():
        texts = [(p.birth_date, p.province, [n.text for n in p.names.all()]) for p in fresh]
    assert len(seen) == 1
    assert [t[2] for t in texts] == [["리순희"], ["김철수"], ["박영호"]]
    runtime.keyring()
    assert len(seen) == 2  # outside the block, every use checks the file again


def test_a_key_file_replaced_by_another_process_is_read_by_the_next_unit_of_work(keys_file):
    seat("main", "리순희")
    elsewhere = runtime.keyring().with_new_key("main", "from-elsewhere")
    with runtime.steady() as held:
        keys_file.write_text(elsewhere.to_json())
        assert runtime.keyring() is held
    assert runtime.keyring().office("main").active == "from-elsewhere"
    with runtime.steady() as held:
        assert held.office("main").active == "from-elsewhere"


def test_a_shredding_in_this_process_takes_effect_inside_the_block(keys_file):
    person = seat("main", "리순희")
    with runtime.steady():
        rotation.office_shred(office="main")
        fresh = Person.objects.get(pk=person.pk)
        with pytest.raises(cipher.KeysDestroyed):
            _ = fresh.province


def test_a_shredding_by_another_process_takes_effect_for_the_next_unit_of_work(keys_file):
    person = seat("main", "리순희")
    survivor = seat("other", "김철수")
    shredded = runtime.keyring().shred("main")  # as another process saves it
    keys_file.write_text(shredded.to_json())
    with runtime.steady():
        with pytest.raises(cipher.KeysDestroyed):
            _ = Person.objects.get(pk=person.pk).province
        assert Person.objects.get(pk=survivor.pk).province == "Ryanggang"


def test_blocks_nest_and_leave_the_check_on_after_the_outer_one(keys_file, monkeypatch):
    seat("main", "리순희")
    seen = counted_stats(monkeypatch)
    with runtime.steady(), runtime.steady():
        runtime.keyring()
    runtime.keyring()
    assert len(seen) == 2  # the outer entry only (the inner one is part of its work), then the use after both
