"""The PLAR route end to end through the services: request, review, approval,
the course's own summative, completion and the same credential."""

import pytest
from django.core import mail

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from courses.models import Enrolment
from credentials.models import Credential
from plar.models import PlarRequest
from tests import factories
from tests.assessments import factories as af
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db


def test_an_approved_candidate_passes_the_courses_own_summative_and_earns_its_credential(
    django_capture_on_commit_callbacks,
):
    course = pf.plar_course()
    learner = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request = pf.approved_request(learner, course)
    assert request.status == PlarRequest.Status.APPROVED
    enrolment = request.enrolment
    assert enrolment.route == Enrolment.Route.PLAR
    assert enrolment.offering is None
    subjects = [m.subject for m in mail.outbox]
    assert any("approved" in s for s in subjects), subjects

    summative = assessment_selectors.summative_for_course(course.pk)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = assessment_services.attempt_start(
            learner=learner, assessment_id=summative.pk
        )
        assert attempt.enrolment_id == enrolment.pk
        af.answer_all(learner, attempt, correct=True)
        assessment_services.attempt_submit(learner=learner, attempt_id=attempt.pk)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    credential = Credential.objects.get(learner=learner)
    assert credential.route == "plar"
    assert credential.achievement.microcredential_id == course.pk
