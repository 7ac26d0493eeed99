"""DataIntegrityProof with eddsa-rdfc-2022: the 1EdTech vector, and the traps."""

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from credentials import multikey, proofs
from credentials.errors import (
    ContextNotVendoredError,
    ControlCharacterError,
    DateTimeError,
    SigningRefused,
    UndefinedTermError,
    VerificationMethodError,
)
from credentials.jsonld import ContextLoader, read_manifest
from tests.credentials.documents import open_badge_credential
from tests.credentials.js_verifier import (
    verify_many_with_digitalbazaar,
    verify_with_digitalbazaar,
)

VECTOR_DIR = Path(__file__).parent / "vectors" / "ob3-eddsa-rdfc-2022"
VALUES = json.loads((VECTOR_DIR / "values.json").read_text())
CREATED = dt.datetime(2025, 3, 14, 9, 31, 5, tzinfo=dt.UTC)


def vector_file(name):
    text = (VECTOR_DIR / name).read_text()
    return json.loads(text) if name.endswith(".json") else text


@pytest.fixture(scope="module")
def vector_loader():
    """Our vendored contexts plus the three older ones the vector names."""
    folder = VECTOR_DIR / "contexts"
    return ContextLoader(extra=[(folder, read_manifest(folder))])


@pytest.fixture(scope="module")
def vector_key():
    seed = bytes.fromhex(VALUES["privateKeyHex"])[:32]
    return Ed25519PrivateKey.from_private_bytes(seed)


@pytest.fixture(scope="module")
def vector_method(vector_key):
    return multikey.multikey_document(
        vector_key.public_key(), controller=VALUES["controller"]
    )


@pytest.fixture(scope="module")
def vector_signed(vector_key, vector_method, vector_loader):
    return proofs.sign_credential(
        vector_file("document-with-cryptosuite-context.json"),
        private_key=vector_key,
        verification_method=vector_method,
        created=dt.datetime(2010, 1, 1, 19, 23, 24, tzinfo=dt.UTC),
        loader=vector_loader,
    )


# --- The 1EdTech Open Badges 3.0 test vector, byte for byte ----------------


def test_vector_verification_method_is_the_guides(vector_method):
    assert vector_method["id"] == VALUES["verificationMethod"]
    assert vector_method["publicKeyMultibase"] == VALUES["publicKeyMultibase"]


def test_vector_proof_configuration_is_the_guides_proof_before_signing():
    document = vector_file("document-with-cryptosuite-context.json")

    config = proofs.proof_configuration(
        document,
        verification_method_id=VALUES["verificationMethod"],
        created="2010-01-01T19:23:24Z",
    )

    assert {k: v for k, v in config.items() if k != "@context"} == vector_file(
        "proof-before-signing.json"
    )
    assert config["@context"] == document["@context"]


def test_vector_proof_configuration_canonicalises_to_the_guides_n_quads(
    vector_loader,
):
    config = proofs.proof_configuration(
        vector_file("document-with-cryptosuite-context.json"),
        verification_method_id=VALUES["verificationMethod"],
        created="2010-01-01T19:23:24Z",
    )

    canonical = proofs.canonicalize(config, loader=vector_loader)

    assert canonical == vector_file("proof-normalized.nq")
    assert hashlib.sha256(canonical.encode()).hexdigest() == VALUES["proofHashHex"]


def test_vector_document_canonicalises_to_the_guides_n_quads(vector_loader):
    canonical = proofs.canonicalize(
        vector_file("document-with-cryptosuite-context.json"), loader=vector_loader
    )

    assert canonical == vector_file("document-normalized.nq")
    assert hashlib.sha256(canonical.encode()).hexdigest() == VALUES["documentHashHex"]


def test_vector_data_to_sign_is_proof_hash_then_document_hash():
    data = proofs.hash_data(
        vector_file("proof-normalized.nq"), vector_file("document-normalized.nq")
    )

    assert data.hex() == VALUES["dataToSignHex"]


def test_vector_signature_and_proof_value_are_the_guides(vector_key):
    signature = vector_key.sign(bytes.fromhex(VALUES["dataToSignHex"]))

    assert signature.hex() == VALUES["signatureHex"]
    assert "z" + multikey.base58btc_encode(signature) == VALUES["proofValue"]


