"""Ed25519 Multikey strings, base58btc and did:key (no database)."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from credentials import multikey
from credentials.errors import MultikeyError
from credentials.jsonld import DID_V1, MULTIKEY_V1

VECTOR = json.loads(
    (Path(__file__).parent / "vectors/ob3-eddsa-rdfc-2022/values.json").read_text()
)


def vector_key() -> Ed25519PrivateKey:
    seed = bytes.fromhex(VECTOR["privateKeyHex"])[:32]
    return Ed25519PrivateKey.from_private_bytes(seed)


def test_public_key_multibase_matches_the_1edtech_vector():
    public_key = vector_key().public_key()

    assert multikey.public_key_bytes(public_key).hex() == VECTOR["publicKeyHex"]
    assert multikey.public_key_to_multibase(public_key) == VECTOR["publicKeyMultibase"]


def test_public_key_multibase_reads_back_to_the_same_key():
    encoded = VECTOR["publicKeyMultibase"]

    key = multikey.public_key_from_multibase(encoded)

    assert multikey.public_key_bytes(key).hex() == VECTOR["publicKeyHex"]


def test_the_vectors_64_byte_secret_key_multibase_reads_as_its_seed():
    key = multikey.private_key_from_multibase(VECTOR["secretKeyMultibase"])

    assert (
        multikey.public_key_to_multibase(key.public_key())
        == (VECTOR["publicKeyMultibase"])
    )


def test_secret_key_multibase_is_the_32_byte_seed_form_and_round_trips():
    key = vector_key()

    encoded = multikey.private_key_to_multibase(key)

    assert encoded.startswith("z3u2")
    again = multikey.private_key_from_multibase(encoded)
    assert multikey.private_key_to_multibase(again) == encoded


def test_every_ed25519_public_multikey_starts_with_z6mk():
    for _ in range(20):
        key = Ed25519PrivateKey.generate().public_key()
        assert multikey.public_key_to_multibase(key).startswith("z6Mk")


@given(st.binary(max_size=80))
def test_base58btc_decoding_inverts_encoding(data):
    assert multikey.base58btc_decode(multikey.base58btc_encode(data)) == data


def test_base58btc_keeps_leading_zero_bytes_as_ones():
    assert multikey.base58btc_encode(b"\0\0\x01") == "112"
    assert multikey.base58btc_decode("112") == b"\0\0\x01"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "no multibase prefix"),
        ("z0OIl", "not base58btc characters"),
        ("z" + multikey.base58btc_encode(b"\x12\x00" + bytes(32)), "not ed25519"),
        ("z" + multikey.base58btc_encode(b"\xed\x01" + bytes(31)), "31 bytes"),
    ],
)
def test_a_malformed_public_multikey_is_refused(value, reason):
    with pytest.raises(MultikeyError):
        multikey.public_key_from_multibase(value)


def test_a_64_byte_secret_key_whose_halves_disagree_is_refused():
    seed = bytes.fromhex(VECTOR["privateKeyHex"])[:32]
    other_public = multikey.public_key_bytes(Ed25519PrivateKey.generate().public_key())
    forged = "z" + multikey.base58btc_encode(b"\x80\x26" + seed + other_public)

    with pytest.raises(MultikeyError):
        multikey.private_key_from_multibase(forged)


def test_did_key_is_the_public_multikey_under_did_key():
    public_key = vector_key().public_key()

    assert multikey.did_key(public_key) == "did:key:" + VECTOR["publicKeyMultibase"]


def test_did_key_document_lists_one_multikey_for_assertion():
    did = "did:key:" + VECTOR["publicKeyMultibase"]
    method_id = f"{did}#{VECTOR['publicKeyMultibase']}"

    document = multikey.did_key_document(did)

    assert document["@context"] == [DID_V1, MULTIKEY_V1]
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": VECTOR["publicKeyMultibase"],
        }
    ]
    assert document["assertionMethod"] == [method_id]
    assert document["authentication"] == [method_id]


def test_resolving_a_did_key_method_gives_its_multikey():
    public_key = vector_key().public_key()
    method = multikey.did_key_verification_method(public_key)

    assert multikey.resolve_did_key(method["id"]) == method


@pytest.mark.parametrize(
    "method_id",
    [
        "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#other",
        "did:web:college.example.org#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "did:key:zNotAKey#zNotAKey",
    ],
)
def test_resolving_anything_but_a_well_formed_did_key_method_gives_nothing(method_id):
    assert multikey.resolve_did_key(method_id) is None


def test_a_did_that_is_not_did_key_is_refused():
    with pytest.raises(MultikeyError):
        multikey.did_key_document("did:web:college.example.org")
