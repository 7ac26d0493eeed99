"""The reviewers' side: taking a request into review and deciding it, with a
reason, by an instructor of the course or a registrar. Approval opens the
PLAR route at once, with its window counted from the approval day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from courses.models import Enrolment, Microcredential
from courses.policies import PolicyError
from microcred.models import AuditEntry
from plar import policies, services
from plar.models import PlarRequest, RequestEvent
from plar.policies import PlarRefused
from tests import factories
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=TORONTO)


@pytest.fixture
def course():
    return pf.plar_course(plar_window_days=30)


@pytest.fixture
def submitted(learner, course):
    return pf.submitted_request(learner, course, now=NOW)


@pytest.fixture
def under_review(learner, course, registrar):
    return pf.reviewed_request(learner, course, reviewer=registrar, now=NOW)


def refused(call, **kwargs) -> PlarRefused:
    with pytest.raises(PlarRefused) as raised:
        call(**kwargs)
    return raised.value


def audit(action: str, target) -> AuditEntry:
    return AuditEntry.objects.get(
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
    )


def decide(reviewer, request, decision: str, reason: str = pf.REASON, now=NOW):
    return services.request_decide(
        reviewer=reviewer,
        request_id=request.pk,
        decision=decision,
        reason=reason,
        now=now,
    )


# --- taking a request into review ----------------------------------------------


def test_a_registrar_takes_a_request_into_review(registrar, submitted):
    request = services.review_start(
        reviewer=registrar, request_id=submitted.pk, now=NOW
    )
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.UNDER_REVIEW
    assert request.reviewer == registrar
    event = request.events.last()
    assert (event.from_status, event.to_status, event.actor) == (
        "submitted",
        "under_review",
        registrar,
    )
    assert audit("plar.review_start", request).actor == registrar


def test_an_instructor_of_the_course_may_review(course, submitted):
    instructor = pf.instructor_of(course)
    services.review_start(reviewer=instructor, request_id=submitted.pk)
    submitted.refresh_from_db()
    assert submitted.reviewer == instructor


def test_the_course_owner_may_review(course, submitted):
    services.review_start(reviewer=course.owner, request_id=submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == PlarRequest.Status.UNDER_REVIEW


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(lambda: factories.StaffFactory(), id="instructor-of-another"),
        pytest.param(lambda: factories.UserFactory(), id="a-learner"),
    ],
)
def test_someone_who_does_not_teach_the_course_cannot_review(submitted, who):
    person = who()
    factories.MicrocredentialFactory(owner=person)
    refusal = refused(services.review_start, reviewer=person, request_id=submitted.pk)
    assert refusal.code == "not_reviewer"
    submitted.refresh_from_db()
    assert submitted.status == PlarRequest.Status.SUBMITTED
    assert submitted.reviewer is None


def test_a_draft_cannot_be_taken_into_review(learner, course, registrar):
    draft = pf.draft_request(learner, course)
    refusal = refused(services.review_start, reviewer=registrar, request_id=draft.pk)
    assert refusal.code == "forbidden_transition"


def test_a_request_already_under_review_cannot_be_taken_again(
    course, under_review, registrar
):
    other = pf.instructor_of(course)
    refusal = refused(services.review_start, reviewer=other, request_id=under_review.pk)
    assert refusal.code == "forbidden_transition"
    under_review.refresh_from_db()
    assert under_review.reviewer == registrar


@pytest.mark.parametrize("request_id", [999_999, "x"])
def test_a_missing_request_is_not_found(registrar, request_id):
    assert (
        refused(services.review_start, reviewer=registrar, request_id=request_id).code
        == "not_found"
    )


# --- deciding -------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approved", "declined", "more_info"])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_every_decision_needs_a_reason(registrar, under_review, decision, reason):
    refusal = refused(
        decide,
        reviewer=registrar,
        request=under_review,
        decision=decision,
        reason=reason,
    )
    assert refusal.code == "reason_required"
    under_review.refresh_from_db()
    assert under_review.status == PlarRequest.Status.UNDER_REVIEW
    assert under_review.enrolment is None
    assert under_review.decided_at is None
    assert not Enrolment.objects.exists()


def test_a_reason_too_long_is_refused(registrar, under_review):
    refusal = refused(
        decide,
        reviewer=registrar,
        request=under_review,
        decision="declined",
        reason="x" * (services.MAX_REASON_LENGTH + 1),
    )
    assert refusal.code == "too_long"


@pytest.mark.parametrize("decision", ["", "maybe", "withdrawn", "submitted", "draft"])
def test_only_the_three_decisions_exist(registrar, under_review, decision):
    refusal = refused(
        decide, reviewer=registrar, request=under_review, decision=decision
    )
    assert refusal.code == "bad_decision"


def test_an_instructor_of_another_course_cannot_decide(under_review):
    elsewhere = factories.StaffFactory()
    factories.MicrocredentialFactory(owner=elsewhere)
    refusal = refused(
        decide, reviewer=elsewhere, request=under_review, decision="approved"
    )
    assert refusal.code == "not_reviewer"
    under_review.refresh_from_db()
    assert under_review.status == PlarRequest.Status.UNDER_REVIEW
    assert not Enrolment.objects.exists()


def test_a_request_not_yet_in_review_cannot_be_decided(registrar, submitted):
    refusal = refused(
        decide, reviewer=registrar, request=submitted, decision="approved"
    )
    assert refusal.code == "forbidden_transition"


def test_approval_opens_the_plar_route_with_the_window_counted_from_today(
    learner, course, registrar, under_review
):
    approved_at = NOW + dt.timedelta(days=2)
    request = decide(registrar, under_review, "approved", now=approved_at)
    request.refresh_from_db()
    enrolment = request.enrolment
    assert request.status == PlarRequest.Status.APPROVED
    assert (request.decided_at, request.decided_by) == (approved_at, registrar)
    assert request.decision_reason == pf.REASON
    assert enrolment.learner == learner
    assert enrolment.microcredential == course
    assert enrolment.route == Enrolment.Route.PLAR
    assert enrolment.offering is None
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.registered_at == approved_at
    expected = policies.window_dates(
        approved_at=approved_at,
        plar_window_days=30,
        rules=course.window_rules,
        tz=TORONTO,
    )
    assert enrolment.dates == expected
    # 3 March + 30 days, in Toronto; 14 days kept for feedback and attempt 2.
    assert enrolment.ends_at == dt.datetime(2027, 4, 2, 23, 59, 59, tzinfo=TORONTO)
    assert enrolment.summative_due_at == dt.datetime(
        2027, 3, 19, 23, 59, 59, tzinfo=TORONTO
    )


@pytest.mark.parametrize(
    ("approved_at", "last_day"),
    [
        pytest.param(
            dt.datetime(2027, 3, 14, 23, 59, 59, tzinfo=TORONTO),
            dt.date(2027, 4, 13),
            id="23:59:59-on-the-spring-forward-day",
        ),
        pytest.param(
            dt.datetime(2027, 3, 15, 0, 0, 0, tzinfo=TORONTO),
            dt.date(2027, 4, 14),
            id="00:00:00-the-day-after",
        ),
        pytest.param(
            # 02:00 UTC on 8 November is still 7 November (21:00 EST) in Toronto.
            dt.datetime(2027, 11, 8, 2, 0, tzinfo=dt.UTC),
            dt.date(2027, 12, 7),
            id="utc-date-ahead-of-toronto",
        ),
    ],
)
def test_the_approval_day_counts_in_the_institution_zone(
    registrar, under_review, approved_at, last_day
):
    request = decide(registrar, under_review, "approved", now=approved_at)
    ends_at = request.enrolment.ends_at.astimezone(TORONTO)
    assert (ends_at.date(), ends_at.time()) == (last_day, dt.time(23, 59, 59))
    due = request.enrolment.summative_due_at.astimezone(TORONTO)
    assert due.date() == last_day - dt.timedelta(days=14)


def test_a_learner_in_tokyo_gets_the_same_instants(registrar, course):
    tokyo_learner = factories.UserFactory(time_zone="Asia/Tokyo")
    request = pf.reviewed_request(tokyo_learner, course, reviewer=registrar, now=NOW)
    request = decide(registrar, request, "approved", now=NOW)
    in_tokyo = request.enrolment.ends_at.astimezone(ZoneInfo("Asia/Tokyo"))
    # 31 March 23:59:59 EDT is 1 April 12:59:59 in Tokyo.
    assert (in_tokyo.date(), in_tokyo.time()) == (
        dt.date(2027, 4, 1),
        dt.time(12, 59, 59),
    )


@pytest.mark.parametrize("decision", ["approved", "declined", "more_info"])
def test_every_decision_is_recorded_as_an_event_and_in_the_audit_log(
    registrar, under_review, decision
):
    reason = f"Decided: {decision}."
    request = decide(registrar, under_review, decision, reason=reason)
    event = RequestEvent.objects.filter(request=request).last()
    assert (event.from_status, event.to_status) == ("under_review", decision)
    assert (event.actor, event.reason, event.at) == (registrar, reason, NOW)
    entry = audit(f"plar.{decision}", request)
    assert (entry.actor, entry.reason) == (registrar, reason)
    assert entry.details == {"enrolment": request.enrolment_id}


def test_a_decline_opens_nothing_and_records_the_decision(registrar, under_review):
    request = decide(registrar, under_review, "declined")
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.DECLINED
    assert request.enrolment is None
    assert (request.decided_at, request.decided_by) == (NOW, registrar)
    assert not Enrolment.objects.exists()


def test_asking_for_more_information_decides_nothing_and_reopens_editing(
    learner, course, registrar, under_review
):
    request = decide(registrar, under_review, "more_info", reason="Add a letter.")
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.MORE_INFO
    assert request.is_editable
    assert (request.decided_at, request.decided_by, request.decision_reason) == (
        None,
        None,
        "",
    )
    services.evidence_add_link(
        learner=learner, request_id=request.pk, url="https://example.org/letter"
    )
    services.request_submit(learner=learner, request_id=request.pk, declaration=True)
    services.review_start(reviewer=registrar, request_id=request.pk)
    approved = decide(registrar, request, "approved")
    assert approved.status == PlarRequest.Status.APPROVED


def test_a_decided_request_cannot_be_decided_again(registrar, under_review):
    decide(registrar, under_review, "declined")
    refusal = refused(
        decide, reviewer=registrar, request=under_review, decision="approved"
    )
    assert refusal.code == "forbidden_transition"
    under_review.refresh_from_db()
    assert under_review.status == PlarRequest.Status.DECLINED
    assert not Enrolment.objects.exists()


def test_approval_is_refused_when_the_learner_registered_for_the_course_meanwhile(
    learner, course, registrar, under_review
):
    course_route = factories.enrol(learner, course.offerings.get())
    refusal = refused(
        decide, reviewer=registrar, request=under_review, decision="approved"
    )
    assert refusal.code == "enrolled"
    under_review.refresh_from_db()
    assert under_review.status == PlarRequest.Status.UNDER_REVIEW
    assert list(Enrolment.objects.all()) == [course_route]
    assert not AuditEntry.objects.filter(action="plar.approved").exists()


def test_approval_in_a_course_whose_plar_window_is_too_short_is_refused(
    learner, registrar
):
    course = pf.plar_course()
    request = pf.reviewed_request(learner, course, reviewer=registrar, now=NOW)
    # Shortened after the request came in: 7 + 7 days kept, so it needs 15.
    Microcredential.objects.filter(pk=course.pk).update(plar_window_days=14)
    with pytest.raises(PolicyError, match=r"needs at least 15 days"):
        decide(registrar, request, "approved")
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.UNDER_REVIEW
    assert not Enrolment.objects.exists()


def test_a_reviewer_cannot_review_their_own_request(course):
    reviewer = pf.registrar()
    request = pf.submitted_request(reviewer, course, now=NOW)
    error = refused(
        services.review_start, reviewer=reviewer, request_id=request.pk, now=NOW
    )
    assert error.code == "own_request"
    request.refresh_from_db()
    assert request.status == PlarRequest.Status.SUBMITTED
