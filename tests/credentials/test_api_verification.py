"""API v1: GET /api/v1/credentials/<id>/verification, public, in the schema."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from credentials import services
from tests import factories
from tests.credentials.fixtures import issue, revoke, supersede

pytestmark = pytest.mark.django_db

ISSUED_AT = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
CHECKS = ["format", "signature", "issuer", "status", "expiry", "current_version"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def credential(learner, course):
    return issue(learner, course, now=ISSUED_AT)


def address(credential_id) -> str:
    return f"/api/v1/credentials/{credential_id}/verification"


def test_anyone_can_verify_a_valid_credential(api, credential, settings):
    response = api.get(address(credential.pk))

    assert response.status_code == 200
    body = response.json()
    site = settings.SITE_URL.rstrip("/")
    page = f"{site}/credentials/{credential.pk}"
    assert body["state"] == "valid"
    assert body["headline"] == "This credential is genuine and current."
    assert [check["name"] for check in body["checks"]] == CHECKS
    assert all(check["passed"] for check in body["checks"])
    assert all(check["detail"] for check in body["checks"])
    assert body["checks"][1]["label"] == "Signature"
    achievement = credential.achievement
    assert body["credential"] == {
        "id": page,
        "achievement": {
            "id": f"{site}/achievements/{achievement.pk}",
            "name": achievement.name,
            "type": "MicroCredential",
        },
        "issued": "2026-01-15T05:00:00-05:00",
        "expires": None,
        "issuer": {
            "id": credential.document["issuer"]["id"],
            "name": settings.INSTITUTION_NAME,
            "url": credential.document["issuer"]["url"],
        },
    }
    assert body["revocation"] is None
    assert body["replaced_by"] is None
    assert body["page"] == page


def test_the_address_named_in_the_api_namespace_is_the_documented_one(credential):
    assert reverse(
        "api:credential-verification", kwargs={"credential_id": credential.pk}
    ) == address(credential.pk)


def test_a_trailing_slash_works_too(api, credential):
    response = api.get(address(credential.pk) + "/")

    assert response.status_code == 200
    assert response.json()["state"] == "valid"


def test_a_revoked_credential_says_when_and_why(api, credential):
    revoke(credential, reason="Issued in error.", at=ISSUED_AT + dt.timedelta(days=1))

    body = api.get(address(credential.pk)).json()

    assert body["state"] == "revoked"
    assert body["revocation"] == {
        "revoked_at": "2026-01-16T05:00:00-05:00",
        "reason": "Issued in error.",
    }
    status = next(check for check in body["checks"] if check["name"] == "status")
    assert status == {
        "name": "status",
        "label": "Revocation status",
        "passed": False,
        "detail": "Revoked on 16 January 2026. Reason: Issued in error.",
    }


def test_a_superseded_credential_points_to_its_replacement(api, credential, settings):
    replacement = supersede(credential, new_name="Ada King")

    body = api.get(address(credential.pk)).json()

    assert body["state"] == "superseded"
    assert body["replaced_by"] == (
        f"{settings.SITE_URL.rstrip('/')}/credentials/{replacement.pk}"
    )


def test_an_expired_credential_is_expired(api, learner, course):
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 3
    achievement.save()
    credential = issue(learner, course, now=ISSUED_AT)

    with time_machine.travel(ISSUED_AT + dt.timedelta(days=100)):
        body = api.get(address(credential.pk)).json()

    assert body["state"] == "expired"
    assert body["credential"]["expires"] == "2026-04-15T06:00:00-04:00"


@pytest.mark.parametrize(
    "credential_id",
    ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1", "%20"],
)
def test_an_unknown_or_malformed_id_is_a_json_404(api, credential_id):
    response = api.get(address(credential_id))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "No credential has this id.",
        "errors": {},
        "status": 404,
    }


def test_a_bad_token_does_not_matter_the_endpoint_is_public(api, credential):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get(address(credential.pk))

    assert response.status_code == 200


def test_times_are_in_the_institutions_zone_for_everyone(api, credential):
    api.force_authenticate(factories.UserFactory(time_zone="Asia/Tokyo"))

    body = api.get(address(credential.pk)).json()

    assert body["credential"]["issued"] == "2026-01-15T05:00:00-05:00"


def test_only_get_is_allowed(api, credential):
    response = api.post(address(credential.pk), {})

    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_verification_has_a_fixed_number_of_queries(
    api, credential, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = api.get(address(credential.pk))

    assert response.status_code == 200


def test_the_endpoint_is_in_the_openapi_schema(api):
    response = api.get("/api/schema/", headers={"accept": "application/json"})

    schema = response.json()
    path = "/api/v1/credentials/{credential_id}/verification"
    operation = schema["paths"][path]["get"]
    assert operation["operationId"] == "credentials_verification_retrieve"
    assert operation["security"] == [{}]
    assert set(operation["responses"]) == {"200", "404"}
    assert path + "/" not in schema["paths"]
    components = schema["components"]["schemas"]
    reference = components["Verification"]["properties"]["state"]["allOf"][0]["$ref"]
    state = components[reference.rsplit("/", 1)[1]]
    assert state["enum"] == ["valid", "expired", "revoked", "superseded", "invalid"]
