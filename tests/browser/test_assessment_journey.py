"""A learner fails attempt 1 of a mixed summative, reads the instructor's
feedback, passes attempt 2 and completes the microcredential."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Attempt, ItemKind
from courses.models import Enrolment
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


@pytest.fixture
def journey(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    instructor = factories.StaffFactory(
        email="okafor@example.org", legal_name="Chidi Okafor"
    )
    course = factories.MicrocredentialFactory(
        title="Customer Care Essentials", owner=instructor
    )
    course.instructors.add(instructor)
    offering = factories.OfferingFactory(microcredential=course)
    learner = factories.UserFactory(email="ada@example.org", legal_name="Ada Lovelace")
    enrolment = factories.enrol(learner, offering)
    summative = af.mixed_summative(course)
    return {
        "instructor": instructor,
        "learner": learner,
        "enrolment": enrolment,
        "summative": summative,
        "items": {item.kind: item for item in summative.items.all()},
    }


def answer_attempt(page, items, *, correct: bool) -> None:
    """Answer every question through the page, waiting for each autosave."""

    def saved(item) -> None:
        expect(page.locator(f"#state-{item.pk}")).to_contain_text("Saved at")

    single = items[ItemKind.SINGLE]
    page.get_by_label("The right answer" if correct else "A plausible mistake").check()
    saved(single)
    multiple = items[ItemKind.MULTIPLE]
    for label in ("Alpha", "Bravo", "Charlie") if correct else ("Delta",):
        page.get_by_label(label, exact=True).check()
    saved(multiple)
    page.get_by_label("True" if correct else "False", exact=True).check()
    saved(items[ItemKind.TRUE_FALSE])
    page.get_by_label("Your answer", exact=True).fill("3,5" if correct else "a guess")
    saved(items[ItemKind.SHORT_ANSWER])
    page.get_by_label(
        "Apologise and replace the order" if correct else "Ask them to read the terms"
    ).check()
    saved(items[ItemKind.SCENARIO])
    project = items[ItemKind.PROJECT]
    page.get_by_label(re.compile("^Your answer \\(you can also upload")).fill(
        "My plan: apply technique 1, then technique 2, and check the result."
    )
    saved(project)
    upload = page.get_by_label("Upload a file (optional)")
    upload.set_input_files(
        files=[
            {"name": "run.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}
        ]
    )
    expect(page.locator(f"#file-state-{project.pk}")).to_contain_text(
        "are not accepted here"
    )
    # The refusal swapped the form in; htmx wires the new file input up when
    # the swap settles. (A person cannot pick a file that fast; a test can.)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    upload.set_input_files(
        files=[{"name": "plan.txt", "mimeType": "text/plain", "buffer": b"The plan."}]
    )
    expect(page.locator(f"#file-state-{project.pk}")).to_contain_text("File saved at")


def submit_attempt(page, number: int) -> None:
    page.get_by_role("link", name=f"Review and submit attempt {number}").click()
    expect(
        page.get_by_role("heading", name=f"Submit attempt {number}?")
    ).to_be_visible()
    page.get_by_role("button", name=f"Yes, submit attempt {number}").click()
    expect(page.get_by_text(f"Attempt {number} is submitted.")).to_be_visible()
    expect(page.get_by_text("Your attempt is waiting for grading.")).to_be_visible()


def grade_and_release(staff, live_server, items, level: str, comment: str) -> None:
    staff.goto(live_server.url + "/grading/")
    expect(staff.get_by_role("heading", name="Grading queue")).to_be_visible()
    assert_accessible(staff, "grading queue")
    staff.get_by_role("link", name="Ada Lovelace").click()
    expect(staff.get_by_text("My plan: apply technique 1")).to_be_visible()
    assert_accessible(staff, "grading page")
    project = items[ItemKind.PROJECT]
    for criterion in project.rubric.criteria.all():
        staff.get_by_label(f"{criterion.title}: {level}").check()
    first = project.rubric.criteria.first()
    staff.get_by_label(f"Comment on “{first.title}”").fill(comment)
    staff.get_by_label("Overall feedback to the learner").fill(f"{comment} Overall.")
    staff.get_by_role("button", name="Save and release feedback…").click()
    expect(
        staff.get_by_role("heading", name=re.compile("Release feedback"))
    ).to_be_visible()
    staff.get_by_role("button", name="Yes, release feedback").click()
    expect(
        staff.get_by_text(
            re.compile("Feedback on attempt \\d by Ada Lovelace is released")
        )
    ).to_be_visible()


def test_learner_fails_first_attempt_reads_feedback_and_passes_the_second(
    page, browser, live_server, journey
):
    enrolment, items = journey["enrolment"], journey["items"]
    sign_in(page, live_server, "ada@example.org", f"/learn/{enrolment.pk}/")
    page.get_by_role("link", name="Go to the summative assessment").click()
    expect(page.get_by_role("heading", name="Attempt 1 of 2")).to_be_visible()
    page.get_by_role("button", name="Start attempt 1").click()

    # Attempt 1: every question answered wrongly, each answer autosaved.
    expect(
        page.get_by_role("heading", name="Final assessment", level=1)
    ).to_be_visible()
    expect(page.get_by_text("Submit attempt 1 by", exact=True)).to_be_visible()
    assert_accessible(page, "attempt page")
    answer_attempt(page, items, correct=False)
    page.reload()
    expect(page.get_by_label("A plausible mistake")).to_be_checked()
    expect(page.get_by_label("Your answer", exact=True)).to_have_value("a guess")
    expect(page.get_by_role("link", name="plan.txt")).to_be_visible()
    submit_attempt(page, 1)
    attempt_1 = Attempt.objects.get(number=1)
    assert attempt_1.status == Attempt.Status.SUBMITTED

    # The instructor grades the project in the queue and releases the feedback.
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    try:
        sign_in(staff, live_server, "okafor@example.org", "/grading/")
        grade_and_release(
            staff, live_server, items, "Developing", "Say which step comes first."
        )

        # The learner reads the feedback at once.
        page.goto(f"{live_server.url}/learn/{enrolment.pk}/assessment/")
        page.get_by_role("link", name="Read the feedback on attempt 1").click()
        expect(page.get_by_role("heading", name="Not yet passed")).to_be_visible()
        expect(
            page.get_by_text("Say which step comes first.", exact=True)
        ).to_be_visible()
        expect(page.get_by_text("Not quite: review module 1.")).to_be_visible()
        expect(
            page.get_by_text("Parts are there; important gaps remain.").first
        ).to_be_visible()
        expect(page.get_by_text("Attempt 2 is open until")).to_be_visible()
        assert_accessible(page, "feedback page")

        # Attempt 2: answered well, submitted, graded and released.
        page.get_by_role("button", name="Start attempt 2").click()
        expect(page.get_by_role("heading", name="Attempt 2 of 2")).to_be_visible()
        answer_attempt(page, items, correct=True)
        submit_attempt(page, 2)
        grade_and_release(
            staff, live_server, items, "Exceeds expectations", "Excellent sequencing."
        )
    finally:
        staff_context.close()

    page.reload()
    expect(page.get_by_role("heading", name="Passed", exact=True)).to_be_visible()
    expect(
        page.get_by_text("You have completed this microcredential. Well done!")
    ).to_be_visible()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert Attempt.objects.get(number=2).passed is True


def test_typed_answer_survives_a_lost_connection(page, live_server, journey):
    enrolment, items = journey["enrolment"], journey["items"]
    short = items[ItemKind.SHORT_ANSWER]
    sign_in(page, live_server, "ada@example.org", f"/learn/{enrolment.pk}/assessment/")
    page.get_by_role("button", name="Start attempt 1").click()
    expect(page.get_by_text("Submit attempt 1 by", exact=True)).to_be_visible()

    page.context.set_offline(True)
    page.get_by_label("Your answer", exact=True).fill("3.5")
    page.get_by_label("Your answer", exact=True).press("Tab")
    page.wait_for_timeout(1200)  # the autosave has tried and failed
    attempt = Attempt.objects.get()
    assert not attempt.answers.filter(item=short).exists()

    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_label("Your answer", exact=True)).to_have_value("3.5")
    expect(page.locator(f"#state-{short.pk}")).to_contain_text("Saved at")
    assert attempt.answers.get(item=short).text == "3.5"
    page.reload()
    expect(page.get_by_label("Your answer", exact=True)).to_have_value("3.5")
