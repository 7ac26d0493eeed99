"""The registration confirmation e-mail and its calendar file."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from icalendar import Calendar

from courses.models import Enrolment
from courses.notifications import enrolment_calendar, registration_confirmation_send
from courses.services import enrolment_extend, enrolment_register
from courses.tasks import send_registration_confirmation
from tests import factories

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
UTC = dt.UTC
# Due at the end of 29 March 2027, ends at the end of 12 April 2027 (Toronto).
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=TORONTO)
DUE_UTC = dt.datetime(2027, 3, 30, 3, 59, 59, tzinfo=UTC)
ENDS_UTC = dt.datetime(2027, 4, 13, 3, 59, 59, tzinfo=UTC)


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionError("mail server unreachable")


def registered(offering, **user) -> Enrolment:
    """An enrolment whose confirmation has not gone out yet.

    In a test wrapped in a transaction the on-commit task never runs, so the
    e-mail is sent only when the test calls for it.
    """
    learner = factories.UserFactory(**user)
    return enrolment_register(learner=learner, offering_id=offering.pk, now=NOW)


def events(calendar_bytes) -> list:
    calendar = Calendar.from_ical(calendar_bytes)
    return sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))


def test_confirmation_is_sent_once_and_marked_sent(offering, mailoutbox):
    enrolment = registered(offering)
    assert registration_confirmation_send(enrolment_id=enrolment.pk) is True
    assert registration_confirmation_send(enrolment_id=enrolment.pk) is False
    assert len(mailoutbox) == 1
    enrolment.refresh_from_db()
    assert enrolment.confirmation_sent_at is not None


def test_the_calendar_file_holds_both_dates_with_reminders(offering):
    enrolment = registered(offering)
    calendar = Calendar.from_ical(enrolment_calendar(enrolment))
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["method"]) == "PUBLISH"
    due, end = events(enrolment_calendar(enrolment))
    assert due.decoded("dtstart") == DUE_UTC
    assert end.decoded("dtstart") == ENDS_UTC
    assert due.decoded("dtend") - due.decoded("dtstart") == dt.timedelta(seconds=1)
    assert "summative assessment due" in str(due["summary"])
    assert "microcredential ends" in str(end["summary"])
    assert {str(due["uid"]), str(end["uid"])} == {
        f"enrolment-{enrolment.pk}-summative@microcred",
        f"enrolment-{enrolment.pk}-end@microcred",
    }
    dashboard = django_settings.SITE_URL + reverse("courses:dashboard")
    for event in (due, end):
        assert str(event["url"]) == dashboard
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("trigger") == dt.timedelta(days=-2)


def test_the_calendar_keeps_its_event_ids_after_an_extension(offering, registrar):
    enrolment = registered(offering)
    before = {str(event["uid"]) for event in events(enrolment_calendar(enrolment))}
    enrolment_extend(
        actor=registrar, enrolment_id=enrolment.pk, extra_days=7, reason="Illness."
    )
    enrolment.refresh_from_db()
    due, end = events(enrolment_calendar(enrolment))
    assert {str(due["uid"]), str(end["uid"])} == before  # calendars update in place
    assert due.decoded("dtstart") == DUE_UTC + dt.timedelta(days=7)
    assert end.decoded("dtstart") == ENDS_UTC + dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("zone", "due_shown", "end_shown"),
    [
        (
            "America/Toronto",
            "Monday 29 March 2027, 23:59",
            "Monday 12 April 2027, 23:59",
        ),
        (
            "America/Vancouver",
            "Monday 29 March 2027, 20:59",
            "Monday 12 April 2027, 20:59",
        ),
        # The same instants fall on the next calendar day in Tokyo and Auckland
        # (Auckland leaves daylight time on 4 April 2027, between the dates).
        ("Asia/Tokyo", "Tuesday 30 March 2027, 12:59", "Tuesday 13 April 2027, 12:59"),
        (
            "Pacific/Auckland",
            "Tuesday 30 March 2027, 16:59",
            "Tuesday 13 April 2027, 15:59",
        ),
    ],
)
def test_the_email_shows_the_dates_in_the_learners_time_zone(
    offering, mailoutbox, zone, due_shown, end_shown
):
    enrolment = registered(offering, time_zone=zone)
    registration_confirmation_send(enrolment_id=enrolment.pk)
    (message,) = mailoutbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for body in (message.body, html):
        assert due_shown in body
        assert end_shown in body
        assert zone in body


def test_the_email_links_to_the_course_and_the_dashboard(offering, mailoutbox):
    enrolment = registered(offering, email="links@example.org")
    registration_confirmation_send(enrolment_id=enrolment.pk)
    (message,) = mailoutbox
    assert message.to == ["links@example.org"]
    site = django_settings.SITE_URL
    learn = reverse("courses:learn", kwargs={"enrolment_id": enrolment.pk})
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert site + learn in body
        assert site + reverse("courses:dashboard") in body
    assert "two attempts" in message.body
    (attachment,) = message.attachments
    assert attachment[0] == f"{offering.microcredential.code}-dates.ics"
    assert attachment[2].startswith("text/calendar")


def test_a_french_speaking_learner_gets_the_email_in_french(offering, mailoutbox):
    enrolment = registered(offering, preferred_language="fr")
    registration_confirmation_send(enrolment_id=enrolment.pk)
    (message,) = mailoutbox
    assert message.subject.startswith("Inscription confirmée")
    assert "Vos deux dates" in message.body
    assert "avril 2027" in message.body


def test_a_mail_server_failure_loses_nothing_and_the_next_run_sends_it(
    offering, mailoutbox, settings
):
    enrolment = registered(offering)
    locmem = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    with pytest.raises(ConnectionError):
        registration_confirmation_send(enrolment_id=enrolment.pk)
    enrolment.refresh_from_db()
    assert enrolment.confirmation_sent_at is None

    settings.MAILERS = locmem
    assert registration_confirmation_send(enrolment_id=enrolment.pk) is True
    assert len(mailoutbox) == 1


def test_the_task_asks_for_a_retry_when_mail_fails_and_marks_nothing_sent(
    offering, settings
):
    enrolment = registered(offering)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    # Eagerly, Celery surfaces the scheduled retry; a worker would run it later.
    with pytest.raises(Retry, match="mail server unreachable"):
        send_registration_confirmation.apply(kwargs={"enrolment_id": enrolment.pk})
    enrolment.refresh_from_db()
    assert enrolment.confirmation_sent_at is None
