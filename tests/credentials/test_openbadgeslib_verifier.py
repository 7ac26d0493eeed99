"""A verifier we did not write accepts our credentials: openbadgeslib[ldp].

openbadgeslib's ``OB3LdpVerifier`` checks an OB 3.0 credential secured with an
embedded ``eddsa-rdfc-2022`` Data Integrity proof: context validation (the
JSON must be exactly the compacted form of what is signed, so an undefined
field fails), the OB 3.0 model, the binding of the proof's verification
method to the issuer, the signature and the validity window. It resolves a
``did:key`` offline and canonicalises with its own bundled, pinned contexts
(VC 2.0 and OB 3.0.3 among them), refusing any other URL: nothing here
touches the network, and the ``no_network`` fixture would fail the test if
anything tried.
"""

import copy
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from openbadgeslib.ob3.credential import IdentityObject
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3VerificationError

from credentials import multikey, proofs
from tests.credentials.documents import LEARNER_EMAIL, SALT, open_badge_credential

CREATED = dt.datetime(2025, 3, 14, 9, 31, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"tried to reach the network: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def issuer_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def issuer_did(issuer_key):
    return multikey.did_key(issuer_key.public_key())


@pytest.fixture(scope="module")
def signed(issuer_key, issuer_did):
    return proofs.sign_credential(
        open_badge_credential(issuer_did),
        private_key=issuer_key,
        verification_method=multikey.did_key_verification_method(
            issuer_key.public_key()
        ),
        created=CREATED,
    )


def pem(public_key):
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def test_openbadgeslib_verifies_our_signed_credential(signed, issuer_did):
    credential = OB3LdpVerifier().verify(signed)

    assert credential.issuer.id == issuer_did
    assert credential.issuer.name == "Northern Lights College"
    assert credential.achievement.name == "Data Analysis with Python"


def test_openbadgeslib_verifies_our_credential_as_json_text(signed):
    OB3LdpVerifier().verify(json.dumps(signed).encode())


def test_openbadgeslib_anchored_to_our_did_verifies_it(signed, issuer_did):
    OB3LdpVerifier.for_issuer_did(issuer_did).verify(signed)


def test_openbadgeslib_pinned_to_our_key_verifies_it(signed, issuer_key):
    OB3LdpVerifier(pubkey_pem=pem(issuer_key.public_key())).verify(signed)


def test_openbadgeslib_reads_the_learners_hashed_email_as_it_would_hash_it(signed):
    """Its recipient check reads credentialSubject.id only; ours is an
    IdentityObject, so compare the hash with the one it makes itself."""
    credential = OB3LdpVerifier().verify(signed)

    identity = credential.identifiers[0]
    assert identity.identity_type == "emailAddress"
    assert identity.hashed is True
    assert identity.identity_hash == (
        IdentityObject.create(LEARNER_EMAIL, identity.salt).identity_hash
    )
    assert identity.identity_hash != (
        IdentityObject.create("grace@example.org", identity.salt).identity_hash
    )
    assert identity.salt == SALT


def test_openbadgeslib_refuses_one_changed_character(signed):
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Data Analysis with Pythom"

    with pytest.raises(OB3VerificationError, match="signature mismatch"):
        OB3LdpVerifier().verify(tampered)


def test_openbadgeslib_refuses_one_changed_character_in_the_proof(signed):
    tampered = copy.deepcopy(signed)
    tampered["proof"]["created"] = tampered["proof"]["created"].replace(":05Z", ":06Z")

    with pytest.raises(OB3VerificationError, match="signature mismatch"):
        OB3LdpVerifier().verify(tampered)


def test_openbadgeslib_refuses_a_swapped_key(signed):
    """Pinned to a key that is not the issuer's, it finds the signature bad."""
    stranger = Ed25519PrivateKey.generate().public_key()

    with pytest.raises(OB3VerificationError, match="signature mismatch"):
        OB3LdpVerifier(pubkey_pem=pem(stranger)).verify(signed)


def test_openbadgeslib_refuses_a_proof_re_pointed_at_another_key(signed):
    """Issuer and method both swapped to a stranger's did:key, same signature."""
    stranger = multikey.did_key_verification_method(
        Ed25519PrivateKey.generate().public_key()
    )
    tampered = copy.deepcopy(signed)
    tampered["issuer"]["id"] = stranger["controller"]
    tampered["proof"]["verificationMethod"] = stranger["id"]

    with pytest.raises(OB3VerificationError, match="signature mismatch"):
        OB3LdpVerifier().verify(tampered)


def test_openbadgeslib_refuses_a_wrong_issuer(signed):
    stranger = multikey.did_key(Ed25519PrivateKey.generate().public_key())
    tampered = copy.deepcopy(signed)
    tampered["issuer"]["id"] = stranger

    with pytest.raises(OB3VerificationError, match="does not belong"):
        OB3LdpVerifier().verify(tampered)


def test_openbadgeslib_anchored_to_another_issuer_refuses_ours(signed):
    stranger = multikey.did_key(Ed25519PrivateKey.generate().public_key())

    with pytest.raises(OB3VerificationError, match="does not match"):
        OB3LdpVerifier.for_issuer_did(stranger).verify(signed)


def test_openbadgeslib_refuses_a_field_no_context_defines(signed):
    """What our signer refuses up front, a safe-mode verifier rejects."""
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["grade"] = "A+"

    with pytest.raises(OB3VerificationError, match="/credentialSubject/grade"):
        OB3LdpVerifier().verify(tampered)
