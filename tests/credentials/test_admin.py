"""The staff dashboard for credentials, through the test client on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from credentials import badge_image, services
from credentials.models import (
    Achievement,
    Alignment,
    Credential,
    IssuerProfile,
    NameCorrection,
    StatusList,
)
from microcred.models import AuditEntry
from microcred.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def changelist(model: str) -> str:
    return reverse(f"admin:credentials_{model}_changelist")


def change(model: str, pk: Any) -> str:
    return reverse(f"admin:credentials_{model}_change", args=[pk])


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def issue(learner, course=None) -> Credential:
    course = course or factories.MicrocredentialFactory()
    return services.credential_issue(
        learner=learner, achievement=services.achievement_for_course(course)
    )


def revoke(client: Client, credentials: list[Credential], **extra: Any) -> Any:
    return client.post(
        changelist("credential"),
        {
            "action": "revoke",
            "_selected_action": [str(c.pk) for c in credentials],
            "index": 0,
            **extra,
        },
    )


@pytest.fixture
def admin_user(db):
    return factories.StaffFactory(email="admin@example.org", role=Role.ADMIN)


@pytest.fixture
def credential(learner, course) -> Credential:
    return issue(learner, course)


# --- revoking -------------------------------------------------------------------------


def test_registrar_revokes_through_the_action_with_a_reason(
    client, registrar, credential, other_learner
):
    second = issue(other_learner)
    version = StatusList.objects.get().version
    client.force_login(registrar)

    ask = revoke(client, [credential, second])
    assert ask.status_code == 200
    assert "Reason for revocation" in ask.text
    assert str(credential) in ask.text

    done = revoke(
        client, [credential, second], _confirm="yes", reason="Assessment compromised."
    )

    assert done.status_code == 302
    for revoked in (credential, second):
        revoked.refresh_from_db()
        assert revoked.status == Credential.Status.REVOKED
        assert revoked.revocation_reason == "Assessment compromised."
        assert revoked.revoked_by == registrar
    assert StatusList.objects.get().version == version + 1  # one batch, one signing
    assert AuditEntry.objects.filter(action="credential.revoke").count() == 2
    assert "2 credentials revoked." in messages_of(done)


def test_a_revocation_without_a_reason_is_refused_and_changes_nothing(
    client, registrar, credential
):
    client.force_login(registrar)
    response = revoke(client, [credential], _confirm="yes", reason="   ")

    assert response.status_code == 200
    assert (
        "Give a reason." in response.text or "This field is required." in response.text
    )
    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE
    assert not AuditEntry.objects.filter(action="credential.revoke").exists()


def test_revoking_again_is_reported_and_changes_nothing(client, registrar, credential):
    services.credential_revoke(credential_id=credential.pk, actor=registrar, reason="A")
    client.force_login(registrar)

    response = revoke(client, [credential], _confirm="yes", reason="B")

    assert "already revoked or superseded" in messages_of(response)[0]
    credential.refresh_from_db()
    assert credential.revocation_reason == "A"


def test_revoking_from_the_credential_page(client, registrar, credential):
    client.force_login(registrar)
    page = client.get(change("credential", credential.pk))
    assert page.status_code == 200
    assert "Revoke" in page.text

    response = client.post(
        change("credential", credential.pk),
        {
            "CHANGE_FORM-action": "revoke",
            "_selected_action": str(credential.pk),
            "_confirm": "yes",
            "reason": "Identity fraud.",
        },
    )

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.status == Credential.Status.REVOKED


def test_an_instructor_cannot_see_or_revoke_credentials(client, instructor, credential):
    client.force_login(instructor)
    assert client.get(changelist("credential")).status_code == 403
    response = revoke(client, [credential], _confirm="yes", reason="Mine to revoke?")
    assert response.status_code == 403
    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE


def test_a_learner_is_sent_away_from_the_credentials_dashboard(
    client, learner, credential
):
    client.force_login(learner)
    response = revoke(client, [credential], _confirm="yes", reason="Let me.")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    credential.refresh_from_db()
    assert credential.status == Credential.Status.ACTIVE


def test_credentials_are_read_only_in_the_dashboard(client, registrar, credential):
    client.force_login(registrar)
    page = client.get(change("credential", credential.pk))
    assert page.context["has_change_permission"] is False
    assert "Ada Lovelace" in page.text
    assert client.get(reverse("admin:credentials_credential_add")).status_code == 403
    delete = reverse("admin:credentials_credential_delete", args=[credential.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Credential.objects.filter(pk=credential.pk).exists()


# --- the list -------------------------------------------------------------------------


def test_the_credential_list_query_count_does_not_grow(
    client, registrar, django_assert_max_num_queries
):
    for n in range(12):
        issue(factories.UserFactory(email=f"holder{n}@example.org"))
    client.force_login(registrar)
    with django_assert_max_num_queries(12):
        response = client.get(changelist("credential"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 12


def test_search_by_email_name_or_code_however_it_is_typed(
    client, registrar, credential, other_learner
):
    other = issue(other_learner)
    client.force_login(registrar)
    code = credential.verification_code
    typed = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"
    for term in ("ada@example.org", "Lovelace", code, typed):
        response = client.get(changelist("credential"), {"q": term})
        assert list(response.context["cl"].result_list) == [credential], term
    grace = client.get(changelist("credential"), {"q": "Grace Hopper"})
    assert list(grace.context["cl"].result_list) == [other]


def test_filter_by_state_and_achievement(client, registrar, credential, other_learner):
    other = issue(other_learner)
    services.credential_revoke(credential_id=other.pk, actor=registrar, reason="X")
    client.force_login(registrar)

    valid = client.get(changelist("credential"), {"state": "valid"})
    assert list(valid.context["cl"].result_list) == [credential]
    revoked = client.get(changelist("credential"), {"state": "revoked"})
    assert list(revoked.context["cl"].result_list) == [other]
    by_achievement = client.get(
        changelist("credential"), {"achievement__id__exact": credential.achievement_id}
    )
    assert list(by_achievement.context["cl"].result_list) == [credential]


# --- name corrections -----------------------------------------------------------------


def correction_for(credential: Credential, learner) -> NameCorrection:
    return services.credential_name_correction_request(
        credential_id=credential.pk,
        learner=learner,
        requested_name="Ada King Lovelace",
        reason="My full name.",
    )


def decide(client: Client, action: str, corrections: list, **extra: Any) -> Any:
    return client.post(
        changelist("namecorrection"),
        {
            "action": action,
            "_selected_action": [c.pk for c in corrections],
            "index": 0,
            **extra,
        },
    )


def test_registrar_approves_a_name_correction_and_the_credential_is_reissued(
    client, registrar, learner, credential
):
    correction = correction_for(credential, learner)
    client.force_login(registrar)
    listing = client.get(changelist("namecorrection"))
    assert "Ada King Lovelace" in listing.text

    response = decide(client, "approve", [correction], _confirm="yes", reason="")

    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == NameCorrection.Status.APPROVED
    credential.refresh_from_db()
    assert credential.status == Credential.Status.SUPERSEDED
    assert credential.superseded_by.recipient_name == "Ada King Lovelace"


def test_declining_needs_a_reason(client, registrar, learner, credential):
    correction = correction_for(credential, learner)
    client.force_login(registrar)

    refused = decide(client, "decline", [correction], _confirm="yes", reason="")
    assert refused.status_code == 200
    correction.refresh_from_db()
    assert correction.status == NameCorrection.Status.PENDING

    decide(client, "decline", [correction], _confirm="yes", reason="Not a legal name.")
    correction.refresh_from_db()
    assert correction.status == NameCorrection.Status.DECLINED
    assert correction.decision_reason == "Not a legal name."
    assert Credential.objects.count() == 1


def test_an_instructor_cannot_decide_name_corrections(
    client, instructor, learner, credential
):
    correction = correction_for(credential, learner)
    client.force_login(instructor)
    response = decide(client, "approve", [correction], _confirm="yes", reason="")
    assert response.status_code == 403
    correction.refresh_from_db()
    assert correction.status == NameCorrection.Status.PENDING


# --- achievements, alignments and the issuer ------------------------------------------


def achievement_form(achievement: Achievement, **changes: Any) -> dict[str, Any]:
    data = {
        "name": achievement.name,
        "description": achievement.description,
        "criteria_narrative": achievement.criteria_narrative,
        "language": achievement.language,
        "tags": ", ".join(achievement.tags),
        "valid_for_months": achievement.valid_for_months or "",
        "renewal_window_days": achievement.renewal_window_days,
        "alignments-TOTAL_FORMS": "0",
        "alignments-INITIAL_FORMS": "0",
        "alignments-MIN_NUM_FORMS": "0",
        "alignments-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_instructor_edits_the_achievement_and_alignments_of_their_course(
    client, instructor, course
):
    achievement = services.achievement_for_course(course)
    client.force_login(instructor)

    response = client.post(
        change("achievement", achievement.pk),
        achievement_form(
            achievement,
            valid_for_months="24",
            tags="data, spreadsheets, data",
            **{
                "alignments-TOTAL_FORMS": "1",
                "alignments-0-target_name": "Data entry keyers",
                "alignments-0-target_url": "https://www.onetonline.org/link/summary/43-9021.00",
                "alignments-0-target_code": "43-9021.00",
                "alignments-0-target_framework": "O*NET-SOC",
            },
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    achievement.refresh_from_db()
    assert achievement.valid_for_months == 24
    assert achievement.tags == ["data", "spreadsheets"]
    assert Alignment.objects.get().target_code == "43-9021.00"
    assert AuditEntry.objects.filter(action="achievement.change").exists()


def test_an_instructor_cannot_edit_another_instructors_achievement(client, instructor):
    other = factories.StaffFactory(email="other.instructor@example.org")
    theirs = services.achievement_for_course(
        factories.MicrocredentialFactory(owner=other)
    )
    client.force_login(instructor)

    assert client.get(change("achievement", theirs.pk)).status_code in (302, 403, 404)
    response = client.post(
        change("achievement", theirs.pk), achievement_form(theirs, name="Hijacked")
    )
    assert response.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.name != "Hijacked"
    listing = client.get(changelist("achievement"))
    assert theirs not in listing.context["cl"].result_list


def test_a_registrar_edits_any_achievement(client, registrar, course):
    achievement = services.achievement_for_course(course)
    client.force_login(registrar)
    response = client.post(
        change("achievement", achievement.pk),
        achievement_form(achievement, name="Applied Spreadsheets"),
    )
    assert response.status_code == 302
    achievement.refresh_from_db()
    assert achievement.name == "Applied Spreadsheets"


def test_a_badge_image_must_be_a_png(client, registrar, course):
    achievement = services.achievement_for_course(course)
    client.force_login(registrar)
    import io

    from PIL import Image

    jpeg = io.BytesIO()
    Image.new("RGB", (32, 32), "navy").save(jpeg, format="JPEG")
    refused = client.post(
        change("achievement", achievement.pk),
        {
            **achievement_form(achievement),
            "image": SimpleUploadedFile("badge.jpg", jpeg.getvalue(), "image/jpeg"),
        },
    )
    assert refused.status_code == 200
    assert "must be a PNG" in refused.text

    png = badge_image.render_badge_png("Badge", "B", "b", size=64)
    accepted = client.post(
        change("achievement", achievement.pk),
        {
            **achievement_form(achievement),
            "image": SimpleUploadedFile("badge.png", png, "image/png"),
        },
    )
    assert accepted.status_code == 302
    achievement.refresh_from_db()
    assert achievement.image.name.endswith(".png")


def test_only_an_administrator_edits_the_issuer_profile(client, admin_user, registrar):
    profile = services.issuer_profile()
    data = {
        "name": "Northbridge Polytechnic",
        "url": "https://northbridge.example",
        "email": "credentials@northbridge.example",
        "description": "A public polytechnic.",
        "signatory_name": "Dr. Ada Byron",
        "signatory_title": "Registrar",
    }
    client.force_login(registrar)
    client.post(change("issuerprofile", profile.pk), data)
    profile.refresh_from_db()
    assert profile.signatory_name == ""

    client.force_login(admin_user)
    response = client.post(change("issuerprofile", profile.pk), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.signatory_name == "Dr. Ada Byron"
    assert IssuerProfile.objects.count() == 1
