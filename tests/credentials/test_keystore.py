"""Signing keys: created once, private files, read from a file or the environment."""

import base64
import os
import stat

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from credentials.keystore import (
    InvalidKey,
    KeyExists,
    KeyNotFound,
    KeyStore,
    KeyStoreError,
    env_var_name,
)

# RFC 8032, section 7.1, TEST 1.
RFC8032_SEED = bytes.fromhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
)
RFC8032_PUBLIC = bytes.fromhex(
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
)


def pem_of(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def keys_dir(settings, tmp_path):
    directory = tmp_path / "var" / "secret" / "keys"
    settings.SIGNING_KEYS_DIR = directory
    return directory


@pytest.fixture
def store(keys_dir):
    return KeyStore(environ={})


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- generate ----------------------------------------------------------------


def test_generate_writes_a_private_file_in_a_private_directory(store, keys_dir):
    public = store.generate("2026-01")

    path = keys_dir / "2026-01.pem"
    assert isinstance(public, Ed25519PublicKey)
    assert mode_of(keys_dir) == 0o700
    assert mode_of(path) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_generated_key_is_loaded_back_and_signs(store):
    public = store.generate("main")

    private = store.load_private("main")
    signature = private.sign(b"credential")

    public.verify(signature, b"credential")
    assert store.public_key_bytes("main") == public.public_bytes_raw()
    assert len(store.public_key_bytes("main")) == 32
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"credentiaL")


def test_generate_never_overwrites_a_key(store, keys_dir):
    store.generate("main")
    before = (keys_dir / "main.pem").read_bytes()

    with pytest.raises(KeyExists, match="never overwritten"):
        store.generate("main")

    assert (keys_dir / "main.pem").read_bytes() == before


def test_each_key_id_gets_its_own_key(store):
    first = store.generate("2026-01")
    second = store.generate("2026-07")

    assert first.public_bytes_raw() != second.public_bytes_raw()
    assert store.key_ids() == ["2026-01", "2026-07"]


def test_generate_keeps_the_mode_of_an_existing_directory(store, keys_dir):
    keys_dir.mkdir(parents=True, mode=0o750)
    keys_dir.chmod(0o750)

    store.generate("main")

    assert mode_of(keys_dir) == 0o750
    assert mode_of(keys_dir / "main.pem") == 0o600


def test_generate_ignores_a_permissive_umask(store, keys_dir):
    previous = os.umask(0)
    try:
        store.generate("main")
    finally:
        os.umask(previous)

    assert mode_of(keys_dir) == 0o700
    assert mode_of(keys_dir / "main.pem") == 0o600


def test_generate_refuses_a_key_id_the_environment_supplies(keys_dir):
    store = KeyStore(
        environ={"MICROCRED_SIGNING_KEY_MAIN": pem_of(Ed25519PrivateKey.generate())}
    )

    with pytest.raises(KeyExists, match=r"\$MICROCRED_SIGNING_KEY_MAIN"):
        store.generate("main")
    assert not keys_dir.exists()


# --- where keys are looked for ------------------------------------------------


def test_the_directory_is_read_from_settings_at_call_time(settings, tmp_path):
    store = KeyStore(environ={})
    settings.SIGNING_KEYS_DIR = tmp_path / "first"
    store.generate("main")

    settings.SIGNING_KEYS_DIR = tmp_path / "second"

    assert store.directory == tmp_path / "second"
    assert (tmp_path / "first" / "main.pem").exists()
    with pytest.raises(KeyNotFound):
        store.load_private("main")


