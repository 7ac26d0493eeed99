"""E-mails about enrolments. Sent from Celery tasks, queued on commit."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from .models import Enrolment


def enrolment_calendar(enrolment: Enrolment) -> bytes:
    """An .ics file with the two dates of the enrolment."""
    calendar = Calendar()
    calendar.add("prodid", "-//Microcred//Enrolment dates//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    course = enrolment.microcredential
    url = settings.SITE_URL + reverse("courses:dashboard")
    for key, when, summary in (
        (
            "summative",
            enrolment.summative_due_at,
            _("%(title)s: first attempt at the summative assessment due")
            % {"title": course.title},
        ),
        (
            "end",
            enrolment.ends_at,
            _("%(title)s: microcredential ends") % {"title": course.title},
        ),
    ):
        event = Event()
        event.add("uid", f"enrolment-{enrolment.pk}-{key}@microcred")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", when)
        event.add("dtend", when + dt.timedelta(seconds=1))
        event.add("summary", summary)
        event.add("url", url)
        event.add("description", f"{summary}. {url}")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", dt.timedelta(days=-2))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


def registration_confirmation_send(*, enrolment_id: int) -> bool:
    """Send the confirmation once; a second run finds it sent and does nothing."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("learner", "microcredential", "offering")
            .get(pk=enrolment_id)
        )
        if enrolment.confirmation_sent_at is not None:
            return False
        learner = enrolment.learner
        tz = zoneinfo.ZoneInfo(learner.time_zone)
        context = {
            "enrolment": enrolment,
            "course": enrolment.microcredential,
            "learner": learner,
            "site_url": settings.SITE_URL,
            "dashboard_url": settings.SITE_URL + reverse("courses:dashboard"),
            "learn_url": settings.SITE_URL
            + reverse("courses:learn", kwargs={"enrolment_id": enrolment.pk}),
            "institution": settings.INSTITUTION_NAME,
        }
        with translation.override(learner.preferred_language), timezone.override(tz):
            subject = render_to_string(
                "courses/email/registration_subject.txt", context
            ).strip()
            text = render_to_string("courses/email/registration.txt", context)
            html = render_to_string("courses/email/registration.html", context)
            calendar = enrolment_calendar(enrolment)
        message = EmailMultiAlternatives(subject=subject, body=text, to=[learner.email])
        message.attach_alternative(html, "text/html")
        message.attach(
            f"{enrolment.microcredential.code}-dates.ics",
            calendar,
            "text/calendar",
        )
        message.send()
        enrolment.confirmation_sent_at = timezone.now()
        enrolment.save(update_fields=["confirmation_sent_at"])
    return True
