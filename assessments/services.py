"""Every write about attempts, answers, grades and feedback goes through here.

The rules are pure functions (``policies`` for attempts and deadlines,
``grading`` for points); these services gather the facts, lock the rows they
read-then-write (``select_for_update``, backed by the unique constraints on
attempt numbers and answers), write the result and queue e-mail on commit.

A refusal is a ``PolicyError`` (``AttemptRefused`` with a ``code`` for the
attempt rules) whose message is shown to the person; the transaction rolls
back, so a refused request changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as course_services
from courses.models import Enrolment
from courses.policies import PolicyError
from microcred.audit import audit_record
from microcred.roles import is_registrar

from . import grading, policies, selectors
from .models import (
    Answer,
    Assessment,
    Attempt,
    CriterionGrade,
    ExtraAttempt,
    GradingEvent,
    Item,
    ItemKind,
    Level,
)
from .policies import AttemptRefused
from .tasks import send_feedback_released

MAX_SHORT_ANSWER_LENGTH = 1_000
MAX_TEXT_LENGTH = 50_000
MAX_FEEDBACK_LENGTH = 20_000
MB = 1024 * 1024


# --- shared lookups ---------------------------------------------------------------
def _not_found() -> AttemptRefused:
    # The same answer for "does not exist" and "is someone else's": an attempt
    # id reveals nothing about other learners.
    return AttemptRefused(
        _("This attempt does not exist or is not yours."), code="not_found"
    )


def _locked_learner_attempt(*, learner, attempt_id: int) -> Attempt:
    """The learner's attempt, its row locked until the transaction ends."""
    try:
        return (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("assessment", "enrolment__microcredential")
            .get(pk=attempt_id, enrolment__learner=learner)
        )
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise _not_found() from None


def _locked_attempt_for_grader(*, grader, attempt_id: int) -> Attempt:
    try:
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related(
                "assessment__microcredential",
                "enrolment__microcredential",
                "enrolment__learner",
            )
            .get(pk=attempt_id)
        )
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise PolicyError(_("This attempt does not exist.")) from None
    if not selectors.teaches(grader, attempt.assessment.microcredential):
        raise PolicyError(
            _("Only an instructor of this microcredential can grade its attempts.")
        )
    return attempt


def _summative_facts(enrolment: Enrolment, assessment: Assessment) -> dict[str, Any]:
    """Everything ``policies.check_start`` / ``check_submission`` need but ``now``."""
    return {
        "attempts": selectors.attempt_records(
            list(selectors.learner_attempts(enrolment, assessment))
        ),
        "summative_due_at": enrolment.summative_due_at,
        "ends_at": enrolment.ends_at,
        "extra_attempts": selectors.extra_attempt_count(enrolment, assessment),
        "enrolment_active": enrolment.is_active,
    }


def _event(
    attempt: Attempt, *, actor, action: str, details: dict[str, Any]
) -> GradingEvent:
    return GradingEvent.objects.create(
        attempt=attempt, actor=actor, action=action, details=details
    )


