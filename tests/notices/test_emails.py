"""The e-mail of every notice: created by the real scan, sent by the real
delivery, read back from the outbox.

Each e-mail has a text and an HTML part, shows its dates in the recipient's
time zone and language, and says what to do with a link; the optional kinds
carry the one-click unsubscribe headers (RFC 8058) and their link works
without signing in.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, translation

from assessments import services as assessment_services
from courses.services import enrolment_register
from credentials import services as credential_services
from notices import emails, policies, services
from notices.models import Notice, NoticePreference
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
TOKYO = ZoneInfo("Asia/Tokyo")
# Registered on 1 March 2027: attempt 1 due at the end of 29 March, the course
# ends at the end of 12 April (Toronto).
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=TORONTO)


@pytest.fixture
def clock():
    """The clock, from ``NOW``; ``clock.move_to(moment)`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def scan_and_deliver(clock, moment: dt.datetime) -> None:
    clock.move_to(moment)
    services.notices_scan(now=moment)
    services.notices_deliver_all(now=moment)


def shown(moment: dt.datetime, zone: ZoneInfo, language: str = "en") -> str:
    """A date as the e-mails write it, in ``zone`` and ``language``."""
    with translation.override(language):
        return dateformat.format(moment.astimezone(zone), "l j F Y, H:i")


def parts(message) -> tuple[str, str]:
    """(text, html) of a sent message; both must be there."""
    (html, mimetype), *_rest = message.alternatives
    assert mimetype == "text/html"
    assert message.body.strip()
    return message.body, html


def one_mail(mailoutbox, *, to: str, subject_starts: str):
    found = [
        m for m in mailoutbox if m.to == [to] and m.subject.startswith(subject_starts)
    ]
    assert len(found) == 1, [(m.to, m.subject) for m in mailoutbox]
    return found[0]


def headers(message) -> dict[str, str]:
    parsed = message.message()
    return {
        name: parsed[name]
        for name in ("List-Unsubscribe", "List-Unsubscribe-Post")
        if parsed[name] is not None
    }


# The footer's labels in each language (French: U+00A0 before the colon).
FOOTER_LABELS = {
    "en": ("Stop these reminders: ", "All notification settings: "),
    "fr": (
        "Ne plus recevoir ces rappels\u00a0: ",
        "Tous les paramètres de notification\u00a0: ",
    ),
}


def assert_unsubscribe_headers(
    message, *, optional: bool, language: str = "en"
) -> None:
    found = headers(message)
    if not optional:
        assert found == {}
        return
    assert found["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = found["List-Unsubscribe"].strip("<>")
    text, html = parts(message)
    stop_label, settings_label = FOOTER_LABELS[language]
    assert f"{stop_label}{link}" in text
    assert settings_label in text
    assert f'href="{link}"' in html
    # As a mail server sends it (SMTP policy): the URL on one line, in angle
    # brackets, not folded into RFC 2047 encoded words clients cannot read.
    raw = message.message(policy=email.policy.SMTP).as_bytes().decode()
    assert f"List-Unsubscribe: <{link}>\r\n" in raw


def learner_in(zone: str, **fields):
    return factories.UserFactory(time_zone=zone, **fields)


@pytest.fixture
def course(db, instructor):
    course = factories.MicrocredentialFactory(owner=instructor, title="Safe Lifting")
    course.instructors.add(instructor)
    return course


@pytest.fixture
def offering(course):
    return factories.OfferingFactory(microcredential=course)


def register(learner, offering):
    return enrolment_register(learner=learner, offering_id=offering.pk, now=NOW)


# --- learner reminders ------------------------------------------------------------


def test_the_due_date_reminder_shows_the_date_in_each_learners_own_zone(
    offering, clock, mailoutbox
):
    tokyo = learner_in("Asia/Tokyo", email="kenji@example.org")
    toronto = learner_in("America/Toronto", email="maya@example.org")
    enrolment = register(tokyo, offering)
    register(toronto, offering)
    due = enrolment.summative_due_at

    scan_and_deliver(clock, policies.days_before(due, 5, TORONTO))

    for learner, zone in ((tokyo, TOKYO), (toronto, TORONTO)):
        message = one_mail(
            mailoutbox, to=learner.email, subject_starts="Summative assessment due"
        )
        assert "Safe Lifting" in message.subject
        text, html = parts(message)
        when = f"{shown(due, zone)} ({learner.time_zone})"
        assert when in text
        assert when in html
        assert "5 days left." in text
        assert f"<title>{message.subject}</title>" in html
        assert (
            settings.SITE_URL
            + reverse("assessments:summative", args=[learner.enrolments.get().pk])
            in text
        )
        assert_unsubscribe_headers(message, optional=True)
    assert shown(due, TOKYO) != shown(due, TORONTO)
    assert "Tuesday 30 March 2027, 12:59" in shown(due, TOKYO)
    assert "Monday 29 March 2027, 23:59" in shown(due, TORONTO)


def test_the_end_date_reminder_says_when_the_course_ends_and_how_long_is_left(
    offering, clock, mailoutbox
):
    learner = learner_in("Asia/Tokyo")
    enrolment = register(learner, offering)

    scan_and_deliver(clock, policies.days_before(enrolment.ends_at, 2, TORONTO))

    message = one_mail(
        mailoutbox, to=learner.email, subject_starts="Your microcredential ends"
    )
    text, html = parts(message)
    assert f"Ends on: {shown(enrolment.ends_at, TOKYO)} (Asia/Tokyo)." in text
    assert "2 days left." in text
    assert "13 April 2027" in message.subject  # 12:59 on the 13th in Tokyo
    learn = settings.SITE_URL + reverse("courses:learn", args=[enrolment.pk])
    assert learn in text
    assert f'href="{learn}"' in html
    assert_unsubscribe_headers(message, optional=True)


def test_the_inactivity_nudge_says_since_when_and_links_back_to_learning(
    offering, clock, mailoutbox
):
    learner = learner_in("America/Toronto")
    enrolment = register(learner, offering)

    scan_and_deliver(clock, NOW + dt.timedelta(days=8))

    message = one_mail(mailoutbox, to=learner.email, subject_starts="Pick up where")
    text, html = parts(message)
    assert "since Monday 1 March 2027" in text
    assert shown(enrolment.ends_at, TORONTO) in text
    assert "Continue learning: " in text
    assert_unsubscribe_headers(message, optional=True)


def test_the_next_attempt_email_names_the_attempt_and_its_new_deadline(
    course, offering, clock, mailoutbox
):
    summative = af.mixed_summative(course, with_project=False)
    learner = learner_in("Asia/Tokyo")
    enrolment = register(learner, offering)
    clock.move_to(NOW + dt.timedelta(days=3))
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk
    )
    af.answer_all(learner, attempt, correct=False)
    assessment_services.attempt_submit(learner=learner, attempt_id=attempt.pk)

    scan_and_deliver(clock, NOW + dt.timedelta(days=3, minutes=5))

    message = one_mail(
        mailoutbox, to=learner.email, subject_starts="Your next attempt is open"
    )
    text, html = parts(message)
    ends = shown(enrolment.ends_at, TOKYO)
    assert f"Attempt 2 is open until {ends} (Asia/Tokyo)." in text
    assert f"Attempt 2 is open until {ends} (Asia/Tokyo)." in html
    assert "feedback on attempt 1" in text
    assert_unsubscribe_headers(message, optional=False)
    assert "This notice is always sent" in text


# --- staff notices ----------------------------------------------------------------


def test_overdue_grading_tells_the_instructor_which_learner_and_attempt(
    course, offering, instructor, clock, mailoutbox
):
    summative = af.mixed_summative(course)  # with a project: graded by hand
    learner = learner_in("America/Toronto", legal_name="Ada Lovelace")
    register(learner, offering)
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk
    )
    af.answer_all(learner, attempt, correct=True)
    attempt = assessment_services.attempt_submit(learner=learner, attempt_id=attempt.pk)
    instructor.time_zone = "Asia/Tokyo"
    instructor.save()

    scan_and_deliver(clock, attempt.feedback_due_at + dt.timedelta(hours=1))

    message = one_mail(
        mailoutbox, to=instructor.email, subject_starts="Feedback overdue"
    )
    text, html = parts(message)
    assert "attempt 1 by Ada Lovelace in “Safe Lifting” is overdue" in text
    assert f"{shown(attempt.feedback_due_at, TOKYO)} (Asia/Tokyo)" in text
    grade = settings.SITE_URL + reverse("assessments:grade", args=[attempt.pk])
    assert grade in text
    assert f'href="{grade}"' in html
    assert_unsubscribe_headers(message, optional=True)


def test_the_course_owner_is_told_the_review_date(instructor, clock, mailoutbox):
    course = factories.MicrocredentialFactory(
        owner=instructor,
        title="Forklift Basics",
        next_review_on=dt.date(2027, 3, 20),
    )

    scan_and_deliver(clock, NOW)

    message = one_mail(mailoutbox, to=instructor.email, subject_starts="Course review")
    text, html = parts(message)
    assert "20 March 2027" in message.subject
    assert "is due for its review on Saturday 20 March 2027." in text
    admin = settings.SITE_URL + reverse(
        "admin:courses_microcredential_change", args=[course.pk]
    )
    assert admin in text
    assert f'href="{admin}"' in html
    assert_unsubscribe_headers(message, optional=True)


# --- credentials ------------------------------------------------------------------


def issue(learner, course, *, months: int | None = None, now=NOW):
    achievement = credential_services.achievement_for_course(course)
    achievement.valid_for_months = months
    achievement.save()
    return credential_services.credential_issue(
        learner=learner, achievement=achievement, now=now
    )


def test_the_credential_issued_email_links_to_the_credential(course, clock, mailoutbox):
    learner = learner_in("Asia/Tokyo")
    credential = issue(learner, course, months=24)

    scan_and_deliver(clock, NOW + dt.timedelta(minutes=5))

    message = one_mail(mailoutbox, to=learner.email, subject_starts="You have earned")
    assert course.credential_name in message.subject
    text, html = parts(message)
    assert f"Valid until: {shown(credential.valid_until, TOKYO)} (Asia/Tokyo)" in text
    mine = settings.SITE_URL + reverse("credentials:mine")
    assert mine in text
    assert f'href="{mine}"' in html
    assert_unsubscribe_headers(message, optional=False)


def test_the_expiring_credential_email_says_when_it_lapses_and_how_to_renew(
    course, clock, mailoutbox
):
    learner = learner_in("America/Toronto")
    credential = issue(learner, course, months=12)
    fourteen_days_before = policies.days_before(credential.valid_until, 14, TORONTO)

    scan_and_deliver(clock, fourteen_days_before)

    message = one_mail(
        mailoutbox, to=learner.email, subject_starts="Your credential expires"
    )
    text, html = parts(message)
    lapses = shown(credential.valid_until, TORONTO)
    assert f"It lapses on: {lapses} (America/Toronto). 14 days left." in text
    assert "To renew it, register again for “Safe Lifting”" in text
    assert "Renewal opens on" in text
    assert settings.SITE_URL + reverse("credentials:mine") in text
    assert settings.SITE_URL + course.get_absolute_url() in text
    assert_unsubscribe_headers(message, optional=False)


def test_a_pathway_credential_expiring_is_named_and_not_sent_back_to_a_course(
    course, clock, mailoutbox
):
    """A pathway's credential has no course of its own to take again."""
    learner = learner_in("America/Toronto")
    pathway = factories.PathwayFactory(title="Certificate in Safe Work")
    achievement = credential_services.achievement_for_pathway(pathway)
    achievement.valid_for_months = 12
    achievement.save()
    credential = credential_services.credential_issue(
        learner=learner, achievement=achievement, now=NOW
    )
    fourteen_days_before = policies.days_before(credential.valid_until, 14, TORONTO)

    scan_and_deliver(clock, fourteen_days_before)

    message = one_mail(
        mailoutbox, to=learner.email, subject_starts="Your credential expires"
    )
    text, html = parts(message)
    assert message.subject.endswith(": Certificate in Safe Work")
    assert "Your credential “Certificate in Safe Work” expires soon." in text
    assert "“Certificate in Safe Work”" in html
    assert f"ask {settings.INSTITUTION_NAME} how to renew it." in text
    assert "register again" not in text.lower()
    assert "register again" not in html.lower()


# --- language ----------------------------------------------------------------------


def test_a_french_speaking_learner_gets_french_dates(offering, clock, mailoutbox):
    learner = learner_in("Europe/Paris", preferred_language="fr")
    enrolment = register(learner, offering)

    scan_and_deliver(
        clock, policies.days_before(enrolment.summative_due_at, 5, TORONTO)
    )

    assessment = reverse("assessments:summative", args=[enrolment.pk])
    (message,) = [m for m in mailoutbox if assessment in m.body]
    assert message.to == [learner.email]
    text, html = parts(message)
    french = shown(enrolment.summative_due_at, ZoneInfo("Europe/Paris"), "fr")
    # The colon is part of the translated label, so French gets U+00A0 before it.
    assert f"Date de remise\u00a0: {french}" in text
    assert f"Date de remise\u00a0: {french}" in html
    assert '<html lang="fr">' in html
    assert_unsubscribe_headers(message, optional=True, language="fr")


# --- every kind has both parts -------------------------------------------------------


def test_every_kind_has_a_subject_a_text_and_an_html_template():
    from django.template.loader import get_template

    for kind in policies.Kind:
        for name in (f"{kind}_subject.txt", f"{kind}.txt", f"{kind}.html"):
            get_template(f"notices/email/{name}")


def test_plain_text_is_not_html_escaped(instructor, clock, mailoutbox):
    factories.MicrocredentialFactory(
        owner=instructor,
        title="Tools & “Tactics” <Basics>",
        next_review_on=dt.date(2027, 3, 20),
    )

    scan_and_deliver(clock, NOW)

    (message,) = mailoutbox
    text, html = parts(message)
    assert "Tools & “Tactics” <Basics>" in message.subject
    assert "Tools & “Tactics” <Basics>" in text
    assert "Tools &amp; “Tactics” &lt;Basics&gt;" in html


# --- one-click unsubscribe ---------------------------------------------------------


def unsubscribe_path(message) -> str:
    return urlparse(headers(message)["List-Unsubscribe"].strip("<>")).path


def test_the_unsubscribe_link_asks_without_signing_in_and_one_click_turns_it_off(
    offering, clock, mailoutbox
):
    learner = learner_in("America/Toronto")
    enrolment = register(learner, offering)
    due = enrolment.summative_due_at
    scan_and_deliver(clock, policies.days_before(due, 5, TORONTO))
    message = one_mail(
        mailoutbox, to=learner.email, subject_starts="Summative assessment due"
    )
    path = unsubscribe_path(message)

    page = Client().get(path)
    assert page.status_code == 200
    assert "Stop “Summative due date reminders” e-mails?" in page.text
    assert not NoticePreference.objects.filter(user=learner).exists()

    # What a mail client sends (RFC 8058): no session, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert reverse("notices:preferences") in response.text
    preference = NoticePreference.objects.get(user=learner)
    assert preference.disabled_kinds == ["summative_due"]

    mailoutbox.clear()
    scan_and_deliver(clock, policies.days_before(due, 2, TORONTO))
    later = Notice.objects.get(
        recipient=learner, kind="summative_due", period_key__startswith="2d:"
    )
    assert later.status == Notice.Status.SKIPPED
    assert mailoutbox == []

    client = Client()
    client.force_login(learner)
    listed = client.get(reverse("notices:list")).text
    assert f'id="notice-{later.pk}"' in listed


def test_a_tampered_unsubscribe_link_is_a_404_and_changes_nothing(
    offering, clock, mailoutbox
):
    learner = learner_in("America/Toronto")
    enrolment = register(learner, offering)
    scan_and_deliver(
        clock, policies.days_before(enrolment.summative_due_at, 5, TORONTO)
    )
    path = unsubscribe_path(mailoutbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = reverse("notices:unsubscribe", args=[token[:-3] + "abc"])

    client = Client(enforce_csrf_checks=True)
    page = client.get(tampered)
    assert page.status_code == 404
    assert "This unsubscribe link does not work" in page.text
    assert client.post(tampered).status_code == 404
    assert not NoticePreference.objects.filter(user=learner).exists()


def test_a_signed_link_for_a_kind_that_cannot_be_turned_off_is_a_404(db):
    learner = learner_in("America/Toronto")
    for kind in ("credential_issued", "no_such_kind"):
        path = urlparse(emails.unsubscribe_url(learner.pk, kind)).path
        assert Client().post(path).status_code == 404
    assert not NoticePreference.objects.filter(user=learner).exists()


def test_the_unsubscribe_page_speaks_the_learners_language(db):
    learner = learner_in("Europe/Paris", preferred_language="fr")
    path = urlparse(emails.unsubscribe_url(learner.pk, "inactivity")).path

    page = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert '<html lang="fr">' in page.text


# --- the daily digest --------------------------------------------------------------


def digest_waiting(course, offering, clock, mailoutbox):
    """A Tokyo learner on the digest with two reminders waiting (and the
    always-sent credential e-mail already gone)."""
    learner = learner_in("Asia/Tokyo")
    services.preferences_save(user=learner, disabled_kinds=[], digest=True)
    enrolment = register(learner, offering)
    # At 21:00 Tokyo on 23 March: past the seven-day due-date reminder, three
    # weeks without activity; both wait. A credential issued that day does not.
    moment = dt.datetime(2027, 3, 23, 21, 0, tzinfo=TOKYO)
    issue(learner, course, now=moment - dt.timedelta(hours=1))
    scan_and_deliver(clock, moment)
    return learner, enrolment


def assert_digest(message, enrolment) -> None:
    assert message.subject == "Your daily summary: 2 notifications"
    text, html = parts(message)
    assert "Pick up where you left off: Safe Lifting" in text
    assert "Summative assessment due 30 March 2027: Safe Lifting" in text
    learn = settings.SITE_URL + reverse("courses:learn", args=[enrolment.pk])
    assert learn in text
    assert f'href="{learn}"' in html
    assert "Stop these reminders: " in text
    assert f"<title>{message.subject}</title>" in html
    assert headers(message) == {}


def test_with_the_digest_on_reminders_wait_and_always_sent_notices_do_not(
    course, offering, clock, mailoutbox
):
    learner, _enrolment = digest_waiting(course, offering, clock, mailoutbox)

    waiting = Notice.objects.filter(recipient=learner, status=Notice.Status.DIGEST)
    assert sorted(waiting.values_list("kind", flat=True)) == [
        "inactivity",
        "summative_due",
    ]
    assert [m.subject for m in mailoutbox] == [
        f"You have earned a credential: {course.credential_name}"
    ]


def test_the_digest_email_lists_each_waiting_notice_with_its_link(
    course, offering, clock, mailoutbox
):
    learner, enrolment = digest_waiting(course, offering, clock, mailoutbox)
    mailoutbox.clear()
    waiting = list(
        Notice.objects.filter(recipient=learner, status=Notice.Status.DIGEST)
        .select_related("course", "enrolment")
        .order_by("due_at")
    )

    emails.send_digest(learner, waiting)

    (message,) = mailoutbox
    assert_digest(message, enrolment)


def test_the_digest_goes_once_from_seven_in_the_learners_zone(
    course, offering, clock, mailoutbox
):
    learner, enrolment = digest_waiting(course, offering, clock, mailoutbox)
    mailoutbox.clear()
    before_seven = dt.datetime(2027, 3, 24, 6, 59, tzinfo=TOKYO)
    seven = dt.datetime(2027, 3, 24, 7, 0, tzinfo=TOKYO)

    assert services.digests_send(now=before_seven) == 0
    assert mailoutbox == []
    clock.move_to(seven)
    assert services.digests_send(now=seven) == 1
    assert services.digests_send(now=seven + dt.timedelta(hours=2)) == 0

    (message,) = mailoutbox
    assert_digest(message, enrolment)
    assert not Notice.objects.filter(status=Notice.Status.DIGEST).exists()
