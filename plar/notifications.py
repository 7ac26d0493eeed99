"""E-mails about PLAR requests and appeals. Sent from Celery tasks, queued on
commit; each is sent once (the row is locked and ``emailed_at`` recorded), in
the learner's language and time zone."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Appeal, RequestEvent


def request_url(request_id: int) -> str:
    path = reverse("plar:request", kwargs={"request_id": request_id})
    return settings.SITE_URL + path


def _send(*, learner, template: str, context: dict) -> None:
    tz = zoneinfo.ZoneInfo(learner.time_zone)
    with translation.override(learner.preferred_language), timezone.override(tz):
        context = context | {
            "learner": learner,
            "institution": settings.INSTITUTION_NAME,
        }
        # The subject and the text part are plain text (their templates turn
        # autoescaping off); the HTML part escapes, its <title> included.
        subject = " ".join(
            render_to_string(f"plar/email/{template}_subject.txt", context).split()
        )
        context["subject"] = subject
        text = render_to_string(f"plar/email/{template}.txt", context)
        html = render_to_string(f"plar/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[learner.email])
    message.attach_alternative(html, "text/html")
    message.send()


def request_event_send(*, event_id: int) -> bool:
    """Tell the learner their request changed status (what, why, the dates)."""
    with transaction.atomic():
        event = (
            RequestEvent.objects.select_for_update(of=("self",))
            .select_related(
                "request__learner", "request__microcredential", "request__enrolment"
            )
            .get(pk=event_id)
        )
        if event.emailed_at is not None:
            return False
        request = event.request
        _send(
            learner=request.learner,
            template="request_event",
            context={
                "event": event,
                "request": request,
                "course": request.microcredential,
                "enrolment": request.enrolment,
                "request_url": request_url(request.pk),
            },
        )
        event.emailed_at = timezone.now()
        event.save(update_fields=["emailed_at"])
    return True


def appeal_decided_send(*, appeal_id: int) -> bool:
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related(
                "request__learner", "request__microcredential", "request__enrolment"
            )
            .get(pk=appeal_id)
        )
        if appeal.emailed_at is not None or appeal.is_open:
            return False
        request = appeal.request
        _send(
            learner=request.learner,
            template="appeal_decided",
            context={
                "appeal": appeal,
                "request": request,
                "course": request.microcredential,
                "enrolment": request.enrolment,
                "request_url": request_url(request.pk),
            },
        )
        appeal.emailed_at = timezone.now()
        appeal.save(update_fields=["emailed_at"])
    return True