def test_the_default_directory_is_var_keys_under_base_dir(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = None
    settings.BASE_DIR = tmp_path

    assert KeyStore().directory == tmp_path / "var" / "keys"


def test_an_explicit_directory_wins_over_settings(keys_dir, tmp_path):
    store = KeyStore(tmp_path / "elsewhere", environ={})

    store.generate("main")

    assert (tmp_path / "elsewhere" / "main.pem").exists()
    assert not keys_dir.exists()


@pytest.mark.parametrize(
    ("key_id", "name"),
    [
        ("main", "MICROCRED_SIGNING_KEY_MAIN"),
        ("2026-01", "MICROCRED_SIGNING_KEY_2026_01"),
        ("k", "MICROCRED_SIGNING_KEY_K"),
    ],
)
def test_each_key_id_has_an_environment_variable(key_id, name):
    assert env_var_name(key_id) == name


def test_a_pem_key_is_read_from_the_environment(keys_dir, monkeypatch):
    private = Ed25519PrivateKey.generate()
    monkeypatch.setenv("MICROCRED_SIGNING_KEY_2026_01", pem_of(private))

    store = KeyStore()

    assert store.public_key_bytes("2026-01") == private.public_key().public_bytes_raw()
    assert store.key_ids() == ["2026-01"]
    assert store.exists("2026-01")


def test_a_pem_key_written_on_one_line_with_backslash_n_is_read(keys_dir):
    private = Ed25519PrivateKey.generate()
    one_line = pem_of(private).replace("\n", "\\n")

    store = KeyStore(environ={"MICROCRED_SIGNING_KEY_MAIN": one_line})

    assert store.public_key_bytes("main") == private.public_key().public_bytes_raw()


@pytest.mark.parametrize(
    "encode",
    [
        base64.b64encode,
        base64.urlsafe_b64encode,
        lambda seed: base64.urlsafe_b64encode(seed).rstrip(b"="),
        lambda seed: b"  " + base64.b64encode(seed) + b"\n",
    ],
)
def test_a_base64_seed_is_read_from_the_environment(keys_dir, encode):
    store = KeyStore(
        environ={"MICROCRED_SIGNING_KEY_MAIN": encode(RFC8032_SEED).decode()}
    )

    assert store.public_key_bytes("main") == RFC8032_PUBLIC


def test_the_environment_wins_over_a_file(keys_dir):
    KeyStore(environ={}).generate("main")

    store = KeyStore(
        environ={"MICROCRED_SIGNING_KEY_MAIN": base64.b64encode(RFC8032_SEED).decode()}
    )

    assert store.public_key_bytes("main") == RFC8032_PUBLIC
    assert store.key_ids() == ["main"]


# --- clear errors ---------------------------------------------------------------


def test_a_missing_key_names_both_places_to_put_it(store, keys_dir):
    with pytest.raises(KeyNotFound) as raised:
        store.load_private("2026-01")

    assert "$MICROCRED_SIGNING_KEY_2026_01" in str(raised.value)
    assert str(keys_dir / "2026-01.pem") in str(raised.value)


def test_a_key_file_others_can_read_is_refused(store, keys_dir):
    store.generate("main")
    (keys_dir / "main.pem").chmod(0o644)

    with pytest.raises(InvalidKey, match="chmod 600"):
        store.load_private("main")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_key_file_is_reported(store, keys_dir):
    store.generate("main")
    (keys_dir / "main.pem").chmod(0o000)

    with pytest.raises(KeyStoreError, match="permission denied"):
        store.load_private("main")


def test_a_directory_in_place_of_the_key_file_is_refused(store, keys_dir):
    (keys_dir / "main.pem").mkdir(parents=True)

    with pytest.raises(InvalidKey, match="is not a file"):
        store.load_private("main")


def write_key_file(keys_dir, text: str, name: str = "main.pem"):
    keys_dir.mkdir(parents=True, exist_ok=True)
    path = keys_dir / name
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_a_key_of_another_type_is_refused(store, keys_dir):
    write_key_file(keys_dir, pem_of(ec.generate_private_key(ec.SECP256R1())))

    with pytest.raises(InvalidKey, match="not an Ed25519 key"):
        store.load_private("main")


def test_an_encrypted_key_file_is_refused_with_advice(store, keys_dir):
    encrypted = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    write_key_file(keys_dir, encrypted.decode())

    with pytest.raises(InvalidKey, match="encrypted"):
        store.load_private("main")


def test_a_file_that_is_not_a_key_is_refused(store, keys_dir):
    write_key_file(
        keys_dir, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    )

    with pytest.raises(InvalidKey, match="not a readable PEM private key"):
        store.load_private("main")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not base64 at all!", "neither a PEM private key nor base64"),
        (base64.b64encode(bytes(31)).decode(), "31 bytes; an Ed25519 seed is 32"),
        (base64.b64encode(bytes(64)).decode(), "64 bytes"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "PEM"),
    ],
)
def test_a_bad_environment_value_is_refused_without_showing_it(
    keys_dir, value, message
):
    store = KeyStore(environ={"MICROCRED_SIGNING_KEY_MAIN": value})

    with pytest.raises(InvalidKey, match=message) as raised:
        store.load_private("main")

    assert "$MICROCRED_SIGNING_KEY_MAIN" in str(raised.value)
    assert value.strip() not in str(raised.value)


@pytest.mark.parametrize(
    "key_id", ["", "Main", "key_1", "../etc/passwd", "-lead", "a" * 64, "a b", None]
)
def test_an_invalid_key_id_is_refused(store, key_id):
    with pytest.raises(KeyStoreError, match="Invalid key id"):
        store.generate(key_id)
    with pytest.raises(KeyStoreError, match="Invalid key id"):
        store.load_private(key_id)


def test_key_ids_ignore_files_that_are_not_keys(store, keys_dir):
    store.generate("main")
    write_key_file(keys_dir, "x", name="README.txt")
    write_key_file(keys_dir, "x", name="Not_A_Key.pem")

    assert store.key_ids() == ["main"]


def test_key_ids_of_a_missing_directory_is_empty(store):
    assert store.key_ids() == []
    assert not store.exists("main")
