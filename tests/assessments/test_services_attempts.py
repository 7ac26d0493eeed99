"""Starting, answering and submitting attempts, on real PostgreSQL.

Registered at noon on 1 March 2027 (Toronto) in a 42-day course with 7 days'
feedback turnaround and 7 days for resubmission: attempt 1 is due at the end
of 29 March, the microcredential ends at the end of 12 April.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import selectors
from assessments.models import Answer, Attempt, ExtraAttempt, GradingEvent, ItemKind
from assessments.policies import AttemptRefused
from assessments.services import (
    answer_save,
    attempt_start,
    attempt_submit,
    extra_attempt_grant,
    feedback_release,
    grade_save,
)
from courses.models import Enrolment
from courses.policies import PolicyError, end_of_day
from courses.services import enrolment_extend, enrolment_withdraw
from microcred.models import AuditEntry
from tests import factories
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=TORONTO)
LATER = dt.datetime(2027, 3, 10, 10, 0, tzinfo=TORONTO)
DUE = end_of_day(dt.date(2027, 3, 29), TORONTO)
ENDS = end_of_day(dt.date(2027, 4, 12), TORONTO)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def enrolment(learner, offering):
    return factories.enrol(learner, offering, now=NOW)


@pytest.fixture
def summative(course):
    return af.mixed_summative(course)


@pytest.fixture
def auto_summative(course):
    """A summative with no project: marked and released on submission."""
    return af.mixed_summative(course, with_project=False)


@pytest.fixture
def media(private_files):
    """Where submitted files land: the private storage, never MEDIA_ROOT."""
    return private_files


def start(learner, assessment, now=LATER) -> Attempt:
    return attempt_start(learner=learner, assessment_id=assessment.pk, now=now)


def submit(learner, attempt, now=LATER) -> Attempt:
    return attempt_submit(learner=learner, attempt_id=attempt.pk, now=now)


def item_of(assessment, kind):
    return assessment.items.get(kind=kind)


def grade_and_release(instructor, attempt, label, now) -> Attempt:
    project = attempt.assessment.items.get(kind=ItemKind.PROJECT)
    grade_save(
        grader=instructor,
        attempt_id=attempt.pk,
        criterion_levels=af.rubric_levels(project, label),
        comments={},
        overall_feedback="Thank you.",
        now=now,
    )
    return feedback_release(grader=instructor, attempt_id=attempt.pk, now=now)


def fail_attempt(learner, instructor, assessment, *, submitted, released) -> Attempt:
    attempt = start(learner, assessment, now=submitted)
    af.answer_all(learner, attempt, correct=False, now=submitted)
    submit(learner, attempt, now=submitted)
    return grade_and_release(instructor, attempt, "Not yet", released)


# --- starting ---------------------------------------------------------------------
def test_starting_opens_attempt_one_with_every_item_in_order_and_its_deadline(
    learner, enrolment, summative
):
    attempt = start(learner, summative)
    assert attempt.number == 1
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.enrolment == enrolment
    assert attempt.item_ids == list(
        summative.items.order_by("position").values_list("pk", flat=True)
    )
    assert attempt.deadline_at == DUE
    assert attempt.started_at == LATER


def test_a_double_click_or_second_tab_returns_the_same_attempt(
    learner, enrolment, summative
):
    first = start(learner, summative)
    second = start(learner, summative, now=LATER + dt.timedelta(minutes=5))
    assert second.pk == first.pk
    assert Attempt.objects.count() == 1


def test_a_learner_without_an_active_enrolment_cannot_start(
    learner, other_learner, enrolment, instructor, summative
):
    with pytest.raises(AttemptRefused) as refused:
        start(other_learner, summative)
    assert refused.value.code == "not_enrolled"
    enrolment_withdraw(actor=instructor, enrolment_id=enrolment.pk, reason="Asked")
    with pytest.raises(AttemptRefused):
        start(learner, summative)
    assert not Attempt.objects.exists()


def test_attempt_one_cannot_start_after_the_summative_due_date(
    learner, enrolment, summative
):
    assert start(learner, summative, now=DUE).number == 1
    Attempt.objects.all().delete()
    with pytest.raises(AttemptRefused) as refused:
        start(learner, summative, now=DUE + SECOND)
    assert refused.value.code == "deadline_passed"
    assert "due date has passed" in str(refused.value)
    assert not Attempt.objects.exists()


def test_an_assessment_without_questions_cannot_be_started(learner, enrolment, course):
    empty = af.AssessmentFactory(microcredential=course)
    with pytest.raises(PolicyError, match="no questions"):
        start(learner, empty)


def test_a_drawn_attempt_two_differs_from_attempt_one(
    learner, instructor, enrolment, course
):
    assessment = af.AssessmentFactory(microcredential=course, draw_count=3)
    for position in range(6):
        af.ItemFactory(assessment=assessment, position=position)
    af.ItemFactory(assessment=assessment, kind=ItemKind.PROJECT, position=9)
    first = start(learner, assessment)
    assert len(first.item_ids) == 3
    pool = list(
        assessment.items.order_by("position", "id").values_list("pk", flat=True)
    )
    assert first.item_ids == [pk for pk in pool if pk in first.item_ids]
    af.answer_all(learner, first, correct=False, now=LATER)
    submit(learner, first)
    if assessment.items.filter(pk__in=first.item_ids, kind="project").exists():
        grade_and_release(instructor, first, "Not yet", LATER)
    else:
        first.refresh_from_db()
        assert first.status == Attempt.Status.RELEASED
    second = start(learner, assessment, now=LATER + dt.timedelta(days=1))
    assert second.number == 2
    assert len(second.item_ids) == 3
    # Seven items in the pool, three drawn: attempt 2 has none of attempt 1's.
    assert not set(second.item_ids) & set(first.item_ids)


# --- answering --------------------------------------------------------------------
def test_autosave_keeps_the_latest_answer_across_reloads(learner, enrolment, summative):
    attempt = start(learner, summative)
    single = item_of(summative, ItemKind.SINGLE)
    first, second = list(single.options.all())[:2]
    answer_save(
        learner=learner, attempt_id=attempt.pk, item_id=single.pk, option_ids=[first.pk]
    )
    answer_save(
        learner=learner,
        attempt_id=attempt.pk,
        item_id=single.pk,
        option_ids=[second.pk],
    )
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    answer_save(learner=learner, attempt_id=attempt.pk, item_id=short.pk, text="3,5")
    # Another autosave of a different part leaves the text as it was.
    answer_save(learner=learner, attempt_id=attempt.pk, item_id=short.pk, text=None)
    saved = {a.item_id: a for a in Answer.objects.filter(attempt=attempt)}
    assert saved[single.pk].selected_option_ids == [second.pk]
    assert saved[short.pk].text == "3,5"
    assert Answer.objects.count() == 2


def test_an_answer_to_a_question_from_another_assessment_is_refused(
    learner, enrolment, summative, course
):
    attempt = start(learner, summative)
    other = af.FormativeFactory(microcredential=course)
    foreign = af.ItemFactory(assessment=other)
    with pytest.raises(AttemptRefused) as refused:
        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=foreign.pk,
            option_ids=[foreign.options.first().pk],
        )
    assert refused.value.code == "forged"
    assert "not part of your attempt" in str(refused.value)
    assert not Answer.objects.exists()


def test_an_option_of_another_question_is_refused(learner, enrolment, summative):
    attempt = start(learner, summative)
    single = item_of(summative, ItemKind.SINGLE)
    other_option = item_of(summative, ItemKind.SCENARIO).options.first()
    with pytest.raises(PolicyError, match="not part of this question"):
        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=single.pk,
            option_ids=[other_option.pk],
        )
    assert not Answer.objects.exists()


def test_a_single_choice_question_takes_one_option(learner, enrolment, summative):
    attempt = start(learner, summative)
    single = item_of(summative, ItemKind.SINGLE)
    with pytest.raises(PolicyError, match="Choose one option"):
        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=single.pk,
            option_ids=[o.pk for o in single.options.all()],
        )
    with pytest.raises(PolicyError, match="choosing options"):
        answer_save(learner=learner, attempt_id=attempt.pk, item_id=single.pk, text="x")
    assert not Answer.objects.exists()


def test_another_learners_attempt_cannot_be_read_saved_or_submitted(
    learner, other_learner, enrolment, offering, summative
):
    factories.enrol(other_learner, offering, now=NOW)
    attempt = start(learner, summative)
    single = item_of(summative, ItemKind.SINGLE)
    with pytest.raises(AttemptRefused) as refused:
        answer_save(
            learner=other_learner,
            attempt_id=attempt.pk,
            item_id=single.pk,
            option_ids=[single.options.first().pk],
        )
    assert refused.value.code == "not_found"
    with pytest.raises(AttemptRefused):
        submit(other_learner, attempt)
    assert selectors.learner_attempt(other_learner, attempt.pk) is None
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert not Answer.objects.exists()


def test_a_text_answer_over_the_limit_is_refused(learner, enrolment, summative):
    attempt = start(learner, summative)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    with pytest.raises(PolicyError, match="at most 1,000 characters"):
        answer_save(
            learner=learner, attempt_id=attempt.pk, item_id=short.pk, text="x" * 1001
        )
    assert not Answer.objects.exists()


def test_saving_after_submission_is_refused_and_keeps_the_submitted_answer(
    learner, enrolment, summative
):
    attempt = start(learner, summative)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    answer_save(learner=learner, attempt_id=attempt.pk, item_id=short.pk, text="3.5")
    submit(learner, attempt)
    with pytest.raises(AttemptRefused) as refused:
        answer_save(
            learner=learner, attempt_id=attempt.pk, item_id=short.pk, text="changed"
        )
    assert str(refused.value) == (
        "This attempt is already submitted; your answers are kept as submitted."
    )
    assert Answer.objects.get(attempt=attempt, item=short).text == "3.5"


# --- file uploads -----------------------------------------------------------------
def upload(name: str, size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7 " + b"x" * (size - 9))


def test_a_project_file_is_stored_and_a_new_upload_replaces_it(
    learner, enrolment, summative, media, django_capture_on_commit_callbacks
):
    attempt = start(learner, summative)
    project = item_of(summative, ItemKind.PROJECT)
    with django_capture_on_commit_callbacks(execute=True):
        first = answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=project.pk,
            upload=upload("plan.pdf"),
        )
    first_path = media / first.file.name
    assert first_path.exists()
    assert first.file.name.startswith(f"attempts/{attempt.pk}/{project.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        second = answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=project.pk,
            upload=upload("Plan v2.PDF"),
            text="See the attached plan.",
        )
    assert (media / second.file.name).exists()
    assert not first_path.exists()
    assert Answer.objects.get(pk=second.pk).text == "See the attached plan."


@pytest.mark.parametrize(
    ("name", "size_mb", "message"),
    [
        pytest.param("plan.exe", 1, "not accepted here", id="wrong-type"),
        pytest.param("plan", 1, "not accepted here", id="no-extension"),
        pytest.param("plan.pdf", 11, "too large", id="too-large"),
    ],
)
def test_a_project_file_of_the_wrong_type_or_too_large_is_refused(
    learner, enrolment, summative, media, name, size_mb, message
):
    attempt = start(learner, summative)
    project = item_of(summative, ItemKind.PROJECT)
    with pytest.raises(PolicyError, match=message):
        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=project.pk,
            upload=upload(name, size=size_mb * 1024 * 1024),
        )
    assert not Answer.objects.exists()
    assert not any(media.rglob("*.*"))


def test_a_file_at_the_size_limit_is_accepted(learner, enrolment, summative, media):
    attempt = start(learner, summative)
    project = item_of(summative, ItemKind.PROJECT)
    project.max_file_mb = 1
    project.save()
    answer = answer_save(
        learner=learner,
        attempt_id=attempt.pk,
        item_id=project.pk,
        upload=upload("plan.odt", size=1024 * 1024),
    )
    assert answer.file.size == 1024 * 1024


def test_a_file_for_a_question_that_takes_none_is_refused(
    learner, enrolment, summative, media
):
    attempt = start(learner, summative)
    single = item_of(summative, ItemKind.SINGLE)
    with pytest.raises(PolicyError, match="does not take a file"):
        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=single.pk,
            upload=upload("plan.pdf"),
        )


# --- submitting and deadlines -------------------------------------------------------
@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        pytest.param(DUE, True, id="at-the-deadline"),
        pytest.param(DUE + SECOND, False, id="one-second-late"),
    ],
)
def test_attempt_one_is_accepted_at_its_deadline_and_refused_a_second_later(
    learner, enrolment, summative, moment, accepted
):
    attempt = start(learner, summative)
    if accepted:
        assert submit(learner, attempt, now=moment).status == Attempt.Status.SUBMITTED
        return
    with pytest.raises(AttemptRefused) as refused:
        submit(learner, attempt, now=moment)
    assert refused.value.code == "late"
    assert "deadline for attempt 1 has passed" in str(refused.value)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.submitted_at is None


def test_saving_after_the_deadline_is_kept_but_the_submission_is_refused(
    learner, enrolment, summative
):
    attempt = start(learner, summative)
    short = item_of(summative, ItemKind.SHORT_ANSWER)
    answer_save(
        learner=learner,
        attempt_id=attempt.pk,
        item_id=short.pk,
        text="3.5",
        now=DUE + dt.timedelta(hours=1),
    )
    assert Answer.objects.get(attempt=attempt, item=short).text == "3.5"
    with pytest.raises(AttemptRefused):
        submit(learner, attempt, now=DUE + dt.timedelta(hours=1))


def test_an_extension_moves_the_deadline(learner, instructor, enrolment, summative):
    attempt = start(learner, summative)
    enrolment_extend(
        actor=instructor, enrolment_id=enrolment.pk, extra_days=3, reason="Illness"
    )
    new_due = end_of_day(dt.date(2027, 4, 1), TORONTO)
    with pytest.raises(AttemptRefused):
        submit(learner, attempt, now=new_due + SECOND)
    assert submit(learner, attempt, now=new_due).status == Attempt.Status.SUBMITTED


def test_submitting_twice_is_refused_and_changes_nothing(learner, enrolment, summative):
    attempt = start(learner, summative)
    submit(learner, attempt)
    before = Attempt.objects.get(pk=attempt.pk)
    with pytest.raises(AttemptRefused) as refused:
        submit(learner, attempt, now=LATER + dt.timedelta(minutes=1))
    assert refused.value.code == "already_submitted"
    after = Attempt.objects.get(pk=attempt.pk)
    assert after.submitted_at == before.submitted_at == LATER
    assert GradingEvent.objects.filter(action="submitted").count() == 1


def test_each_auto_graded_type_is_marked_on_submission(learner, enrolment, summative):
    attempt = start(learner, summative)
    multiple = item_of(summative, ItemKind.MULTIPLE)
    alpha, bravo, _charlie, delta, _echo = multiple.options.all()
    answers = {
        ItemKind.SINGLE: af.answers_for(item_of(summative, ItemKind.SINGLE)),
        ItemKind.MULTIPLE: {"option_ids": [alpha.pk, bravo.pk, delta.pk]},
        ItemKind.TRUE_FALSE: af.answers_for(
            item_of(summative, ItemKind.TRUE_FALSE), correct=False
        ),
        ItemKind.SHORT_ANSWER: {"text": " 3,50 "},
        ItemKind.SCENARIO: af.answers_for(item_of(summative, ItemKind.SCENARIO)),
    }
    for kind, kwargs in answers.items():
        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=item_of(summative, kind).pk,
            **kwargs,
        )
    submitted = submit(learner, attempt)
    assert submitted.status == Attempt.Status.SUBMITTED  # the project waits
    assert submitted.score_percent is None
    assert submitted.passed is None
    marked = {
        a.item.kind: a
        for a in Answer.objects.filter(attempt=attempt).select_related("item")
    }
    assert marked[ItemKind.SINGLE].points_awarded == Decimal("1")
    assert marked[ItemKind.SINGLE].feedback == ["Correct: that is the principle."]
    # 3 points, 3 correct options: two correct and one wrong chosen = 1 unit.
    assert marked[ItemKind.MULTIPLE].points_awarded == Decimal("1")
    assert marked[ItemKind.MULTIPLE].feedback == [
        "Alpha belongs.",
        "Bravo belongs.",
        "Delta does not belong.",
    ]
    assert marked[ItemKind.TRUE_FALSE].points_awarded == Decimal("0")
    assert marked[ItemKind.SHORT_ANSWER].points_awarded == Decimal("1")
    assert marked[ItemKind.SCENARIO].points_awarded == Decimal("1")
    # The project has an answer row for the grader, and no points yet.
    assert marked[ItemKind.PROJECT].points_awarded is None


def test_unanswered_questions_earn_nothing_and_say_so(learner, enrolment, summative):
    attempt = start(learner, summative)
    submit(learner, attempt)
    answers = Answer.objects.filter(attempt=attempt).exclude(item__kind="project")
    assert answers.count() == 5
    for answer in answers:
        assert answer.points_awarded == Decimal("0")
        assert answer.feedback == ["No answer was given."]


def test_a_project_attempt_waits_for_grading_with_its_feedback_due_date(
    learner, enrolment, summative
):
    attempt = submit(learner, start(learner, summative))
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.submitted_at == LATER
    assert attempt.feedback_due_at == end_of_day(dt.date(2027, 3, 17), TORONTO)
    assert Enrolment.objects.get(pk=enrolment.pk).status == "active"


# --- the two-attempt policy ---------------------------------------------------------
def test_second_attempt_opens_only_after_feedback_is_released(
    learner, instructor, enrolment, summative
):
    first = start(learner, summative)
    af.answer_all(learner, first, correct=False)
    submit(learner, first)
    with pytest.raises(AttemptRefused) as waiting:
        start(learner, summative, now=LATER + dt.timedelta(days=1))
    assert waiting.value.code == "awaiting_grading"
    project = item_of(summative, ItemKind.PROJECT)
    grade_save(
        grader=instructor,
        attempt_id=first.pk,
        criterion_levels=af.rubric_levels(project, "Not yet"),
        comments={},
        overall_feedback="",
        now=LATER + dt.timedelta(days=2),
    )
    with pytest.raises(AttemptRefused) as graded:
        start(learner, summative, now=LATER + dt.timedelta(days=2))
    assert graded.value.code == "awaiting_feedback"
    released_at = LATER + dt.timedelta(days=3)
    feedback_release(grader=instructor, attempt_id=first.pk, now=released_at)
    second = start(learner, summative, now=released_at)
    assert second.number == 2
    assert second.deadline_at == ENDS


def test_attempt_two_is_due_at_the_end_date(learner, instructor, enrolment, summative):
    fail_attempt(
        learner,
        instructor,
        summative,
        submitted=LATER,
        released=LATER + dt.timedelta(days=2),
    )
    second = start(learner, summative, now=LATER + dt.timedelta(days=3))
    af.answer_all(learner, second, now=ENDS)
    with pytest.raises(AttemptRefused) as late:
        submit(learner, second, now=ENDS + SECOND)
    assert late.value.code == "late"
    assert submit(learner, second, now=ENDS).status == Attempt.Status.SUBMITTED


def test_failing_both_attempts_leaves_no_third(
    learner, instructor, enrolment, summative
):
    fail_attempt(
        learner,
        instructor,
        summative,
        submitted=LATER,
        released=LATER + dt.timedelta(days=2),
    )
    fail_attempt(
        learner,
        instructor,
        summative,
        submitted=LATER + dt.timedelta(days=5),
        released=LATER + dt.timedelta(days=6),
    )
    with pytest.raises(AttemptRefused) as refused:
        start(learner, summative, now=LATER + dt.timedelta(days=7))
    assert refused.value.code == "no_attempts_left"
    assert "no further attempt" in str(refused.value)
    assert Attempt.objects.count() == 2
    assert Enrolment.objects.get(pk=enrolment.pk).status == "active"


def test_an_extra_attempt_opens_a_third_with_a_reason_on_record(
    learner, instructor, enrolment, summative
):
    for submitted, released in ((LATER, 2), (LATER + dt.timedelta(days=5), 6)):
        fail_attempt(
            learner,
            instructor,
            summative,
            submitted=submitted,
            released=LATER + dt.timedelta(days=released),
        )
    with pytest.raises(PolicyError, match="needs a reason"):
        extra_attempt_grant(
            actor=instructor,
            enrolment_id=enrolment.pk,
            assessment_id=summative.pk,
            reason="  ",
        )
    extra = extra_attempt_grant(
        actor=instructor,
        enrolment_id=enrolment.pk,
        assessment_id=summative.pk,
        reason="Documented accommodation",
    )
    assert extra.granted_by == instructor
    entry = AuditEntry.objects.get(action="assessment.extra_attempt")
    assert entry.actor == instructor
    assert entry.reason == "Documented accommodation"
    assert entry.object_id == str(enrolment.pk)
    third = start(learner, summative, now=LATER + dt.timedelta(days=7))
    assert third.number == 3
    assert third.deadline_at == ENDS


def test_only_the_courses_instructors_or_a_registrar_grant_extra_attempts(
    enrolment, summative, registrar
):
    outsider = factories.StaffFactory(email="outsider@example.org")
    with pytest.raises(PolicyError, match="Only an instructor"):
        extra_attempt_grant(
            actor=outsider,
            enrolment_id=enrolment.pk,
            assessment_id=summative.pk,
            reason="Because",
        )
    assert not ExtraAttempt.objects.exists()
    assert not AuditEntry.objects.filter(action="assessment.extra_attempt").exists()
    extra_attempt_grant(
        actor=registrar,
        enrolment_id=enrolment.pk,
        assessment_id=summative.pk,
        reason="Registrar's decision",
    )
    assert ExtraAttempt.objects.count() == 1


def test_an_extra_attempt_is_only_for_the_courses_summative(
    instructor, enrolment, course
):
    formative = af.FormativeFactory(microcredential=course)
    with pytest.raises(PolicyError, match="summative"):
        extra_attempt_grant(
            actor=instructor,
            enrolment_id=enrolment.pk,
            assessment_id=formative.pk,
            reason="Accommodation",
        )


# --- auto-graded summatives and completion ------------------------------------------
def test_an_auto_graded_summative_is_released_at_once_and_a_pass_completes(
    learner, enrolment, auto_summative
):
    attempt = start(learner, auto_summative)
    af.answer_all(learner, attempt)
    submitted = submit(learner, attempt)
    assert submitted.status == Attempt.Status.RELEASED
    assert submitted.score_percent == Decimal("100.00")
    assert submitted.passed is True
    assert submitted.feedback_released_at == LATER
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at == LATER
    assert AuditEntry.objects.filter(
        action="enrolment.complete", object_id=str(enrolment.pk)
    ).exists()
    with pytest.raises(AttemptRefused):
        start(learner, auto_summative, now=LATER + dt.timedelta(days=1))


def test_an_auto_graded_fail_opens_attempt_two_at_once(
    learner, enrolment, auto_summative
):
    attempt = start(learner, auto_summative)
    af.answer_all(learner, attempt, correct=False)
    submitted = submit(learner, attempt)
    assert submitted.status == Attempt.Status.RELEASED
    assert submitted.passed is False
    assert submitted.score_percent == Decimal("0.00")
    assert start(learner, auto_summative, now=LATER).number == 2
    assert Enrolment.objects.get(pk=enrolment.pk).status == "active"


# --- formative and diagnostic -------------------------------------------------------
def test_formative_checks_are_unlimited_released_at_once_and_never_gate(
    learner, enrolment, course
):
    formative = af.FormativeFactory(microcredential=course)
    af.ItemFactory(assessment=formative)
    af.ItemFactory(assessment=formative, kind=ItemKind.TRUE_FALSE)
    for number in range(1, 5):
        # Even long after the summative due date.
        when = DUE + dt.timedelta(days=number)
        attempt = start(learner, formative, now=when)
        assert attempt.number == number
        af.answer_all(learner, attempt, correct=number % 2 == 0, now=when)
        done = submit(learner, attempt, now=when)
        assert done.status == Attempt.Status.RELEASED
        assert done.passed is (number % 2 == 0)
    assert Enrolment.objects.get(pk=enrolment.pk).status == "active"
    assert selectors.grading_queue(course.owner) == []


def test_a_diagnostic_reports_outcomes_to_focus_on(learner, enrolment, course):
    diagnostic = af.DiagnosticFactory(microcredential=course)
    af.ItemFactory(assessment=diagnostic, outcomes=[af.outcome(course, "LO1")])
    af.ItemFactory(assessment=diagnostic, outcomes=[af.outcome(course, "LO2")])
    attempt = start(learner, diagnostic)
    lo1_item = diagnostic.items.get(outcomes__code="LO1")
    answer_save(
        learner=learner,
        attempt_id=attempt.pk,
        item_id=lo1_item.pk,
        **af.answers_for(lo1_item),
    )
    submit(learner, attempt)
    result = selectors.attempt_result(Attempt.objects.get(pk=attempt.pk))
    assert {line.code: line.met for line in result.outcomes} == {
        "LO1": True,
        "LO2": False,
    }
