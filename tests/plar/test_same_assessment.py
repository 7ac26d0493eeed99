"""The PLAR route takes the course's own summative assessment: the same object,
not a copy, so a change to it shows on both routes at once (DESIGN.md, PLAR)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.models import Assessment, AssessmentKind, Attempt, Item, ItemKind
from courses.models import Enrolment
from credentials.models import Credential
from tests import factories
from tests.assessments import factories as af
from tests.plar import factories as pf

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
T0 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=TORONTO)


def at(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def course():
    # Seven points, no project item: results are released on submission.
    # LO1: items 1, 2, 5 (1 + 3 + 1 points); LO2: items 3, 4 (1 + 1 points).
    return pf.plar_course(with_project=False)


@pytest.fixture
def routes(learner, other_learner, course):
    """One learner on the course route, one on the PLAR route."""
    assessments_before = list(Assessment.objects.values_list("pk", flat=True))
    course_route = factories.enrol(learner, course.offerings.get(), now=T0)
    plar_route = pf.approved_request(other_learner, course, now=T0).enrolment
    # Approving a request copies nothing.
    assert list(Assessment.objects.values_list("pk", flat=True)) == assessments_before
    return {learner: course_route, other_learner: plar_route}


def start(learner, course, now) -> Attempt:
    summative = assessment_selectors.summative_for_course(course.pk)
    return assessment_services.attempt_start(
        learner=learner, assessment_id=summative.pk, now=now
    )


def submit_missing(
    learner, attempt: Attempt, wrong_positions: set[int], now
) -> Attempt:
    """Answer every item right except those at ``wrong_positions``, and submit."""
    for item in Item.objects.filter(pk__in=attempt.item_ids):
        assessment_services.answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=item.pk,
            now=now,
            **af.answers_for(item, correct=item.position not in wrong_positions),
        )
    return assessment_services.attempt_submit(
        learner=learner, attempt_id=attempt.pk, now=now
    )


def test_both_routes_start_attempts_at_the_courses_only_summative(course, routes):
    summatives = Assessment.objects.filter(
        microcredential=course, kind=AssessmentKind.SUMMATIVE
    )
    assert summatives.count() == 1
    attempts = {learner: start(learner, course, at(1)) for learner in routes}
    course_attempt, plar_attempt = attempts.values()
    assert course_attempt.assessment_id == plar_attempt.assessment_id
    assert course_attempt.assessment_id == summatives.get().pk
    for learner, attempt in attempts.items():
        assert attempt.enrolment == routes[learner]
    routes_taken = {a.enrolment.route for a in attempts.values()}
    assert routes_taken == {Enrolment.Route.COURSE, Enrolment.Route.PLAR}
    # The same questions, from the same pool.
    assert course_attempt.item_ids == plar_attempt.item_ids


def test_a_change_to_the_summative_shows_on_both_routes(course, routes):
    summative = assessment_selectors.summative_for_course(course.pk)

    # Attempt 1 misses item 1 (LO1) and item 3 (LO2): 5 of 7 points (71 %),
    # but LO2 only at 50 %, under the 70 % pass mark: not yet, on both routes.
    first = {
        learner: submit_missing(learner, start(learner, course, at(1)), {1, 3}, at(1))
        for learner in routes
    }
    assert {a.passed for a in first.values()} == {False}
    assert {a.score_percent for a in first.values()} == {Decimal("71.43")}

    # The instructor changes the one summative: a lower pass mark and a new
    # LO2 question in the pool.
    summative.pass_mark_percent = Decimal("50")
    summative.save()
    added = af.ItemFactory(
        assessment=summative,
        position=7,
        kind=ItemKind.TRUE_FALSE,
        prompt="The new question",
        outcomes=[af.outcome(course, "LO2")],
    )

    second = {learner: start(learner, course, at(2)) for learner in routes}
    for attempt in second.values():
        assert attempt.number == 2
        assert added.pk in attempt.item_ids
        assert attempt.assessment.pass_mark_percent == Decimal("50")

    # The same answers plus the new question: 6 of 8 points, LO2 at 66.67 %,
    # which passes at 50 % (and would not have at 70 %), on both routes.
    for learner, attempt in second.items():
        submitted = submit_missing(learner, attempt, {1, 3}, at(2))
        assert submitted.passed is True
        assert submitted.score_percent == Decimal("75.00")
        enrolment = routes[learner]
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.COMPLETED

    credentials = Credential.objects.filter(learner__in=list(routes))
    assert {c.route for c in credentials} == {"course", "plar"}
    assert len({c.achievement_id for c in credentials}) == 1
