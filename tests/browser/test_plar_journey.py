"""A learner asks to challenge a microcredential through PLAR; a registrar
approves; the learner passes the course's own summative on attempt 1 and the
enrolment is completed on the PLAR route, with the course's credential."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessments.models import ItemKind
from courses.models import Enrolment
from credentials.models import Credential
from microcred.roles import Role
from plar.models import PlarRequest
from tests import factories
from tests.assessments import factories as af

from .conftest import assert_accessible
from .test_assessment_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def challenge(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    instructor = factories.StaffFactory(email="okafor@example.org")
    factories.StaffFactory(
        email="raman@example.org", legal_name="Priya Raman", role=Role.REGISTRAR
    )
    course = factories.MicrocredentialFactory(
        title="Customer Care Essentials",
        owner=instructor,
        plar_offered=True,
        plar_window_days=30,
    )
    factories.OfferingFactory(microcredential=course)
    summative = af.mixed_summative(course, with_project=False)
    factories.UserFactory(email="ada@example.org", legal_name="Ada Lovelace")
    return {"course": course, "summative": summative}


def answer_every_question_right(page, summative) -> None:
    items = {item.kind: item for item in summative.items.all()}

    def saved(kind) -> None:
        expect(page.locator(f"#state-{items[kind].pk}")).to_contain_text("Saved at")

    page.get_by_label("The right answer").check()
    saved(ItemKind.SINGLE)
    for label in ("Alpha", "Bravo", "Charlie"):
        page.get_by_label(label, exact=True).check()
    saved(ItemKind.MULTIPLE)
    page.get_by_label("True", exact=True).check()
    saved(ItemKind.TRUE_FALSE)
    page.get_by_label("Your answer", exact=True).fill("3.5")
    saved(ItemKind.SHORT_ANSWER)
    page.get_by_label("Apologise and replace the order").check()
    saved(ItemKind.SCENARIO)


def test_learner_challenges_is_approved_and_passes_on_the_plar_route(
    page, browser, live_server, challenge
):
    course, summative = challenge["course"], challenge["summative"]

    # The learner finds "Already have these skills?" on the course page.
    sign_in(page, live_server, "ada@example.org", f"/courses/{course.slug}/")
    expect(
        page.get_by_role("heading", name="Already have these skills?")
    ).to_be_visible()
    page.get_by_role("link", name="Challenge this microcredential").click()
    page.get_by_role("button", name="Start my request").click()

    # A statement per outcome, autosaved; a file of evidence; a declaration.
    for outcome in course.outcomes.order_by("position"):
        box = page.get_by_label(f"{outcome.code}: {outcome.text}")
        box.fill(f"At the help desk I {outcome.text.lower()} every day.")
        expect(page.locator(f"#state-{outcome.pk}")).to_contain_text("Saved at")
    assert_accessible(page, "PLAR request form")
    page.reload()
    first = course.outcomes.order_by("position").first()
    expect(page.get_by_label(f"{first.code}: {first.text}")).to_have_value(
        re.compile("^At the help desk")
    )
    page.get_by_label("Title").fill("Certificate from my employer's training")
    page.get_by_label("File").set_input_files(
        files=[
            {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": PDF}
        ]
    )
    page.get_by_role("button", name="Add evidence").click()
    expect(
        page.get_by_text("Certificate from my employer's training").first
    ).to_be_visible()
    page.get_by_role("link", name="Review and submit").click()
    page.get_by_label(re.compile("^I declare")).check()
    page.get_by_role("button", name="Submit my request").click()
    expect(page.get_by_role("heading", name="Status")).to_be_visible()
    expect(page.get_by_text("Submitted").first).to_be_visible()
    assert_accessible(page, "PLAR status page")
    request = PlarRequest.objects.get(learner__email="ada@example.org")
    assert request.status == PlarRequest.Status.SUBMITTED

    # The registrar reviews and approves, with a reason.
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    try:
        sign_in(staff, live_server, "raman@example.org", "/plar/review/")
        assert_accessible(staff, "PLAR review queue")
        staff.get_by_role("link", name="Ada Lovelace").click()
        expect(
            staff.get_by_text(f"At the help desk I {first.text.lower()}")
        ).to_be_visible()
        staff.get_by_role("button", name="Start review").click()
        assert_accessible(staff, "PLAR review page")
        staff.get_by_label("Approve: the learner may challenge").check()
        staff.get_by_label("Reason (the learner reads it)").fill(
            "Your statements and certificate cover every outcome."
        )
        staff.get_by_role("button", name="Record the decision").click()
        expect(staff.get_by_text("Approved").first).to_be_visible()
    finally:
        staff_context.close()
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.APPROVED

    # The learner sees the decision, its reason and both dates at once, and
    # goes straight to the course's own summative assessment.
    page.reload()
    expect(
        page.get_by_text("Your statements and certificate cover every outcome.").first
    ).to_be_visible()
    expect(page.get_by_text("PLAR window ends")).to_be_visible()
    page.get_by_role("link", name="Go to the summative assessment").click()
    expect(page.get_by_role("heading", name="Attempt 1 of 2")).to_be_visible()
    page.get_by_role("button", name="Start attempt 1").click()
    answer_every_question_right(page, summative)
    page.get_by_role("link", name="Review and submit attempt 1").click()
    page.get_by_role("button", name="Yes, submit attempt 1").click()
    expect(page.get_by_text("Attempt 1 is submitted.")).to_be_visible()

    enrolment = Enrolment.objects.get(pk=request.enrolment_id)
    assert enrolment.route == Enrolment.Route.PLAR
    assert enrolment.status == Enrolment.Status.COMPLETED
    credential = Credential.objects.get(enrolment=enrolment)
    assert credential.route == "plar"
    assert credential.achievement.microcredential_id == course.pk

    # The learner's record says how the credential was earned.
    page.goto(f"{live_server.url}/me/credentials/")
    expect(page.get_by_text(re.compile("prior learning", re.I)).first).to_be_visible()