def test_signing_the_vector_credential_gives_the_guides_signed_credential(
    vector_signed,
):
    expected = vector_file("signed-credential.json")

    assert vector_signed == expected
    assert json.dumps(vector_signed, indent=2) == json.dumps(expected, indent=2)


def test_the_guides_signed_credential_verifies(vector_method, vector_loader):
    result = proofs.verify_proof(
        vector_file("signed-credential.json"),
        public_key_for={vector_method["id"]: vector_method}.get,
        loader=vector_loader,
    )

    assert result.verified, result.checks


def test_a_proof_the_document_contexts_cannot_express_is_refused(
    vector_key, vector_method, vector_loader
):
    """The vector's plain VC 1.1 document lacks the Data Integrity context."""
    with pytest.raises(UndefinedTermError) as refused:
        proofs.sign_credential(
            vector_file("unsigned-credential.json"),
            private_key=vector_key,
            verification_method=vector_method,
            created=CREATED,
            loader=vector_loader,
        )

    assert "cryptosuite" in refused.value.terms


# --- Our Open Badges 3.0 credentials ---------------------------------------


@pytest.fixture(scope="module")
def issuer_key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def issuer_method(issuer_key):
    return multikey.did_key_verification_method(issuer_key.public_key())


@pytest.fixture(scope="module")
def issuer_did(issuer_key):
    return multikey.did_key(issuer_key.public_key())


def sign(document, key, method, created=CREATED):
    return proofs.sign_credential(
        document, private_key=key, verification_method=method, created=created
    )


@pytest.fixture(scope="module")
def signed(issuer_did, issuer_key, issuer_method):
    return sign(open_badge_credential(issuer_did), issuer_key, issuer_method)


def verify(document):
    return proofs.verify_proof(document, public_key_for=multikey.resolve_did_key)


def test_a_signed_open_badge_carries_an_eddsa_rdfc_2022_proof(signed, issuer_method):
    proof = signed["proof"]

    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == issuer_method["id"]
    assert proof["created"] == "2025-03-14T09:31:05Z"
    assert proof["proofValue"].startswith("z")
    assert len(multikey.base58btc_decode(proof["proofValue"][1:])) == 64


def test_a_signed_open_badge_verifies_with_every_check_named(signed):
    result = verify(signed)

    assert result.verified
    assert [check.name for check in result.checks] == [
        "proof",
        "verification_method",
        "terms",
        "signature",
    ]
    assert all(check.passed for check in result.checks)
    assert result.verification_method == signed["proof"]["verificationMethod"]


def test_signing_leaves_the_given_document_untouched(
    issuer_did, issuer_key, issuer_method
):
    document = open_badge_credential(issuer_did)
    before = copy.deepcopy(document)

    sign(document, issuer_key, issuer_method)

    assert document == before


def test_created_is_written_in_utc_to_the_second(issuer_did, issuer_key, issuer_method):
    paris = dt.timezone(dt.timedelta(hours=2))
    created = dt.datetime(2025, 6, 1, 11, 0, 0, 999_999, tzinfo=paris)

    document = sign(
        open_badge_credential(issuer_did), issuer_key, issuer_method, created
    )

    assert document["proof"]["created"] == "2025-06-01T09:00:00Z"


def test_a_document_that_already_has_a_proof_is_not_signed_again(
    signed, issuer_key, issuer_method
):
    with pytest.raises(SigningRefused):
        sign(signed, issuer_key, issuer_method)


def sign_without_checks(document, key, method):
    """The bare algorithm from the module's public pieces, with no trap checks:
    what a naive signer would produce."""
    config = proofs.proof_configuration(
        document, verification_method_id=method["id"], created="2025-03-14T09:31:05Z"
    )
    data = proofs.hash_data(
        proofs.canonicalize(config),
        proofs.canonicalize(document, require_defined=False),
    )
    proof = {k: v for k, v in config.items() if k != "@context"}
    proof["proofValue"] = "z" + multikey.base58btc_encode(key.sign(data))
    return {**document, "proof": proof}


def test_digital_bazaar_verifies_what_we_sign(signed):
    result = verify_with_digitalbazaar(signed)

    assert result["errors"] == []
    assert result["verified"] is True
    assert result["signature_ok"] is True
    assert result["issuer_ok"] is True


# --- Tampering fails our verifier ------------------------------------------


