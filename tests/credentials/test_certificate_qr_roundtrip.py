"""The QR code on a stored PDF certificate leads to the credential's page.

A real credential (a passed summative completes the course, completion issues
it, the certificate is rendered by the Celery task on commit); its stored PDF
is rendered to an image by poppler's pdftoppm and the QR code decoded by
zxing-cpp -- neither written by us. The decoded address is the public
verification page, which answers 200 and says Valid, as does the API.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.utils import timezone
from rest_framework.test import APIClient

from credentials import policies, services
from credentials.models import Credential
from tests.credentials.fixtures import revoke
from tests.credentials.test_certificates import pdf_text, rendered_page
from tests.credentials.test_services_issue import pass_summative
from tests.credentials.test_views_public import text_of

pytestmark = pytest.mark.django_db


def decoded_qr_codes(credential: Credential, field: str, tmp_path) -> list[str]:
    """The QR codes zxing-cpp finds on page 1 of the stored PDF ``field``."""
    stored = getattr(credential, field)
    with stored.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    image = rendered_page(pdf, tmp_path / field, dpi=150)
    return [
        code.text
        for code in zxingcpp.read_barcodes(image)
        if code.format.name == "QRCode"
    ]


@pytest.fixture
def issued(learner, course, django_capture_on_commit_callbacks) -> Credential:
    pass_summative(learner, course, capture=django_capture_on_commit_callbacks)
    return Credential.objects.get(learner=learner)


def test_the_qr_code_on_the_stored_certificate_opens_its_valid_verification_page(
    issued, client, tmp_path
):
    public_url = services.absolute_url("credential", pk=issued.pk)

    for field in ("pdf", "pdf_letter"):
        (tmp_path / field).mkdir()
        assert decoded_qr_codes(issued, field, tmp_path) == [public_url], field

    response = client.get(urlsplit(public_url).path)
    assert response.status_code == 200
    assert "Valid This credential is genuine and current." in text_of(response)
    api = APIClient().get(f"/api/v1/credentials/{issued.pk}/verification")
    assert api.status_code == 200
    assert api.json()["state"] == "valid"
    assert api.json()["page"] == public_url
    # The printed code is the one the page and the lookup know.
    with issued.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert policies.format_verification_code(issued.verification_code) in text
    assert public_url in text.replace(" ", "")


def test_the_same_printed_qr_code_later_shows_the_revocation(issued, client, tmp_path):
    (tmp_path / "pdf").mkdir()
    [printed] = decoded_qr_codes(issued, "pdf", tmp_path)
    revoke(issued, reason="Awarded to the wrong learner.", at=timezone.now())

    response = client.get(urlsplit(printed).path)

    assert response.status_code == 200
    text = text_of(response)
    assert "Revoked" in text
    assert "Awarded to the wrong learner." in text
    api = APIClient().get(f"/api/v1/credentials/{issued.pk}/verification")
    assert api.json()["state"] == "revoked"
