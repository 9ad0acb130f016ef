"""Private keys come from a PEM file or the environment, and only P-256 keys are accepted."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from asylon.credentials import keys


def pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_a_key_round_trips_through_a_pem_file(tmp_path):
    key = keys.private_key_generate()
    path = tmp_path / "seoul.pem"
    path.write_bytes(keys.private_key_pem(key))
    assert keys.private_key_from_file(path).private_numbers() == key.private_numbers()


def test_an_encrypted_pem_needs_its_password(tmp_path):
    key = keys.private_key_generate()
    path = tmp_path / "root.pem"
    path.write_bytes(keys.private_key_pem(key, password=b"correct horse"))
    assert keys.private_key_from_file(path, password=b"correct horse").private_numbers() == key.private_numbers()
    with pytest.raises(keys.KeyMaterialError, match="not a readable PEM"):
        keys.private_key_from_file(path)


def test_the_environment_holds_the_pem_or_the_path_to_it(tmp_path):
    key = keys.private_key_generate()
    path = tmp_path / "busan.pem"
    path.write_bytes(keys.private_key_pem(key))
    in_value = keys.private_key_from_env(
        "ASYLON_SIGNER_KEY", environ={"ASYLON_SIGNER_KEY": keys.private_key_pem(key).decode()}
    )
    in_file = keys.private_key_from_env("ASYLON_SIGNER_KEY", environ={"ASYLON_SIGNER_KEY_FILE": str(path)})
    assert in_value.private_numbers() == in_file.private_numbers() == key.private_numbers()


def test_a_missing_key_says_which_variables_were_looked_at():
    with pytest.raises(keys.KeyMaterialError, match=r"neither \$ASYLON_SIGNER_KEY nor \$ASYLON_SIGNER_KEY_FILE"):
        keys.private_key_from_env("ASYLON_SIGNER_KEY", environ={})


def test_a_missing_file_names_the_file(tmp_path):
    with pytest.raises(keys.KeyMaterialError, match="cannot read the key file"):
        keys.private_key_from_env("K", environ={"K_FILE": str(tmp_path / "absent.pem")})


@pytest.mark.parametrize(
    "material",
    [
        pem(ed25519.Ed25519PrivateKey.generate()),
        pem(ec.generate_private_key(ec.SECP384R1())),
    ],
)
def test_a_key_that_is_not_p256_is_refused(material):
    with pytest.raises(keys.KeyMaterialError, match="not a P-256 key"):
        keys.private_key_from_pem(material)


def test_garbage_is_not_a_key():
    with pytest.raises(keys.KeyMaterialError, match="not a readable PEM"):
        keys.private_key_from_env("K", environ={"K": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"})


def test_a_public_key_round_trips_through_its_spki():
    public = keys.private_key_generate().public_key()
    assert keys.public_key_from_spki(keys.spki(public)) == public