def test_one_changed_character_fails_the_signature(signed):
    tampered = copy.deepcopy(signed)
    achievement = tampered["credentialSubject"]["achievement"]
    achievement["name"] = achievement["name"].replace("Python", "Pythom")

    result = verify(tampered)

    assert not result.verified
    assert result.check("signature").passed is False
    assert result.check("verification_method").passed


def test_a_signature_from_another_key_fails(signed):
    """The same bytes signed by an impostor, under the issuer's method."""
    impostor = Ed25519PrivateKey.generate()
    forged = copy.deepcopy(signed)
    data = proofs.hash_data(
        proofs.canonicalize(
            {
                **{k: v for k, v in signed["proof"].items() if k != "proofValue"},
                "@context": signed["@context"],
            }
        ),
        proofs.canonicalize({k: v for k, v in signed.items() if k != "proof"}),
    )
    forged["proof"]["proofValue"] = "z" + multikey.base58btc_encode(impostor.sign(data))

    result = verify(forged)

    assert not result.verified
    assert result.check("signature").passed is False


def test_a_swapped_public_key_fails(signed):
    other = multikey.public_key_to_multibase(Ed25519PrivateKey.generate().public_key())

    def swapped(method_id):
        method = multikey.resolve_did_key(method_id)
        return {**method, "publicKeyMultibase": other}

    result = proofs.verify_proof(signed, public_key_for=swapped)

    assert not result.verified
    assert result.check("signature").passed is False


def test_a_wrong_issuer_fails_the_verification_method_check(signed):
    stranger = multikey.did_key(Ed25519PrivateKey.generate().public_key())
    tampered = copy.deepcopy(signed)
    tampered["issuer"]["id"] = stranger

    result = verify(tampered)

    assert not result.verified
    assert result.check("verification_method").passed is False
    assert stranger in result.check("verification_method").detail
    assert result.check("signature").passed is False
    assert "Not checked" in result.check("signature").detail


def test_an_unknown_verification_method_fails(signed):
    result = proofs.verify_proof(signed, public_key_for=lambda method_id: None)

    assert result.check("verification_method").passed is False


def test_a_document_without_a_proof_fails_every_check(issuer_did):
    result = verify(open_badge_credential(issuer_did))

    assert not result.verified
    assert [check.passed for check in result.checks] == [False] * 4


@pytest.mark.parametrize(
    "proof_value",
    ["", "uAAAA", "z0OIl", "z" + multikey.base58btc_encode(bytes(63))],
)
def test_a_malformed_proof_value_fails_the_proof_check(signed, proof_value):
    tampered = copy.deepcopy(signed)
    tampered["proof"]["proofValue"] = proof_value

    assert verify(tampered).check("proof").passed is False


def test_a_proof_for_another_purpose_fails(signed):
    tampered = copy.deepcopy(signed)
    tampered["proof"]["proofPurpose"] = "authentication"

    assert verify(tampered).check("proof").passed is False


def test_a_proof_repeating_the_documents_context_verifies(signed):
    with_context = copy.deepcopy(signed)
    with_context["proof"]["@context"] = list(signed["@context"])

    assert verify(with_context).verified


def test_a_proof_whose_context_differs_from_the_documents_fails(signed):
    tampered = copy.deepcopy(signed)
    tampered["proof"]["@context"] = ["https://w3id.org/security/data-integrity/v2"]

    assert verify(tampered).check("proof").passed is False


def test_an_undefined_field_added_after_signing_fails_the_terms_check(signed):
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["grade"] = "A+"

    result = verify(tampered)

    assert result.check("terms").passed is False
    assert "grade" in result.check("terms").detail


def test_a_credential_naming_an_unvendored_context_fails_without_fetching(signed):
    tampered = copy.deepcopy(signed)
    tampered["@context"] = [*tampered["@context"], "https://example.org/ctx.json"]

    result = verify(tampered)

    assert not result.verified
    assert "https://example.org/ctx.json" in result.check("terms").detail


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(deadline=None)  # canonicalising is work: no wall-clock assertions
@given(
    field=st.sampled_from(
        ["issuer", "credentialSubject", "validFrom", "type", "@context", "proof", "id"]
    ),
    value=JSON,
)
def test_any_json_in_place_of_a_field_gives_a_failed_check_never_an_error(
    signed, field, value
):
    assume(value != signed.get(field))
    tampered = {**signed, field: value}

    result = verify(tampered)

    assert result.verified is False
    assert any(not check.passed for check in result.checks)


