"""The PLAR route end to end through the services: request, review, approval,
the course's own summative, completion and the same credential."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from courses import policies as course_policies
from courses import services as course_services
from courses.models import Enrolment
from credentials.models import Credential
from microcred.models import AuditEntry
from plar import policies, selectors, services
from plar.models import PlarRequest
from plar.policies import PlarRefused
from tests import factories
from tests.assessments import factories as af
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db


def test_an_approved_candidate_passes_the_same_summative_and_earns_its_credential(
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


# --- when the route cannot pass any more ------------------------------------------

TORONTO = ZoneInfo("America/Toronto")
APPROVED_AT = dt.datetime(2027, 3, 1, 10, 0, tzinfo=TORONTO)


def refused(call, **kwargs) -> PlarRefused:
    with pytest.raises(PlarRefused) as raised:
        call(**kwargs)
    return raised.value


@pytest.fixture
def course():
    # No project item: a wrong submission is released at once and attempt 2
    # opens straight after.
    return pf.plar_course(with_project=False, plar_window_days=30)


@pytest.fixture
def approved(learner, course):
    return pf.approved_request(learner, course, now=APPROVED_AT)


def test_failing_both_attempts_ends_the_route(learner, course, approved):
    enrolment = approved.enrolment
    first = pf.take_summative(
        learner, course, correct=False, now=APPROVED_AT + dt.timedelta(days=1)
    )
    enrolment.refresh_from_db()
    assert first.passed is False
    assert enrolment.status == Enrolment.Status.ACTIVE  # attempt 2 is open

    second_at = APPROVED_AT + dt.timedelta(days=2)
    second = pf.take_summative(learner, course, correct=False, now=second_at)
    enrolment.refresh_from_db()
    assert (second.number, second.passed) == (2, False)
    assert enrolment.status == Enrolment.Status.ENDED
    assert enrolment.ended_at == second_at
    entry = AuditEntry.objects.get(action="enrolment.end", object_id=str(enrolment.pk))
    assert entry.details == {"route": "plar"}


def test_a_learner_whose_route_ended_may_not_challenge_again(learner, course, approved):
    pf.fail_the_route(learner, course, approved_at=APPROVED_AT)
    later = APPROVED_AT + dt.timedelta(days=3)
    facts = selectors.request_facts(learner, course, now=later)
    assert facts.plar_route_ended is True
    assert policies.request_refusal(facts).code == "challenged"
    refusal = refused(
        services.request_start, learner=learner, course_id=course.pk, now=later
    )
    assert refusal.code == "challenged"
    assert PlarRequest.objects.filter(learner=learner).count() == 1


def test_after_the_route_ends_one_call_registers_for_the_full_course(
    learner, course, approved
):
    pf.fail_the_route(learner, course, approved_at=APPROVED_AT)
    now = APPROVED_AT + dt.timedelta(days=3)
    offering = course.offerings.get()
    enrolment = services.full_course_register(
        learner=learner, request_id=approved.pk, offering_id=offering.pk, now=now
    )
    assert enrolment.route == Enrolment.Route.COURSE
    assert enrolment.offering == offering
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.registered_at == now
    # A normal course window, from today, not what is left of the PLAR one.
    assert enrolment.dates == course_policies.rolling_dates(
        registered_at=now, rules=course.window_rules, tz=TORONTO
    )
    approved.enrolment.refresh_from_db()
    assert approved.enrolment.status == Enrolment.Status.ENDED
    # And the same summative now counts on the course route, from attempt 1.
    summative = assessment_selectors.summative_for_course(course.pk)
    attempt = assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk, now=now
    )
    assert (attempt.enrolment, attempt.number) == (enrolment, 1)


@pytest.mark.parametrize("attempts_failed", [0, 1])
def test_full_course_registration_is_refused_while_the_route_is_open(
    learner, course, approved, attempts_failed
):
    for day in range(1, attempts_failed + 1):
        pf.take_summative(
            learner, course, correct=False, now=APPROVED_AT + dt.timedelta(days=day)
        )
    refusal = refused(
        services.full_course_register,
        learner=learner,
        request_id=approved.pk,
        offering_id=course.offerings.get().pk,
        now=APPROVED_AT + dt.timedelta(days=3),
    )
    assert refusal.code == "route_open"
    approved.enrolment.refresh_from_db()
    assert approved.enrolment.status == Enrolment.Status.ACTIVE
    assert not Enrolment.objects.filter(route=Enrolment.Route.COURSE).exists()


def test_full_course_registration_waits_for_an_attempt_being_graded(learner):
    course = pf.plar_course(with_project=True)
    request = pf.approved_request(learner, course, now=APPROVED_AT)
    pf.take_summative(
        learner, course, correct=False, now=APPROVED_AT + dt.timedelta(days=1)
    )
    refusal = refused(
        services.full_course_register,
        learner=learner,
        request_id=request.pk,
        offering_id=course.offerings.get().pk,
        now=APPROVED_AT + dt.timedelta(days=2),
    )
    assert refusal.code == "route_open"


def test_a_route_whose_window_passed_unused_is_ended_by_registering(
    learner, course, approved
):
    after_the_end = approved.enrolment.ends_at + dt.timedelta(seconds=1)
    enrolment = services.full_course_register(
        learner=learner,
        request_id=approved.pk,
        offering_id=course.offerings.get().pk,
        now=after_the_end,
    )
    approved.enrolment.refresh_from_db()
    assert approved.enrolment.status == Enrolment.Status.ENDED
    assert approved.enrolment.ended_at == after_the_end
    assert enrolment.route == Enrolment.Route.COURSE


def test_a_refused_registration_leaves_the_route_as_it_was(learner, course, approved):
    offering = course.offerings.get()
    offering.is_open = False
    offering.save()
    with pytest.raises(course_services.RegistrationRefused):
        services.full_course_register(
            learner=learner,
            request_id=approved.pk,
            offering_id=offering.pk,
            now=approved.enrolment.ends_at + dt.timedelta(days=1),
        )
    approved.enrolment.refresh_from_db()
    assert approved.enrolment.status == Enrolment.Status.ACTIVE
    assert not Enrolment.objects.filter(route=Enrolment.Route.COURSE).exists()


def test_a_declined_candidate_registers_for_the_full_course(learner, course):
    request = pf.declined_request(learner, course, now=APPROVED_AT)
    enrolment = services.full_course_register(
        learner=learner,
        request_id=request.pk,
        offering_id=course.offerings.get().pk,
        now=APPROVED_AT,
    )
    assert enrolment.route == Enrolment.Route.COURSE


def test_the_full_course_is_an_offering_of_this_course_only(learner, course, approved):
    pf.fail_the_route(learner, course, approved_at=APPROVED_AT)
    elsewhere = pf.plar_course().offerings.get()
    for offering_id in (elsewhere.pk, 999_999, "x", None):
        refusal = refused(
            services.full_course_register,
            learner=learner,
            request_id=approved.pk,
            offering_id=offering_id,
            now=APPROVED_AT + dt.timedelta(days=3),
        )
        assert refusal.code == "bad_offering"
    assert not Enrolment.objects.filter(route=Enrolment.Route.COURSE).exists()


def test_another_learners_request_cannot_register_anyone(
    learner, other_learner, course, approved
):
    pf.fail_the_route(learner, course, approved_at=APPROVED_AT)
    refusal = refused(
        services.full_course_register,
        learner=other_learner,
        request_id=approved.pk,
        offering_id=course.offerings.get().pk,
    )
    assert refusal.code == "not_found"
    assert not Enrolment.objects.filter(learner=other_learner).exists()


def test_the_plar_credential_is_the_course_routes_achievement_with_route_plar(
    learner, other_learner, course
):
    factories.enrol(other_learner, course.offerings.get(), now=APPROVED_AT)
    pf.take_summative(
        other_learner, course, correct=True, now=APPROVED_AT + dt.timedelta(days=1)
    )
    pf.approved_request(learner, course, now=APPROVED_AT)
    pf.take_summative(
        learner, course, correct=True, now=APPROVED_AT + dt.timedelta(days=1)
    )

    by_course = Credential.objects.get(learner=other_learner)
    by_plar = Credential.objects.get(learner=learner)
    assert by_plar.achievement_id == by_course.achievement_id
    assert (by_course.route, by_plar.route) == ("course", "plar")
    assert by_plar.achievement.microcredential_id == course.pk


def test_passing_on_attempt_2_completes_the_route(learner, course, approved):
    pf.take_summative(
        learner, course, correct=False, now=APPROVED_AT + dt.timedelta(days=1)
    )
    pf.take_summative(
        learner, course, correct=True, now=APPROVED_AT + dt.timedelta(days=2)
    )
    approved.enrolment.refresh_from_db()
    assert approved.enrolment.status == Enrolment.Status.COMPLETED
    assert Credential.objects.get(learner=learner).route == "plar"
