"""The learner's "My credentials": their own credentials only, downloads,
sharing links, the public-name choice and name correction requests."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from credentials import baking, services
from credentials.models import Credential, NameCorrection
from tests import factories
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db


def issue(learner, course=None, *, months: int | None = None, **kwargs) -> Credential:
    course = course or factories.MicrocredentialFactory()
    achievement = services.achievement_for_course(course)
    if months is not None:
        achievement.valid_for_months = months
        achievement.save()
    return services.credential_issue(learner=learner, achievement=achievement, **kwargs)


def url(name: str, credential: Credential) -> str:
    return reverse(f"credentials:{name}", args=[credential.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def hrefs(page: str, start: str) -> list[str]:
    return [
        unescape(h) for h in re.findall(r'href="([^"]+)"', page) if h.startswith(start)
    ]


@pytest.fixture
def credential(learner, course) -> Credential:
    return issue(learner, course, months=24)


# --- the page -------------------------------------------------------------------------


def test_the_page_needs_a_signed_in_learner(client):
    response = client.get(reverse("credentials:mine"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_lists_the_learners_credentials_and_no_one_elses(
    client, learner, other_learner, credential
):
    theirs = issue(other_learner)
    client.force_login(learner)

    page = client.get(reverse("credentials:mine")).text

    assert credential.achievement.name in page
    assert f"credential-{credential.pk}" in page
    assert f"credential-{theirs.pk}" not in page
    assert "Valid" in page
    assert "Ada Lovelace" in page


def test_each_credential_shows_its_state(client, learner, registrar):
    valid = issue(learner)
    expired = issue(
        learner,
        months=1,
        awarded_at=timezone.now() - dt.timedelta(days=90),
    )
    revoked = issue(learner)
    services.credential_revoke(
        credential_id=revoked.pk, actor=registrar, reason="Awarded in error."
    )
    client.force_login(learner)

    cards = {
        c.credential.pk: c
        for c in client.get(reverse("credentials:mine")).context["cards"]
    }

    assert cards[valid.pk].state == "valid"
    assert cards[expired.pk].state == "expired"
    assert cards[revoked.pk].state == "revoked"
    page = client.get(reverse("credentials:mine")).text
    assert "Awarded in error." in page
    # Only a valid credential is offered for sharing.
    assert cards[valid.pk].linkedin_url
    assert not cards[revoked.pk].linkedin_url
    assert not cards[expired.pk].linkedin_url


def test_the_page_takes_the_same_number_of_queries_for_many_credentials(
    client, learner, django_assert_max_num_queries
):
    for _ in range(6):
        issue(learner)
    client.force_login(learner)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("credentials:mine"))
    assert len(response.context["cards"]) == 6


def test_linkedin_add_to_profile_carries_the_certification_fields(
    client, learner, credential
):
    client.force_login(learner)
    page = client.get(reverse("credentials:mine")).text

    [linkedin] = hrefs(page, "https://www.linkedin.com/profile/add")
    query = {k: v[0] for k, v in parse_qs(urlsplit(linkedin).query).items()}
    zone = timezone.get_default_timezone()
    issued = credential.awarded_at.astimezone(zone)
    expires = credential.valid_until.astimezone(zone)
    public_url = services.absolute_url("credential", pk=credential.pk)
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": credential.achievement.name,
        "organizationName": services.issuer_profile().name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "expirationYear": str(expires.year),
        "expirationMonth": str(expires.month),
        "certUrl": public_url,
        "certId": credential.verification_code[:4]
        + "-"
        + credential.verification_code[4:8]
        + "-"
        + credential.verification_code[8:],
    }
    assert "Ada" not in linkedin  # the learner's own name is never sent


def test_x_and_facebook_links_and_the_copy_field_point_to_the_public_page(
    client, learner, credential
):
    client.force_login(learner)
    page = client.get(reverse("credentials:mine")).text
    public_url = services.absolute_url("credential", pk=credential.pk)

    [x_link] = hrefs(page, "https://twitter.com/intent/tweet")
    assert parse_qs(urlsplit(x_link).query)["url"] == [public_url]
    assert credential.achievement.name in parse_qs(urlsplit(x_link).query)["text"][0]
    [facebook] = hrefs(page, "https://www.facebook.com/sharer/sharer.php")
    assert parse_qs(urlsplit(facebook).query) == {"u": [public_url]}
    assert f'value="{public_url}" readonly' in page
    assert 'data-copy="link-' in page


def test_a_superseded_credential_points_to_the_corrected_one(
    client, learner, registrar, credential
):
    correction = services.credential_name_correction_request(
        credential_id=credential.pk,
        learner=learner,
        requested_name="Ada King",
        reason="Typo.",
    )
    services.credential_name_correction_decide(
        correction_id=correction.pk, actor=registrar, approve=True
    )
    new = Credential.objects.get(status=Credential.Status.ACTIVE)
    client.force_login(learner)

    page = client.get(reverse("credentials:mine")).text

    assert f'href="#credential-{new.pk}"' in page
    assert "Replaced by a corrected credential" in page


# --- downloads ------------------------------------------------------------------------


def test_the_pdf_downloads_in_a4_and_us_letter(
    client, learner, course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        credential = issue(learner, course)
    client.force_login(learner)

    sizes = {}
    for paper in ("", "?paper=letter"):
        response = client.get(url("mine-pdf", credential) + paper)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        pdf = b"".join(response.streaming_content)
        reader = PdfReader(io.BytesIO(pdf))
        assert "Ada Lovelace" in " ".join(reader.pages[0].extract_text().split())
        box = reader.pages[0].mediabox
        sizes[paper] = sorted((round(float(box.width)), round(float(box.height))))
    assert sizes[""] == [595, 842]  # A4 in points (either orientation)
    assert sizes["?paper=letter"] == [612, 792]  # US Letter


def test_a_pdf_not_rendered_yet_says_so_instead_of_failing(client, learner, credential):
    client.force_login(learner)
    response = client.get(url("mine-pdf", credential))
    assert response.status_code == 302
    assert "still being prepared" in messages_of(response)[0]


def test_the_png_is_baked_with_the_signed_credential(client, learner, credential):
    client.force_login(learner)
    response = client.get(url("mine-png", credential))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert baking.unbake(response.content) == credential.document


def test_an_uploaded_badge_image_is_the_one_baked(client, learner, credential):
    from django.core.files.base import ContentFile

    from credentials import badge_image

    uploaded = badge_image.render_badge_png("Uploaded", "UP", "up", size=64)
    credential.achievement.image.save("uploaded.png", ContentFile(uploaded))
    client.force_login(learner)

    baked = client.get(url("mine-png", credential)).content

    credential.refresh_from_db()  # the document as stored (JSONB key order)
    assert baking.unbake(baked) == credential.document
    assert baking.bake(uploaded, credential.document) == baked


def test_the_open_badges_2_png_is_baked_with_the_hosted_assertion(
    client, learner, credential
):
    client.force_login(learner)
    response = client.get(url("mine-png-ob2", credential))
    assert response.status_code == 200
    assertion = baking.unbake_ob2(response.content)
    assert assertion["id"] == services.absolute_url("ob2-assertion", pk=credential.pk)
    assert assertion["verification"] == {"type": "HostedBadge"}


def test_the_json_download_is_the_signed_credential(client, learner, credential):
    client.force_login(learner)
    response = client.get(url("mine-json", credential))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="credential-{credential.verification_code}.json"'
    )
    assert json.loads(response.content) == credential.document


@pytest.mark.parametrize("name", ["mine-pdf", "mine-png", "mine-png-ob2", "mine-json"])
def test_another_learners_credential_is_a_404(client, other_learner, credential, name):
    client.force_login(other_learner)
    assert client.get(url(name, credential)).status_code == 404


def test_another_learners_credential_cannot_be_toggled_or_corrected(
    client, other_learner, credential
):
    client.force_login(other_learner)
    assert (
        client.post(url("mine-public-name", credential), {"show": "1"}).status_code
        == 404
    )
    response = client.post(
        url("mine-name-correction", credential),
        {"requested_name": "Grace", "reason": "Mine now."},
    )
    assert response.status_code == 404
    credential.refresh_from_db()
    assert not credential.show_name
    assert not NameCorrection.objects.exists()


def test_an_unknown_credential_id_is_a_404(client, learner):
    client.force_login(learner)
    response = client.get(
        "/me/credentials/00000000-0000-0000-0000-000000000000/badge.png"
    )
    assert response.status_code == 404
    assert client.get("/me/credentials/not-a-uuid/badge.png").status_code == 404


@pytest.mark.parametrize("name", ["mine-pdf", "mine-png", "mine-png-ob2", "mine-json"])
def test_a_revoked_credential_is_not_downloadable_and_the_learner_is_told_why(
    client, learner, registrar, credential, name
):
    services.credential_revoke(credential_id=credential.pk, actor=registrar, reason="X")
    client.force_login(learner)
    response = client.get(url(name, credential))
    assert response.status_code == 302
    assert "revoked" in messages_of(response)[0]


# --- the holder's choices -------------------------------------------------------------


def test_the_public_name_toggle_needs_the_csrf_token(learner, credential):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    response = browser.post(url("mine-public-name", credential), {"show": "1"})
    assert response.status_code == 403
    credential.refresh_from_db()
    assert not credential.show_name


def test_the_public_name_toggle_shows_then_hides_the_name(client, learner, credential):
    client.force_login(learner)

    shown = client.post(url("mine-public-name", credential), {"show": "1"})
    assert shown.status_code == 302
    credential.refresh_from_db()
    assert credential.show_name

    hidden = client.post(
        url("mine-public-name", credential),
        {"show": "0"},
        headers={"HX-Request": "true"},
    )
    assert hidden.status_code == 200
    assert "Show my name" in hidden.text
    assert "<html" not in hidden.text  # a fragment for htmx to swap in
    credential.refresh_from_db()
    assert not credential.show_name


def test_the_toggle_is_a_post_only(client, learner, credential):
    client.force_login(learner)
    assert client.get(url("mine-public-name", credential)).status_code == 405


def test_a_name_correction_request_is_sent_and_shown_as_pending(
    client, learner, credential
):
    client.force_login(learner)
    response = client.post(
        url("mine-name-correction", credential),
        {"requested_name": "Ada King Lovelace", "reason": "My full legal name."},
    )
    assert response.status_code == 302
    correction = NameCorrection.objects.get()
    assert correction.requested_name == "Ada King Lovelace"

    page = client.get(reverse("credentials:mine")).text
    assert "waiting for a registrar" in page
    assert "Request a name correction" not in page


def test_a_bad_name_correction_request_is_shown_again_with_the_reason(
    client, learner, credential
):
    client.force_login(learner)
    blank = client.post(
        url("mine-name-correction", credential), {"requested_name": "", "reason": ""}
    )
    assert blank.status_code == 422
    assert "This field is required." in blank.text
    same = client.post(
        url("mine-name-correction", credential),
        {"requested_name": "Ada Lovelace", "reason": "Typo."},
    )
    assert same.status_code == 422
    assert "already shows this name" in same.text
    assert not NameCorrection.objects.exists()


def test_a_declined_request_shows_the_registrars_reason(
    client, learner, registrar, credential
):
    correction = services.credential_name_correction_request(
        credential_id=credential.pk, learner=learner, requested_name="A. L.", reason="X"
    )
    services.credential_name_correction_decide(
        correction_id=correction.pk,
        actor=registrar,
        approve=False,
        reason="Initials are not a legal name.",
    )
    client.force_login(learner)
    page = client.get(reverse("credentials:mine")).text
    assert "Initials are not a legal name." in page
    assert "Request a name correction" in page


# --- the dashboard --------------------------------------------------------------------


def test_the_dashboard_links_my_credentials_and_the_earned_credential(
    client, learner, course, django_capture_on_commit_callbacks
):
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)
    credential = Credential.objects.get(learner=learner)
    client.force_login(learner)

    page = client.get(reverse("courses:dashboard")).text

    assert f'href="{reverse("credentials:mine")}"' in page
    assert f'href="{reverse("credentials:mine")}#credential-{credential.pk}"' in page


def test_a_second_request_while_one_waits_is_refused_visibly(
    client, learner, credential
):
    client.force_login(learner)
    data = {"requested_name": "Ada King", "reason": "Typo."}
    client.post(url("mine-name-correction", credential), data)

    again = client.post(
        url("mine-name-correction", credential), {**data, "requested_name": "A. King"}
    )

    assert again.status_code == 422
    assert "already waiting for a registrar" in again.text
    assert NameCorrection.objects.count() == 1


def test_a_credential_without_expiry_sends_no_expiration_to_linkedin():
    from credentials import sharing

    link = sharing.linkedin_add_url(
        name="Data & Spreadsheets",
        organization_name="Northbridge Polytechnic",
        issued_on=dt.date(2026, 1, 31),
        expires_on=None,
        cert_url="https://example.org/credentials/1",
        cert_id="7K4P-9QXR-2H",
    )
    query = parse_qs(urlsplit(link).query)
    assert query["name"] == ["Data & Spreadsheets"]
    assert query["issueMonth"] == ["1"]
    assert "expirationYear" not in query
    assert "expirationMonth" not in query


def test_dashboard_pathway_progress_counts_only_credentials_in_force(
    client, learner, instructor, registrar, django_capture_on_commit_callbacks
):
    from courses.models import Pathway, PathwayMembership

    first = factories.MicrocredentialFactory(owner=instructor, code="PWD-1")
    second = factories.MicrocredentialFactory(owner=instructor, code="PWD-2")
    pathway = factories.PathwayFactory(
        requirement=Pathway.Requirement.ALL, title="Certificate in Testing"
    )
    for position, member in enumerate((first, second)):
        PathwayMembership.objects.create(
            pathway=pathway, microcredential=member, position=position
        )
    pass_summative(learner, first, capture=django_capture_on_commit_callbacks)
    client.force_login(learner)

    page = client.get(reverse("courses:dashboard")).text
    assert "1 of 2 microcredentials earned" in page

    credential = Credential.objects.get(learner=learner)
    services.credentials_revoke(
        credential_ids=[credential.pk], actor=registrar, reason="Issued in error."
    )
    page = client.get(reverse("courses:dashboard")).text
    assert "0 of 2 microcredentials earned" in page