@settings(deadline=None)
@given(value=JSON)
def test_a_credential_that_is_not_an_object_fails_the_proof_check(value):
    if isinstance(value, dict):
        value = [value]

    assert verify(value).check("proof").passed is False


# --- Trap: control characters ----------------------------------------------

FORBIDDEN = ["\b", "\f", "\x00", "\x01", "\x0b", "\x0e", "\x1b", "\x1f", "\x7f"]


@pytest.mark.parametrize("character", FORBIDDEN)
def test_text_with_a_control_character_is_refused_before_signing(
    issuer_did, issuer_key, issuer_method, character
):
    document = open_badge_credential(issuer_did)
    document["credentialSubject"]["achievement"]["description"] = f"Data{character}sets"

    with pytest.raises(ControlCharacterError) as refused:
        sign(document, issuer_key, issuer_method)

    assert refused.value.path == "credentialSubject.achievement.description"
    assert refused.value.character == character


@pytest.mark.parametrize("character", ["\t", "\n", "\r"])
def test_tab_line_feed_and_carriage_return_are_signed(
    issuer_did, issuer_key, issuer_method, character
):
    document = open_badge_credential(issuer_did)
    document["credentialSubject"]["achievement"]["description"] = f"Data{character}sets"

    assert verify(sign(document, issuer_key, issuer_method)).verified


def test_why_control_characters_are_refused_digital_bazaar_disagrees_with_pyld(
    issuer_did, issuer_key, issuer_method
):
    """Signed naively through pyld, text with \\b and the like fails in the
    JavaScript stack while tab, line feed and carriage return pass."""
    credentials = {}
    for character in ["\b", "\f", "\x00", "\x1f", "\x7f", "\t", "\n", "\r"]:
        document = open_badge_credential(issuer_did)
        document["credentialSubject"]["achievement"]["description"] = f"a{character}b"
        credentials[character] = sign_without_checks(
            document, issuer_key, issuer_method
        )

    results = verify_many_with_digitalbazaar(
        [(credential, None) for credential in credentials.values()]
    )

    verdicts = {
        character: result["verified"]
        for character, result in zip(credentials, results, strict=True)
    }
    assert verdicts == {
        "\b": False,
        "\f": False,
        "\x00": False,
        "\x1f": False,
        "\x7f": False,
        "\t": True,
        "\n": True,
        "\r": True,
    }


def test_stripping_keeps_tab_line_feed_and_carriage_return():
    assert proofs.strip_control_characters("a\bb\fc\x00d\x7fe\tf\ng\rh") == (
        "abcde\tf\ng\rh"
    )


@given(st.text())
def test_stripped_text_has_nothing_left_to_refuse(text):
    cleaned = proofs.strip_control_characters(text)

    proofs.check_control_characters({"name": cleaned})
    assert proofs.strip_control_characters(cleaned) == cleaned


# --- Trap: undefined terms --------------------------------------------------


def test_a_field_the_contexts_do_not_define_is_refused_and_named(
    issuer_did, issuer_key, issuer_method
):
    document = open_badge_credential(issuer_did)
    document["issuer"]["nickname"] = "NLC"

    with pytest.raises(UndefinedTermError) as refused:
        sign(document, issuer_key, issuer_method)

    assert refused.value.terms == ("nickname",)
    assert refused.value.paths == ("issuer.nickname",)
    assert "nickname" in str(refused.value)


def test_a_type_the_contexts_do_not_define_is_refused_and_named(
    issuer_did, issuer_key, issuer_method
):
    document = open_badge_credential(issuer_did)
    document["type"].append("MicroCredentialCredential")

    with pytest.raises(UndefinedTermError) as refused:
        sign(document, issuer_key, issuer_method)

    assert refused.value.terms == ("MicroCredentialCredential",)
    assert refused.value.paths == ("type[2]",)


def test_several_undefined_fields_are_all_named(issuer_did, issuer_key, issuer_method):
    document = open_badge_credential(issuer_did)
    document["credentialSubject"]["grade"] = "A"
    document["credentialSubject"]["achievement"]["hours"] = 30

    with pytest.raises(UndefinedTermError) as refused:
        sign(document, issuer_key, issuer_method)

    assert refused.value.terms == ("grade", "hours")
    assert refused.value.paths == (
        "credentialSubject.achievement.hours",
        "credentialSubject.grade",
    )


