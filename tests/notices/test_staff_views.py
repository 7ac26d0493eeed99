"""The notices page of a course (/staff/courses/<id>/notices/), through the test
client on real PostgreSQL: who may see it, the sent, waiting, failed and
scheduled lists, the summary, the filters, "Retry now" and its query count."""

from __future__ import annotations

import datetime as dt
import html
import smtplib
import zoneinfo
from typing import Any

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from microcred.models import AuditEntry
from microcred.roles import Role
from notices import policies, services
from notices.models import Notice, NoticePreference
from tests import factories

pytestmark = pytest.mark.django_db

RETRY_BUTTON = '<button type="submit" class="small">Retry now'


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 mail server busy, try later")


def page_url(course) -> str:
    return reverse("notices:course", kwargs={"course_id": course.pk})


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def shown(when: dt.datetime, person) -> str:
    """A moment as the page shows it, in the person's zone."""
    local = timezone.localtime(when, zoneinfo.ZoneInfo(person.time_zone))
    return dateformat.format(local, "l j F Y, H:i")


def section(response: Any, name: str) -> list[Notice]:
    for entry in response.context["sections"]:
        if entry["name"] == name:
            return [row["notice"] for row in entry["notices"]]
    raise AssertionError(f"no section {name!r} on the page")


def section_names(response: Any) -> list[str]:
    return [entry["name"] for entry in response.context["sections"]]


@pytest.fixture(autouse=True)
def no_inactivity_nudges(course):
    """Date reminders only: the lists below follow one reminder per learner."""
    course.inactivity_nudge_days = 0
    course.save(update_fields=["inactivity_nudge_days"])


@pytest.fixture
def refusing_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}


def seven_day_reminder_due(enrolment) -> dt.datetime:
    """Five days before the summative due date: the 7-day reminder is due."""
    return enrolment.summative_due_at - dt.timedelta(days=5)


# --- who may see the page ---------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client, course):
    response = client.get(page_url(course))
    assert response.status_code == 302
    assert "login" in response.url


def test_a_learner_gets_a_403(client, learner, enrolment, course):
    client.force_login(learner)
    assert client.get(page_url(course)).status_code == 403
    assert client.post(page_url(course), {"notice": "1"}).status_code == 403


def test_an_administrator_without_a_teaching_or_registrar_role_gets_a_403(
    client, course
):
    administrator = factories.StaffFactory(email="admin@example.org", role=Role.ADMIN)
    client.force_login(administrator)
    assert client.get(page_url(course)).status_code == 403


def test_an_instructor_of_another_course_gets_a_404(client, course):
    other = factories.StaffFactory(email="other.instructor@example.org")
    factories.MicrocredentialFactory(owner=other)
    client.force_login(other)
    assert client.get(page_url(course)).status_code == 404
    assert client.post(page_url(course), {"notice": "1"}).status_code == 404


def test_a_course_that_does_not_exist_is_a_404(client, registrar):
    client.force_login(registrar)
    url = reverse("notices:course", kwargs={"course_id": 999_999})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["owner", "instructor", "registrar"])
def test_the_course_instructors_and_registrars_see_the_page(
    client, course, registrar, who
):
    if who == "owner":
        person = course.owner
    elif who == "instructor":
        person = factories.StaffFactory(email="co.teacher@example.org")
        course.instructors.add(person)
    else:
        person = registrar
    client.force_login(person)
    response = client.get(page_url(course))
    assert response.status_code == 200
    text = page(response)
    assert f"Notices: {course.code} · {course.title}" in text
    assert reverse("admin:courses_microcredential_change", args=[course.pk]) in text


# --- sent, waiting, failed --------------------------------------------------------


