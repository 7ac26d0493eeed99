"""Appeals: against a declined request, and against a failed result on the
PLAR route; each decided, with a reason, by someone who took no part in what
is appealed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.models import Attempt, ExtraAttempt
from courses.models import Enrolment
from microcred.models import AuditEntry
from plar import policies, services
from plar.models import Appeal, PlarRequest
from plar.policies import PlarRefused
from tests import factories
from tests.assessments import factories as af
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
T0 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=TORONTO)


def refused(call, **kwargs) -> PlarRefused:
    with pytest.raises(PlarRefused) as raised:
        call(**kwargs)
    return raised.value


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def course():
    return pf.plar_course(with_project=False, plar_window_days=30)


@pytest.fixture
def decider(registrar):
    return registrar


@pytest.fixture
def reviewer(course):
    """The instructor who reviews and decides the request."""
    return pf.instructor_of(course)


def appeal(
    learner, request, *, reason="My evidence shows LO2.", attempt=None, now=None
):
    return services.appeal_submit(
        learner=learner,
        request_id=request.pk,
        reason=reason,
        attempt_id=attempt.pk if attempt else None,
        now=now or at(1),
    )


def decide(decider, appeal, *, grant: bool, reason="Reviewed again.", now=None):
    return services.appeal_decide(
        decider=decider,
        appeal_id=appeal.pk,
        grant=grant,
        reason=reason,
        now=now or at(2),
    )


# --- appealing a decline ----------------------------------------------------------


@pytest.fixture
def declined(learner, course, reviewer):
    return pf.declined_request(learner, course, reviewer=reviewer, now=T0)


def test_a_declined_request_may_be_appealed_with_a_reason(learner, declined):
    lodged = appeal(learner, declined, reason="  My evidence shows LO2.  ")
    assert lodged.kind == Appeal.Kind.DECISION
    assert lodged.attempt is None
    assert lodged.status == Appeal.Status.SUBMITTED
    assert lodged.reason == "My evidence shows LO2."
    assert lodged.submitted_at == at(1)


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_appeal_needs_a_reason(learner, declined, reason):
    refusal = refused(appeal, learner=learner, request=declined, reason=reason)
    assert refusal.code == "reason_required"
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(pf.draft_request, id="draft"),
        pytest.param(pf.submitted_request, id="submitted"),
        pytest.param(pf.reviewed_request, id="under-review"),
        pytest.param(pf.approved_request, id="approved"),
    ],
)
def test_only_a_declined_request_may_be_appealed(learner, course, make):
    request = make(learner, course)
    refusal = refused(appeal, learner=learner, request=request)
    assert refusal.code == "not_declined"
    assert not Appeal.objects.exists()


def test_another_learner_cannot_appeal_my_decline(other_learner, declined):
    refusal = refused(appeal, learner=other_learner, request=declined)
    assert refusal.code == "not_found"


def test_a_decision_is_appealed_once(learner, declined, decider):
    first = appeal(learner, declined)
    assert refused(appeal, learner=learner, request=declined).code == "open_appeal"
    decide(decider, first, grant=False)
    assert refused(appeal, learner=learner, request=declined).code == (
        "already_appealed"
    )
    assert Appeal.objects.count() == 1


def test_a_granted_appeal_approves_the_request_and_opens_the_route(
    learner, course, declined, decider
):
    lodged = appeal(learner, declined)
    granted_at = at(3)
    decided = decide(
        decider,
        lodged,
        grant=True,
        reason="LO2 is shown by the letter.",
        now=granted_at,
    )
    assert decided.status == Appeal.Status.GRANTED
    assert (decided.decided_by, decided.decided_at) == (decider, granted_at)
    assert decided.decision_reason == "LO2 is shown by the letter."

    request = PlarRequest.objects.get(pk=declined.pk)
    assert request.status == PlarRequest.Status.APPROVED
    assert (request.decided_by, request.decided_at) == (decider, granted_at)
    assert request.decision_reason == "LO2 is shown by the letter."
    enrolment = request.enrolment
    assert (enrolment.route, enrolment.offering) == (Enrolment.Route.PLAR, None)
    # The window counts from the day the appeal is granted.
    assert enrolment.dates == policies.window_dates(
        approved_at=granted_at,
        plar_window_days=30,
        rules=course.window_rules,
        tz=TORONTO,
    )
    event = request.events.last()
    assert (event.from_status, event.to_status, event.actor) == (
        "declined",
        "approved",
        decider,
    )
    entry = AuditEntry.objects.get(action="plar.appeal_granted")
    assert (entry.actor, entry.reason) == (decider, "LO2 is shown by the letter.")
    assert entry.details == {"kind": "decision", "request": request.pk}


def test_a_refused_appeal_changes_nothing_but_the_appeal(learner, declined, decider):
    lodged = appeal(learner, declined)
    decided = decide(decider, lodged, grant=False, reason="The decline stands.")
    assert decided.status == Appeal.Status.REFUSED
    request = PlarRequest.objects.get(pk=declined.pk)
    assert request.status == PlarRequest.Status.DECLINED
    assert request.enrolment is None
    assert not Enrolment.objects.exists()
    assert AuditEntry.objects.filter(action="plar.appeal_refused").count() == 1


def test_the_reviewer_who_declined_cannot_decide_the_appeal(
    learner, declined, reviewer
):
    lodged = appeal(learner, declined)
    refusal = refused(decide, decider=reviewer, appeal=lodged, grant=True)
    assert refusal.code == "own_decision"
    lodged.refresh_from_db()
    assert lodged.is_open
    assert PlarRequest.objects.get(pk=declined.pk).status == "declined"


def test_the_reviewer_who_took_the_request_into_review_cannot_decide_either(
    learner, course, decider
):
    first = pf.instructor_of(course)
    request = pf.reviewed_request(learner, course, reviewer=first)
    services.request_decide(
        reviewer=decider,
        request_id=request.pk,
        decision="declined",
        reason="Not enough.",
    )
    lodged = appeal(learner, request)
    assert refused(decide, decider=first, appeal=lodged, grant=True).code == (
        "own_decision"
    )


def test_an_instructor_of_another_course_cannot_decide_an_appeal(learner, declined):
    elsewhere = factories.StaffFactory()
    factories.MicrocredentialFactory(owner=elsewhere)
    lodged = appeal(learner, declined)
    assert refused(decide, decider=elsewhere, appeal=lodged, grant=True).code == (
        "not_reviewer"
    )


def test_a_decline_is_not_appealable_after_a_newer_request(learner, course, declined):
    pf.draft_request(learner, course)
    assert refused(appeal, learner=learner, request=declined).code == "superseded"


def test_a_withdrawn_newer_request_does_not_close_the_appeal(learner, course, declined):
    newer = pf.draft_request(learner, course)
    services.request_withdraw(learner=learner, request_id=newer.pk)
    assert appeal(learner, declined).kind == Appeal.Kind.DECISION


def test_an_old_decline_cannot_open_a_second_route_after_a_failed_one(
    learner, declined, decider
):
    lodged = appeal(learner, declined)
    # Meanwhile the learner asked again, was approved, and failed the route.
    course = declined.microcredential
    pf.approved_request(learner, course, now=at(2))
    pf.fail_the_route(learner, course, approved_at=at(2))
    refusal = refused(decide, decider=decider, appeal=lodged, grant=True, now=at(6))
    assert refusal.code == "superseded"
    assert PlarRequest.objects.get(pk=declined.pk).status == "declined"
    assert Enrolment.objects.filter(learner=learner).count() == 1
    # The reviewer may still refuse it, so it leaves the queue.
    assert decide(decider, lodged, grant=False, now=at(6)).status == "refused"


@pytest.mark.parametrize("reason", ["", "  "])
def test_deciding_an_appeal_needs_a_reason(learner, declined, decider, reason):
    lodged = appeal(learner, declined)
    refusal = refused(decide, decider=decider, appeal=lodged, grant=True, reason=reason)
    assert refusal.code == "reason_required"
    lodged.refresh_from_db()
    assert lodged.is_open


def test_an_appeal_is_decided_once(learner, declined, decider, course):
    lodged = appeal(learner, declined)
    decide(decider, lodged, grant=False)
    other = pf.instructor_of(course)
    assert refused(decide, decider=other, appeal=lodged, grant=True).code == (
        "already_decided"
    )
    assert PlarRequest.objects.get(pk=declined.pk).status == "declined"


@pytest.mark.parametrize("appeal_id", [999_999, "x"])
def test_a_missing_appeal_is_not_found(decider, appeal_id):
    refusal = refused(
        services.appeal_decide,
        decider=decider,
        appeal_id=appeal_id,
        grant=True,
        reason="Yes.",
    )
    assert refusal.code == "not_found"


# --- appealing a result on the PLAR route -----------------------------------------


@pytest.fixture
def ended(learner, course, reviewer):
    """An approved candidate who failed both attempts: the route has ended."""
    request = pf.approved_request(learner, course, reviewer=reviewer, now=T0)
    attempts = pf.fail_the_route(learner, course, approved_at=T0)
    request.refresh_from_db()
    assert request.enrolment.status == Enrolment.Status.ENDED
    return request, attempts


def test_a_failed_released_attempt_may_be_appealed(learner, ended):
    request, (_first, second) = ended
    lodged = appeal(learner, request, attempt=second, now=at(3))
    assert (lodged.kind, lodged.attempt) == (Appeal.Kind.GRADE, second)


def test_a_granted_result_appeal_reopens_the_route_with_one_more_attempt(
    learner, course, ended, decider
):
    request, (_first, second) = ended
    enrolment = request.enrolment
    dates_before = enrolment.dates
    lodged = appeal(learner, request, attempt=second, now=at(3))
    decide(decider, lodged, grant=True, reason="Item 4 was marked wrongly.", now=at(4))

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.ended_at is None
    # 26 days were left: no need to move the end.
    assert enrolment.dates == dates_before
    extra = ExtraAttempt.objects.get(enrolment=enrolment)
    assert extra.granted_by == decider
    assert "Item 4 was marked wrongly." in extra.reason
    assert AuditEntry.objects.filter(
        action="enrolment.reopen", object_id=str(enrolment.pk)
    ).exists()

    third = pf.take_summative(learner, course, correct=True, now=at(5))
    assert (third.number, third.passed) == (3, True)
    assert third.assessment_id == second.assessment_id
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED


def test_a_grant_near_the_end_moves_it_so_the_resubmission_time_remains(
    learner, course, reviewer, decider
):
    request = pf.approved_request(learner, course, reviewer=reviewer, now=T0)
    enrolment = request.enrolment
    pf.take_summative(learner, course, correct=False, now=at(1))
    # Attempt 2 on the last day of the route (31 March).
    last = pf.take_summative(learner, course, correct=False, now=at(30))
    lodged = appeal(learner, request, attempt=last, now=at(30.1))
    granted_at = dt.datetime(2027, 4, 2, 9, 0, tzinfo=TORONTO)
    decide(decider, lodged, grant=True, now=granted_at)

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    # 7 resubmission days from 2 April: the route now ends at the end of 9 April,
    # and the due date moved by the same 9 days.
    assert enrolment.ends_at == dt.datetime(2027, 4, 9, 23, 59, 59, tzinfo=TORONTO)
    assert enrolment.summative_due_at == dt.datetime(
        2027, 3, 26, 23, 59, 59, tzinfo=TORONTO
    )
    assert enrolment.extensions.get().extra_days == 9
    third = assessment_services.attempt_start(
        learner=learner,
        assessment_id=last.assessment_id,
        now=granted_at + dt.timedelta(days=1),
    )
    assert third.number == 3
    assert third.deadline_at == enrolment.ends_at


def test_a_refused_result_appeal_changes_nothing(learner, ended, decider):
    request, (_first, second) = ended
    lodged = appeal(learner, request, attempt=second, now=at(3))
    decide(decider, lodged, grant=False, reason="The marking is right.", now=at(4))
    enrolment = Enrolment.objects.get(pk=request.enrolment_id)
    assert enrolment.status == Enrolment.Status.ENDED
    assert not ExtraAttempt.objects.exists()
    assert not enrolment.extensions.exists()
    summative = assessment_selectors.summative_for_course(request.microcredential_id)
    with pytest.raises(assessment_services.AttemptRefused):
        assessment_services.attempt_start(
            learner=learner, assessment_id=summative.pk, now=at(5)
        )


def test_each_result_is_appealed_once(learner, ended, decider):
    request, (first, second) = ended
    lodged = appeal(learner, request, attempt=second, now=at(3))
    refusal = refused(appeal, learner=learner, request=request, attempt=first)
    assert refusal.code == "open_appeal"
    decide(decider, lodged, grant=False, now=at(4))
    again = refused(appeal, learner=learner, request=request, attempt=second)
    assert again.code == "already_appealed"
    # Attempt 1's result is another decision, and may still be appealed.
    assert appeal(learner, request, attempt=first, now=at(5)).attempt == first


def test_a_passed_attempt_cannot_be_appealed(learner, course, reviewer):
    request = pf.approved_request(learner, course, reviewer=reviewer, now=T0)
    passed = pf.take_summative(learner, course, correct=True, now=at(1))
    assert refused(appeal, learner=learner, request=request, attempt=passed).code == (
        "passed"
    )


def test_a_failed_attempt_before_a_pass_cannot_be_appealed(learner, course, reviewer):
    request = pf.approved_request(learner, course, reviewer=reviewer, now=T0)
    failed = pf.take_summative(learner, course, correct=False, now=at(1))
    pf.take_summative(learner, course, correct=True, now=at(2))
    refusal = refused(appeal, learner=learner, request=request, attempt=failed)
    assert refusal.code == "passed"
    assert not Appeal.objects.exists()


def test_a_result_not_yet_released_cannot_be_appealed(learner):
    course = pf.plar_course(with_project=True)
    request = pf.approved_request(learner, course, now=T0)
    waiting = pf.take_summative(learner, course, correct=False, now=at(1))
    assert waiting.status == Attempt.Status.SUBMITTED
    assert refused(appeal, learner=learner, request=request, attempt=waiting).code == (
        "not_released"
    )


def test_a_course_route_attempt_is_not_part_of_the_plar_route(
    learner, other_learner, course, ended
):
    request, _attempts = ended
    factories.enrol(other_learner, course.offerings.get(), now=T0)
    theirs = pf.take_summative(other_learner, course, correct=False, now=at(1))
    for attempt_id in (theirs.pk, 999_999, "x"):
        refusal = refused(
            services.appeal_submit,
            learner=learner,
            request_id=request.pk,
            reason="Please look again.",
            attempt_id=attempt_id,
        )
        assert refusal.code == "not_found"


def test_the_grader_who_released_the_result_cannot_decide_its_appeal(learner, decider):
    course = pf.plar_course(with_project=True, plar_window_days=30)
    grader = pf.instructor_of(course)
    request = pf.approved_request(learner, course, now=T0)
    attempt = pf.take_summative(learner, course, correct=False, now=at(1))
    project = attempt.assessment.items.get(kind="project")
    assessment_services.grade_save(
        grader=grader,
        attempt_id=attempt.pk,
        criterion_levels=af.rubric_levels(project, "Not yet"),
        now=at(2),
    )
    assessment_services.feedback_release(
        grader=grader, attempt_id=attempt.pk, now=at(2)
    )
    lodged = appeal(learner, request, attempt=attempt, now=at(3))
    assert refused(decide, decider=grader, appeal=lodged, grant=True).code == (
        "own_decision"
    )
    granted = decide(decider, lodged, grant=True, now=at(4))
    assert granted.status == Appeal.Status.GRANTED


def test_a_grant_after_the_learner_registered_for_the_full_course_is_refused(
    learner, course, ended, decider
):
    request, (_first, second) = ended
    lodged = appeal(learner, request, attempt=second, now=at(3))
    services.full_course_register(
        learner=learner,
        request_id=request.pk,
        offering_id=course.offerings.get().pk,
        now=at(3),
    )
    refusal = refused(decide, decider=decider, appeal=lodged, grant=True, now=at(4))
    assert refusal.code == "cannot_reopen"
    lodged.refresh_from_db()
    assert lodged.is_open
    assert Enrolment.objects.get(pk=request.enrolment_id).status == "ended"
