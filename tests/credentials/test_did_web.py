"""The issuer's did:web DID document, and our issued credentials under attack.

Credentials are issued through the completion service; the verifiers are
Digital Bazaar's JavaScript stack and openbadgeslib, both offline.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from django.utils import timezone
from openbadgeslib.ob3.ldp import OB3LdpVerifier

from credentials import multikey, proofs, services
from credentials.models import Credential, SigningKey, StatusList
from tests.credentials.js_verifier import verify_with_digitalbazaar
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db

DOMAIN = "learn.example.edu"
DID = f"did:web:{DOMAIN}"


def documents_for(credential: Credential, client) -> dict:
    """What a verifier would fetch: the status list and, for did:web, the DID
    document — here fetched from our own views."""
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    documents = {status_list.document["id"]: status_list.document}
    if credential.document["issuer"]["id"].startswith("did:web:"):
        did_document = client.get(reverse("credentials:did")).json()
        documents[did_document["id"]] = did_document
    return documents


def test_without_a_domain_there_is_no_did_document(client):
    assert client.get("/.well-known/did.json").status_code == 404


def test_the_did_document_lists_every_key_as_a_multikey_for_assertion(
    client, settings, learner, course, django_capture_on_commit_callbacks
):
    settings.CREDENTIALS_DID_WEB_DOMAIN = DOMAIN
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)
    old = Credential.objects.get(learner=learner)
    services.signing_key_rotate(now=timezone.now() + dt.timedelta(days=1))

    response = client.get("/.well-known/did.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+ld+json"
    document = response.json()
    assert document["id"] == DID
    keys = SigningKey.objects.order_by("created_at")
    assert [m["id"] for m in document["verificationMethod"]] == [
        f"{DID}#{key.key_id}" for key in keys
    ]
    assert all(m["type"] == "Multikey" for m in document["verificationMethod"])
    assert all(m["controller"] == DID for m in document["verificationMethod"])
    assert document["assertionMethod"] == [
        m["id"] for m in document["verificationMethod"]
    ]
    # A credential signed by the now retired key still verifies.
    assert old.document["issuer"]["id"] == DID
    verdict = verify_with_digitalbazaar(old.document, documents_for(old, client))
    assert verdict["signature_ok"], verdict
    assert verdict["issuer_ok"], verdict


def tampered_variants(document: dict) -> dict[str, dict]:
    one_character = copy.deepcopy(document)
    name = one_character["credentialSubject"]["achievement"]["name"]
    one_character["credentialSubject"]["achievement"]["name"] = name[:-1] + (
        "X" if name[-1] != "X" else "Y"
    )
    wrong_issuer = copy.deepcopy(document)
    stranger = Ed25519PrivateKey.generate()
    wrong_issuer["issuer"]["id"] = multikey.did_key(stranger.public_key())
    # The same content signed by a stranger's key, the proof still naming our
    # issuer's verification method.
    stranger_copy = {k: v for k, v in wrong_issuer.items() if k != "proof"}
    resigned = proofs.sign_credential(
        stranger_copy,
        private_key=stranger,
        verification_method=multikey.did_key_verification_method(stranger.public_key()),
        created=timezone.now(),
    )
    swapped_key = copy.deepcopy(document)
    swapped_key["proof"] = {
        **resigned["proof"],
        "verificationMethod": document["proof"]["verificationMethod"],
    }
    return {
        "one changed character": one_character,
        "a wrong issuer": wrong_issuer,
        "a swapped key": swapped_key,
    }


def test_our_credentials_fail_both_verifiers_when_tampered(
    client, learner, course, django_capture_on_commit_callbacks
):
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)
    credential = Credential.objects.get(learner=learner)
    documents = documents_for(credential, client)
    assert verify_with_digitalbazaar(credential.document, documents)["verified"]

    for what, tampered in tampered_variants(credential.document).items():
        verdict = verify_with_digitalbazaar(tampered, documents)
        assert not verdict["verified"], what
        assert not (verdict["signature_ok"] and verdict["issuer_ok"]), what
        with pytest.raises(Exception):  # noqa: B017, PT011 - any rejection
            OB3LdpVerifier.for_issuer_did(credential.document["issuer"]["id"]).verify(
                tampered
            )
