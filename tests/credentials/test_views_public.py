"""The public verification pages: a credential's page, lookup by code, upload,
and an achievement's criteria page. Anyone, no account; nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from credentials import badge_image, baking, services
from credentials.models import Alignment, Credential
from tests import factories
from tests.credentials.fixtures import issue, revoke, supersede
from tests.credentials.test_services_issue import pass_summative

pytestmark = pytest.mark.django_db

ISSUED_AT = dt.datetime(2026, 1, 15, 22, 30, tzinfo=dt.UTC)
TEXT_BETWEEN_TAGS = re.compile(r"<[^>]+>")


def page_url(credential: Credential) -> str:
    return reverse("credentials:credential", kwargs={"pk": credential.pk})


def text_of(response) -> str:
    """The page's text, tags removed and white space squeezed."""
    html = response.content.decode()
    return " ".join(TEXT_BETWEEN_TAGS.sub(" ", html).split())


def meta(response, name: str) -> str:
    html = response.content.decode()
    found = re.search(
        rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html
    )
    assert found, f"no <meta> {name}"
    return found.group(1)


@pytest.fixture
def credential(learner, course):
    return issue(learner, course, now=ISSUED_AT)


# --- the credential's page -----------------------------------------------------------


def test_the_page_of_a_credential_from_a_completed_course_says_it_is_valid(
    client, learner, course, django_capture_on_commit_callbacks
):
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)
    credential = Credential.objects.get(learner=learner)

    response = client.get(page_url(credential))

    assert response.status_code == 200
    text = text_of(response)
    assert "Valid This credential is genuine and current." in text
    for label in (
        "Format: passed",
        "Signature: passed",
        "Issuer: passed",
        "Revocation status: passed",
        "Validity dates: passed",
        "Current version: passed",
    ):
        assert label in text
    assert credential.achievement.name in text
    assert "Route: Course" in text
    assert "Score: 100 % (pass mark 70 %)" in text
    assert "Met LO1: Apply technique 1 to a workplace problem." in text


def test_the_learner_name_is_hidden_unless_the_holder_shows_it(client, credential):
    hidden = client.get(page_url(credential))
    Credential.objects.filter(pk=credential.pk).update(show_name=True)
    shown = client.get(page_url(credential))

    assert "Awarded to Name hidden by the holder" in text_of(hidden)
    assert "Ada Lovelace" not in hidden.content.decode()
    assert "Awarded to Ada Lovelace" in text_of(shown)
    assert "Ada Lovelace earned" in meta(shown, "og:description")


def test_the_page_shows_the_code_issuer_dates_and_credit(client, credential, settings):
    response = client.get(page_url(credential))

    text = text_of(response)
    code = credential.verification_code
    assert f"Verification code {code[:4]}-{code[4:8]}-{code[8:]}" in text
    assert f"Issued by {settings.INSTITUTION_NAME}" in text
    # 22:30 UTC on 15 January is 17:30 in the institution's zone (Toronto).
    assert "Issued on 15 January 2026" in text
    assert "Valid until Does not expire" in text
    assert "Dates are shown in the time zone America/Toronto." in text
    assert "Non-credit microcredential Carries no academic credit." in text


def test_dates_are_shown_in_the_signed_in_viewers_time_zone(client, credential):
    viewer = factories.UserFactory(email="viewer@example.org", time_zone="Asia/Tokyo")
    client.force_login(viewer)

    text = text_of(client.get(page_url(credential)))

    assert "Issued on 16 January 2026" in text
    assert "Dates are shown in the time zone Asia/Tokyo." in text


def test_a_for_credit_credential_shows_its_value_and_institution(client, learner):
    course = factories.MicrocredentialFactory(
        credit_status="for_credit",
        credit_value=Decimal("3.00"),
        credit_institution="Northbridge Faculty of Science",
    )
    credential = issue(learner, course, now=ISSUED_AT)

    text = text_of(client.get(page_url(credential)))

    assert (
        "For-credit microcredential Worth 3 credits at Northbridge Faculty of Science."
        in text
    )