def test_a_notice_recorded_by_the_scan_waits_to_be_sent_then_shows_as_sent(
    client, instructor, learner, course, enrolment, mailoutbox
):
    now = seven_day_reminder_due(enrolment)
    services.notices_scan(now=now)
    notice = Notice.objects.get(recipient=learner, kind="summative_due")
    client.force_login(instructor)

    waiting = client.get(page_url(course))
    assert section(waiting, "waiting") == [notice]
    assert section(waiting, "sent") == []
    assert section(waiting, "failed") == []
    text = page(waiting)
    assert "Ada Lovelace" in text
    assert "Summative due date reminder" in text

    services.notices_deliver(now=now)
    notice.refresh_from_db()
    assert notice.status == "sent"
    sent = client.get(page_url(course))
    assert section(sent, "sent") == [notice]
    assert section(sent, "waiting") == []
    assert shown(notice.sent_at, instructor) in page(sent)


def test_a_refused_send_is_retried_with_backoff_and_shows_its_error(
    client, instructor, learner, course, enrolment, refusing_mail
):
    now = seven_day_reminder_due(enrolment)
    services.notices_scan(now=now)
    services.notices_deliver(now=now)
    notice = Notice.objects.get(recipient=learner, kind="summative_due")
    assert (notice.status, notice.tries) == ("pending", 1)
    assert notice.next_try_at == now + dt.timedelta(minutes=2)
    assert notice.last_error == "SMTPException: 451 mail server busy, try later"

    instructor.time_zone = "Asia/Tokyo"  # dates shown in the staff member's zone
    instructor.save(update_fields=["time_zone"])
    client.force_login(instructor)
    response = client.get(page_url(course))
    assert section(response, "failed") == [notice]
    assert section(response, "waiting") == []
    text = page(response)
    assert "Times are shown in your time zone, Asia/Tokyo." in text
    assert "SMTPException: 451 mail server busy, try later" in text
    assert shown(notice.next_try_at, instructor) in text
    # Still retrying by itself: no "Retry now" yet.
    assert RETRY_BUTTON not in text
    assert response.context["summary"]["retrying"] == 1


def fail_six_times(notice_start: dt.datetime) -> Notice:
    now = notice_start
    for _try in range(services.MAX_TRIES):
        services.notices_deliver(now=now)
        notice = Notice.objects.get(kind="summative_due")
        if notice.next_try_at:
            now = max(now, notice.next_try_at)
    return notice


def test_after_six_refused_sends_the_notice_has_failed_with_a_retry_button(
    client, instructor, course, enrolment, refusing_mail
):
    now = seven_day_reminder_due(enrolment)
    services.notices_scan(now=now)
    notice = fail_six_times(now)
    assert (notice.status, notice.tries) == ("failed", 6)

    client.force_login(instructor)
    response = client.get(page_url(course))
    assert section(response, "failed") == [notice]
    text = page(response)
    assert "No more tries" in text
    assert RETRY_BUTTON in text
    assert "SMTPException: 451 mail server busy, try later" in text


def test_retry_now_puts_a_failed_notice_back_in_the_queue_and_audits_it(
    client, instructor, course, enrolment, refusing_mail, settings
):
    now = seven_day_reminder_due(enrolment)
    services.notices_scan(now=now)
    notice = fail_six_times(now)
    client.force_login(instructor)

    before = timezone.now()
    response = client.post(page_url(course), {"notice": str(notice.pk)})
    assert response.status_code == 302
    assert response.url == page_url(course)
    notice.refresh_from_db()
    assert notice.status == "pending"
    assert before <= notice.next_try_at <= timezone.now()
    assert notice.tries == 6  # the history stays
    entry = AuditEntry.objects.get(action="notices.retry")
    assert entry.actor == instructor
    assert entry.object_id == str(notice.pk)
    assert entry.details["last_error"].startswith("SMTPException")

    after = client.get(response.url)
    assert "will be sent again within a few minutes" in page(after)
    assert section(after, "failed") == [notice]  # retrying, until it is sent

    # The mail server works again: the next delivery sends it.
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    }
    services.notices_deliver(now=timezone.now())
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_retry_now_on_a_notice_that_has_not_failed_changes_nothing(
    client, instructor, learner, course, enrolment
):
    now = seven_day_reminder_due(enrolment)
    services.notices_scan(now=now)
    notice = Notice.objects.get(recipient=learner, kind="summative_due")
    client.force_login(instructor)
    response = client.post(page_url(course), {"notice": str(notice.pk)})
    assert response.status_code == 422
    assert "Only a failed notice can be retried" in page(response)
    notice.refresh_from_db()
    assert notice.status == "pending"
    assert not AuditEntry.objects.filter(action="notices.retry").exists()


