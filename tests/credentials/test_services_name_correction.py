"""Name corrections: the holder asks, a registrar decides; approval reissues.

Replace semantics: the corrected credential is a new, newly signed credential
for the same award; the old one is kept, superseded, and its status bit set so
verifiers holding the old file learn it is no longer in force.
"""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from credentials import services, statuslist
from credentials.models import Credential, NameCorrection, StatusList
from credentials.policies import CredentialRefused
from microcred.models import AuditEntry
from tests.credentials.js_verifier import verify_with_digitalbazaar

pytestmark = pytest.mark.django_db


@pytest.fixture
def credential(learner, course) -> Credential:
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 24
    achievement.save()
    return services.credential_issue(
        learner=learner,
        achievement=achievement,
        result=services.AssessedResult(score_percent=88, outcomes_met=("LO1",)),
    )


def request_correction(credential, learner, name="Ada King Lovelace", reason="Typo."):
    return services.credential_name_correction_request(
        credential_id=credential.pk,
        learner=learner,
        requested_name=name,
        reason=reason,
    )


def status_documents(*credentials: Credential) -> dict:
    lists = StatusList.objects.filter(pk__in=[c.status_list_id for c in credentials])
    return {status_list.document["id"]: status_list.document for status_list in lists}


# --- asking -------------------------------------------------------------------------


def test_the_holder_asks_for_a_correction_and_it_waits_for_a_registrar(
    credential, learner
):
    correction = request_correction(
        credential, learner, name="  Ada   King  Lovelace ", reason="My full name."
    )

    assert correction.status == NameCorrection.Status.PENDING
    assert correction.requested_name == "Ada King Lovelace"
    assert correction.credential == credential
    entry = AuditEntry.objects.get(action="credential.name_correction.request")
    assert entry.actor == learner
    assert entry.details == {"from": "Ada Lovelace", "to": "Ada King Lovelace"}


def test_only_the_holder_may_ask(credential, other_learner):
    with pytest.raises(CredentialRefused, match="no credential"):
        request_correction(credential, other_learner)
    assert not NameCorrection.objects.exists()


@pytest.mark.parametrize(
    ("name", "reason", "message"),
    [
        ("", "Typo.", "Write the name"),
        ("   ", "Typo.", "Write the name"),
        ("Ada Lovelace", "Typo.", "already shows this name"),
        ("Ada\x08 Lovelace", "Typo.", "control character"),
        ("A" * 201, "Typo.", "at most 200"),
        ("Ada K. Lovelace", "  ", "Say why"),
    ],
)
def test_a_bad_request_is_refused_with_the_reason_and_nothing_is_saved(
    credential, learner, name, reason, message
):
    with pytest.raises(CredentialRefused, match=message):
        request_correction(credential, learner, name=name, reason=reason)
    assert not NameCorrection.objects.exists()


def test_one_request_waits_at_a_time(credential, learner):
    request_correction(credential, learner)
    with pytest.raises(CredentialRefused, match="already waiting"):
        request_correction(credential, learner, name="Augusta Ada King")
    assert NameCorrection.objects.count() == 1


def test_a_revoked_credential_cannot_be_corrected(credential, learner, registrar):
    services.credential_revoke(credential_id=credential.pk, actor=registrar, reason="X")
    with pytest.raises(CredentialRefused, match="in force"):
        request_correction(credential, learner)


# --- deciding -----------------------------------------------------------------------


def test_approval_reissues_with_replace_semantics(
    credential, learner, registrar, django_capture_on_commit_callbacks
):
    correction = request_correction(credential, learner)

    with django_capture_on_commit_callbacks(execute=True):
        decided = services.credential_name_correction_decide(
            correction_id=correction.pk, actor=registrar, approve=True, reason=""
        )

    assert decided.status == NameCorrection.Status.APPROVED
    assert decided.decided_by == registrar
    old = Credential.objects.get(pk=credential.pk)
    new = old.superseded_by
    assert old.status == Credential.Status.SUPERSEDED
    assert new.status == Credential.Status.ACTIVE
    assert new.recipient_name == "Ada King Lovelace"
    for same in (
        "learner_id",
        "achievement_id",
        "enrolment_id",
        "route",
        "period",
        "result",
        "awarded_at",
        "valid_from",
        "valid_until",
        "show_name",
    ):
        assert getattr(new, same) == getattr(old, same), same
    assert new.pk != old.pk
    assert new.verification_code != old.verification_code
    assert (new.status_list_id, new.status_index) != (
        old.status_list_id,
        old.status_index,
    )
    assert new.document["id"].endswith(str(new.pk))
    assert new.document["awardedDate"] == old.document["awardedDate"]
    assert new.document["validUntil"] == old.document["validUntil"]

    # Verifiers: the new one is valid, the old one's status bit is set.
    new_verdict = verify_with_digitalbazaar(new.document, status_documents(new))
    assert new_verdict["verified"], new_verdict
    old_verdict = verify_with_digitalbazaar(old.document, status_documents(old))
    assert old_verdict["signature_ok"], old_verdict
    assert old_verdict["status"]["revoked"], old_verdict

    # The new PDF was rendered after commit with the corrected name.
    with new.pdf.open("rb") as handle:
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages
        )
    assert "Ada King Lovelace" in " ".join(text.split())

    learner.refresh_from_db()
    assert learner.legal_name == "Ada King Lovelace"
    reissue = AuditEntry.objects.get(action="credential.reissue")
    assert reissue.object_id == str(new.pk)
    assert reissue.details["supersedes"] == str(old.pk)
    assert AuditEntry.objects.filter(
        action="credential.name_correction.approved", actor=registrar
    ).exists()


