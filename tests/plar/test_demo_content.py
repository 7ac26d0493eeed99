"""The demo institution's PLAR cases (``manage.py seed_demo``): one request
pending review and one approved candidate, made through the services."""

import io

import pytest
from django.core.management import call_command

from assessments import selectors as assessment_selectors
from courses import demo_content as demo
from courses.models import Enrolment
from microcred.models import User
from plar import selectors
from plar.models import PlarRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO(), no_color=True)


def demo_user(local: str) -> User:
    return User.objects.get(email=f"{local}@{demo.DEMO_EMAIL_DOMAIN}")


def test_learner2_has_a_request_waiting_in_the_review_queue(seeded):
    request = PlarRequest.objects.get(learner=demo_user("learner2"))
    assert request.microcredential.code == "CYB-101"
    assert request.status == PlarRequest.Status.SUBMITTED
    assert request.declaration
    assert all(s.text for s in request.statements.all())
    for reviewer in ("registrar", "instructor"):
        assert request in selectors.review_queue(demo_user(reviewer))
    assert request not in selectors.review_queue(demo_user("instructor2"))


def test_the_candidate_is_approved_on_the_plar_route_and_may_start_attempt_1(seeded):
    request = PlarRequest.objects.get(learner=demo_user("candidate"))
    assert request.status == PlarRequest.Status.APPROVED
    enrolment = request.enrolment
    assert enrolment.route == Enrolment.Route.PLAR
    assert enrolment.status == Enrolment.Status.ACTIVE
    summative = assessment_selectors.summative_for_course(enrolment.microcredential_id)
    decision = assessment_selectors.summative_decision(enrolment, summative)
    assert decision.may_start
    assert decision.attempt_number == 1


def test_a_second_run_makes_no_second_request(seeded):
    count = PlarRequest.objects.count()
    output = io.StringIO()
    call_command("seed_demo", stdout=output, no_color=True)
    assert PlarRequest.objects.count() == count
    assert "nothing changed" in output.getvalue()
