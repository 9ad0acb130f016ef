"""Keys handed over in the ASYLON_KEYS variable: used as they are, never written anywhere."""

from __future__ import annotations

import pytest

from asylon.dataprotection import cipher, runtime
from asylon.dataprotection.keys import KeyMaterialError, Keyring


@pytest.fixture
def keys_in_environment(settings, monkeypatch, tmp_path):
    keys = Keyring.generate(["seoul"], "k1")
    settings.ASYLON_KEYS = keys.to_json()
    settings.ASYLON_KEYS_FILE = str(tmp_path / "keys.json")
    monkeypatch.setattr(runtime, "_keyring", None)
    monkeypatch.setattr(runtime, "_stamp", None)
    return keys, tmp_path / "keys.json"


def test_values_are_sealed_with_the_keys_from_the_variable_and_no_file_is_written(keys_in_environment):
    keys, path = keys_in_environment
    token = cipher.encrypt(runtime.keyring_for("seoul"), "seoul", "리순희", b"aad")
    assert cipher.decrypt(keys, token, b"aad") == "리순희"
    assert not path.exists()


def test_an_office_missing_from_the_variable_is_not_invented_even_in_the_demo(keys_in_environment, settings):
    settings.ASYLON_DEMO = True
    with pytest.raises(KeyMaterialError):
        runtime.keyring_for("bangkok").office("bangkok")


def test_rotation_is_refused_while_the_keys_come_from_the_variable(keys_in_environment):
    keys, path = keys_in_environment
    with pytest.raises(KeyMaterialError, match="ASYLON_KEYS"):
        runtime.replace_keyring(keys.with_new_key("seoul", "k2"))
    assert not path.exists()