@pytest.mark.parametrize("value", ["", "abc", "-1"])
def test_retry_now_without_a_notice_is_refused_with_a_message(
    client, instructor, course, value
):
    client.force_login(instructor)
    response = client.post(page_url(course), {"notice": value})
    assert response.status_code == 422
    assert "Choose a failed notice to retry." in page(response)


def test_retry_now_of_a_notice_of_another_course_is_a_404(
    client, instructor, course, refusing_mail
):
    other_course = factories.MicrocredentialFactory()
    other_offering = factories.OfferingFactory(microcredential=other_course)
    other = factories.enrol(factories.UserFactory(), other_offering)
    now = seven_day_reminder_due(other)
    services.notices_scan(now=now)
    notice = fail_six_times(now)
    client.force_login(instructor)
    response = client.post(page_url(course), {"notice": str(notice.pk)})
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.status == "failed"


def test_cancelled_and_turned_off_notices_are_counted_and_listed_on_request(
    client, registrar, learner, other_learner, course, offering, enrolment
):
    second = factories.enrol(other_learner, offering)
    now = seven_day_reminder_due(enrolment)
    services.notices_scan(now=now)
    services.preferences_save(
        user=other_learner, disabled_kinds=["summative_due"], digest=False
    )
    services.enrolment_notices_cancel(enrolment_id=enrolment.pk)
    services.notices_deliver(now=now)
    cancelled = Notice.objects.get(enrolment=enrolment)
    skipped = Notice.objects.get(enrolment=second)
    assert (cancelled.status, skipped.status) == ("cancelled", "skipped")

    client.force_login(registrar)
    response = client.get(page_url(course))
    assert "stopped" not in section_names(response)
    (row,) = response.context["summary"]["rows"]
    assert row["kind"] == "summative_due"
    assert dict(row["cells"])["cancelled"] == 1
    assert dict(row["cells"])["skipped"] == 1
    text = page(response)
    assert "Not e-mailed (turned off)" in text
    assert "?kind=summative_due&status=cancelled" in text

    listed = client.get(page_url(course), {"status": "skipped"})
    assert section_names(listed) == ["stopped"]
    assert section(listed, "stopped") == [skipped]
    assert listed.context["show_scheduled"] is False


# --- the reminders still to come --------------------------------------------------


def test_a_fresh_enrolment_shows_its_seven_and_two_day_reminders_with_their_dates(
    client, instructor, learner, course, enrolment
):
    client.force_login(instructor)
    response = client.get(page_url(course))
    tz = services.institution_tz()
    expected = sorted(
        [
            ("summative_due", policies.days_before(enrolment.summative_due_at, 7, tz)),
            ("summative_due", policies.days_before(enrolment.summative_due_at, 2, tz)),
            ("end_date", policies.days_before(enrolment.ends_at, 7, tz)),
            ("end_date", policies.days_before(enrolment.ends_at, 2, tz)),
        ],
        key=lambda pair: pair[1],
    )
    scheduled = response.context["scheduled"]
    assert [(e["reminder"].kind, e["reminder"].at) for e in scheduled] == expected
    assert {e["learner"] for e in scheduled} == {learner}
    assert response.context["scheduled_total"] == 4
    # Seven days before, at the same wall-clock time in the institution's zone.
    seven = scheduled[0]["reminder"]
    assert (
        seven.at.astimezone(tz).time()
        == enrolment.summative_due_at.astimezone(tz).time()
    )
    assert (
        enrolment.summative_due_at.astimezone(tz).date()
        - seven.at.astimezone(tz).date()
    ) == dt.timedelta(days=7)
    text = page(response)
    for _kind, moment in expected:
        assert shown(moment, instructor) in text
    assert shown(enrolment.ends_at, instructor) in text