def _points(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- starting ---------------------------------------------------------------------
def _draw(items: list[Item], count: int | None, previous: set[int]) -> list[int]:
    """The item ids of a new attempt, in the assessment's order.

    With ``count`` set (and smaller than the pool), a random draw that prefers
    items the previous attempt did not have, so attempt 2 differs from attempt
    1 wherever the pool allows.
    """
    if not count or count >= len(items):
        return [item.pk for item in items]
    chooser = secrets.SystemRandom()
    fresh = [item.pk for item in items if item.pk not in previous]
    seen = [item.pk for item in items if item.pk in previous]
    chooser.shuffle(fresh)
    chooser.shuffle(seen)
    drawn = set((fresh + seen)[:count])
    return [item.pk for item in items if item.pk in drawn]


@transaction.atomic
def attempt_start(
    *, learner, assessment_id: int, now: dt.datetime | None = None
) -> Attempt:
    """Open an attempt, or return the one already open (double click, second tab).

    Summative: refused, with the reason and what to do next, unless the
    attempt policy allows a new attempt now. Formative and diagnostic:
    unlimited attempts, never refused by dates (``deadline_at`` then records
    the enrolment's end date for information only).
    """
    now = now or timezone.now()
    try:
        assessment = Assessment.objects.get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise PolicyError(_("This assessment does not exist.")) from None
    # The enrolment row lock makes concurrent starts queue up: the second sees
    # the attempt the first opened (and the unique attempt number backs it).
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(
            learner=learner,
            microcredential_id=assessment.microcredential_id,
            status=Enrolment.Status.ACTIVE,
        )
        .order_by("pk")
        .first()
    )
    if enrolment is None:
        raise AttemptRefused(
            _(
                "You need an active enrolment in this microcredential to take its "
                "assessments."
            ),
            code="not_enrolled",
        )
    attempts = list(selectors.learner_attempts(enrolment, assessment))
    open_attempt = next(
        (a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None
    )
    if open_attempt is not None:
        return open_attempt
    items = list(assessment.items.order_by("position", "id"))
    if not items:
        raise PolicyError(_("This assessment has no questions yet."))
    if assessment.is_summative:
        decision = policies.check_start(
            **_summative_facts(enrolment, assessment), now=now
        )
        number, deadline = decision.attempt_number, decision.deadline
    else:
        number, deadline = len(attempts) + 1, enrolment.ends_at
    previous = set(attempts[-1].item_ids) if attempts else set()
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                enrolment=enrolment,
                assessment=assessment,
                number=number,
                item_ids=_draw(items, assessment.draw_count, previous),
                started_at=now,
                deadline_at=deadline,
            )
    except IntegrityError:
        raise AttemptRefused(
            _("Attempt %(number)s has already been started; reload the page.")
            % {"number": number},
            code="already_started",
        ) from None


# --- answering --------------------------------------------------------------------
def _option_ids(item: Item, option_ids: Any) -> list[int]:
    try:
        chosen = sorted({int(pk) for pk in option_ids})
    except (TypeError, ValueError):
        raise PolicyError(_("Those options are not valid.")) from None
    known = set(item.options.values_list("pk", flat=True))
    if set(chosen) - known:
        raise PolicyError(_("That option is not part of this question."))
    if item.kind != ItemKind.MULTIPLE and len(chosen) > 1:
        raise PolicyError(_("Choose one option for this question."))
    return chosen


def _check_text(item: Item, text: str) -> str:
    if not isinstance(text, str):
        raise PolicyError(_("The answer must be text."))
    limit = (
        MAX_SHORT_ANSWER_LENGTH
        if item.kind == ItemKind.SHORT_ANSWER
        else MAX_TEXT_LENGTH
    )
    if len(text) > limit:
        raise PolicyError(
            _("An answer to this question can be at most %(limit)s characters.")
            % {"limit": f"{limit:,}"}
        )
    return text


def allowed_extensions(item: Item) -> list[str]:
    """``".PDF, docx"`` → ``[".pdf", ".docx"]``; empty means no file."""
    extensions = []
    for raw in item.allowed_file_types.split(","):
        entry = raw.strip().lower()
        if entry:
            extensions.append(entry if entry.startswith(".") else f".{entry}")
    return extensions


def _check_upload(item: Item, upload: UploadedFile) -> None:
    extensions = allowed_extensions(item)
    if not extensions:
        raise PolicyError(_("This question does not take a file."))
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in extensions:
        raise PolicyError(
            _(
                "Files of type “%(type)s” are not accepted here; upload one of: "
                "%(types)s."
            )
            % {"type": extension or "?", "types": ", ".join(extensions)}
        )
    if upload.size is None or upload.size > item.max_file_mb * MB:
        raise PolicyError(
            _("The file is too large: the limit is %(limit)s MB.")
            % {"limit": item.max_file_mb}
        )
    if upload.size == 0:
        raise PolicyError(_("The file is empty."))


