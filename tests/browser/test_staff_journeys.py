"""Staff journeys in the dashboard: an instructor publishes, a registrar extends."""

import datetime as dt
import re
import zoneinfo

import pytest
from playwright.sync_api import expect

from courses.models import Microcredential
from microcred.models import AuditEntry
from microcred.roles import Role
from tests import factories
from tests.assessments.factories import AssessmentFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def staff_sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile("/accounts/login/"))
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Staff dashboard")).to_be_visible()


def test_instructor_sees_why_publishing_is_refused_then_publishes(page, live_server):
    instructor = factories.StaffFactory(email="okafor@example.org")
    course = factories.MicrocredentialFactory(
        code="DATA-201",
        title="Dashboards That Tell the Truth",
        owner=instructor,
        status="in_review",
        completion_window_days=10,
    )
    AssessmentFactory(microcredential=course)  # publishing needs a summative
    factories.MicrocredentialFactory(code="OTHER-1", title="Someone Else's Course")
    staff_sign_in(page, live_server, "okafor@example.org")
    assert_accessible(page, "staff dashboard index")

    page.get_by_role("link", name="Microcredentials").first.click()
    expect(page.get_by_role("link", name="DATA-201")).to_be_visible()
    expect(page.get_by_text("Someone Else's Course")).to_have_count(0)
    page.get_by_role("link", name="DATA-201").click()

    page.get_by_role("button", name="Publish").click()
    expect(
        page.get_by_text(re.compile("completion window of 10 days cannot hold"))
    ).to_be_visible()
    course.refresh_from_db()
    assert course.status == "in_review"

    Microcredential.objects.filter(pk=course.pk).update(completion_window_days=42)
    page.reload()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile("Status: Published"))).to_be_visible()
    course.refresh_from_db()
    assert course.status == "published"
    assert AuditEntry.objects.filter(action="course.published").count() == 1


def test_registrar_grants_an_extension_with_a_reason(page, live_server):
    factories.StaffFactory(email="registrar@example.org", role=Role.REGISTRAR)
    learner = factories.UserFactory(email="needs.time@example.org")
    offering = factories.OfferingFactory()
    enrolment = factories.enrol(learner, offering)
    before = enrolment.ends_at
    staff_sign_in(page, live_server, "registrar@example.org")

    page.get_by_role("link", name="Enrolments").first.click()
    page.get_by_role("checkbox", name=re.compile("Select this object")).first.check()
    page.get_by_label("Action:").select_option(label="Grant an extension…")
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Extra days").fill("14")
    page.get_by_role("button", name=re.compile("Grant an extension")).click()
    expect(page.locator(".errorlist").first).to_be_visible()
    enrolment.refresh_from_db()
    assert enrolment.ends_at == before  # no reason, nothing changed

    page.get_by_label("Reason").fill("Documented medical accommodation.")
    page.get_by_role("button", name=re.compile("Grant an extension")).click()
    expect(page.locator(".messagelist")).to_contain_text("14")
    enrolment.refresh_from_db()
    toronto = zoneinfo.ZoneInfo("America/Toronto")
    moved = (
        enrolment.ends_at.astimezone(toronto).date() - before.astimezone(toronto).date()
    )
    assert moved == dt.timedelta(days=14)
    assert AuditEntry.objects.get(action="enrolment.extend").reason == (
        "Documented medical accommodation."
    )
