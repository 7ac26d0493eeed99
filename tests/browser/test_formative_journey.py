"""A learner takes the diagnostic, reads where to focus on the course home,
does the formative check of the suggested module, reads the feedback on each
question at once and tries again; then the same check on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Attempt, ItemKind
from tests import factories
from tests.assessments import factories as af

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def journey(db):
    course = factories.MicrocredentialFactory(title="Customer Care Essentials")
    offering = factories.OfferingFactory(microcredential=course)
    learner = factories.UserFactory(email="ada@example.org", legal_name="Ada Lovelace")
    enrolment = factories.enrol(learner, offering)
    lo1, lo2 = af.outcome(course, "LO1"), af.outcome(course, "LO2")
    module_1, module_2 = course.modules.order_by("position")
    diagnostic = af.DiagnosticFactory(microcredential=course, title="Where to start")
    af.ItemFactory(
        assessment=diagnostic,
        position=1,
        kind=ItemKind.TRUE_FALSE,
        prompt="Listening comes before solving.",
        outcomes=[lo1],
    )
    af.ItemFactory(
        assessment=diagnostic,
        position=2,
        kind=ItemKind.TRUE_FALSE,
        prompt="An apology admits legal fault.",
        outcomes=[lo2],
    )
    for module, outcome, title in (
        (module_1, lo1, "Check your understanding: listening"),
        (module_2, lo2, "Check your understanding: apologising"),
    ):
        check = af.FormativeFactory(microcredential=course, module=module, title=title)
        af.ItemFactory(
            assessment=check,
            position=1,
            prompt=f"What is the principle of {module.title}?",
            outcomes=[outcome],
        )
        af.ItemFactory(
            assessment=check,
            position=2,
            kind=ItemKind.TRUE_FALSE,
            prompt=f"The principle of {module.title} applies at work.",
            outcomes=[outcome],
        )
    return {"enrolment": enrolment, "diagnostic": diagnostic, "module_2": module_2}


def choose(page, item, label: str) -> None:
    """Choose an option of one question and wait for its autosave."""
    page.locator(f"#item-{item.pk}").get_by_label(label, exact=True).check()
    expect(page.locator(f"#state-{item.pk}")).to_contain_text("Saved at")


def test_diagnostic_focus_then_a_formative_check_with_feedback_and_a_retry(
    page, live_server, journey
):
    enrolment, diagnostic = journey["enrolment"], journey["diagnostic"]
    home = f"/learn/{enrolment.pk}/"
    sign_in(page, live_server, "ada@example.org", home)
    expect(
        page.get_by_role("heading", name="Before you start: diagnostic")
    ).to_be_visible()
    expect(
        page.get_by_text("“Where to start” is optional: 2 questions")
    ).to_be_visible()
    assert_accessible(page, "course home, diagnostic not taken")

    # The diagnostic: LO1 right, LO2 wrong; checked without a confirm step.
    page.get_by_role("button", name="Take the diagnostic").click()
    expect(page.get_by_role("heading", name="Where to start", level=1)).to_be_visible()
    first, second = diagnostic.items.order_by("position")
    choose(page, first, "True")
    choose(page, second, "False")
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("#check-status")).to_have_text(
        "Checked: 1 of 2 questions correct, score 50%. See where to focus below."
    )
    expect(page.locator("#results-heading")).to_be_focused()
    page.get_by_role("link", name="See where to focus on the course home").first.click()

    # The course home: results per outcome and where to focus.
    box = page.locator("#diagnostic")
    expect(box.locator(".outcome-results .met")).to_contain_text("LO1")
    expect(box.locator(".outcome-results .not-met")).to_contain_text("LO2")
    expect(box.locator(".focus-outcomes")).to_have_text(
        "LO2: Apply technique 2 to a workplace problem."
    )
    expect(box.locator(".focus-modules li")).to_have_count(1)
    assert_accessible(page, "course home with diagnostic results")
    box.get_by_role("link", name="Module 2").click()

    # The suggested module's check, from its item page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Reading 2")
    page.locator(".check-panel").get_by_role(
        "link", name="Check your understanding: apologising"
    ).click()
    page.get_by_role("button", name="Start the check").click()
    expect(page.get_by_role("button", name="Check my answers")).to_be_visible()
    assert_accessible(page, "formative check, answering")
    check = Attempt.objects.get(assessment__title__endswith="apologising").assessment
    single, true_false = check.items.order_by("position")
    choose(page, single, "A plausible mistake")
    choose(page, true_false, "False")
    page.get_by_role("button", name="Check my answers").click()

    # Immediate feedback on each question, announced in the live region.
    expect(page.locator("#check-status")).to_have_text(
        "Checked: 0 of 2 questions correct, score 0%."
    )
    first_result = page.locator(f"#checked-{single.pk}")
    expect(first_result.get_by_text("Not correct")).to_be_visible()
    expect(first_result.get_by_text("Not quite: review module 1.")).to_be_visible()
    expect(first_result.get_by_text("Correct: that is the principle.")).to_be_visible()
    expect(
        page.locator(f"#checked-{true_false.pk}").get_by_text("Correct answer")
    ).to_be_visible()
    assert_accessible(page, "formative check, feedback")

    # Try again: a new attempt, answered right this time.
    page.get_by_role("button", name="Try again").first.click()
    expect(page.locator(f"#item-{single.pk}")).to_be_visible()
    choose(page, single, "The right answer")
    choose(page, true_false, "True")
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("#check-status")).to_have_text(
        "Checked: 2 of 2 questions correct, score 100%."
    )
    expect(
        page.get_by_text("Best score 100% · last score 100% · 2 tries so far")
    ).to_be_visible()
    assert Attempt.objects.filter(assessment=check).count() == 2

    page.goto(live_server.url + home)
    expect(page.get_by_text("(best 100%, 2 tries)")).to_be_visible()


def test_a_formative_check_on_a_phone(phone_page, live_server, journey):
    page = phone_page
    enrolment = journey["enrolment"]
    check = journey["module_2"].assessments.get()
    path = f"/learn/{enrolment.pk}/checks/{check.pk}/"
    sign_in(page, live_server, "ada@example.org", path)
    page.get_by_role("button", name="Start the check").click()
    single, true_false = check.items.order_by("position")
    choose(page, single, "The right answer")
    choose(page, true_false, "False")
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("#check-status")).to_contain_text("1 of 2 questions correct")
    assert no_horizontal_scroll(page)
    assert_accessible(page, "formative feedback on a phone")
