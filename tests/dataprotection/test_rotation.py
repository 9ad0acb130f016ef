"""Key rotation, retirement and crypto-shredding, against a real database."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from unittest import mock

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asylon.cases import services
from asylon.cases.models import Assessment, Decision, Event
from asylon.cases.selectors import case_search
from asylon.dataprotection import cipher, rotation, runtime
from asylon.dataprotection.keys import KeyMaterialError, Keyring
from asylon.people.models import Name, NameKey, Person
from asylon.procedure import case as p
from asylon.procedure.roles import Role
from asylon.transparency.models import LogEntry
from tests.dataprotection.keyfile import own_keyfile
from tests.services.helpers import T0, open_case, principal, walk_to

pytestmark = pytest.mark.django_db

OFFICES = itertools.count()
# Hangul, Han, emoji (with joiners and flags), and anything else UTF-8 can carry.
PIECES = st.one_of(
    st.sampled_from(list("리순희김철수림영李顺姬金哲洙")),
    st.sampled_from(["😀", "👩‍👧", "🇰🇵", "\u200d"]),
    st.characters(codec="utf-8"),
)
TEXT = st.lists(PIECES, max_size=12).map("".join)


@pytest.fixture
def keys_file(settings, monkeypatch, tmp_path):
    return own_keyfile(settings, monkeypatch, tmp_path)


def seat(office: str, province: str, contact: str, name: str) -> Person:
    person = Person.objects.create(office=office, sex="F", birth_date="1991-03", province=province, contact=contact)
    Name.objects.create(person=person, office=office, script="Hang", text=name, family_name=name[:1])
    return person


def values(person: Person) -> tuple[str, ...]:
    fresh = Person.objects.get(pk=person.pk)
    name = fresh.names.get()
    return (fresh.birth_date, fresh.province, fresh.contact, name.text, name.family_name)


def tokens(*people: Person) -> list[str]:
    found = []
    for person in Person.objects.filter(pk__in=[x.pk for x in people]).order_by("pk"):
        found += [person.birth_date_sealed, person.province_sealed, person.contact_sealed]
        found += [t for n in person.names.all() for t in (n.text_sealed, n.family_name_sealed, n.given_name_sealed)]
    return found


# Each example works in an office of its own and rolls its rows back, so the key file and
# the database the fixtures provide are safely shared between examples.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(TEXT, TEXT, TEXT.filter(bool)), min_size=1, max_size=10),
    batch=st.integers(1, 4),
    stop_after=st.integers(0, 5),
)
def test_an_interrupted_rotation_resumes_and_every_value_reads_back_the_same(keys_file, rows, batch, stop_after):
    office = f"office-{next(OFFICES)}"
    with transaction.atomic():
        people = [seat(office, *row) for row in rows]
        bystander = seat("bystander", "North Hamgyong", "+82 10 0000 0000", "최은희")
        before = [values(x) for x in people]
        bystander_tokens = tokens(bystander)
        old = runtime.keyring().office(office).active

        assert rotation.key_rotate(office=office, key_id="k2") == old
        run = rotation.office_reencrypt(office=office, batch=batch)
        for _ in itertools.islice(run, stop_after):
            pass
        run.close()  # the operator's Ctrl-C between two batches

        # Written meanwhile: sealed under the new key at once.
        late = seat(office, "Ryanggang", "", "리은별")
        assert all(t.startswith(f"v1:{office}:k2:") for t in tokens(late) if t)
        assert [values(x) for x in people] == before
        left = rotation.key_tokens(office=office, key_id=old)
        if left:
            with pytest.raises(rotation.KeyStillInUse, match=f"still seals {left} values"):
                rotation.key_retire(office=office, key_id=old)
            assert old in Keyring.from_json(keys_file.read_text()).office(office).keys

        for _ in rotation.office_reencrypt(office=office, batch=batch):
            pass
        assert rotation.key_tokens(office=office, key_id=old) == 0
        assert rotation.reencrypt_pending(office=office) == 0
        rotation.key_retire(office=office, key_id=old)
        assert old not in Keyring.from_json(keys_file.read_text()).office(office).keys
        assert [values(x) for x in people] == before
        assert tokens(bystander) == bystander_tokens
        transaction.set_rollback(True)


def test_rotation_covers_every_sealed_table_the_append_only_events_included(staff, keys_file):
    case = walk_to(staff, open_case(staff, principal("리순희")), p.State.DECIDED)
    reason = case.events.get(type="screen").reason
    log = list(LogEntry.objects.order_by("index").values_list("body", flat=True))
    old = runtime.keyring().office("main").active

    rotation.key_rotate(office="main", key_id="2026-12")
    assert rotation.reencrypt_pending(office="main") > 0
    assert sum(rotation.office_reencrypt(office="main", batch=3)) > 0

    assert rotation.key_tokens(office="main", key_id=old) == 0
    assert Event.objects.get(case=case, type="screen").reason == reason == "Detained over a year."
    assert Event.objects.get(case=case, type="screen").reason_sealed.startswith("v1:main:2026-12:")
    assert Decision.objects.get(case=case).reasons == "Reasons."
    assert Assessment.objects.get(case=case).material_facts_sealed.startswith("v1:main:2026-12:")
    # The transparency log commits to the plaintext: a new seal changes none of its entries.
    assert list(LogEntry.objects.order_by("index").values_list("body", flat=True)) == log
    with pytest.raises(PermissionError):
        Event.objects.filter(case=case).update(type="tampered")


def test_every_model_with_a_sealed_attribute_is_found_without_being_listed():
    found = {t.model.__name__: {a.name for a in t.attributes} for t in rotation.sealed_tables()}
    assert found["Person"] == {"birth_date", "province", "contact"}
    assert found["Name"] == {"text", "family_name", "given_name"}
    assert found["Event"] == {"reason"}
    assert "NameKey" not in found and "Case" not in found


def test_a_batch_interrupted_midway_keeps_none_of_its_rows_and_the_earlier_batches(keys_file):
    people = [seat("main", f"province {i}", "", f"이름{i}") for i in range(6)]
    rotation.key_rotate(office="main", key_id="k2")
    real = cipher.reencrypt
    calls = itertools.count()

    def flaky(*args):
        # Two values a person: the third batch fails after its first person is rewritten.
        if next(calls) == 10:
            raise KeyboardInterrupt
        return real(*args)

    with mock.patch.object(cipher, "reencrypt", flaky), pytest.raises(KeyboardInterrupt):
        for _ in rotation.office_reencrypt(office="main", batch=2):
            pass
    on_new = [
        all(t.startswith("v1:main:k2:") for t in (x.birth_date_sealed, x.province_sealed))
        for x in Person.objects.filter(pk__in=[x.pk for x in people]).order_by("pk")
    ]
    assert on_new == [True, True, True, True, False, False]


def test_a_value_that_does_not_decrypt_stops_the_rotation_and_names_its_row(keys_file):
    first, second = seat("main", "Ryanggang", "", "리순희"), seat("main", "Chagang", "", "김철수")
    Person.objects.filter(pk=second.pk).update(province_sealed=first.province_sealed)
    rotation.key_rotate(office="main", key_id="k2")
    with pytest.raises(cipher.DecryptionError, match=f"people_person row {second.pk}, province: .*does not belong"):
        list(rotation.office_reencrypt(office="main", batch=10))


def test_an_unknown_office_is_refused_before_any_change_and_a_key_in_use_is_not_retired(keys_file):
    seat("main", "Ryanggang", "", "리순희")
    before = keys_file.read_text()
    with pytest.raises(KeyMaterialError, match="no keys for office 'lima'"):
        rotation.key_rotate(office="lima", key_id="k2")
    with pytest.raises(KeyMaterialError, match="no keys for office 'lima'"):
        list(rotation.office_reencrypt(office="lima"))
    assert keys_file.read_text() == before
    old = runtime.keyring().office("main").active
    rotation.key_rotate(office="main", key_id="k2")
    rotated = keys_file.read_text()
    # Sealed: the birth date, the province, the name and its family-name part.
    with pytest.raises(rotation.KeyStillInUse, match=f"key '{old}' of office 'main' still seals 4 values"):
        rotation.key_retire(office="main", key_id=old)
    assert keys_file.read_text() == rotated


def raw(table: str, columns: str) -> list[tuple]:
    """Rows as a backup holds them, uid first (as the associated data names it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT uid, {columns} FROM {table} ORDER BY id")  # noqa: S608 - fixed names
        return [(str(uuid.UUID(str(uid))), *rest) for uid, *rest in cursor.fetchall()]


def test_shredded_records_are_unreadable_even_from_a_backup_taken_before(staff, keys_file):
    applicant = replace(principal("리순희"), province="Ryanggang", contact="Busan, +82 10 1234 5678")
    case = walk_to(staff, open_case(staff, applicant), p.State.DECIDED)
    backup = raw("people_person", "birth_date_sealed, province_sealed, contact_sealed")
    backup_names = raw("people_name", "text_sealed")
    backup_keys = keys_file.read_text()
    sealed_rows = sum(
        t.model._base_manager.exclude(**{a.column: "" for a in t.attributes}).count() for t in rotation.sealed_tables()
    )
    digests = NameKey.objects.count()

    shredded = rotation.office_shred(office="main")

    assert (shredded.records, shredded.name_keys) == (sealed_rows, digests)
    assert "main" not in Keyring.from_json(keys_file.read_text()).offices
    with pytest.raises(cipher.KeysDestroyed, match="no key"):
        _ = Person.objects.get(pk=case.principal_id).birth_date
    with pytest.raises(cipher.KeysDestroyed):
        _ = Event.objects.get(case=case, type="screen").reason
    assert str(Person.objects.get(pk=case.principal_id).readable.birth_date) == str(runtime.UNREADABLE)
    for uid, *sealed in backup:
        for column, token in zip(("birth_date", "province", "contact"), sealed, strict=True):
            if token:
                with pytest.raises(cipher.KeysDestroyed):
                    cipher.decrypt(runtime.keyring(), token, cipher.associated_data("people_person", column, uid))
    for uid, token in backup_names:
        with pytest.raises(cipher.KeysDestroyed):
            cipher.decrypt(runtime.keyring(), token, cipher.associated_data("people_name", "text", uid))
    # Only a copy of the key file from before would open them: that copy is what must go too.
    assert (
        cipher.decrypt(
            Keyring.from_json(backup_keys),
            backup_names[0][1],
            cipher.associated_data("people_name", "text", backup_names[0][0]),
        )
        == "리순희"
    )


def test_after_shredding_the_office_names_are_not_found_and_other_offices_are_untouched(staff, make_user, keys_file):
    bangkok = make_user("bora.bangkok", Role.REGISTRATION_OFFICER)
    bangkok.unit = "Bangkok"
    bangkok.save()
    open_case(staff, principal("리순희"))
    kept = services.intake_open(user=bangkok, people=[principal("김철수")], channel=p.Channel.SELF_PRESENTED, at=T0)
    assert kept.office == "bangkok"
    shredded = rotation.office_shred(office="main")
    assert list(case_search(staff.registrar, "리순희")) == []
    assert not NameKey.objects.filter(name__office="main").exists()
    assert Person.objects.get(pk=kept.principal_id).names.get(script="Hang").text == "김철수"
    assert shredded.office == "main"
    with pytest.raises(KeyMaterialError, match="no keys for office 'main'"):
        rotation.office_shred(office="main")


def test_a_key_file_replaced_by_another_process_is_read_on_next_use(keys_file):
    seat("main", "Ryanggang", "", "리순희")
    elsewhere = runtime.keyring().with_new_key("main", "from-elsewhere")
    keys_file.write_text(elsewhere.to_json())
    assert runtime.keyring().office("main").active == "from-elsewhere"
    person = seat("main", "Kangwon", "", "김철수")
    assert person.province_sealed.startswith("v1:main:from-elsewhere:")


def test_a_new_blind_index_key_changes_every_digest_and_names_are_still_found(staff, keys_file):
    case = open_case(staff, principal("리순희"))
    before = set(NameKey.objects.values_list("digest", flat=True))
    rotation.blind_index_rotate()
    assert list(case_search(staff.registrar, "리순희")) == []  # the gap until the names are indexed again
    assert sum(rotation.name_keys_recompute(batch=1)) == Name.objects.count()
    after = set(NameKey.objects.values_list("digest", flat=True))
    assert len(after) == len(before) and not after & before
    assert list(case_search(staff.registrar, "리순희")) == [case]
    assert list(case_search(staff.registrar, "Sun Hui")) == [case]