def test_a_relative_id_is_refused(issuer_did, issuer_key, issuer_method):
    document = open_badge_credential(issuer_did)
    document["credentialSubject"]["achievement"]["id"] = "achievements/42"

    with pytest.raises(SigningRefused, match="achievements/42"):
        sign(document, issuer_key, issuer_method)


def test_a_context_we_do_not_vendor_is_refused_at_signing(
    issuer_did, issuer_key, issuer_method
):
    document = open_badge_credential(issuer_did)
    document["@context"].append("https://example.org/extensions.json")

    with pytest.raises(ContextNotVendoredError):
        sign(document, issuer_key, issuer_method)


# --- Trap: validFrom with a time and a zone ---------------------------------


@pytest.mark.parametrize(
    "valid_from",
    ["2025-03-14", "2025-03-14T09:30:00", "2025-03-14 09:30:00Z", "14/03/2025", ""],
)
def test_valid_from_without_a_time_and_zone_is_refused(
    issuer_did, issuer_key, issuer_method, valid_from
):
    document = open_badge_credential(issuer_did, valid_from=valid_from)

    with pytest.raises(DateTimeError) as refused:
        sign(document, issuer_key, issuer_method)

    assert refused.value.field == "validFrom"


@pytest.mark.parametrize(
    "valid_from",
    ["2025-03-14T09:30:00Z", "2025-03-14T09:30:00.250Z", "2025-03-14T09:30:00+02:00"],
)
def test_valid_from_with_a_time_and_zone_is_signed(
    issuer_did, issuer_key, issuer_method, valid_from
):
    document = open_badge_credential(issuer_did, valid_from=valid_from)

    assert verify(sign(document, issuer_key, issuer_method)).verified


def test_an_open_badge_without_valid_from_is_refused(
    issuer_did, issuer_key, issuer_method
):
    document = open_badge_credential(issuer_did)
    del document["validFrom"]

    with pytest.raises(DateTimeError) as refused:
        sign(document, issuer_key, issuer_method)

    assert refused.value.field == "validFrom"


def test_valid_until_without_a_zone_is_refused(issuer_did, issuer_key, issuer_method):
    document = open_badge_credential(issuer_did)
    document["validUntil"] = "2027-03-14T09:30:00"

    with pytest.raises(DateTimeError) as refused:
        sign(document, issuer_key, issuer_method)

    assert refused.value.field == "validUntil"


def test_a_naive_created_time_is_refused(issuer_did, issuer_key, issuer_method):
    with pytest.raises(DateTimeError):
        sign(
            open_badge_credential(issuer_did),
            issuer_key,
            issuer_method,
            created=dt.datetime(2025, 3, 14, 9, 30),  # noqa: DTZ001
        )


# --- Trap: the verification method ------------------------------------------


def test_a_method_that_is_not_a_multikey_is_refused(
    issuer_did, issuer_key, issuer_method
):
    method = {**issuer_method, "type": "Ed25519VerificationKey2020"}

    with pytest.raises(VerificationMethodError, match="not a Multikey"):
        sign(open_badge_credential(issuer_did), issuer_key, method)


def test_a_method_controlled_by_someone_else_is_refused(issuer_key, issuer_method):
    document = open_badge_credential("did:web:college.example.org")

    with pytest.raises(VerificationMethodError, match="not by the issuer"):
        sign(document, issuer_key, issuer_method)


def test_a_method_outside_the_issuers_identifier_is_refused(
    issuer_did, issuer_key, issuer_method
):
    method = {**issuer_method, "id": "https://keys.example.org/1"}

    with pytest.raises(VerificationMethodError):
        sign(open_badge_credential(issuer_did), issuer_key, method)


def test_a_method_that_does_not_hold_the_signing_key_is_refused(
    issuer_did, issuer_method
):
    with pytest.raises(VerificationMethodError, match="signing key"):
        sign(
            open_badge_credential(issuer_did),
            Ed25519PrivateKey.generate(),
            issuer_method,
        )


def test_a_did_web_issuer_signs_with_a_multikey_under_its_did():
    key = Ed25519PrivateKey.generate()
    did = "did:web:college.example.org"
    method = multikey.multikey_document(key.public_key(), controller=did)

    signed = sign(open_badge_credential(did), key, method)

    result = proofs.verify_proof(signed, public_key_for={method["id"]: method}.get)
    assert result.verified