def test_the_old_status_list_is_re_signed_once_for_the_reissue(
    credential, learner, registrar
):
    correction = request_correction(credential, learner)
    status_list = StatusList.objects.get()
    version = status_list.version

    services.credential_name_correction_decide(
        correction_id=correction.pk, actor=registrar, approve=True
    )

    status_list.refresh_from_db()
    assert status_list.version == version + 1
    bits = statuslist.Bitstring.from_bytes(bytes(status_list.bits))
    assert bits.get(credential.status_index)


def test_a_profile_name_changed_since_issue_is_left_as_the_learner_wrote_it(
    credential, learner, registrar
):
    correction = request_correction(credential, learner)
    learner.legal_name = "Augusta Ada King"
    learner.save(update_fields=["legal_name"])

    services.credential_name_correction_decide(
        correction_id=correction.pk, actor=registrar, approve=True
    )

    learner.refresh_from_db()
    assert learner.legal_name == "Augusta Ada King"


def test_declining_needs_a_reason_and_keeps_the_credential(
    credential, learner, registrar
):
    correction = request_correction(credential, learner)
    with pytest.raises(CredentialRefused, match="needs a reason"):
        services.credential_name_correction_decide(
            correction_id=correction.pk, actor=registrar, approve=False, reason=" "
        )
    correction.refresh_from_db()
    assert correction.status == NameCorrection.Status.PENDING

    services.credential_name_correction_decide(
        correction_id=correction.pk,
        actor=registrar,
        approve=False,
        reason="The name matches your identity document.",
    )

    correction.refresh_from_db()
    assert correction.status == NameCorrection.Status.DECLINED
    assert correction.decision_reason == "The name matches your identity document."
    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE
    assert Credential.objects.count() == 1
    # Once decided, the holder may ask again.
    request_correction(credential, learner, name="Augusta Ada King")


def test_a_decided_request_is_not_decided_twice(credential, learner, registrar):
    correction = request_correction(credential, learner)
    services.credential_name_correction_decide(
        correction_id=correction.pk, actor=registrar, approve=True
    )
    with pytest.raises(CredentialRefused, match="already decided"):
        services.credential_name_correction_decide(
            correction_id=correction.pk, actor=registrar, approve=True
        )
    assert Credential.objects.count() == 2


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_only_a_registrar_decides(credential, learner, instructor, who):
    correction = request_correction(credential, learner)
    actor = learner if who == "learner" else instructor
    with pytest.raises(PermissionDenied):
        services.credential_name_correction_decide(
            correction_id=correction.pk, actor=actor, approve=True
        )
    correction.refresh_from_db()
    assert correction.status == NameCorrection.Status.PENDING
    assert Credential.objects.count() == 1


def test_approving_after_the_credential_was_revoked_is_refused(
    credential, learner, registrar
):
    correction = request_correction(credential, learner)
    services.credential_revoke(credential_id=credential.pk, actor=registrar, reason="X")

    with pytest.raises(CredentialRefused, match="Decline the request instead"):
        services.credential_name_correction_decide(
            correction_id=correction.pk, actor=registrar, approve=True
        )
    assert Credential.objects.count() == 1


def test_a_corrected_credential_can_be_corrected_again(credential, learner, registrar):
    first = request_correction(credential, learner)
    services.credential_name_correction_decide(
        correction_id=first.pk, actor=registrar, approve=True
    )
    current = Credential.objects.get(status=Credential.Status.ACTIVE)
    with pytest.raises(CredentialRefused, match="in force"):
        request_correction(credential, learner, name="Augusta Ada King")

    second = request_correction(current, learner, name="Augusta Ada King")
    services.credential_name_correction_decide(
        correction_id=second.pk, actor=registrar, approve=True
    )

    assert Credential.objects.filter(status=Credential.Status.SUPERSEDED).count() == 2
    latest = Credential.objects.get(status=Credential.Status.ACTIVE)
    assert latest.recipient_name == "Augusta Ada King"


def test_the_public_name_choice_is_the_holders(credential, learner, other_learner):
    services.credential_set_public_name(
        credential_id=credential.pk, learner=learner, show=True
    )
    credential.refresh_from_db()
    assert credential.show_name

    with pytest.raises(CredentialRefused):
        services.credential_set_public_name(
            credential_id=credential.pk, learner=other_learner, show=False
        )
    credential.refresh_from_db()
    assert credential.show_name
