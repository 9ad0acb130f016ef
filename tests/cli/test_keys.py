"""`asylon rotate-keys` and `asylon shred-office`, as an administrator types them."""

from __future__ import annotations

import itertools
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from asylon.cases.selectors import case_search
from asylon.cli import main
from asylon.dataprotection import cipher, rotation, runtime
from asylon.dataprotection.keys import Keyring
from asylon.people.models import Name, NameKey, Person
from tests.dataprotection.keyfile import own_keyfile
from tests.services.helpers import open_case, principal

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys_file(settings, monkeypatch, tmp_path):
    return own_keyfile(settings, monkeypatch, tmp_path)


@pytest.fixture
def case(staff, keys_file):
    return open_case(staff, principal("리순희"))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def main_keys(keys_file) -> set[str]:
    return set(Keyring.from_json(keys_file.read_text()).office("main").keys)


def sealed_state() -> list[tuple[str, str, str]]:
    return list(Person.objects.order_by("pk").values_list("birth_date_sealed", "province_sealed", "contact_sealed"))


def test_rotate_keys_seals_every_value_under_a_new_key_and_retires_the_old_one(case, keys_file):
    old = runtime.keyring().office("main").active

    out = run("rotate_keys", "--office", "main", "--key-id", "2026-12", "--batch", "2", "--retire-old")

    assert f"Office main: new writes use key 2026-12 (was {old})." in out
    # The person (a birth date) and their two names; the intake event holds no sealed reason.
    assert "Re-encrypted 3 rows of office main; every value is under key 2026-12." in out
    assert f"Retired key {old} of office main." in out
    assert main_keys(keys_file) == {"2026-12"}
    assert Person.objects.get(pk=case.principal_id).birth_date_text == "1991-03"
    assert rotation.key_tokens(office="main", key_id="2026-12") > 0


def test_rotate_keys_names_a_new_key_by_the_time_when_no_id_is_given(case, keys_file):
    old = runtime.keyring().office("main").active
    run("rotate_keys", "--office", "main")
    (new,) = main_keys(keys_file) - {old}
    assert len(new) == len("20261128T041200Z") and new.endswith("Z")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--office", "lima"], "no keys for office 'lima' (shredded, or never created); offices: main"),
        (["--office", "main", "--batch", "0"], "--batch must be at least 1"),
        (["--office", "main", "--key-id", "a:b"], "must be non-empty and contain no ':'"),
        (["--office", "main", "--resume", "--key-id", "k2"], "--resume adds no key: leave out --key-id"),
        (["--blind-index", "--retire-old"], "--key-id and --retire-old are for an office's data keys"),
        ([], "one of the arguments --office --blind-index is required"),
        (["--office", "main", "--blind-index"], "not allowed with argument"),
    ],
)
def test_rotate_keys_refuses_bad_input_and_changes_nothing(case, keys_file, args, error):
    keys_before, sealed_before = keys_file.read_text(), sealed_state()
    with pytest.raises(CommandError, match=error.replace("(", r"\(").replace(")", r"\)")):
        run("rotate_keys", *args)
    assert keys_file.read_text() == keys_before
    assert sealed_state() == sealed_before


def test_rotate_keys_refuses_a_key_id_the_office_already_has(case, keys_file):
    old = runtime.keyring().office("main").active
    before = keys_file.read_text()
    with pytest.raises(CommandError, match=f"office 'main' already has a key '{old}'"):
        run("rotate_keys", "--office", "main", "--key-id", old)
    assert keys_file.read_text() == before


def test_an_interrupted_rotation_says_how_to_resume_and_the_resumed_run_finishes_it(staff, keys_file):
    for text in ("리순희", "김철수", "림영철"):
        open_case(staff, principal(text))
    old = runtime.keyring().office("main").active
    real, calls = cipher.reencrypt, itertools.count()

    def interrupted(*args):
        if next(calls) == 2:  # the third person (one sealed birth date each): two batches are committed
            raise KeyboardInterrupt
        return real(*args)

    with mock.patch.object(cipher, "reencrypt", interrupted), pytest.raises(CommandError) as stopped:
        run("rotate_keys", "--office", "main", "--key-id", "k2", "--batch", "1")
    assert str(stopped.value) == (
        "interrupted after 2 rows; finished batches are kept. "
        "Run `asylon rotate-keys --office main --resume` to finish."
    )
    assert rotation.key_tokens(office="main", key_id=old) > 0

    out = run("rotate_keys", "--office", "main", "--resume", "--retire-old")
    assert "new writes use" not in out
    assert "every value is under key k2" in out
    assert main_keys(keys_file) == {"k2"}
    assert [n.text for n in Name.objects.filter(script="Hang").order_by("pk")] == ["리순희", "김철수", "림영철"]
    assert sorted(p.birth_date for p in Person.objects.all()) == ["1991-03"] * 3


def test_the_old_key_is_kept_while_a_value_still_uses_it(case, keys_file):
    old = runtime.keyring().office("main").active
    # As if a writer had sealed a value under the old key after the batches passed it by.
    # The birth date, and the Hangul name's three parts and the Latin one.
    with (
        mock.patch.object(rotation, "office_reencrypt", lambda **kwargs: iter(())),
        pytest.raises(CommandError, match=f"key '{old}' of office 'main' still seals 5 values"),
    ):
        run("rotate_keys", "--office", "main", "--key-id", "k2", "--retire-old")
    assert main_keys(keys_file) == {old, "k2"}


def test_rotate_keys_blind_index_computes_every_digest_again(staff, case, keys_file):
    before = set(NameKey.objects.values_list("digest", flat=True))
    out = run("rotate_keys", "--blind-index", "--batch", "1")
    assert "Indexed 2 names under the new blind-index key." in out
    assert not before & set(NameKey.objects.values_list("digest", flat=True))
    assert list(case_search(staff.registrar, "Ri Sun Hui")) == [case]


def test_shred_office_without_the_office_repeated_destroys_nothing(case, keys_file):
    before = keys_file.read_text()
    for confirm in ([], ["--confirm", "Main"], ["--confirm", "bangkok"]):
        with pytest.raises(CommandError, match="repeat its name with --confirm main"):
            run("shred_office", "--office", "main", *confirm)
    with pytest.raises(CommandError, match=r"no keys for office 'lima' .*; offices: main"):
        run("shred_office", "--office", "lima", "--confirm", "lima")
    assert keys_file.read_text() == before
    assert Person.objects.get(pk=case.principal_id).birth_date == "1991-03"
    assert NameKey.objects.exists()


def test_shred_office_destroys_the_keys_and_says_how_many_records_are_unreadable(case, keys_file):
    digests = NameKey.objects.count()
    out = run("shred_office", "--office", "main", "--confirm", "main")
    # The person and their two names.
    assert "Destroyed the keys of office main: 3 records are unreadable from now on" in out
    assert f"Removed {digests} name digests." in out
    assert "main" not in Keyring.from_json(keys_file.read_text()).offices
    with pytest.raises(cipher.KeysDestroyed):
        _ = Person.objects.get(pk=case.principal_id).birth_date
    with pytest.raises(CommandError, match="already shredded"):
        run("shred_office", "--office", "main", "--confirm", "main")


def test_asylon_knows_the_commands_by_their_spoken_names(case, keys_file, capsys):
    with pytest.raises(SystemExit):
        main(["asylon", "shred-office", "--office", "main"])
    assert "repeat its name with --confirm main" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["asylon", "rotate-keys", "--office", "lima"])
    assert "no keys for office 'lima'" in capsys.readouterr().err
