"""A new visitor finds a microcredential, signs up, registers and learns."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import Enrolment
from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published_course(db):
    owner = factories.StaffFactory(email="owner@example.org")
    course = factories.MicrocredentialFactory(
        title="Data Literacy for Decision Makers",
        slug="data-literacy",
        owner=owner,
        summary="Read charts and numbers critically.",
    )
    factories.OfferingFactory(microcredential=course)
    factories.PathwayFactory(title="Certificate in Data Practice", members=[course])
    return course


def test_visitor_signs_up_registers_and_progress_moves(
    page, live_server, published_course, mailoutbox
):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Microcredentials")).to_be_visible()
    assert_accessible(page, "catalog")

    page.get_by_role("searchbox").fill("Data Literacy")
    page.get_by_role("button", name="Show results").click()
    # htmx swaps the results, then pushes the address: wait for both, or the
    # click below may land on the list being replaced.
    expect(page).to_have_url(re.compile(r"q=Data"))
    page.get_by_role("link", name="Data Literacy for Decision Makers").click()
    expect(page).to_have_url(re.compile(r"/courses/data-literacy/"))
    expect(
        page.get_by_text("You have 6 weeks from the day you register")
    ).to_be_visible()
    assert_accessible(page, "course page")

    page.get_by_role("button", name=re.compile("Register and start")).click()
    # Anonymous: sent to sign in, with a way to create an account.
    expect(page).to_have_url(re.compile("/accounts/login/"))
    page.get_by_role("link", name="sign up").click()
    page.get_by_label("Legal name").fill("Ada Lovelace")
    page.get_by_placeholder("Email address").fill("ada@example.org")
    page.get_by_placeholder("Password", exact=True).fill("an-unusual-passphrase-42")
    page.get_by_placeholder("Password (again)").fill("an-unusual-passphrase-42")
    page.get_by_role("button", name="Sign Up").click()
    expect(
        page.get_by_role("heading", name="Verify Your Email Address")
    ).to_be_visible()

    message = mailoutbox[-1]
    path = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body).group(0)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirm").click()

    page.goto(live_server.url + published_course.get_absolute_url())
    page.get_by_role("button", name=re.compile("Register and start")).click()
    expect(
        page.get_by_role("heading", name=re.compile("You are registered"))
    ).to_be_visible()
    expect(
        page.get_by_text("First attempt at the summative assessment due")
    ).to_be_visible()
    expect(page.get_by_text("Microcredential ends")).to_be_visible()
    expect(page.get_by_text("two attempts", exact=False).first).to_be_visible()
    enrolment = Enrolment.objects.get(learner__email="ada@example.org")
    assert any(
        "ada@example.org" in m.to for m in mailoutbox if "registered" in m.subject
    )

    page.get_by_role("link", name="Start learning").click()
    page.get_by_role("link", name="Start the first item").click()
    expect(page.get_by_role("heading", name="Reading 1", level=1)).to_be_visible()
    assert_accessible(page, "item page")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("Marked complete.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Next: Reflect 1")).click()
    expect(page.get_by_role("heading", name="Reflect 1", level=1)).to_be_visible()
    page.get_by_label(re.compile("Your answer")).fill("I would check the axis first.")
    expect(page.get_by_text(re.compile("Saved at"))).to_be_visible()
    page.reload()
    expect(page.get_by_label(re.compile("Your answer"))).to_have_value(
        "I would check the axis first."
    )

    page.get_by_role("link", name="My learning").click()
    expect(page.get_by_text("1 of 4 items complete (25%)")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile("Continue where you left off"))
    ).to_be_visible()
    expect(page.get_by_text("Certificate in Data Practice")).to_be_visible()
    assert_accessible(page, "dashboard")
    assert enrolment.item_progress.filter(completed_at__isnull=False).count() == 1
