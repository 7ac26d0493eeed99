"""Revocation: registrars revoke with a reason; the status list says so at once.

Credentials are issued through the issuance service; revocation is checked by
the Digital Bazaar verifier reading our re-signed status list credential.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import F

from credentials import services, statuslist
from credentials.models import Credential, StatusList
from credentials.policies import CredentialRefused
from microcred.models import AuditEntry
from tests import factories
from tests.credentials.js_verifier import verify_with_digitalbazaar

pytestmark = pytest.mark.django_db


def issue(learner, course=None) -> Credential:
    course = course or factories.MicrocredentialFactory()
    return services.credential_issue(
        learner=learner, achievement=services.achievement_for_course(course)
    )


def status_documents(*credentials: Credential) -> dict:
    lists = StatusList.objects.filter(pk__in=[c.status_list_id for c in credentials])
    return {status_list.document["id"]: status_list.document for status_list in lists}


def bit(credential: Credential) -> bool:
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    return statuslist.Bitstring.from_bytes(bytes(status_list.bits)).get(
        credential.status_index
    )


def test_a_revoked_credential_is_reported_revoked_by_the_javascript_verifier(
    learner, course, registrar
):
    credential = issue(learner, course)
    before = verify_with_digitalbazaar(
        credential.document, status_documents(credential)
    )
    assert before["verified"], before
    assert not before["status"]["revoked"]

    revoked = services.credentials_revoke(
        credential_ids=[credential.pk], actor=registrar, reason="Awarded in error."
    )

    assert [c.pk for c in revoked] == [credential.pk]
    credential.refresh_from_db()
    assert credential.status == Credential.Status.REVOKED
    assert credential.revoked_at is not None
    assert credential.revocation_reason == "Awarded in error."
    assert credential.revoked_by == registrar
    assert bit(credential)
    after = verify_with_digitalbazaar(credential.document, status_documents(credential))
    # @digitalbazaar/vc itself still says verified: the status check says revoked.
    assert after["status"]["checked"]
    assert after["status"]["revoked"], after
    assert not after["verified"]


def test_a_batch_in_one_status_list_re_signs_the_list_once(learner, registrar):
    others = [factories.UserFactory() for _ in range(3)]
    credentials = [issue(person) for person in (learner, *others)]
    status_list = StatusList.objects.get()
    version_before = status_list.version
    signed_before = status_list.document["proof"]["proofValue"]
    untouched = credentials[3]

    revoked = services.credentials_revoke(
        credential_ids=[c.pk for c in credentials[:3]],
        actor=registrar,
        reason="Assessment found compromised.",
    )

    assert len(revoked) == 3
    status_list.refresh_from_db()
    assert status_list.version == version_before + 1
    assert status_list.document["proof"]["proofValue"] != signed_before
    encoded = status_list.document["credentialSubject"]["encodedList"]
    published = statuslist.decode(encoded)
    for credential in credentials[:3]:
        assert published.get(credential.status_index)
    assert not published.get(untouched.status_index)
    entries = AuditEntry.objects.filter(action="credential.revoke")
    assert entries.count() == 3
    assert {e.object_id for e in entries} == {str(c.pk) for c in credentials[:3]}
    assert {e.reason for e in entries} == {"Assessment found compromised."}
    assert {e.actor for e in entries} == {registrar}


def test_a_batch_across_two_status_lists_re_signs_each_list_once(
    learner, other_learner, registrar
):
    first = issue(learner)
    # The first list is full: the next credential takes an entry in a new list.
    StatusList.objects.update(next_index=F("size"))
    second = issue(other_learner)
    assert first.status_list_id != second.status_list_id
    versions = dict(StatusList.objects.values_list("pk", "version"))

    services.credentials_revoke(
        credential_ids=[second.pk, first.pk], actor=registrar, reason="Fraud."
    )

    for status_list in StatusList.objects.all():
        assert status_list.version == versions[status_list.pk] + 1
    verdicts = [
        verify_with_digitalbazaar(c.document, status_documents(c))
        for c in (first, second)
    ]
    assert all(v["status"]["revoked"] for v in verdicts), verdicts


def test_revoking_needs_a_reason_and_a_blank_one_changes_nothing(
    learner, course, registrar
):
    credential = issue(learner, course)
    version = StatusList.objects.get().version

    for blank in ("", "   \n"):
        with pytest.raises(CredentialRefused, match="needs a reason"):
            services.credentials_revoke(
                credential_ids=[credential.pk], actor=registrar, reason=blank
            )

    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE
    assert not bit(credential)
    assert StatusList.objects.get().version == version
    assert not AuditEntry.objects.filter(action="credential.revoke").exists()


@pytest.mark.parametrize("who", ["learner", "instructor", "nobody"])
def test_only_a_registrar_may_revoke(who, learner, instructor, course):
    credential = issue(learner, course)
    actor = {"learner": learner, "instructor": instructor, "nobody": None}[who]

    with pytest.raises(PermissionDenied):
        services.credentials_revoke(
            credential_ids=[credential.pk], actor=actor, reason="Because."
        )

    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE
    assert not bit(credential)


def test_revoking_an_already_revoked_credential_is_a_no_op(learner, course, registrar):
    credential = issue(learner, course)
    assert services.credential_revoke(
        credential_id=credential.pk, actor=registrar, reason="First reason."
    )
    credential.refresh_from_db()
    first_revoked_at = credential.revoked_at
    version = StatusList.objects.get().version

    again = services.credential_revoke(
        credential_id=credential.pk, actor=registrar, reason="Second reason."
    )

    assert again is False
    credential.refresh_from_db()
    assert credential.revoked_at == first_revoked_at
    assert credential.revocation_reason == "First reason."
    assert StatusList.objects.get().version == version
    assert AuditEntry.objects.filter(action="credential.revoke").count() == 1


def test_a_batch_reports_only_what_it_revoked(learner, other_learner, registrar):
    already = issue(learner)
    fresh = issue(other_learner)
    services.credential_revoke(credential_id=already.pk, actor=registrar, reason="A.")

    revoked = services.credentials_revoke(
        credential_ids=[already.pk, fresh.pk], actor=registrar, reason="B."
    )

    assert [c.pk for c in revoked] == [fresh.pk]
    already.refresh_from_db()
    assert already.revocation_reason == "A."


def test_an_unknown_or_malformed_id_is_refused_and_nothing_is_revoked(
    learner, course, registrar
):
    credential = issue(learner, course)
    for bad in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(CredentialRefused, match="nothing was revoked"):
            services.credentials_revoke(
                credential_ids=[credential.pk, bad], actor=registrar, reason="X."
            )
    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE
    assert not bit(credential)
