"""E-mails about assessments. Sent from Celery tasks, queued on commit."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from . import selectors
from .models import Attempt, GradingEvent

FEEDBACK_EMAILED = "feedback_emailed"


def attempt_url(attempt: Attempt) -> str:
    """Where the learner reads the result: the attempt's feedback page (the
    course's learning page if the assessments URLs are not installed)."""
    try:
        path = reverse("assessments:feedback", kwargs={"attempt_id": attempt.pk})
    except NoReverseMatch:
        path = reverse("courses:learn", kwargs={"enrolment_id": attempt.enrolment_id})
    return settings.SITE_URL + path


def feedback_released_send(*, attempt_id: int) -> bool:
    """E-mail the learner that feedback is released; once per attempt.

    The attempt row is locked and the sending is recorded as a grading event
    (``feedback_emailed``), so a second run (a retried task) finds it sent and
    does nothing. Written in the learner's language and time zone.
    """
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related(
                "assessment", "enrolment__learner", "enrolment__microcredential"
            )
            .get(pk=attempt_id)
        )
        if attempt.status != Attempt.Status.RELEASED:
            return False
        events = GradingEvent.objects.filter(attempt=attempt)
        if events.filter(action=FEEDBACK_EMAILED).exists():
            return False
        released = events.filter(action="feedback_released").order_by("-at", "-id")
        release = released.select_related("actor").first()
        enrolment = attempt.enrolment
        learner = enrolment.learner
        assessment = attempt.assessment
        tz = zoneinfo.ZoneInfo(learner.time_zone)
        with translation.override(learner.preferred_language), timezone.override(tz):
            result = selectors.attempt_result(attempt)
            decision = None
            if assessment.is_summative and not attempt.passed:
                # As of the release at the earliest, whenever the task runs.
                moment = max(timezone.now(), attempt.feedback_released_at)
                decision = selectors.summative_decision(
                    enrolment, assessment, now=moment
                )
            context = {
                "attempt": attempt,
                "assessment": assessment,
                "course": enrolment.microcredential,
                "enrolment": enrolment,
                "learner": learner,
                "result": result,
                "decision": decision,
                "attempt_url": attempt_url(attempt),
                "institution": settings.INSTITUTION_NAME,
            }
            subject = render_to_string(
                "assessments/email/feedback_released_subject.txt", context
            ).strip()
            text = render_to_string("assessments/email/feedback_released.txt", context)
            html = render_to_string("assessments/email/feedback_released.html", context)
        message = EmailMultiAlternatives(subject=subject, body=text, to=[learner.email])
        message.attach_alternative(html, "text/html")
        message.send()
        GradingEvent.objects.create(
            attempt=attempt,
            actor=(release.actor if release else attempt.graded_by or learner),
            action=FEEDBACK_EMAILED,
            details={"to": learner.email},
        )
    return True