def test_the_scheduled_list_follows_the_course_settings_and_preferences(
    client, instructor, learner, course, enrolment
):
    course.due_reminder_days = [3]
    course.end_reminder_days = []
    course.save()
    NoticePreference.objects.create(user=learner, digest=True)
    client.force_login(instructor)
    response = client.get(page_url(course))
    tz = services.institution_tz()
    scheduled = response.context["scheduled"]
    assert [(e["reminder"].kind, e["reminder"].at) for e in scheduled] == [
        ("summative_due", policies.days_before(enrolment.summative_due_at, 3, tz))
    ]
    assert scheduled[0]["delivery"] == "In the daily digest"


def test_a_reminder_already_passed_or_for_a_withdrawn_learner_is_not_scheduled(
    client, registrar, learner, other_learner, course, offering, enrolment
):
    from courses.services import enrolment_withdraw

    withdrawn = factories.enrol(other_learner, offering)
    enrolment_withdraw(actor=registrar, enrolment_id=withdrawn.pk, reason="Moved.")
    client.force_login(registrar)
    response = client.get(page_url(course))
    assert {e["learner"] for e in response.context["scheduled"]} == {learner}


def test_the_scheduled_list_shows_at_most_the_next_two_hundred(
    client, registrar, course, offering, enrolment, settings
):
    settings.NOTICES_STAFF_SCHEDULED_LIMIT = 3
    client.force_login(registrar)
    response = client.get(page_url(course))
    assert len(response.context["scheduled"]) == 3
    assert response.context["scheduled_total"] == 4
    assert "The next 3 of 4 reminders to come" in page(response)


# --- filters and pages ------------------------------------------------------------


def test_the_kind_filter_narrows_every_list(client, instructor, course, enrolment):
    services.notices_scan(now=seven_day_reminder_due(enrolment))
    client.force_login(instructor)
    response = client.get(page_url(course), {"kind": "end_date"})
    assert section(response, "waiting") == []
    assert {e["reminder"].kind for e in response.context["scheduled"]} == {"end_date"}
    assert "None matches these filters." in page(response)


def test_a_filter_that_is_not_valid_shows_everything_with_a_message(
    client, instructor, course, enrolment
):
    services.notices_scan(now=seven_day_reminder_due(enrolment))
    client.force_login(instructor)
    response = client.get(page_url(course), {"status": "lost", "kind": "x"})
    assert response.status_code == 200
    assert "A filter was not valid, so the whole list is shown." in page(response)
    assert len(section(response, "waiting")) == 1


def test_long_lists_come_a_page_at_a_time(
    client, registrar, course, offering, settings
):
    settings.NOTICES_STAFF_PAGE_SIZE = 2
    enrolments = [factories.enrol(factories.UserFactory(), offering) for _n in range(3)]
    services.notices_scan(now=seven_day_reminder_due(enrolments[0]))
    client.force_login(registrar)
    first = client.get(page_url(course), {"kind": "summative_due"})
    assert len(section(first, "waiting")) == 2
    text = page(first)
    assert "Page 1 of 2" in text
    assert "?kind=summative_due&waiting_page=2" in text
    second = client.get(page_url(course), {"kind": "summative_due", "waiting_page": 2})
    assert len(section(second, "waiting")) == 1
    assert set(section(first, "waiting")).isdisjoint(section(second, "waiting"))


# --- cost -------------------------------------------------------------------------


def page_queries(client, course) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(course))
    assert response.status_code == 200
    return len(queries)


def enrol_and_notify(offering, learners: int, now: dt.datetime | None = None):
    enrolments = [
        factories.enrol(factories.UserFactory(), offering) for _n in range(learners)
    ]
    now = now or seven_day_reminder_due(enrolments[0])
    services.notices_scan(now=now)
    services.notices_deliver(now=now)
    return now


def test_the_page_costs_the_same_queries_for_5_or_50_learners(
    client, registrar, course, offering, django_assert_max_num_queries
):
    client.force_login(registrar)
    now = enrol_and_notify(offering, 5)
    few = page_queries(client, course)
    enrol_and_notify(offering, 45, now)
    assert Notice.objects.filter(course=course, status="sent").count() == 50
    many = page_queries(client, course)
    assert many == few
    with django_assert_max_num_queries(20):
        client.get(page_url(course))
