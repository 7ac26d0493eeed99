"""The Digital Bazaar verifier harness accepts good credentials and catches bad ones.

Fixtures in tests/verifiers/fixtures/: the 1EdTech Open Badges 3.0
eddsa-rdfc-2022 test vector, and credentials signed by the Digital Bazaar
libraries themselves (make_fixtures.mjs) with a did:key, a did:web and a
Bitstring Status List. No database, no network.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.credentials import js_verifier
from tests.credentials.js_verifier import (
    JsVerifierError,
    JsVerifierUnavailable,
    pinned_contexts,
    verify_many_with_digitalbazaar,
    verify_with_digitalbazaar,
)

FIXTURES = Path(__file__).resolve().parents[1] / "verifiers" / "fixtures"
VECTOR = "1edtech-ob30-eddsa-rdfc-2022-vector.json"
DID_KEY_WITH_STATUS = "didkey-ob30-with-status.json"
SIGNED_FIXTURES = [VECTOR, DID_KEY_WITH_STATUS, "didweb-ob30.json"]


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


KEYS = load("keys.json")
STATUS_LIST_URL = KEYS["statusList"]["url"]


def verify(request: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return verify_with_digitalbazaar(
        request["credential"], request.get("documents"), **kwargs
    )


def change_one_character(text: str) -> str:
    last = text[-1]
    return text[:-1] + ("x" if last != "x" else "y")


@pytest.mark.parametrize("fixture", SIGNED_FIXTURES)
def test_untampered_credential_verifies(fixture):
    result = verify(load(fixture))

    assert result["errors"] == []
    assert result["verified"] is True
    assert result["signature_ok"] is True
    assert result["issuer_ok"] is True


def test_1edtech_test_vector_verifies_with_its_published_proof_value():
    request = load(VECTOR)
    proof = request["credential"]["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofValue"] == (
        "zUSD5bjo6mYV1n9i9E6ZwUiHuj4JyZDjCDfDqoJcPi9XJrc9LYstik9mdBvutdwBdquWXjWrwJDVGJrAarvRs8uD"
    )

    assert verify(request)["verified"] is True


@pytest.mark.parametrize("fixture", SIGNED_FIXTURES)
def test_one_changed_character_in_the_credential_fails(fixture):
    request = load(fixture)
    request["credential"]["name"] = change_one_character(request["credential"]["name"])

    result = verify(request)

    assert result["verified"] is False
    assert result["signature_ok"] is False
    assert "Invalid signature." in result["errors"]


@pytest.mark.parametrize("fixture", SIGNED_FIXTURES)
def test_one_changed_character_in_the_proof_value_fails(fixture):
    request = load(fixture)
    proof = request["credential"]["proof"]
    proof["proofValue"] = change_one_character(proof["proofValue"])

    result = verify(request)

    assert result["verified"] is False
    assert result["signature_ok"] is False


def test_issuer_key_swapped_in_the_controller_document_fails():
    request = load(VECTOR)
    controller = request["documents"]["https://example.edu/issuers/565049"]
    other_key = KEYS["other"]["did"].removeprefix("did:key:")
    controller["verificationMethod"][0]["publicKeyMultibase"] = other_key

    result = verify(request)

    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


def test_issuer_key_swapped_in_the_did_web_document_fails():
    request = load("didweb-ob30.json")
    did_document = request["documents"][KEYS["didWeb"]["documentUrl"]]
    did_document["verificationMethod"][0]["publicKeyMultibase"] = KEYS["other"][
        "did"
    ].removeprefix("did:key:")

    result = verify(request)

    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]


def test_proof_pointing_at_another_key_fails():
    request = load(DID_KEY_WITH_STATUS)
    request["credential"]["proof"]["verificationMethod"] = KEYS["other"][
        "verificationMethod"
    ]

    result = verify(request)

    assert result["verified"] is False
    assert result["signature_ok"] is False


@pytest.mark.parametrize("fixture", SIGNED_FIXTURES)
def test_wrong_issuer_id_fails(fixture):
    request = load(fixture)
    request["credential"]["issuer"]["id"] = KEYS["other"]["did"]

    result = verify(request)

    assert result["verified"] is False


def test_valid_signature_by_a_key_the_issuer_does_not_control_fails():
    result = verify(load("didkey-ob30-wrong-issuer.json"))

    assert result["signature_ok"] is True
    assert result["issuer_ok"] is False
    assert result["verified"] is False
    assert (
        "Credential issuer must match the verification method controller."
        in result["errors"]
    )


def test_key_not_listed_under_assertion_method_fails():
    request = load("didweb-ob30.json")
    request["documents"][KEYS["didWeb"]["documentUrl"]]["assertionMethod"] = []

    result = verify(request)

    assert result["issuer_ok"] is False
    assert result["verified"] is False


def test_status_list_with_the_bit_clear_is_valid():
    result = verify(load(DID_KEY_WITH_STATUS))

    assert result["verified"] is True
    assert result["status"]["checked"] is True
    assert result["status"]["valid"] is True
    assert result["status"]["revoked"] is False
    assert result["status"]["entries"] == [
        {
            "statusPurpose": "revocation",
            "statusListCredential": STATUS_LIST_URL,
            "statusListIndex": str(KEYS["statusList"]["index"]),
            "set": False,
        }
    ]


def test_revoked_credential_is_detected_though_the_library_says_verified():
    """@digitalbazaar/vc says verified: true for a revoked credential; we do not."""
    request = load(DID_KEY_WITH_STATUS)
    request["documents"][STATUS_LIST_URL] = load("status-list-revoked.json")

    result = verify(request)

    assert result["library_verified"] is True
    assert result["signature_ok"] is True
    assert result["status"]["checked"] is True
    assert result["status"]["revoked"] is True
    assert result["status"]["valid"] is False
    assert result["status"]["entries"][0]["set"] is True
    assert result["verified"] is False


def test_tampered_status_list_fails():
    request = load(DID_KEY_WITH_STATUS)
    status_list = request["documents"][STATUS_LIST_URL]
    status_list["credentialSubject"]["encodedList"] = load("status-list-revoked.json")[
        "credentialSubject"
    ]["encodedList"]

    result = verify(request)

    assert result["verified"] is False
    assert result["status"]["checked"] is False
    assert any("BitstringStatusListCredential" in error for error in result["errors"])


def test_missing_status_list_fails_instead_of_fetching_it():
    request = load(DID_KEY_WITH_STATUS)
    del request["documents"][STATUS_LIST_URL]

    result = verify(request)

    assert result["verified"] is False
    assert result["status"]["checked"] is False
    assert any("is not served offline" in error for error in result["errors"])


def test_context_that_is_not_pinned_is_refused_offline():
    request = load(DID_KEY_WITH_STATUS)
    request["credential"]["@context"].append("https://contexts.example/unpinned/v1")

    result = verify(request)

    assert result["verified"] is False
    assert any(
        "https://contexts.example/unpinned/v1 is not served offline" in e
        for e in result["errors"]
    )


def test_given_documents_cannot_replace_a_pinned_context():
    request = load(DID_KEY_WITH_STATUS)
    forged = {"@context": {"name": "https://evil.example/name"}}

    with pytest.raises(JsVerifierError, match="may not replace the pinned context"):
        verify_with_digitalbazaar(
            request["credential"],
            {
                **request["documents"],
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": forged,
            },
        )


def test_credential_checked_before_its_valid_from_fails():
    request = load(DID_KEY_WITH_STATUS)

    result = verify(request, now="2024-12-31T00:00:00Z")

    assert result["verified"] is False
    assert any('before "validFrom"' in error for error in result["errors"])


def test_credential_given_as_json_text_verifies():
    request = load(DID_KEY_WITH_STATUS)

    result = verify_with_digitalbazaar(
        json.dumps(request["credential"]), request["documents"]
    )

    assert result["verified"] is True


def test_several_credentials_verify_in_one_call():
    good = load(DID_KEY_WITH_STATUS)
    bad = copy.deepcopy(good)
    bad["credential"]["name"] = change_one_character(bad["credential"]["name"])

    results = verify_many_with_digitalbazaar(
        [(good["credential"], good["documents"]), (bad["credential"], bad["documents"])]
    )

    assert [r["verified"] for r in results] == [True, False]


def test_request_that_is_not_a_credential_is_refused():
    with pytest.raises(JsVerifierError, match='"credential" must be a JSON object'):
        verify_with_digitalbazaar([1, 2, 3])  # type: ignore[arg-type]


def test_pinned_contexts_cover_what_open_badges_3_needs():
    contexts = pinned_contexts()

    for url in [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/credentials/status/v1",
    ]:
        assert "@context" in contexts[url], url


def test_missing_npm_packages_raise_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(js_verifier, "NODE_MODULES", tmp_path / "node_modules")

    with pytest.raises(JsVerifierUnavailable, match="Run `npm ci`"):
        verify(load(VECTOR))
