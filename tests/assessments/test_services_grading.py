"""Grading projects against the rubric, releasing feedback, the grading queue.

Real PostgreSQL; the same dates as test_services_attempts: registered at noon
on 1 March 2027 (Toronto), attempt 1 due at the end of 29 March, the
microcredential ends at the end of 12 April.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assessments import selectors
from assessments.models import Answer, Attempt, CriterionGrade, GradingEvent, ItemKind
from assessments.notifications import attempt_url, feedback_released_send
from assessments.policies import AttemptRefused
from assessments.services import (
    attempt_start,
    attempt_submit,
    feedback_release,
    grade_save,
)
from courses.models import Enrolment
from courses.policies import PolicyError, end_of_day
from courses.services import enrolment_complete, enrolment_withdraw
from microcred.models import AuditEntry
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=TORONTO)
SUBMITTED = dt.datetime(2027, 3, 10, 10, 0, tzinfo=TORONTO)
GRADED = dt.datetime(2027, 3, 12, 9, 0, tzinfo=TORONTO)
ENDS = end_of_day(dt.date(2027, 4, 12), TORONTO)


@pytest.fixture
def enrolment(learner, offering):
    return factories.enrol(learner, offering, now=NOW)


@pytest.fixture
def summative(course):
    return af.mixed_summative(course)


@pytest.fixture
def project(summative):
    return summative.items.get(kind=ItemKind.PROJECT)


@pytest.fixture
def submitted(learner, enrolment, summative):
    """Attempt 1 with every auto-graded item right (7 of 15 points so far)."""
    return submit_attempt(learner, summative, correct=True, now=SUBMITTED)


def submit_attempt(learner, assessment, *, correct, now) -> Attempt:
    attempt = attempt_start(learner=learner, assessment_id=assessment.pk, now=now)
    af.answer_all(learner, attempt, correct=correct, now=now)
    return attempt_submit(learner=learner, attempt_id=attempt.pk, now=now)


def grade(grader, attempt, levels, *, comments=None, feedback="", now=GRADED):
    return grade_save(
        grader=grader,
        attempt_id=attempt.pk,
        criterion_levels=levels,
        comments=comments or {},
        overall_feedback=feedback,
        now=now,
    )


def release(grader, attempt, now=GRADED) -> Attempt:
    return feedback_release(grader=grader, attempt_id=attempt.pk, now=now)


def criteria(item):
    return list(item.rubric.criteria.order_by("position"))


def level(criterion, label):
    return criterion.levels.get(label=label)


# --- who grades -------------------------------------------------------------------
def test_a_grader_not_on_the_course_is_refused(submitted, project):
    outsider = factories.StaffFactory(email="outsider@example.org")
    with pytest.raises(PolicyError, match="Only an instructor of this"):
        grade(outsider, submitted, af.rubric_levels(project, "Exceeds expectations"))
    with pytest.raises(PolicyError, match="Only an instructor of this"):
        release(outsider, submitted)
    assert not CriterionGrade.objects.exists()
    assert Attempt.objects.get(pk=submitted.pk).status == Attempt.Status.SUBMITTED


def test_a_co_instructor_and_a_superuser_may_grade(submitted, project, course):
    colleague = factories.StaffFactory(email="colleague@example.org")
    course.instructors.add(colleague)
    lo1, lo2 = criteria(project)
    grade(colleague, submitted, {lo1.pk: level(lo1, "Developing").pk})
    admin = factories.UserFactory(email="root@example.org", is_superuser=True)
    graded = grade(admin, submitted, {lo2.pk: level(lo2, "Developing").pk})
    assert graded.status == Attempt.Status.GRADED
    assert graded.graded_by == admin


# --- the rubric -------------------------------------------------------------------
def test_a_partly_graded_rubric_stays_a_draft(instructor, submitted, project):
    lo1, _lo2 = criteria(project)
    draft = grade(instructor, submitted, {lo1.pk: level(lo1, "Meets expectations").pk})
    assert draft.status == Attempt.Status.SUBMITTED
    answer = Answer.objects.get(attempt=submitted, item=project)
    assert answer.points_awarded is None
    with pytest.raises(PolicyError, match="every rubric criterion"):
        release(instructor, submitted)


@pytest.mark.parametrize(
    ("labels", "points"),
    [
        pytest.param(("Exceeds expectations",) * 2, Decimal("8.00"), id="best"),
        pytest.param(("Not yet",) * 2, Decimal("0.00"), id="lowest"),
        # 8 × (2 + 2) / (3 + 3) = 5.333… rounded down.
        pytest.param(("Meets expectations",) * 2, Decimal("5.33"), id="meets"),
        # 8 × (3 + 0) / 6 = 4.
        pytest.param(("Exceeds expectations", "Not yet"), Decimal("4.00"), id="mix"),
    ],
)
def test_project_points_scale_the_rubric_levels_to_the_items_points(
    instructor, submitted, project, labels, points
):
    lo1, lo2 = criteria(project)
    graded = grade(
        instructor,
        submitted,
        {lo1.pk: level(lo1, labels[0]).pk, lo2.pk: level(lo2, labels[1]).pk},
    )
    assert graded.status == Attempt.Status.GRADED
    assert Answer.objects.get(attempt=submitted, item=project).points_awarded == points


def test_a_level_of_another_criterion_is_refused(instructor, submitted, project):
    lo1, lo2 = criteria(project)
    with pytest.raises(PolicyError, match="not part of its criterion"):
        grade(instructor, submitted, {lo1.pk: level(lo2, "Not yet").pk})
    assert not CriterionGrade.objects.exists()


def test_a_criterion_of_another_rubric_is_refused(instructor, submitted, course):
    other = af.RubricFactory(microcredential=course)
    foreign = other.criteria.first()
    with pytest.raises(PolicyError, match="not part of this attempt's rubric"):
        grade(instructor, submitted, {foreign.pk: level(foreign, "Not yet").pk})
    assert not CriterionGrade.objects.exists()
    assert not GradingEvent.objects.filter(action="grade_saved").exists()


def test_a_comment_needs_a_level(instructor, submitted, project):
    lo1, _lo2 = criteria(project)
    with pytest.raises(PolicyError, match="Choose a level"):
        grade(instructor, submitted, {}, comments={lo1.pk: "Good start"})


def test_an_attempt_in_progress_cannot_be_graded(learner, instructor, enrolment):
    summative = af.mixed_summative(enrolment.microcredential)
    attempt = attempt_start(learner=learner, assessment_id=summative.pk, now=SUBMITTED)
    with pytest.raises(PolicyError, match="not been submitted"):
        grade(instructor, attempt, {})
    with pytest.raises(PolicyError):
        release(instructor, attempt)


# --- history ----------------------------------------------------------------------
def test_grading_history_records_every_change_before_and_after(
    instructor, submitted, project, course
):
    lo1, lo2 = criteria(project)
    grade(
        instructor,
        submitted,
        {lo1.pk: level(lo1, "Developing").pk, lo2.pk: level(lo2, "Developing").pk},
        comments={lo1.pk: "Explain the steps."},
        feedback="A good start.",
    )
    colleague = factories.StaffFactory(email="colleague@example.org")
    course.instructors.add(colleague)
    later = GRADED + dt.timedelta(hours=1)
    grade(
        colleague,
        submitted,
        {lo1.pk: level(lo1, "Meets expectations").pk},
        feedback="A good plan.",
        now=later,
    )
    # Saving the same thing again records nothing new.
    grade(
        colleague,
        submitted,
        {lo1.pk: level(lo1, "Meets expectations").pk},
        feedback="A good plan.",
        now=later,
    )
    history = list(selectors.attempt_history(submitted))
    assert [event.action for event in history] == [
        "submitted",
        "grade_saved",
        "grade_saved",
    ]
    first, second = history[1:]
    assert first.actor == instructor
    assert second.actor == colleague
    (criterion_change,) = [c for c in second.details["changes"] if "criterion" in c]
    assert criterion_change["criterion"] == lo1.pk
    assert criterion_change["before"] == {
        "level": "Developing",
        "points": "1.00",
        "comment": "Explain the steps.",
    }
    assert criterion_change["after"] == {
        "level": "Meets expectations",
        "points": "2.00",
        "comment": "Explain the steps.",
    }
    (points,) = [c["points"] for c in second.details["changes"] if "points" in c]
    assert points == {"before": "2.66", "after": "4.00"}
    (overall,) = [
        c["overall_feedback"]
        for c in second.details["changes"]
        if "overall_feedback" in c
    ]
    assert overall == {"before": "A good start.", "after": "A good plan."}
    attempt = Attempt.objects.get(pk=submitted.pk)
    assert attempt.graded_by == colleague
    assert attempt.overall_feedback == "A good plan."


def test_released_feedback_cannot_be_changed(instructor, submitted, project):
    grade(instructor, submitted, af.rubric_levels(project, "Exceeds expectations"))
    release(instructor, submitted)
    with pytest.raises(PolicyError, match="grade is final"):
        grade(instructor, submitted, af.rubric_levels(project, "Not yet"))
    with pytest.raises(PolicyError, match="already been released"):
        release(instructor, submitted)
    assert Answer.objects.get(attempt=submitted, item=project).points_awarded == 8


# --- releasing --------------------------------------------------------------------
def test_release_scores_the_attempt_and_a_pass_completes_the_enrolment(
    instructor, submitted, project, enrolment
):
    grade(instructor, submitted, af.rubric_levels(project, "Meets expectations"))
    released = release(instructor, submitted)
    # 7 auto points + 5.33 of 8 = 12.33 of 15.
    assert released.score_percent == Decimal("82.20")
    assert released.passed is True
    assert released.status == Attempt.Status.RELEASED
    assert released.feedback_released_at == GRADED
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at == GRADED
    event = GradingEvent.objects.get(action="feedback_released")
    assert event.actor == instructor
    assert event.details["passed"] is True
    assert event.details["outcomes"]["LO1"]["met"] is True


def test_a_pass_needs_every_outcome_met_not_only_the_pass_mark(
    learner, instructor, enrolment, course
):
    summative = af.mixed_summative(course, pass_mark_percent=Decimal("50"))
    attempt = attempt_start(learner=learner, assessment_id=summative.pk, now=SUBMITTED)
    for item in summative.items.exclude(kind=ItemKind.PROJECT):
        # Every LO1 question right, every LO2 question wrong.
        right = item.outcomes.filter(code="LO1").exists()
        from assessments.services import answer_save

        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=item.pk,
            now=SUBMITTED,
            **af.answers_for(item, correct=right),
        )
    attempt_submit(learner=learner, attempt_id=attempt.pk, now=SUBMITTED)
    project = summative.items.get(kind=ItemKind.PROJECT)
    grade(instructor, attempt, af.rubric_levels(project, "Developing"))
    released = release(instructor, attempt)
    # 5 + 2.66 = 7.66 of 15 = 51.07 %; LO2: 2.66 of 10 = 26.6 %.
    assert released.score_percent == Decimal("51.07")
    assert released.passed is False
    result = selectors.attempt_result(released)
    assert {line.code: line.met for line in result.outcomes} == {
        "LO1": True,
        "LO2": False,
    }
    assert result.reasons == (
        'The learning outcome "LO2: Apply technique 2 to a workplace problem." is '
        "not yet met.",
    )
    assert Enrolment.objects.get(pk=enrolment.pk).status == "active"


def test_a_release_on_a_withdrawn_enrolment_does_not_complete_it(
    instructor, submitted, project, enrolment
):
    enrolment_withdraw(actor=instructor, enrolment_id=enrolment.pk, reason="Moved")
    grade(instructor, submitted, af.rubric_levels(project, "Exceeds expectations"))
    assert release(instructor, submitted).passed is True
    assert Enrolment.objects.get(pk=enrolment.pk).status == "withdrawn"


def test_completing_an_enrolment_twice_is_harmless_and_audited_once(enrolment):
    enrolment_complete(enrolment_id=enrolment.pk, now=GRADED)
    again = enrolment_complete(enrolment_id=enrolment.pk, now=GRADED + dt.timedelta(1))
    assert again.completed_at == GRADED
    assert AuditEntry.objects.filter(action="enrolment.complete").count() == 1


def test_a_withdrawn_enrolment_cannot_be_completed(instructor, enrolment):
    enrolment_withdraw(actor=instructor, enrolment_id=enrolment.pk, reason="Moved")
    with pytest.raises(PolicyError, match="Only an active enrolment"):
        enrolment_complete(enrolment_id=enrolment.pk)


# --- the e-mail -------------------------------------------------------------------
def test_the_feedback_email_is_sent_once_on_commit(
    learner,
    instructor,
    enrolment,
    summative,
    project,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    learner.time_zone = "Asia/Tokyo"
    learner.save()
    attempt = submit_attempt(learner, summative, correct=False, now=SUBMITTED)
    grade(instructor, attempt, af.rubric_levels(project, "Not yet"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        release(instructor, attempt)
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    (message,) = mailoutbox
    assert message.to == [learner.email]
    assert message.subject == (
        f"Feedback released on attempt 1: {enrolment.microcredential.title}"
    )
    assert "Your score: 0% (pass mark: 70%)." in message.body
    assert "Result: not yet passed." in message.body
    assert "LO2 Apply technique 2 to a workplace problem.: not yet met" in message.body
    # Attempt 2 is due at the end date, shown in the learner's zone:
    # 23:59 on 12 April in Toronto is 12:59 on 13 April in Tokyo.
    assert "Attempt 2 is now open." in message.body
    assert "Submit it by Tuesday 13 April 2027, 12:59 (Asia/Tokyo)." in message.body
    assert attempt_url(attempt) in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Attempt 2 is now open." in html
    # A retried task finds it sent.
    assert feedback_released_send(attempt_id=attempt.pk) is False
    assert len(mailoutbox) == 1
    assert GradingEvent.objects.filter(action="feedback_emailed").count() == 1


def test_the_feedback_email_after_a_pass_says_the_microcredential_is_complete(
    instructor, submitted, project, mailoutbox, django_capture_on_commit_callbacks
):
    grade(instructor, submitted, af.rubric_levels(project, "Exceeds expectations"))
    with django_capture_on_commit_callbacks(execute=True):
        release(instructor, submitted)
    (message,) = mailoutbox
    assert "Result: passed." in message.body
    assert "your microcredential is complete" in message.body
    assert "Attempt 2" not in message.body


def test_the_feedback_email_after_the_last_attempt_says_there_is_no_other(
    learner, instructor, enrolment, summative, project, mailoutbox
):
    for submitted_at, released_at in (
        (SUBMITTED, GRADED),
        (GRADED + dt.timedelta(days=1), GRADED + dt.timedelta(days=2)),
    ):
        attempt = submit_attempt(learner, summative, correct=False, now=submitted_at)
        grade(instructor, attempt, af.rubric_levels(project, "Not yet"))
        release(instructor, attempt, now=released_at)
    assert feedback_released_send(attempt_id=attempt.pk) is True
    (message,) = mailoutbox
    assert "Result: not yet passed." in message.body
    assert "there is no further attempt" in message.body


# --- the grading queue ------------------------------------------------------------
def test_the_grading_queue_lists_my_courses_oldest_first_with_overdue_marked(
    learner, other_learner, instructor, enrolment, offering, summative, project
):
    late = submit_attempt(learner, summative, correct=True, now=SUBMITTED)
    factories.enrol(other_learner, offering, now=NOW)
    recent = submit_attempt(
        other_learner, summative, correct=True, now=SUBMITTED + dt.timedelta(days=6)
    )
    # Someone else's course: not in my queue.
    elsewhere = factories.MicrocredentialFactory()
    theirs = af.mixed_summative(elsewhere)
    stranger = factories.UserFactory(email="stranger@example.org")
    factories.enrol(
        stranger, factories.OfferingFactory(microcredential=elsewhere), now=NOW
    )
    submit_attempt(stranger, theirs, correct=True, now=SUBMITTED)
    # Feedback on the first is due at the end of 17 March.
    now = end_of_day(dt.date(2027, 3, 17), TORONTO) + dt.timedelta(seconds=1)
    queue = selectors.grading_queue(instructor, now=now)
    assert [entry.attempt.pk for entry in queue] == [late.pk, recent.pk]
    assert [entry.overdue for entry in queue] == [True, False]
    assert queue[0].feedback_due_at == end_of_day(dt.date(2027, 3, 17), TORONTO)
    assert queue[0].learner == learner
    # A draft stays in the queue; a released attempt leaves it.
    grade(instructor, late, af.rubric_levels(project, "Meets expectations"))
    assert len(selectors.grading_queue(instructor, now=now)) == 2
    release(instructor, late)
    assert [e.attempt.pk for e in selectors.grading_queue(instructor, now=now)] == [
        recent.pk
    ]


def test_a_registrar_sees_every_courses_queue(
    learner, registrar, instructor, enrolment, summative
):
    submit_attempt(learner, summative, correct=True, now=SUBMITTED)
    outsider = factories.StaffFactory(email="outsider@example.org")
    assert len(selectors.grading_queue(registrar, now=SUBMITTED)) == 1
    assert selectors.grading_queue(outsider, now=SUBMITTED) == []


def test_the_grading_queue_costs_the_same_queries_for_any_length(
    instructor, offering, summative, django_assert_max_num_queries
):
    for n in range(5):
        someone = factories.UserFactory(email=f"queue{n}@example.org")
        factories.enrol(someone, offering, now=NOW)
        submit_attempt(someone, summative, correct=False, now=SUBMITTED)
    instructor = type(instructor).objects.get(pk=instructor.pk)  # no cached roles
    with django_assert_max_num_queries(2):
        queue = selectors.grading_queue(instructor, now=SUBMITTED)
        names = [
            (e.learner.email, e.course.code, e.attempt.assessment.title) for e in queue
        ]
    assert len(names) == 5


def test_a_refusal_is_a_policy_error_with_a_code(learner, enrolment, summative):
    attempt = submit_attempt(learner, summative, correct=True, now=SUBMITTED)
    with pytest.raises(AttemptRefused) as refused:
        attempt_submit(learner=learner, attempt_id=attempt.pk, now=SUBMITTED)
    assert isinstance(refused.value, PolicyError)
    assert refused.value.code == "already_submitted"


def test_a_summative_linked_to_no_outcome_waits_for_an_instructor(learner, instructor):
    course = factories.MicrocredentialFactory(owner=instructor, with_content=False)
    offering = factories.OfferingFactory(microcredential=course)
    factories.enrol(learner, offering, now=NOW)
    summative = af.AssessmentFactory(microcredential=course)
    af.ItemFactory(assessment=summative, outcomes=[])
    attempt = submit_attempt(learner, summative, correct=True, now=SUBMITTED)
    # No pass can be decided without outcomes: nothing is released or completed.
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.passed is None
    with pytest.raises(PolicyError, match="not linked to any learning outcome"):
        release(instructor, attempt)
    assert [e.attempt.pk for e in selectors.grading_queue(instructor)] == [attempt.pk]


def test_grading_without_overall_feedback_keeps_the_previous_one(
    instructor, submitted, project
):
    grade(instructor, submitted, {}, feedback="Keep this.")
    grade_save(
        grader=instructor,
        attempt_id=submitted.pk,
        criterion_levels=af.rubric_levels(project, "Developing"),
    )
    assert Attempt.objects.get(pk=submitted.pk).overall_feedback == "Keep this."


def test_the_feedback_email_follows_the_learners_language(
    learner, instructor, enrolment, summative, project, mailoutbox
):
    learner.preferred_language = "fr"
    learner.save()
    attempt = submit_attempt(learner, summative, correct=False, now=SUBMITTED)
    grade(instructor, attempt, af.rubric_levels(project, "Not yet"))
    release(instructor, attempt)
    assert feedback_released_send(attempt_id=attempt.pk) is True
    (message,) = mailoutbox
    # Dates are written the French way, in the learner's zone (Toronto).
    assert "lundi 12 avril 2027, 23:59" in message.body
    html, _mimetype = message.alternatives[0]
    assert '<html lang="fr">' in html