def test_link_previews_get_open_graph_and_twitter_tags(client, credential, settings):
    response = client.get(page_url(credential))

    site = settings.SITE_URL.rstrip("/")
    name = credential.achievement.name
    assert meta(response, "og:title") == (
        f"{name} — credential from {settings.INSTITUTION_NAME}"
    )
    assert meta(response, "og:url") == f"{site}{page_url(credential)}"
    assert meta(response, "og:image") == (
        f"{site}/achievements/{credential.achievement_id}/image.png"
    )
    assert meta(response, "og:description").startswith(f"A {name} credential issued by")
    assert meta(response, "twitter:card") == "summary"
    assert meta(response, "twitter:image") == meta(response, "og:image")


def test_a_revoked_credential_page_says_when_and_why(client, credential, registrar):
    revoke(
        credential,
        reason="Issued in error.",
        at=ISSUED_AT + dt.timedelta(days=2),
        by=registrar,
    )

    text = text_of(client.get(page_url(credential)))

    assert "Revoked This credential was revoked on 17 January 2026." in text
    assert "Reason given by the registrar: Issued in error." in text
    assert "Revocation status: failed Revoked on 17 January 2026." in text


def test_in_french_a_label_and_its_value_are_joined_by_a_no_break_space_colon(
    client, credential, registrar
):
    """French typography: « Raison\u00a0: … », never « Raison: … »."""
    revoke(credential, reason="Issued in error.", at=ISSUED_AT, by=registrar)

    html = client.get(page_url(credential), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    labels = re.findall(r"<strong>([^<]*:)</strong>", html)
    assert labels
    assert all(label.endswith("\u00a0:") for label in labels), labels
    assert "</time>\u00a0: Issued in error.</dd>" in html


def test_a_superseded_credential_page_links_to_its_replacement(client, credential):
    replacement = supersede(credential, new_name="Ada King")

    response = client.get(page_url(credential))

    assert "Replaced by a corrected credential" in text_of(response)
    assert f'href="{page_url(replacement)}"' in response.content.decode()
    assert "Current version: failed" in text_of(response)


def test_an_expired_credential_page_says_it_expired(client, learner, course):
    achievement = services.achievement_for_course(course)
    achievement.valid_for_months = 6
    achievement.save()
    credential = issue(learner, course, now=ISSUED_AT)

    with time_machine.travel(ISSUED_AT + dt.timedelta(days=200)):
        text = text_of(client.get(page_url(credential)))

    assert "Expired This credential is genuine but expired on 15 July 2026." in text


@pytest.mark.parametrize(
    "address",
    [
        "/credentials/not-a-uuid",
        "/credentials/00000000-0000-0000-0000-000000000000",
        "/credentials/%00",
    ],
)
@pytest.mark.parametrize("accept", ["text/html", "application/vc+ld+json"])
def test_a_malformed_or_unknown_credential_id_is_a_404(client, address, accept):
    response = client.get(address, headers={"accept": accept})

    assert response.status_code == 404


def test_the_credential_page_has_a_fixed_number_of_queries(
    client, credential, django_assert_max_num_queries
):
    """The credential, our keys, its status list, the issuer profile."""
    with django_assert_max_num_queries(4):
        response = client.get(page_url(credential))

    assert response.status_code == 200


def test_the_achievement_page_has_a_fixed_number_of_queries(
    client, course, django_assert_max_num_queries
):
    services.issuer_profile()  # created on first use; here before the page
    achievement = services.achievement_for_course(course)
    for n in range(3):
        Alignment.objects.create(
            achievement=achievement,
            target_name=f"Occupation {n}",
            target_url=f"https://noc.example.org/{n}",
        )
    address = reverse("credentials:achievement", kwargs={"pk": achievement.pk})

    with django_assert_max_num_queries(4):
        response = client.get(address)

    assert response.status_code == 200


# --- content negotiation -------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        "application/vc+ld+json",
        "application/ld+json",
        "application/json",
        "application/json;q=0.9, text/html;q=0.5",
    ],
)
def test_a_json_client_gets_the_signed_credential(client, credential, accept):
    response = client.get(page_url(credential), headers={"accept": accept})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response.json() == credential.document


