"""PLAR test helpers: a course that offers PLAR, and requests brought to a
status through the services, as a learner and a reviewer would."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.models import Attempt
from microcred.roles import Role
from plar import services
from plar.models import PlarRequest
from tests import factories
from tests.assessments import factories as af

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# The first bytes of a Windows executable ("MZ", then the DOS stub).
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
    b"\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
REASON = "Your evidence covers both outcomes."


def plar_course(*, with_project: bool = False, **kwargs):
    """A published course offering PLAR, with a summative (mixed, see
    tests.assessments.factories) and a rolling offering."""
    kwargs.setdefault("plar_offered", True)
    kwargs.setdefault("plar_window_days", 30)
    course = factories.MicrocredentialFactory(**kwargs)
    af.mixed_summative(course, with_project=with_project)
    factories.OfferingFactory(microcredential=course)
    return course


def registrar():
    return factories.StaffFactory(role=Role.REGISTRAR)


def instructor_of(course):
    """An instructor who teaches ``course`` (and may review its requests)."""
    instructor = factories.StaffFactory()
    course.instructors.add(instructor)
    return instructor


def pdf_upload(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def draft_request(learner, course, *, now=None) -> PlarRequest:
    """A draft with a statement for every outcome and one piece of evidence."""
    request = services.request_start(learner=learner, course_id=course.pk, now=now)
    for outcome in course.outcomes.all():
        services.statement_save(
            learner=learner,
            request_id=request.pk,
            outcome_id=outcome.pk,
            text=f"At work I {outcome.text.lower()} every week.",
            now=now,
        )
    services.evidence_add_link(
        learner=learner,
        request_id=request.pk,
        url="https://portfolio.example.org/work-sample",
        title="Work sample",
        now=now,
    )
    return request


def submitted_request(learner, course, *, now=None) -> PlarRequest:
    request = draft_request(learner, course, now=now)
    return services.request_submit(
        learner=learner, request_id=request.pk, declaration=True, now=now
    )


def reviewed_request(learner, course, *, reviewer=None, now=None) -> PlarRequest:
    """A submitted request a reviewer has taken into review."""
    reviewer = reviewer or registrar()
    request = submitted_request(learner, course, now=now)
    return services.review_start(reviewer=reviewer, request_id=request.pk, now=now)


def decided_request(
    learner, course, decision: str, *, reviewer=None, reason=REASON, now=None
) -> PlarRequest:
    reviewer = reviewer or registrar()
    request = reviewed_request(learner, course, reviewer=reviewer, now=now)
    return services.request_decide(
        reviewer=reviewer,
        request_id=request.pk,
        decision=decision,
        reason=reason,
        now=now,
    )


def approved_request(learner, course, *, reviewer=None, now=None) -> PlarRequest:
    return decided_request(learner, course, "approved", reviewer=reviewer, now=now)


def declined_request(learner, course, *, reviewer=None, now=None) -> PlarRequest:
    return decided_request(
        learner,
        course,
        "declined",
        reviewer=reviewer,
        reason="The evidence does not show outcome LO2.",
        now=now,
    )


def take_summative(learner, course, *, correct: bool, now=None) -> Attempt:
    """Start, answer (all right or all wrong) and submit the course's summative.

    On a summative without project items the result is released at once.
    """
    summative = assessment_selectors.summative_for_course(course.pk)
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk, now=now
    )
    af.answer_all(learner, attempt, correct=correct, now=now)
    return assessment_services.attempt_submit(
        learner=learner, attempt_id=attempt.pk, now=now
    )


def fail_the_route(learner, course, *, approved_at: dt.datetime) -> list[Attempt]:
    """Fail attempts 1 and 2 on the PLAR route (a course without project
    items), a day and two days after approval: the route then ends."""
    return [
        take_summative(
            learner, course, correct=False, now=approved_at + dt.timedelta(days=day)
        )
        for day in (1, 2)
    ]