@transaction.atomic
def answer_save(
    *,
    learner,
    attempt_id: int,
    item_id: int,
    option_ids: list[int] | None = None,
    text: str | None = None,
    upload: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> Answer:
    """Autosave one answer. ``None`` leaves that part of the answer unchanged.

    Choice questions take ``option_ids`` (at most one, except multiple
    select); short answers and projects take ``text``; projects take an
    ``upload`` too, which replaces the previous file. Saving after the
    deadline is allowed (nothing typed is lost; submitting is refused).
    """
    now = now or timezone.now()
    attempt = _locked_learner_attempt(learner=learner, attempt_id=attempt_id)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise AttemptRefused(
            _("This attempt is already submitted; your answers are kept as submitted."),
            code="already_submitted",
        )
    if not attempt.enrolment.is_active:
        raise AttemptRefused(
            _("Your enrolment is no longer active, so answers cannot be saved."),
            code="inactive",
        )
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        item_id = -1
    if item_id not in attempt.item_ids:
        raise AttemptRefused(
            _("This question is not part of your attempt."), code="forged"
        )
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise PolicyError(_("This question is no longer part of the assessment."))
    is_choice = item.kind in grading.CHOICE_KINDS
    if option_ids is not None and not is_choice:
        raise PolicyError(_("This question is not answered by choosing options."))
    if text is not None and is_choice:
        raise PolicyError(_("This question is answered by choosing options."))
    if upload is not None and item.kind != ItemKind.PROJECT:
        raise PolicyError(_("This question does not take a file."))
    changes: dict[str, Any] = {"saved_at": now}
    if option_ids is not None:
        changes["selected_option_ids"] = _option_ids(item, option_ids)
    if text is not None:
        changes["text"] = _check_text(item, text)
    if upload is not None:
        _check_upload(item, upload)
    answer, _created = Answer.objects.get_or_create(
        attempt=attempt, item=item, defaults={"saved_at": now}
    )
    for field, value in changes.items():
        setattr(answer, field, value)
    if upload is not None:
        previous = answer.file.name if answer.file else ""
        storage = answer.file.storage
        answer.file.save(os.path.basename(upload.name), upload, save=False)
        if previous and previous != answer.file.name:
            transaction.on_commit(lambda: storage.delete(previous), robust=True)
    answer.save()
    return answer


# --- submitting -------------------------------------------------------------------
def _grade_auto_items(attempt: Attempt, *, now: dt.datetime) -> dict[str, str]:
    """Grade every non-project item and store points and feedback on its answer.

    Every item of the attempt gets an answer row (an unanswered one earns 0
    with "No answer was given."), so graders and the feedback page see them
    all. Returns the points per item for the history.
    """
    items = selectors.attempt_items(attempt)
    answers = {answer.item_id: answer for answer in attempt.answers.all()}
    awarded: dict[str, str] = {}
    for item in items:
        answer = answers.get(item.pk)
        if answer is None:
            answer = Answer(attempt=attempt, item=item, saved_at=now)
        if not item.is_manual:
            try:
                result = grading.grade_item(
                    selectors.item_key(item), selectors.grading_answer(item, answer)
                )
            except grading.InvalidItemKey:
                raise PolicyError(
                    _(
                        "Question %(position)s of this assessment is not set up "
                        "correctly, so the attempt cannot be graded. Your answers "
                        "are saved; please tell your instructor."
                    )
                    % {"position": attempt.item_ids.index(item.pk) + 1}
                ) from None
            answer.points_awarded = result.points_awarded
            answer.feedback = list(result.feedback)
            awarded[str(item.pk)] = str(result.points_awarded)
        answer.save()
    return awarded


def _release(attempt: Attempt, *, now: dt.datetime) -> selectors.AttemptResult:
    """Score the attempt, record the result and release its feedback."""
    result = selectors.attempt_result(attempt)
    attempt.score_percent = result.score.percent
    attempt.passed = result.passed
    attempt.status = Attempt.Status.RELEASED
    attempt.feedback_released_at = now
    attempt.graded_at = attempt.graded_at or now
    return result


def _result_details(result: selectors.AttemptResult) -> dict[str, Any]:
    return {
        "score_percent": str(result.score.percent),
        "passed": result.passed,
        "outcomes": {
            line.code: {"percent": _points(line.percent), "met": line.met}
            for line in result.outcomes
        },
    }


def _complete_if_passed(attempt: Attempt, *, now: dt.datetime) -> None:
    """Passing completes the enrolment (and issues the credential). On the PLAR
    route, a released fail that leaves no attempt ends the route, so the
    learner can register for the full course."""
    enrolment = attempt.enrolment
    if not attempt.assessment.is_summative or enrolment.status != "active":
        return
    if attempt.passed:
        course_services.enrolment_complete(enrolment_id=enrolment.pk, now=now)
        return
    if enrolment.is_plar and attempt.status == Attempt.Status.RELEASED:
        decision = selectors.summative_decision(enrolment, attempt.assessment, now=now)
        if decision.state == policies.SummativeState.NO_ATTEMPTS_LEFT:
            course_services.enrolment_end(
                enrolment_id=enrolment.pk,
                reason="Every summative attempt on the PLAR route was used.",
                now=now,
            )


@transaction.atomic
def attempt_submit(
    *, learner, attempt_id: int, now: dt.datetime | None = None
) -> Attempt:
    """Submit an attempt, once; auto-graded items are marked at once.

    Summative: refused when late (the enrolment's current dates, so an
    extension counts), already submitted, or not the open attempt. With no
    project item the feedback is released at once; otherwise the attempt waits
    in the grading queue, its feedback due ``feedback_turnaround_days`` after
    submission. Formative and diagnostic: graded and released at once.
    """
    now = now or timezone.now()
    attempt = _locked_learner_attempt(learner=learner, attempt_id=attempt_id)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise AttemptRefused(
            _(
                "Attempt %(number)s has already been submitted; this submission "
                "was not recorded and nothing changed."
            )
            % {"number": attempt.number},
            code="already_submitted",
        )
    enrolment, assessment = attempt.enrolment, attempt.assessment
    if assessment.is_summative:
        policies.check_submission(
            attempt_number=attempt.number,
            **_summative_facts(enrolment, assessment),
            now=now,
        )
    elif not enrolment.is_active:
        raise AttemptRefused(
            _("Your enrolment is no longer active, so this cannot be submitted."),
            code="inactive",
        )
    awarded = _grade_auto_items(attempt, now=now)
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = now
    course = enrolment.microcredential
    attempt.feedback_due_at = policies.feedback_due_at(
        now, course.feedback_turnaround_days, course_services.institution_tz()
    )
    details: dict[str, Any] = {"auto_points": awarded}
    has_manual = Item.objects.filter(
        pk__in=attempt.item_ids, kind=ItemKind.PROJECT
    ).exists()
    if not has_manual or not assessment.is_summative:
        attempt.status = Attempt.Status.GRADED
        try:
            result = _release(attempt, now=now)
        except PolicyError:
            # A summative linked to no outcome cannot decide a pass; it waits
            # for an instructor, who sees why when releasing.
            result = None
        if result is not None:
            details |= _result_details(result)
    attempt.save()
    _event(attempt, actor=learner, action="submitted", details=details)
    _complete_if_passed(attempt, now=now)
    return attempt


# --- grading ----------------------------------------------------------------------
def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PolicyError(_("The grading form is not valid.")) from None


def _grade_state(level: Level, comment: str) -> dict[str, Any]:
    return {"level": level.label, "points": str(level.points), "comment": comment}


@transaction.atomic
def grade_save(
    *,
    grader,
    attempt_id: int,
    criterion_levels: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    overall_feedback: str | None = None,
    item_id: int | None = None,
    now: dt.datetime | None = None,
) -> Attempt:
    """Save rubric levels, comments and overall feedback (a draft until complete).

    A project earns ``item.points × (sum of chosen level points) / (sum of each
    criterion's highest level points)``, rounded down to the hundredth. The
    attempt becomes *graded* once every criterion of every project item has a
    level; it stays *submitted* (a draft) until then. Every change is recorded
    in a grading event, before and after. ``item_id`` names the project item
    when an attempt has several sharing one rubric. ``overall_feedback=None``
    leaves the overall feedback as it is; ``criterion_levels`` and ``comments``
    change only the criteria they name.
    """
    now = now or timezone.now()
    comments = comments or {}
    attempt = _locked_attempt_for_grader(grader=grader, attempt_id=attempt_id)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise PolicyError(_("This attempt has not been submitted yet."))
    if attempt.status == Attempt.Status.RELEASED:
        raise PolicyError(
            _("The feedback on this attempt has been released; its grade is final.")
        )
    if overall_feedback is None:
        overall_feedback = attempt.overall_feedback
    if len(overall_feedback) > MAX_FEEDBACK_LENGTH:
        raise PolicyError(
            _("Feedback can be at most %(limit)s characters.")
            % {"limit": f"{MAX_FEEDBACK_LENGTH:,}"}
        )
    levels_wanted = {
        _as_int(c): _as_int(level) for c, level in criterion_levels.items()
    }
    comments_wanted = {_as_int(c): str(text or "") for c, text in comments.items()}
    manual_items = [item for item in selectors.attempt_items(attempt) if item.is_manual]
    if item_id is not None:
        manual_items = [item for item in manual_items if item.pk == _as_int(item_id)]
        if not manual_items:
            raise PolicyError(_("That question is not graded by hand in this attempt."))

    # Which item each criterion grades.
    owner: dict[int, Item] = {}
    for criterion_id in levels_wanted.keys() | comments_wanted.keys():
        holders = [
            item
            for item in manual_items
            if any(c.pk == criterion_id for c in item.rubric.criteria.all())
        ]
        if not holders:
            raise PolicyError(_("That criterion is not part of this attempt's rubric."))
        if len(holders) > 1:
            raise PolicyError(
                _("Several questions use this rubric; grade one question at a time.")
            )
        owner[criterion_id] = holders[0]
    levels = {
        level.pk: level for level in Level.objects.filter(pk__in=levels_wanted.values())
    }
    for criterion_id, level_id in levels_wanted.items():
        level = levels.get(level_id)
        if level is None or level.criterion_id != criterion_id:
            raise PolicyError(_("That level is not part of its criterion."))

    answers = selectors.attempt_answers(attempt)
    changes: list[dict[str, Any]] = []
    for item in manual_items:
        answer = answers.get(item.pk)
        if answer is None:
            answer = Answer.objects.create(attempt=attempt, item=item, saved_at=now)
            answers[item.pk] = answer
        existing = {
            grade.criterion_id: grade for grade in answer.criterion_grades.all()
        }
        for criterion in item.rubric.criteria.all():
            if owner.get(criterion.pk) is not item:
                continue
            grade = existing.get(criterion.pk)
            if criterion.pk in levels_wanted:
                level = levels[levels_wanted[criterion.pk]]
            elif grade is not None:
                level = grade.level
            else:
                raise PolicyError(
                    _("Choose a level for “%(criterion)s” before commenting on it.")
                    % {"criterion": criterion.title}
                )
            comment = comments_wanted.get(criterion.pk, grade.comment if grade else "")
            before = _grade_state(grade.level, grade.comment) if grade else None
            after = _grade_state(level, comment)
            if before == after:
                continue
            existing[criterion.pk], _created = CriterionGrade.objects.update_or_create(
                answer=answer,
                criterion=criterion,
                defaults={"level": level, "comment": comment},
            )
            changes.append(
                {
                    "item": item.pk,
                    "criterion": criterion.pk,
                    "title": criterion.title,
                    "before": before,
                    "after": after,
                }
            )
        points = selectors.rubric_points(item, existing.values())
        if points != answer.points_awarded:
            changes.append(
                {
                    "item": item.pk,
                    "points": {
                        "before": _points(answer.points_awarded),
                        "after": _points(points),
                    },
                }
            )
            answer.points_awarded = points
            answer.save(update_fields=["points_awarded"])

    if overall_feedback != attempt.overall_feedback:
        changes.append(
            {
                "overall_feedback": {
                    "before": attempt.overall_feedback,
                    "after": overall_feedback,
                }
            }
        )
        attempt.overall_feedback = overall_feedback

    all_manual = [item for item in selectors.attempt_items(attempt) if item.is_manual]
    complete = all(
        answers.get(item.pk) is not None and answers[item.pk].points_awarded is not None
        for item in all_manual
    )
    previous_status = attempt.status
    attempt.status = Attempt.Status.GRADED if complete else Attempt.Status.SUBMITTED
    if changes or attempt.status != previous_status:
        attempt.graded_by = grader
        attempt.graded_at = now
        attempt.save(
            update_fields=["status", "overall_feedback", "graded_by", "graded_at"]
        )
        _event(
            attempt,
            actor=grader,
            action="grade_saved",
            details={
                "changes": changes,
                "status": {"before": previous_status, "after": attempt.status},
            },
        )
    return attempt


@transaction.atomic
def feedback_release(
    *, grader, attempt_id: int, now: dt.datetime | None = None
) -> Attempt:
    """Release a graded attempt's feedback: the learner sees it and is e-mailed.

    Computes the score and per-outcome results, records pass or not yet, and
    completes the enrolment when a summative attempt passes.
    """
    now = now or timezone.now()
    attempt = _locked_attempt_for_grader(grader=grader, attempt_id=attempt_id)
    if attempt.status == Attempt.Status.RELEASED:
        raise PolicyError(_("The feedback on this attempt has already been released."))
    if attempt.status != Attempt.Status.GRADED:
        raise PolicyError(
            _("Choose a level for every rubric criterion before releasing feedback.")
        )
    result = _release(attempt, now=now)
    attempt.save()
    _event(
        attempt,
        actor=grader,
        action="feedback_released",
        details=_result_details(result),
    )
    _complete_if_passed(attempt, now=now)
    attempt_pk = attempt.pk
    # robust: a mail outage must not undo a release the learner can already see.
    transaction.on_commit(
        lambda: send_feedback_released.delay(attempt_id=attempt_pk), robust=True
    )
    return attempt


# --- accommodations ---------------------------------------------------------------
@transaction.atomic
def extra_attempt_grant(
    *, actor, enrolment_id: int, assessment_id: int, reason: str
) -> ExtraAttempt:
    """Grant one more summative attempt as an accommodation; audit-logged."""
    reason = (reason or "").strip()
    if not reason:
        raise PolicyError(_("An extra attempt needs a reason."))
    try:
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("microcredential")
            .get(pk=enrolment_id)
        )
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise PolicyError(_("This enrolment does not exist.")) from None
    if not (is_registrar(actor) or selectors.teaches(actor, enrolment.microcredential)):
        raise PolicyError(
            _(
                "Only an instructor of this microcredential or a registrar can grant "
                "an extra attempt."
            )
        )
    assessment = Assessment.objects.filter(
        pk=assessment_id, microcredential_id=enrolment.microcredential_id
    ).first()
    if assessment is None or not assessment.is_summative:
        raise PolicyError(
            _(
                "Extra attempts are granted only on this microcredential's "
                "summative assessment."
            )
        )
    if not enrolment.is_active:
        raise PolicyError(_("Only an active enrolment can get an extra attempt."))
    extra = ExtraAttempt.objects.create(
        enrolment=enrolment, assessment=assessment, granted_by=actor, reason=reason
    )
    audit_record(
        actor=actor,
        action="assessment.extra_attempt",
        target=enrolment,
        reason=reason,
        details={
            "assessment": assessment.pk,
            "extra_attempts": selectors.extra_attempt_count(enrolment, assessment),
        },
    )
    return extra
