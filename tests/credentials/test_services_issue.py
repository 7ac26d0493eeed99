"""Issuance: passing the summative issues one signed credential, once.

State comes from the services, as learners and instructors cause it; every
credential is checked by verifiers we did not write (Digital Bazaar's
JavaScript stack and openbadgeslib), offline.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from openbadgeslib.ob3.ldp import OB3LdpVerifier

from assessments import services as assessment_services
from courses import services as course_services
from courses.models import Enrolment, Pathway, PathwayMembership
from credentials import policies, services, statuslist
from credentials.models import Credential, SigningKey, StatusList
from microcred.models import AuditEntry
from tests import factories
from tests.assessments import factories as af
from tests.credentials.js_verifier import verify_with_digitalbazaar

pytestmark = pytest.mark.django_db


def pass_summative(learner, course, *, capture) -> Enrolment:
    """Register, answer every question right (no project), submit: completed."""
    summative = af.mixed_summative(course, with_project=False)
    offering = factories.OfferingFactory(microcredential=course)
    with capture(execute=True):
        enrolment = course_services.enrolment_register(
            learner=learner, offering_id=offering.pk
        )
        attempt = assessment_services.attempt_start(
            learner=learner, assessment_id=summative.pk
        )
        af.answer_all(learner, attempt, correct=True)
        assessment_services.attempt_submit(learner=learner, attempt_id=attempt.pk)
    enrolment.refresh_from_db()
    return enrolment


def identifier_salt(document: dict) -> str:
    return document["credentialSubject"]["identifier"][0]["salt"]


def status_documents(credential: Credential) -> dict:
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    return {status_list.document["id"]: status_list.document}


def test_passing_the_summative_issues_one_credential_that_third_party_verifiers_accept(
    learner, course, django_capture_on_commit_callbacks
):
    enrolment = pass_summative(
        learner, course, capture=django_capture_on_commit_callbacks
    )

    assert enrolment.status == Enrolment.Status.COMPLETED
    credential = Credential.objects.get(learner=learner)
    assert credential.enrolment == enrolment
    assert credential.route == "course"
    assert credential.recipient_name == learner.legal_name
    assert credential.result["score_percent"] == "100.00"
    assert sorted(credential.result["outcomes_met"]) == ["LO1", "LO2"]
    document = credential.document
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["credentialSubject"]["achievement"]["achievementType"] == (
        "MicroCredential"
    )
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == (
        policies.identity_hash(learner.email, identifier_salt(document))
    )
    assert learner.email not in str(document)
    assert document["validFrom"].endswith("Z")
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert AuditEntry.objects.filter(action="credential.issue").count() == 1

    verdict = verify_with_digitalbazaar(document, status_documents(credential))
    assert verdict["verified"], verdict
    assert verdict["status"]["checked"]
    assert not verdict["status"]["revoked"]

    verified = OB3LdpVerifier.for_issuer_did(document["issuer"]["id"]).verify(document)
    assert verified is not None


def test_the_pdf_certificates_are_rendered_after_commit(
    learner, course, django_capture_on_commit_callbacks
):
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)

    credential = Credential.objects.get(learner=learner)
    assert credential.pdf_rendered_at is not None
    for stored in (credential.pdf, credential.pdf_letter):
        with stored.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"


def test_issuing_twice_returns_the_first_credential(
    learner, course, django_capture_on_commit_callbacks
):
    enrolment = pass_summative(
        learner, course, capture=django_capture_on_commit_callbacks
    )
    first = Credential.objects.get(learner=learner)

    again = services.credentials_for_completion(enrolment=enrolment)
    course_services.enrolment_complete(enrolment_id=enrolment.pk)

    assert again == [first]
    assert Credential.objects.count() == 1
    assert StatusList.objects.get().next_index == 1


def test_completing_the_last_microcredential_of_a_pathway_issues_the_pathway_credential(
    learner, instructor, django_capture_on_commit_callbacks
):
    first = factories.MicrocredentialFactory(owner=instructor, code="PW-1")
    second = factories.MicrocredentialFactory(owner=instructor, code="PW-2")
    pathway = factories.PathwayFactory(requirement=Pathway.Requirement.ALL)
    for position, course in enumerate((first, second)):
        PathwayMembership.objects.create(
            pathway=pathway, microcredential=course, position=position
        )

    pass_summative(learner, first, capture=django_capture_on_commit_callbacks)
    assert Credential.objects.filter(achievement__pathway=pathway).count() == 0

    pass_summative(learner, second, capture=django_capture_on_commit_callbacks)
    pathway_credential = Credential.objects.get(achievement__pathway=pathway)
    assert (
        pathway_credential.document["credentialSubject"]["achievement"][
            "achievementType"
        ]
        == "Certificate"
    )
    verdict = verify_with_digitalbazaar(
        pathway_credential.document, status_documents(pathway_credential)
    )
    assert verdict["verified"], verdict


def test_the_first_issuance_creates_the_key_with_its_private_half_in_a_0600_file(
    learner, course, django_capture_on_commit_callbacks, signing_keys
):
    assert not SigningKey.objects.exists()
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)

    key = SigningKey.objects.get()
    assert key.status == SigningKey.Status.ACTIVE
    assert (signing_keys / f"{key.key_id}.pem").exists()
    assert oct((signing_keys / f"{key.key_id}.pem").stat().st_mode & 0o777) == "0o600"
    assert key.public_key_multibase.startswith("z6Mk")


def test_a_credential_with_an_expiry_is_valid_until_the_same_instant_months_later(
    learner, course, django_capture_on_commit_callbacks
):
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 24
    achievement.save()
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)

    credential = Credential.objects.get(learner=learner)
    assert credential.valid_until == policies.add_months(credential.valid_from, 24)
    assert credential.document["validUntil"] == statuslist.format_datetime(
        credential.valid_until
    )


def test_a_learner_without_a_legal_name_gets_a_clear_refusal_and_nothing_is_written(
    course,
):
    nameless = factories.UserFactory(legal_name=" ")
    achievement = services.achievement_for_course(course)
    with pytest.raises(policies.CredentialRefused, match="legal name"):
        services.credential_issue(
            learner=nameless, achievement=achievement, now=timezone.now()
        )
    assert not Credential.objects.exists()


def test_rotation_keeps_old_credentials_verifiable_by_their_key(
    learner, other_learner, course, django_capture_on_commit_callbacks
):
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)
    old = Credential.objects.get(learner=learner)

    new_key = services.signing_key_rotate(now=timezone.now() + dt.timedelta(days=1))

    assert SigningKey.objects.get(pk=old.signing_key_id).status == "retired"
    assert new_key.status == "active"
    verdict = verify_with_digitalbazaar(old.document)
    assert verdict["signature_ok"], verdict


def test_renewing_inside_the_window_issues_a_new_period_and_keeps_the_old_one(
    learner, course, django_capture_on_commit_callbacks
):
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 12
    achievement.renewal_window_days = 60
    achievement.save()
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)
    first = Credential.objects.get(learner=learner)
    offering = factories.OfferingFactory(microcredential=course)

    too_early = first.valid_until - dt.timedelta(days=61)
    with pytest.raises(course_services.RegistrationRefused, match="already completed"):
        course_services.enrolment_register(
            learner=learner, offering_id=offering.pk, now=too_early
        )

    inside = first.valid_until - dt.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        renewal = course_services.enrolment_register(
            learner=learner, offering_id=offering.pk, now=inside
        )
        summative = course.assessments.get(kind="summative")
        attempt = assessment_services.attempt_start(
            learner=learner, assessment_id=summative.pk, now=inside
        )
        af.answer_all(learner, attempt, correct=True, now=inside)
        assessment_services.attempt_submit(
            learner=learner, attempt_id=attempt.pk, now=inside
        )

    renewed = Credential.objects.get(learner=learner, period=2)
    assert renewed.enrolment_id == renewal.pk
    assert renewed.valid_from == inside
    assert renewed.valid_until == policies.add_months(inside, 12)
    first.refresh_from_db()
    assert first.status == Credential.Status.ACTIVE  # history: it expires on its own
    assert Credential.objects.filter(learner=learner).count() == 2
