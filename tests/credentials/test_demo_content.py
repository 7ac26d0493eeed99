"""The demo learner holds one credential and one revoked credential.

``manage.py seed_demo`` makes them through the real services (a passed
summative, released feedback, completion, issuance; a registrar's revocation),
and verifiers we did not write judge them as a third party would.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from courses import demo_content as demo
from courses.models import Enrolment
from credentials import demo_content as credential_demo
from credentials import services
from credentials.models import Credential, SigningKey, StatusList
from microcred.models import AuditEntry, User
from tests.credentials.js_verifier import verify_with_digitalbazaar

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    return out.getvalue()


def demo_user(local: str) -> User:
    return User.objects.get(email=f"{local}@{demo.DEMO_EMAIL_DOMAIN}")


def status_documents(credential: Credential) -> dict:
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    return {status_list.document["id"]: status_list.document}


def verification_state(credential: Credential) -> str:
    response = APIClient().get(f"/api/v1/credentials/{credential.pk}/verification")
    assert response.status_code == 200
    return response.json()["state"]


def test_the_demo_learner_holds_one_valid_and_one_revoked_credential(
    django_capture_on_commit_callbacks,
):
    assert not SigningKey.objects.exists()  # the seed makes its own key

    with django_capture_on_commit_callbacks(execute=True):
        output = seed()

    learner, registrar = demo_user("learner"), demo_user("registrar")
    credentials = {
        c.achievement.microcredential.code: c
        for c in Credential.objects.filter(learner=learner).select_related(
            "achievement__microcredential", "enrolment"
        )
    }
    assert set(credentials) == {"PSY-110", "PRJ-120"}  # no pathway credential
    valid, revoked = credentials["PSY-110"], credentials["PRJ-120"]
    assert valid.status == Credential.Status.ACTIVE
    assert revoked.status == Credential.Status.REVOKED
    assert revoked.revoked_by == registrar
    assert revoked.revocation_reason.startswith("Issued in error")
    assert valid.awarded_at > revoked.revoked_at > revoked.awarded_at
    assert AuditEntry.objects.filter(
        action="credential.revoke", actor=registrar, object_id=str(revoked.pk)
    ).exists()
    # Issued by completion: a passed summative, its feedback released.
    for credential in (valid, revoked):
        enrolment = credential.enrolment
        assert enrolment.status == Enrolment.Status.COMPLETED
        assert credential.awarded_at == enrolment.completed_at
        assert credential.result["score_percent"] == "100.00"
        assert credential.recipient_name == learner.legal_name
        assert credential.pdf  # rendered on commit
        assert credential.pdf_letter
    # The dashboard's two courses in progress are still in progress.
    active = Enrolment.objects.filter(learner=learner).active()
    assert set(active.values_list("microcredential__code", flat=True)) == {
        "DATA-101",
        "CYB-101",
    }
    assert SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).count() == 1
    assert "1 signing keys" in output

    # Digital Bazaar's verifier: the valid one verifies; the revoked one's
    # signature still checks but the status list says revoked.
    valid_result = verify_with_digitalbazaar(valid.document, status_documents(valid))
    assert valid_result["verified"], valid_result
    assert not valid_result["status"]["revoked"]
    revoked_result = verify_with_digitalbazaar(
        revoked.document, status_documents(revoked)
    )
    assert revoked_result["status"]["revoked"], revoked_result
    assert not revoked_result["verified"]
    assert verification_state(valid) == "valid"
    assert verification_state(revoked) == "revoked"

    # The summary names both, with their public pages.
    assert f"Credentials of {learner.email}" in output
    for credential in (valid, revoked):
        assert services.absolute_url("credential", pk=credential.pk) in output
    assert f"Valid    {valid.achievement.name}" in output
    assert f"Revoked  {revoked.achievement.name}" in output
    assert "Issued in error" in output


def test_a_later_run_never_replays_the_learners_credentials():
    seed()
    learner = demo_user("learner")
    valid = Credential.objects.get(learner=learner, status=Credential.Status.ACTIVE)
    services.credentials_revoke(
        credential_ids=[valid.pk],
        actor=demo_user("registrar"),
        reason="Revoked while trying the demo.",
    )
    versions = list(StatusList.objects.values_list("pk", "version"))

    output = seed()

    statuses = Credential.objects.filter(learner=learner).values_list(
        "status", flat=True
    )
    assert list(statuses) == [Credential.Status.REVOKED] * 2
    assert list(StatusList.objects.values_list("pk", "version")) == versions
    assert "Already up to date: nothing changed." in output
    assert output.count("Revoked  ") == 2


def test_the_summary_is_empty_for_a_learner_without_credentials(learner):
    assert credential_demo.summary_lines(learner) == []
