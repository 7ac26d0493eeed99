"""The learning pages work on a 375-px phone and with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="My learning")).to_be_visible()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def enrolment(db):
    learner = factories.UserFactory(email="phone@example.org")
    course = factories.MicrocredentialFactory(title="Workplace Psychological Safety")
    offering = factories.OfferingFactory(microcredential=course)
    module = course.modules.first()
    scenario = factories.ContentItemFactory(
        module=module,
        kind="scenario",
        title="A tense meeting",
        position=3,
        body="Your colleague is interrupted for the third time.",
    )
    factories.ScenarioChoiceFactory(
        item=scenario, text="Say nothing", consequence="The pattern continues."
    )
    factories.ScenarioChoiceFactory(
        item=scenario,
        text="Name it kindly",
        consequence="The meeting resets.",
        feedback="Naming the pattern early keeps it small.",
        position=1,
    )
    factories.ContentItemFactory(
        module=module,
        kind="video",
        title="Why voice matters",
        position=4,
        video_url="https://video.example.org/voice",
        transcript="People speak up when...",
    )
    return factories.enrol(learner, offering)


def test_phone_learner_can_read_choose_and_complete(phone_page, live_server, enrolment):
    page = phone_page
    sign_in(page, live_server, "phone@example.org")
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name=re.compile("Start")).first.click()
    page.get_by_role("link", name="Start the first item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading 1")
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name="A tense meeting", exact=True).click()
    page.get_by_role("button", name="Name it kindly").click()
    expect(page.get_by_text("The meeting resets.")).to_be_visible()
    expect(page.get_by_text("Naming the pattern early keeps it small.")).to_be_visible()
    assert no_horizontal_scroll(page)
    assert_accessible(page, "scenario on a phone")
    page.get_by_role("link", name="Why voice matters", exact=True).click()
    page.get_by_text("Transcript").click()
    expect(page.get_by_text("People speak up when...")).to_be_visible()
    assert no_horizontal_scroll(page)


def test_keyboard_alone_completes_an_item(page, live_server, enrolment):
    sign_in(page, live_server, "phone@example.org")
    first = enrolment.microcredential.modules.first().items.first()
    page.goto(f"{live_server.url}/learn/{enrolment.pk}/items/{first.pk}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    button = page.get_by_role("button", name="Mark complete")
    for _ in range(40):
        if button.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Marked complete.")).to_be_visible()
    assert enrolment.item_progress.filter(completed_at__isnull=False).count() == 1
