"""PLAR test helpers: a course that offers PLAR, and requests brought to a
status through the services, as a learner and a reviewer would."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from microcred.roles import Role
from plar import services
from plar.models import PlarRequest
from tests import factories
from tests.assessments import factories as af

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


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


def approved_request(learner, course, *, reviewer=None, now=None) -> PlarRequest:
    reviewer = reviewer or registrar()
    request = submitted_request(learner, course, now=now)
    services.review_start(reviewer=reviewer, request_id=request.pk, now=now)
    return services.request_decide(
        reviewer=reviewer,
        request_id=request.pk,
        decision="approved",
        reason="Your evidence covers both outcomes.",
        now=now,
    )
