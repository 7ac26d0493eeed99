"""A learner completes a course, sees the credential, downloads the PDF and opens
the public page signed out; a registrar revokes it in the staff dashboard and
the same page says revoked. axe-core on the credential pages, desktop and a
375-px phone."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from courses.models import Enrolment
from credentials import policies
from credentials.models import Credential
from microcred.roles import Role
from tests import factories
from tests.assessments import factories as af

from .conftest import ARTIFACTS, assert_accessible
from .test_assessment_journey import sign_in
from .test_staff_journeys import staff_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
REASON = "The assessment was taken by someone else."


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def at_phone_width(page, name: str, label: str) -> None:
    """The page on a 375-px screen: no sideways scrolling, still accessible."""
    page.set_viewport_size(PHONE)
    screenshot(page, name)
    assert no_horizontal_scroll(page), f"{label} scrolls sideways at 375 px"
    assert_accessible(page, f"{label} on a phone")
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def journey(db, settings, live_server):
    # Credentials name their public page with SITE_URL: here, the live server.
    settings.SITE_URL = live_server.url
    course = factories.MicrocredentialFactory(title="Customer Care Essentials")
    offering = factories.OfferingFactory(microcredential=course)
    learner = factories.UserFactory(email="ada@example.org", legal_name="Ada Lovelace")
    enrolment = factories.enrol(learner, offering)
    summative = af.mixed_summative(course, with_project=False)  # auto-graded
    factories.StaffFactory(email="registrar@example.org", role=Role.REGISTRAR)
    return {"enrolment": enrolment, "summative": summative}


def answer_everything_right(page) -> None:
    """Answer every question of the auto-graded summative right, on the page."""
    answers = (
        ("The right answer", False),
        ("Alpha", True),
        ("Bravo", True),
        ("Charlie", True),
        ("True", True),
        ("Apologise and replace the order", False),
    )
    for label, exact in answers:
        page.get_by_label(label, exact=exact).check()
    page.get_by_label("Your answer", exact=True).fill("3.5")
    page.get_by_label("Your answer", exact=True).press("Tab")


def test_learner_earns_downloads_and_shares_a_credential_a_registrar_then_revokes(
    page, browser, live_server, journey
):
    enrolment = journey["enrolment"]
    summative = journey["summative"]

    # The learner passes the summative: auto-graded, released at once.
    sign_in(page, live_server, "ada@example.org", f"/learn/{enrolment.pk}/assessment/")
    page.get_by_role("button", name="Start attempt 1").click()
    expect(page.get_by_text("Submit attempt 1 by", exact=True)).to_be_visible()
    answer_everything_right(page)
    for item in summative.items.all():
        expect(page.locator(f"#state-{item.pk}")).to_contain_text("Saved at")
    page.get_by_role("link", name="Review and submit attempt 1").click()
    expect(page.get_by_role("heading", name="Submit attempt 1?")).to_be_visible()
    page.get_by_role("button", name="Yes, submit attempt 1").click()
    expect(page.get_by_role("heading", name="Passed", exact=True)).to_be_visible()
    expect(
        page.get_by_text("You have completed this microcredential. Well done!")
    ).to_be_visible()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    credential = Credential.objects.select_related("achievement").get()
    name = credential.achievement.name
    code = policies.format_verification_code(credential.verification_code)

    # The dashboard links the finished course to its credential.
    page.get_by_role("link", name="My learning").click()
    page.get_by_role("link", name=re.compile("^Your credential")).click()
    expect(page).to_have_url(
        re.compile(rf"/me/credentials/#credential-{credential.pk}$")
    )
    card = page.locator(f"#credential-{credential.pk}")
    expect(card.get_by_role("heading", name=name)).to_be_visible()
    expect(card.locator(".badge.state-valid")).to_have_text("Valid")
    expect(card).to_contain_text(code)
    assert_accessible(page, "My credentials")
    screenshot(page, "credential-journey-mine-desktop")
    at_phone_width(page, "credential-journey-mine-phone", "My credentials")

    # The PDF certificate downloads, with the name and the verification code.
    with page.expect_download() as download_info:
        card.get_by_role("link", name="PDF certificate (A4)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Ada Lovelace" in text
    assert code in text

    # Copy the link to the public page.
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    card.get_by_role("button", name="Copy link").click()
    expect(card.locator(f"#copy-status-{credential.pk}")).to_have_text("Link copied.")
    public_url = card.get_by_label("Link to the public verification page").input_value()
    assert public_url == f"{live_server.url}/credentials/{credential.pk}"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == public_url

    # Signed out, anyone sees it is valid.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(public_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    banner = page.locator(".verify-banner")
    expect(banner).to_contain_text("Valid")
    expect(banner).to_contain_text("This credential is genuine and current.")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert_accessible(page, "public verification page (valid)")
    at_phone_width(page, "credential-journey-public-valid-phone", "public page")

    # A registrar finds it in the staff dashboard and revokes it, with a reason.
    staff_context = browser.new_context(viewport=DESKTOP)
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    try:
        staff_sign_in(staff, live_server, "registrar@example.org")
        staff.locator('a[href$="/credentials/credential/"]').first.click()
        expect(staff).to_have_url(re.compile(r"/staff/credentials/credential/$"))
        assert_accessible(staff, "credentials list in the staff dashboard")
        staff.locator("#searchbar").fill(code)
        staff.locator("#searchbar").press("Enter")
        row = staff.locator("#result_list tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Ada Lovelace")
        row.get_by_role("checkbox").check()
        staff.get_by_label("Action:").select_option(label="Revoke…")
        staff.get_by_role("button", name="Run").click()
        expect(staff.get_by_role("heading", name="Selected: 1 item")).to_be_visible()
        assert_accessible(staff, "revoke page in the staff dashboard")
        staff.get_by_role("button", name="Revoke credentials").click()
        expect(staff.locator(".errornote")).to_be_visible()  # a reason is required
        credential.refresh_from_db()
        assert credential.status == Credential.Status.ACTIVE
        staff.get_by_label("Reason for revocation").fill(REASON)
        staff.get_by_role("button", name="Revoke credentials").click()
        expect(staff.get_by_text("1 credential revoked.")).to_be_visible()
        expect(staff.locator("#result_list")).to_contain_text("Revoked")
    finally:
        staff_context.close()

    # The same public page now says revoked, with the reason and the date.
    page.goto(public_url)
    banner = page.locator(".verify-banner")
    expect(banner).to_contain_text("Revoked")
    expect(banner).to_contain_text(REASON)
    credential.refresh_from_db()
    revoked_on = timezone.localtime(credential.revoked_at)
    revoked_fact = page.locator("dt:has-text('Revoked on') + dd")
    expect(revoked_fact).to_contain_text(f"{revoked_on.day} {revoked_on:%B %Y}")
    expect(revoked_fact).to_contain_text(REASON)
    assert_accessible(page, "public verification page (revoked)")
    at_phone_width(page, "credential-journey-public-revoked-phone", "revoked page")

    # And so does the verification API.
    response = page.request.get(
        f"{live_server.url}/api/v1/credentials/{credential.pk}/verification"
    )
    assert response.status == 200
    body = json.loads(response.body())
    assert body["state"] == "revoked"
    assert body["revocation"]["reason"] == REASON
