"""Open Badges 2.0: hosted assertion, badge class and issuer profile.

The documents are checked three ways: the required fields of the IMS Open
Badges v2.0 specification; JSON-LD expansion with the vendored, pinned OB 2.0
context (nothing may be dropped); and hosted verification by openbadgeslib's
``OB2Verifier``, a verifier we did not write, fetching through the test client.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openbadgeslib.ob2 import OB2VerificationError, OB2Verifier

from credentials import baking, policies, services
from credentials.jsonld import default_loader
from credentials.models import Alignment, Credential
from credentials.proofs import canonicalize

pytestmark = pytest.mark.django_db

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


@pytest.fixture
def credential(learner, course) -> Credential:
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 12
    achievement.tags = ["spreadsheets", "data"]
    achievement.save()
    Alignment.objects.create(
        achievement=achievement,
        target_name="Data entry keyers",
        target_url="https://www.onetonline.org/link/summary/43-9021.00",
        target_code="43-9021.00",
        target_framework="O*NET-SOC",
    )
    return services.credential_issue(learner=learner, achievement=achievement)


def fetch(client: Client, url: str, **headers) -> object:
    path = urlsplit(url).path
    assert url == settings.SITE_URL.rstrip("/") + path, "same origin as the issuer"
    return client.get(path, headers=headers)


def document(client: Client, url: str) -> dict:
    response = fetch(client, url)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def downloader(client: Client):
    """``url -> bytes`` for openbadgeslib, answering from our own views."""

    def download(url: str) -> bytes:
        response = fetch(client, url, accept="application/ld+json")
        if response.status_code != 200:
            raise OSError(f"HTTP {response.status_code} for {url}")
        return response.content

    return download


def dropped_terms(doc: dict) -> list:
    """Expand with the vendored contexts: the properties pyld would drop."""
    loader = default_loader()
    dropped: list = []
    processor = loader.processor(on_property_dropped=dropped.append)
    processor.expand(doc, loader.options())
    return dropped


def assertion_url(credential: Credential) -> str:
    return services.absolute_url("ob2-assertion", pk=credential.pk)


# --- the documents ----------------------------------------------------------------


def test_the_hosted_assertion_has_every_required_field(client, credential, learner):
    assertion = document(client, assertion_url(credential))

    assert assertion["@context"] == OB2_CONTEXT
    assert assertion["type"] == "Assertion"
    assert assertion["id"] == assertion_url(credential)
    assert assertion["badge"] == services.absolute_url(
        "ob2-badge", pk=credential.achievement_id
    )
    assert assertion["verification"] == {"type": "HostedBadge"}
    recipient = assertion["recipient"]
    assert recipient["type"] == "email"
    assert recipient["hashed"] is True
    assert recipient["identity"] == policies.identity_hash(
        learner.email, recipient["salt"]
    )
    assert learner.email not in json.dumps(assertion)
    assert assertion["issuedOn"].endswith("Z")
    assert assertion["expires"].endswith("Z")
    assert assertion["evidence"][0]["type"] == "Evidence"
    assert "course route" in assertion["evidence"][0]["name"]
    # The same identity as the signed Open Badges 3.0 credential.
    identifier = credential.document["credentialSubject"]["identifier"][0]
    assert recipient["salt"] == identifier["salt"]
    assert recipient["identity"] == identifier["identityHash"]


def test_the_badge_class_has_every_required_field(client, credential):
    badge = document(
        client, services.absolute_url("ob2-badge", pk=credential.achievement_id)
    )
    achievement = credential.achievement

    assert badge["@context"] == OB2_CONTEXT
    assert badge["type"] == "BadgeClass"
    assert badge["name"] == achievement.name
    assert badge["description"] == achievement.description
    assert badge["image"] == services.absolute_url(
        "achievement-image", pk=achievement.pk
    )
    assert badge["criteria"] == {
        "id": services.absolute_url("achievement", pk=achievement.pk),
        "narrative": achievement.criteria_narrative,
    }
    assert badge["issuer"] == services.absolute_url("ob2-issuer")
    assert badge["alignment"] == [
        {
            "targetName": "Data entry keyers",
            "targetUrl": "https://www.onetonline.org/link/summary/43-9021.00",
            "targetFramework": "O*NET-SOC",
            "targetCode": "43-9021.00",
        }
    ]
    assert badge["tags"] == ["spreadsheets", "data"]
    # Its image answers, as a PNG.
    image = fetch(client, badge["image"])
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG")


def test_the_issuer_profile_has_every_required_field(client):
    profile = services.issuer_profile()
    issuer = document(client, services.absolute_url("ob2-issuer"))

    assert issuer["@context"] == OB2_CONTEXT
    assert issuer["type"] == "Issuer"
    assert issuer["id"] == services.absolute_url("ob2-issuer")
    assert (issuer["name"], issuer["url"], issuer["email"]) == (
        profile.name,
        profile.url,
        profile.email,
    )
    prefix = issuer["verification"]["startsWith"]
    assert services.absolute_url("ob2-issuer").startswith(prefix.split("/ob2/")[0])
    assert prefix.endswith("/ob2/assertions/")


def test_every_document_is_defined_by_the_vendored_open_badges_2_context(
    client, credential
):
    documents = [
        document(client, assertion_url(credential)),
        document(
            client, services.absolute_url("ob2-badge", pk=credential.achievement_id)
        ),
        document(client, services.absolute_url("ob2-issuer")),
    ]
    for doc in documents:
        assert dropped_terms(doc) == [], doc["type"]
        # The signer's own check: no undefined term or type, no relative id.
        canonicalize(doc, require_defined=True)


def test_the_context_check_would_catch_an_undefined_term(client, credential):
    assertion = document(client, assertion_url(credential))
    assertion["favouriteColour"] = "teal"
    assert dropped_terms(assertion) == ["favouriteColour"]


def test_json_ld_by_default_and_plain_json_when_that_is_all_the_client_accepts(
    client, credential
):
    default = fetch(client, assertion_url(credential))
    assert default["Content-Type"] == "application/ld+json"
    plain = fetch(client, assertion_url(credential), accept="application/json")
    assert plain["Content-Type"] == "application/json"
    assert default["Access-Control-Allow-Origin"] == "*"


# --- verification by a third party --------------------------------------------------


def test_openbadgeslib_verifies_the_hosted_assertion(client, credential, learner):
    assertion = document(client, assertion_url(credential))

    verified = OB2Verifier(download=downloader(client)).verify_hosted(
        assertion, expected_recipient=learner.email
    )

    assert verified.id == assertion_url(credential)
    assert verified.badge == assertion["badge"]


def test_openbadgeslib_refuses_the_assertion_for_someone_else(
    client, credential, other_learner
):
    assertion = document(client, assertion_url(credential))
    with pytest.raises(OB2VerificationError, match="Recipient mismatch"):
        OB2Verifier(download=downloader(client)).verify_hosted(
            assertion, expected_recipient=other_learner.email
        )


def test_the_baked_open_badges_2_png_verifies(client, credential, learner):
    client.force_login(learner)
    png = client.get(reverse("credentials:mine-png-ob2", args=[credential.pk])).content
    client.logout()  # the verifier is anyone

    baked = baking.unbake_ob2(png)

    verified = OB2Verifier(download=downloader(client)).verify_hosted(
        baked, expected_recipient=learner.email
    )
    assert verified.id == assertion_url(credential)


# --- revocation -----------------------------------------------------------------------


def test_a_revoked_assertion_answers_410_with_the_reason(
    client, credential, learner, registrar
):
    before = document(client, assertion_url(credential))
    services.credential_revoke(
        credential_id=credential.pk, actor=registrar, reason="Awarded in error."
    )

    response = fetch(client, assertion_url(credential))

    assert response.status_code == 410
    body = json.loads(response.content)
    assert body == {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url(credential),
        "revoked": True,
        "revocationReason": "Awarded in error.",
    }
    assert dropped_terms(body) == []
    with pytest.raises(OB2VerificationError):
        OB2Verifier(download=downloader(client)).verify_hosted(
            before, expected_recipient=learner.email
        )


def test_a_superseded_assertion_answers_410_and_names_its_replacement(
    client, credential, learner, registrar
):
    correction = services.credential_name_correction_request(
        credential_id=credential.pk,
        learner=learner,
        requested_name="Ada K.",
        reason="X",
    )
    services.credential_name_correction_decide(
        correction_id=correction.pk, actor=registrar, approve=True
    )
    new = Credential.objects.get(status=Credential.Status.ACTIVE)

    response = fetch(client, assertion_url(credential))

    assert response.status_code == 410
    body = json.loads(response.content)
    assert body["revoked"] is True
    assert assertion_url(new) in body["revocationReason"]
    assert fetch(client, assertion_url(new)).status_code == 200


def test_unknown_documents_answer_404_in_json(client):
    missing = fetch(
        client,
        services.absolute_url(
            "ob2-assertion", pk="00000000-0000-0000-0000-000000000000"
        ),
    )
    assert missing.status_code == 404
    assert "error" in json.loads(missing.content)
    assert (
        fetch(client, services.absolute_url("ob2-badge", pk=999999)).status_code == 404
    )
