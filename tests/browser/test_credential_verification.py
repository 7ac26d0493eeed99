"""Public verification in a real browser: a valid and a revoked credential's
page, lookup by code and the upload result -- accessible (axe-core), and on a
375-px phone without sideways scrolling."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.credentials.fixtures import issue, revoke

from .conftest import ARTIFACTS, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def held(db):
    """One valid and one revoked credential of the same learner."""
    learner = factories.UserFactory(
        email="holder@example.org", legal_name="Ada Lovelace"
    )
    valid = issue(
        learner, factories.MicrocredentialFactory(title="Data Analysis with Python")
    )
    revoked = issue(learner, factories.MicrocredentialFactory(title="Cyber Hygiene"))
    revoke(
        revoked,
        reason="The assessment was found to have been taken by someone else.",
        at=timezone.now(),
    )
    return valid, revoked


def test_credential_pages_show_their_state_and_are_accessible(page, live_server, held):
    valid, revoked = held

    page.goto(f"{live_server.url}/credentials/{valid.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(valid.achievement.name)
    expect(page.locator(".verify-banner")).to_contain_text(
        "This credential is genuine and current."
    )
    expect(page.get_by_text("Name hidden by the holder")).to_be_visible()
    expect(page.locator(".check.passed")).to_have_count(6)
    screenshot(page, "credential-valid-desktop")
    assert_accessible(page, "valid credential page")

    page.get_by_role("link", name=f"Criteria page of {valid.achievement.name}").click()
    expect(page.get_by_role("heading", name="Validity and renewal")).to_be_visible()
    assert_accessible(page, "achievement criteria page")

    page.goto(f"{live_server.url}/credentials/{revoked.pk}")
    banner = page.locator(".verify-banner")
    expect(banner).to_contain_text("Revoked")
    expect(banner).to_contain_text("taken by someone else")
    expect(page.locator(".check.failed")).to_have_count(1)
    assert_accessible(page, "revoked credential page")


@pytest.mark.parametrize("which", ["valid", "revoked"])
def test_credential_pages_fit_a_phone(phone_page, live_server, held, which):
    credential = dict(zip(("valid", "revoked"), held, strict=True))[which]

    phone_page.goto(f"{live_server.url}/credentials/{credential.pk}")
    expect(phone_page.locator(".verify-banner")).to_be_visible()

    screenshot(phone_page, f"credential-{which}-phone")
    assert no_horizontal_scroll(phone_page)
    assert_accessible(phone_page, f"{which} credential page on a phone")


def test_lookup_by_code_finds_the_credential_or_says_why_not(page, live_server, held):
    valid, _revoked = held
    code = valid.verification_code

    page.goto(f"{live_server.url}/verify/")
    expect(
        page.get_by_role("heading", name="Enter a verification code")
    ).to_be_visible()
    assert_accessible(page, "lookup page")

    page.get_by_label("Verification code", exact=True).fill("ZZZZ-ZZZZ-ZZ")
    page.get_by_role("button", name="Find the credential").click()
    expect(page.get_by_text("No credential has this code.")).to_be_visible()
    expect(page.get_by_label("Verification code", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(page, "lookup page with an error")

    page.get_by_label("Verification code", exact=True).fill(
        f"{code[:4]} {code[4:8]} {code[8:]}"
    )
    page.get_by_role("button", name="Find the credential").click()
    expect(page).to_have_url(re.compile(rf"/credentials/{valid.pk}$"))
    expect(page.locator(".verify-banner")).to_contain_text("Valid")


def test_an_uploaded_credential_shows_each_check_named(
    page, phone_page, live_server, held
):
    _valid, revoked = held
    for browser_page, label in ((page, "desktop"), (phone_page, "phone")):
        browser_page.goto(f"{live_server.url}/verify/")
        browser_page.get_by_label("Credential file", exact=True).set_input_files(
            {
                "name": "revoked.json",
                "mimeType": "application/json",
                "buffer": json.dumps(revoked.document).encode(),
            }
        )
        browser_page.get_by_role("button", name="Check the file").click()
        result = browser_page.locator(".upload-result")
        expect(result).to_contain_text("Result for the file revoked.json")
        expect(result.locator(".verify-banner")).to_contain_text("Revoked")
        for check in (
            "Signature: passed",
            "Issuer: passed",
            "Revocation status: failed",
        ):
            expect(result).to_contain_text(check)
        screenshot(browser_page, f"credential-upload-result-{label}")
        assert no_horizontal_scroll(browser_page)
        assert_accessible(browser_page, f"upload result ({label})")

    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("Credential file", exact=True).set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#upload-error")).to_contain_text(
        "Upload a credential as a .json file or a baked badge"
    )
    assert_accessible(page, "upload refused")