@pytest.mark.parametrize(
    "accept",
    ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8", "*/*", ""],
)
def test_a_browser_gets_the_page(client, credential, accept):
    headers = {"accept": accept} if accept else {}
    response = client.get(page_url(credential), headers=headers)

    assert response["Content-Type"].startswith("text/html")


# --- lookup by code ------------------------------------------------------------------


def test_the_lookup_page_asks_for_a_code(client):
    response = client.get(reverse("credentials:lookup"))

    assert response.status_code == 200
    text = text_of(response)
    assert "Enter a verification code" in text
    assert "Upload a credential file" in text


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: f"{code[:4]}-{code[4:8]}-{code[8:]}",
        lambda code: f" {code.lower()[:5]} {code.lower()[5:]} ",
        lambda code: code.replace("0", "O").replace("1", "l"),
    ],
    ids=["as stored", "with hyphens", "spaced lower case", "O for 0, l for 1"],
)
def test_a_verification_code_leads_to_its_credential(client, credential, typed):
    response = client.get(
        reverse("credentials:lookup"), {"code": typed(credential.verification_code)}
    )

    assert response.status_code == 302
    assert response["Location"] == page_url(credential)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ZZZZ-ZZZZ-ZZ", "No credential has this code. Check what you typed."),
        ("1234", "A verification code has 10 letters and digits, like 7K4P-9QXR-2H."),
        ("UUUU-UUUU-UU", "A verification code has 10 letters and digits"),
        ("", "Enter the verification code printed on the certificate."),
        ("x" * 5000, "A verification code has 10 letters and digits"),
    ],
)
def test_a_code_that_finds_nothing_shows_the_form_again(
    client, credential, typed, message
):
    response = client.get(reverse("credentials:lookup"), {"code": typed})

    assert response.status_code == 200
    assert message in text_of(response)
    assert 'aria-invalid="true"' in response.content.decode()


# --- upload ------------------------------------------------------------------


def upload(client, name: str, data: bytes, content_type: str = "application/json"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("credentials:verify-upload"),
        {"credential": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_an_uploaded_json_credential_is_verified_check_by_check(client, credential):
    count = Credential.objects.count()

    response = upload(client, "ada.json", json.dumps(credential.document).encode())

    assert response.status_code == 200
    text = text_of(response)
    assert "Result for the file ada.json" in text
    assert "Valid This credential is genuine and current." in text
    assert "Signature: passed" in text
    assert "Current version: passed" in text
    assert f'href="{page_url(credential)}"' in response.content.decode()
    assert Credential.objects.count() == count


def test_an_uploaded_baked_png_is_verified(client, credential):
    png = badge_image.render_badge_png("Badge", "B-1", "b", 120)

    response = upload(
        client, "badge.png", baking.bake(png, credential.document), "image/png"
    )

    assert "Valid This credential is genuine and current." in text_of(response)


def test_an_uploaded_tampered_credential_fails_its_signature(client, credential):
    document = credential.document
    document["credentialSubject"]["achievement"]["name"] = "Brain surgery"

    text = text_of(upload(client, "forged.json", json.dumps(document).encode()))

    assert "Not valid This credential cannot be trusted" in text
    assert "Signature: failed The signature does not match the document." in text


def test_an_uploaded_revoked_credential_is_revoked(client, credential):
    revoke(credential, reason="Fraud.", at=ISSUED_AT)

    text = text_of(upload(client, "c.json", json.dumps(credential.document).encode()))

    assert "Revoked This credential was revoked on 15 January 2026." in text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello", "Upload a credential as a .json file or a baked badge"),
        ("c.json", b"{oops", "This file is not valid JSON (line 1, column 2)."),
        ("badge.png", b"\x89PNG\r\n\x1a\nbroken", "PNG"),
        ("empty.json", b"", "This file is empty."),
    ],
)
def test_an_unreadable_upload_gets_a_clear_message(client, name, data, message):
    response = upload(client, name, data)

    assert response.status_code == 400
    assert message in text_of(response)
    assert name in text_of(response)


def test_a_png_without_a_credential_gets_a_clear_message(client):
    png = badge_image.render_badge_png("Badge", "B-1", "b", 120)

    response = upload(client, "badge.png", png, "image/png")

    assert response.status_code == 400
    assert "This image holds no credential" in text_of(response)


def test_an_upload_without_a_file_asks_for_one(client):
    response = client.post(reverse("credentials:verify-upload"))

    assert response.status_code == 400
    assert "Choose a file to check" in text_of(response)


def test_an_upload_without_the_csrf_token_is_refused(credential):
    strict = Client(enforce_csrf_checks=True)

    response = upload(strict, "c.json", json.dumps(credential.document).encode())

    assert response.status_code == 403


def test_the_upload_address_shows_the_form_on_get(client):
    response = client.get(reverse("credentials:verify-upload"))

    assert response.status_code == 200
    assert "Upload a credential file" in text_of(response)


# --- achievement criteria page ------------------------------------------------


def test_the_achievement_page_shows_criteria_outcomes_alignments_and_policy(
    client, course
):
    achievement = services.achievement_for_course(course)
    achievement.criteria_narrative = (
        "Holders can:\n\n- *analyse* data\n\n<script>x</script>"
    )
    achievement.valid_for_months = 24
    achievement.renewal_window_days = 60
    achievement.save()
    Alignment.objects.create(
        achievement=achievement,
        target_name="Data analysts",
        target_url="https://noc.example.org/21223",
        target_code="21223",
        target_framework="NOC 2021",
    )

    response = client.get(
        reverse("credentials:achievement", kwargs={"pk": achievement.pk})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<li><em>analyse</em> data</li>" in html
    assert "<script>x</script>" not in html
    text = text_of(response)
    assert "LO1 Apply technique 1 to a workplace problem." in text
    assert "Data analysts (NOC 2021 21223)" in text
    assert "Non-credit microcredential Carries no academic credit." in text
    assert "A credential is valid for 24 months from the day it is awarded." in text
    assert "from 60 days before it expires." in text
    assert "Time commitment: about 30 hours of learning." in text


def test_an_achievement_without_expiry_says_so(client, course):
    achievement = services.achievement_for_course(course)

    text = text_of(
        client.get(reverse("credentials:achievement", kwargs={"pk": achievement.pk}))
    )

    assert "A credential for this achievement does not expire." in text


def test_a_json_client_gets_the_open_badges_achievement(client, course, settings):
    achievement = services.achievement_for_course(course)

    response = client.get(
        reverse("credentials:achievement", kwargs={"pk": achievement.pk}),
        headers={"accept": "application/ld+json"},
    )

    document = response.json()
    assert response["Content-Type"] == "application/ld+json"
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert document["type"] == ["Achievement"]
    assert document["id"] == (
        settings.SITE_URL.rstrip("/") + f"/achievements/{achievement.pk}"
    )
    assert document["name"] == achievement.name
    assert document["criteria"]["narrative"] == achievement.criteria_narrative


def test_the_achievement_json_is_the_one_signed_into_credentials(client, credential):
    response = client.get(
        reverse("credentials:achievement", kwargs={"pk": credential.achievement_id}),
        headers={"accept": "application/json"},
    )

    served = {k: v for k, v in response.json().items() if k != "@context"}
    assert served == credential.document["credentialSubject"]["achievement"]


def test_a_pathway_achievement_lists_its_microcredentials(client, learner):
    from courses.models import PathwayMembership

    pathway = factories.PathwayFactory(requirement="all")
    for position, title in enumerate(("Data basics", "Data stories")):
        PathwayMembership.objects.create(
            pathway=pathway,
            microcredential=factories.MicrocredentialFactory(title=title),
            position=position,
        )
    achievement = services.achievement_for_pathway(pathway)

    text = text_of(
        client.get(reverse("credentials:achievement", kwargs={"pk": achievement.pk}))
    )

    assert "Holders earned all of these: Data basics Data stories" in text
    assert "Non-credit certificate" in text


@pytest.mark.parametrize("address", ["/achievements/999999", "/achievements/0"])
def test_an_unknown_achievement_is_a_404(client, address):
    assert client.get(address).status_code == 404
