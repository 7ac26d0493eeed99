"""Reads about assessments and attempts, with their joins made explicit.

The services and the views share these: the answer keys handed to the pure
grading functions, where a learner stands with the summative assessment, with
the formative checks and with the diagnostic (and where it suggests focusing),
an attempt's result, and the instructors' grading queue.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from courses.models import (
    ContentItem,
    Enrolment,
    LearningOutcome,
    Microcredential,
    Module,
)
from microcred.roles import is_registrar

from . import grading, policies
from .models import (
    Answer,
    Assessment,
    AssessmentKind,
    Attempt,
    CriterionGrade,
    ExtraAttempt,
    GradingEvent,
    Item,
    ItemKind,
)

GRADED_STATUSES = frozenset({Attempt.Status.GRADED, Attempt.Status.RELEASED})


# --- who may grade ----------------------------------------------------------------
def teaches(user, course: Microcredential) -> bool:
    """The course's owner, one of its instructors, or a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or course.owner_id == user.pk:
        return True
    return course.instructors.filter(pk=user.pk).exists()


def courses_taught(user) -> QuerySet[Microcredential]:
    return Microcredential.objects.filter(Q(owner=user) | Q(instructors=user))


# --- the items of an attempt ------------------------------------------------------
def items_with_keys() -> QuerySet[Item]:
    """Items with everything grading needs, in two or three queries for any count."""
    return Item.objects.select_related("rubric").prefetch_related(
        "options", "outcomes", "rubric__criteria__outcome", "rubric__criteria__levels"
    )


def attempt_items(attempt: Attempt) -> list[Item]:
    """The attempt's items in the attempt's order (its drawn set)."""
    by_id = {
        item.pk: item for item in items_with_keys().filter(pk__in=attempt.item_ids)
    }
    return [by_id[item_id] for item_id in attempt.item_ids if item_id in by_id]


def item_outcomes(item: Item) -> list[LearningOutcome]:
    """The outcomes an item assesses: its own, and for a project its criteria's."""
    outcomes = {outcome.pk: outcome for outcome in item.outcomes.all()}
    if item.is_manual and item.rubric is not None:
        for criterion in item.rubric.criteria.all():
            outcomes.setdefault(criterion.outcome_id, criterion.outcome)
    return sorted(outcomes.values(), key=lambda outcome: (outcome.position, outcome.pk))


def item_key(item: Item) -> grading.ItemKey:
    return grading.ItemKey(
        item_id=item.pk,
        kind=item.kind,
        points=item.points,
        options=tuple(
            grading.OptionKey(
                id=option.pk, correct=option.is_correct, feedback=option.feedback
            )
            for option in item.options.all()
        ),
        accepted_answers=tuple(item.accepted_answers or ()),
        case_sensitive=item.case_sensitive,
        outcome_codes=tuple(outcome.code for outcome in item_outcomes(item)),
    )


def grading_answer(item: Item, answer: Answer | None) -> grading.Answer:
    """A stored answer in the shape ``grading.grade_item`` takes.

    Option ids that are no longer part of the item (an author removed the
    option during the attempt) are left out rather than counted as forged.
    """
    if answer is None:
        return None
    if item.kind in grading.CHOICE_KINDS:
        known = {option.pk for option in item.options.all()}
        chosen = [pk for pk in answer.selected_option_ids if pk in known]
        if item.kind == ItemKind.MULTIPLE:
            return chosen
        return chosen[0] if chosen else None
    return answer.text or None


# --- rubric points ----------------------------------------------------------------
def rubric_points(item: Item, grades: Iterable[CriterionGrade]) -> Decimal | None:
    """The points a project earns from its rubric levels; None until complete.

    points = item.points × (sum of the chosen levels' points) / (sum, over the
    rubric's criteria, of each criterion's highest level points), rounded down
    to the hundredth of a point (as partial credit is everywhere).
    """
    criteria = list(item.rubric.criteria.all()) if item.rubric else []
    chosen = {grade.criterion_id: grade.level.points for grade in grades}
    if not criteria or any(criterion.pk not in chosen for criterion in criteria):
        return None
    best = sum(
        (max((level.points for level in c.levels.all()), default=Decimal(0)))
        for c in criteria
    )
    if best <= 0:
        return None
    got = sum((chosen[criterion.pk] for criterion in criteria), Decimal(0))
    share = min(max(Fraction(got) / Fraction(best), Fraction(0)), Fraction(1))
    return Decimal(math.floor(Fraction(item.points) * share * 100)).scaleb(-2)


# --- results ----------------------------------------------------------------------
@dataclass(frozen=True)
class OutcomeLine:
    code: str
    text: str
    percent: Decimal | None
    met: bool

    @property
    def label(self) -> str:
        return f"{self.code}: {self.text}"


@dataclass(frozen=True)
class AttemptResult:
    """An attempt's score, per-outcome results and pass, from its stored answers.

    ``passed`` is None while a manual item waits for grading. ``reasons`` says
    why it did not pass (one sentence per shortfall).
    """

    score: grading.AttemptScore
    outcomes: tuple[OutcomeLine, ...]
    passed: bool | None
    reasons: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.score.complete


def attempt_result(attempt: Attempt) -> AttemptResult:
    """Score an attempt from its stored answers and manual (rubric) points.

    Summative: pass = score at or above the pass mark **and** every learning
    outcome of the course met (one no item assessed counts as not met).
    Formative and diagnostic: the same figures; their pass never gates.
    Raises ``PolicyError`` for a summative assessment linked to no outcome.
    """
    items = attempt_items(attempt)
    answers = {answer.item_id: answer for answer in attempt.answers.all()}
    keys = [item_key(item) for item in items]
    values = {
        item.pk: grading_answer(item, answers.get(item.pk))
        for item in items
        if item.pk in answers
    }
    manual = {
        item.pk: (answers[item.pk].points_awarded if item.pk in answers else None)
        for item in items
        if item.is_manual
    }
    score = grading.grade_attempt(keys, values, manual)
    assessment = attempt.assessment
    course_outcomes = list(
        LearningOutcome.objects.filter(microcredential_id=assessment.microcredential_id)
    )
    if assessment.is_summative:
        relevant = course_outcomes
    else:
        relevant = [o for o in course_outcomes if o.code in score.per_outcome]
    met = grading.outcomes_met(score.per_outcome, assessment.pass_mark_percent)
    lines = tuple(
        OutcomeLine(
            code=outcome.code,
            text=outcome.text,
            percent=(
                score.per_outcome[outcome.code].percent
                if outcome.code in score.per_outcome
                else None
            ),
            met=met.get(outcome.code, False),
        )
        for outcome in relevant
    )
    if not score.complete:
        return AttemptResult(score, lines, passed=None, reasons=())
    if assessment.is_summative:
        decided = policies.outcome_result(
            score_percent=score.percent,
            pass_mark_percent=assessment.pass_mark_percent,
            outcomes_met={line.label: line.met for line in lines},
        )
        return AttemptResult(score, lines, decided.passed, decided.reasons)
    passed = grading.attempt_passed(
        score, pass_mark_percent=assessment.pass_mark_percent
    )
    return AttemptResult(score, lines, passed=passed, reasons=())


# --- the learner's side -----------------------------------------------------------
def summative_for_course(course_id: int) -> Assessment | None:
    """The microcredential's summative assessment (there is at most one)."""
    return Assessment.objects.filter(
        microcredential_id=course_id, kind=AssessmentKind.SUMMATIVE
    ).first()


def learner_attempts(enrolment: Enrolment, assessment: Assessment) -> QuerySet[Attempt]:
    """One enrolment's attempts at one assessment, attempt 1 first."""
    return Attempt.objects.filter(enrolment=enrolment, assessment=assessment).order_by(
        "number"
    )


def active_enrolment(learner, course_id: int) -> Enrolment | None:
    return Enrolment.objects.filter(
        learner=learner, microcredential_id=course_id, status=Enrolment.Status.ACTIVE
    ).first()


def attempt_records(attempts: Sequence[Attempt]) -> list[policies.AttemptRecord]:
    """The facts the attempt policy needs, from stored attempts."""
    records = []
    for attempt in attempts:
        graded = attempt.status in GRADED_STATUSES
        records.append(
            policies.AttemptRecord(
                number=attempt.number,
                submitted_at=attempt.submitted_at,
                graded=graded,
                feedback_released_at=(attempt.feedback_released_at if graded else None),
                passed=attempt.passed if graded else None,
            )
        )
    return records


def extra_attempt_count(enrolment: Enrolment, assessment: Assessment) -> int:
    return ExtraAttempt.objects.filter(
        enrolment=enrolment, assessment=assessment
    ).count()


def summative_decision(
    enrolment: Enrolment, assessment: Assessment, *, now: dt.datetime | None = None
) -> policies.AttemptDecision:
    """Where the learner stands: may start / may submit, attempt number, deadline,
    why not, and what happens next (for the assessment page and the e-mail)."""
    return policies.attempt_decision(
        attempts=attempt_records(list(learner_attempts(enrolment, assessment))),
        summative_due_at=enrolment.summative_due_at,
        ends_at=enrolment.ends_at,
        now=now or timezone.now(),
        extra_attempts=extra_attempt_count(enrolment, assessment),
        enrolment_active=enrolment.is_active,
    )


def learner_attempt(learner, attempt_id: int) -> Attempt | None:
    """The learner's own attempt, or None (another learner's is never found)."""
    return (
        Attempt.objects.select_related(
            "assessment", "enrolment__microcredential", "enrolment__learner"
        )
        .filter(pk=attempt_id, enrolment__learner=learner)
        .first()
    )


def attempt_answers(attempt: Attempt) -> dict[int, Answer]:
    """The attempt's answers by item id, with their rubric grades."""
    answers = attempt.answers.prefetch_related(
        Prefetch(
            "criterion_grades",
            queryset=CriterionGrade.objects.select_related("criterion", "level"),
        )
    )
    return {answer.item_id: answer for answer in answers}


# --- formative checks and the diagnostic (the learner's side) --------------------
CHECK_KINDS = (AssessmentKind.DIAGNOSTIC, AssessmentKind.FORMATIVE)


@dataclass(frozen=True)
class CheckSummary:
    """A formative check or a diagnostic, and where one enrolment stands with it.

    ``tries`` counts the checked (released) attempts; ``best_percent`` is the
    best of their scores and ``last_attempt`` the latest of them.
    ``open_attempt`` is the attempt being answered, if any.
    """

    assessment: Assessment
    question_count: int
    tries: int
    best_percent: Decimal | None
    last_attempt: Attempt | None
    open_attempt: Attempt | None

    @property
    def is_diagnostic(self) -> bool:
        return self.assessment.kind == AssessmentKind.DIAGNOSTIC

    @property
    def module_id(self) -> int | None:
        return self.assessment.module_id

    @property
    def last_percent(self) -> Decimal | None:
        return self.last_attempt.score_percent if self.last_attempt else None


def course_checks(course_id: int) -> QuerySet[Assessment]:
    """The course's diagnostic and formative assessments that have questions.

    Diagnostics first, then formatives in the order of their modules (checks
    outside any module last), each annotated with ``bank_size``.
    """
    return (
        Assessment.objects.filter(microcredential_id=course_id, kind__in=CHECK_KINDS)
        .annotate(bank_size=Count("items"))
        .filter(bank_size__gt=0)
        .select_related("module")
        .order_by("kind", "module__position", "module_id", "id")
    )


def _question_count(assessment: Assessment) -> int:
    bank = getattr(assessment, "bank_size", None)
    if bank is None:
        bank = assessment.items.count()
    return min(assessment.draw_count, bank) if assessment.draw_count else bank


def learner_checks(
    enrolment: Enrolment, *, assessment_id: int | None = None
) -> list[CheckSummary]:
    """Every check of the enrolment's course (or only ``assessment_id``) with the
    enrolment's standing, in two queries whatever the number of checks or tries.
    """
    assessments = course_checks(enrolment.microcredential_id)
    if assessment_id is not None:
        assessments = assessments.filter(pk=assessment_id)
    assessments = list(assessments)
    if not assessments:
        return []
    attempts: dict[int, list[Attempt]] = {a.pk: [] for a in assessments}
    for attempt in Attempt.objects.filter(
        enrolment=enrolment, assessment__in=list(attempts)
    ).order_by("assessment_id", "number"):
        attempts[attempt.assessment_id].append(attempt)
    summaries = []
    for assessment in assessments:
        mine = attempts[assessment.pk]
        for attempt in mine:
            attempt.assessment = assessment  # spares a query per attempt
            attempt.enrolment = enrolment
        checked = [a for a in mine if a.status == Attempt.Status.RELEASED]
        scores = [a.score_percent for a in checked if a.score_percent is not None]
        summaries.append(
            CheckSummary(
                assessment=assessment,
                question_count=_question_count(assessment),
                tries=len(checked),
                best_percent=max(scores) if scores else None,
                last_attempt=checked[-1] if checked else None,
                open_attempt=next(
                    (a for a in mine if a.status == Attempt.Status.IN_PROGRESS), None
                ),
            )
        )
    return summaries


def learner_check(enrolment: Enrolment, assessment_id: int) -> CheckSummary | None:
    """One check of the enrolment's course, or None (a summative, another
    course's assessment or one without questions is not a check here)."""
    found = learner_checks(enrolment, assessment_id=assessment_id)
    return found[0] if found else None


def modules_with_outcomes(course_id: int) -> list[tuple[Module, frozenset[str]]]:
    """The course's modules in order, each with the outcome codes it teaches.

    A module teaches the outcomes that the items of its formative checks are
    linked to. Each module carries ``first_item_id`` (None for an empty
    module), so a page can link to where it starts. Two queries.
    """
    first_item = ContentItem.objects.filter(module=OuterRef("pk")).order_by(
        "position", "id"
    )
    modules = list(
        Module.objects.filter(microcredential_id=course_id)
        .annotate(first_item_id=Subquery(first_item.values("pk")[:1]))
        .order_by("position", "id")
    )
    taught: dict[int, set[str]] = {module.pk: set() for module in modules}
    links = (
        LearningOutcome.objects.filter(
            microcredential_id=course_id,
            assessment_items__assessment__kind=AssessmentKind.FORMATIVE,
            assessment_items__assessment__module__microcredential_id=course_id,
        )
        .values_list("assessment_items__assessment__module_id", "code")
        .order_by()
        .distinct()
    )
    for module_id, code in links:
        if module_id in taught:
            taught[module_id].add(code)
    return [(module, frozenset(taught[module.pk])) for module in modules]


@dataclass(frozen=True)
class FocusModule:
    """A module to focus on, and the focus outcomes it teaches."""

    module: Module
    outcomes: tuple[OutcomeLine, ...]

    @property
    def first_item_id(self) -> int | None:
        return getattr(self.module, "first_item_id", None)


@dataclass(frozen=True)
class DiagnosticResult:
    """A checked diagnostic: each outcome it assessed, met or not yet, and
    where to focus (``policies.diagnostic_focus``)."""

    attempt: Attempt
    result: AttemptResult
    focus_outcomes: tuple[OutcomeLine, ...]
    focus_modules: tuple[FocusModule, ...]
    untaught_outcomes: tuple[OutcomeLine, ...]

    @property
    def outcomes(self) -> tuple[OutcomeLine, ...]:
        return self.result.outcomes


def diagnostic_result(attempt: Attempt) -> DiagnosticResult:
    """The per-outcome result of a checked diagnostic attempt and its focus:
    the outcomes not yet met and the modules that teach them."""
    result = attempt_result(attempt)
    lines = {line.code: line for line in result.outcomes}
    modules = modules_with_outcomes(attempt.assessment.microcredential_id)
    by_id = {module.pk: module for module, _codes in modules}
    focus = policies.diagnostic_focus(
        outcomes_met={line.code: line.met for line in result.outcomes},
        module_outcomes=[(module.pk, codes) for module, codes in modules],
    )
    return DiagnosticResult(
        attempt=attempt,
        result=result,
        focus_outcomes=tuple(lines[code] for code in focus.outcome_codes),
        focus_modules=tuple(
            FocusModule(
                module=by_id[module_id],
                outcomes=tuple(lines[code] for code in codes),
            )
            for module_id, codes in focus.modules
        ),
        untaught_outcomes=tuple(lines[code] for code in focus.untaught_codes),
    )


# --- the instructors' side --------------------------------------------------------
@dataclass(frozen=True)
class QueueEntry:
    attempt: Attempt
    feedback_due_at: dt.datetime | None
    overdue: bool

    @property
    def learner(self):
        return self.attempt.enrolment.learner

    @property
    def course(self) -> Microcredential:
        return self.attempt.enrolment.microcredential


def grading_queue(grader, *, now: dt.datetime | None = None) -> list[QueueEntry]:
    """Summative attempts submitted and not yet released, oldest first.

    An instructor sees the courses they own or teach; a superuser or registrar
    sees every course. Drafts (graded, not released) stay in the queue until
    their feedback is released. One query whatever the length.
    """
    now = now or timezone.now()
    attempts = (
        Attempt.objects.filter(
            assessment__kind=AssessmentKind.SUMMATIVE,
            status__in=[Attempt.Status.SUBMITTED, Attempt.Status.GRADED],
        )
        .select_related(
            "assessment",
            "enrolment__learner",
            "enrolment__microcredential",
            "enrolment__offering",
            "graded_by",
        )
        .order_by("submitted_at", "id")
    )
    if not is_registrar(grader):
        attempts = attempts.filter(
            assessment__microcredential__in=courses_taught(grader).values("pk")
        )
    return [
        QueueEntry(
            attempt=attempt,
            feedback_due_at=attempt.feedback_due_at,
            overdue=(
                attempt.feedback_due_at is not None
                and policies.is_feedback_overdue(attempt.feedback_due_at, None, now)
            ),
        )
        for attempt in attempts
    ]


def attempt_for_grading(attempt_id: int) -> Attempt | None:
    return (
        Attempt.objects.select_related(
            "assessment__microcredential",
            "enrolment__learner",
            "enrolment__microcredential",
            "graded_by",
        )
        .filter(pk=attempt_id)
        .first()
    )


def attempt_history(attempt: Attempt) -> QuerySet[GradingEvent]:
    """Every grading event of the attempt, oldest first, with who did it."""
    return GradingEvent.objects.filter(attempt=attempt).select_related("actor")


def passing_summative_result(enrolment) -> tuple[Decimal, list[str]] | None:
    """The score and outcome codes met of the enrolment's passed summative
    attempt (what a credential records), or None when none passed."""
    attempt = (
        Attempt.objects.filter(
            enrolment=enrolment,
            assessment__kind=AssessmentKind.SUMMATIVE,
            passed=True,
            status=Attempt.Status.RELEASED,
        )
        .select_related("assessment")
        .order_by("-number")
        .first()
    )
    if attempt is None:
        return None
    result = attempt_result(attempt)
    return result.score.percent, [line.code for line in result.outcomes if line.met]


def learner_attempt_list(
    learner, *, enrolment_id: int | None = None, kind: str | None = None
) -> QuerySet[Attempt]:
    """The learner's attempts, newest first, optionally of one enrolment or kind."""
    attempts = Attempt.objects.filter(enrolment__learner=learner).select_related(
        "assessment", "enrolment__microcredential"
    )
    if enrolment_id is not None:
        attempts = attempts.filter(enrolment_id=enrolment_id)
    if kind is not None:
        attempts = attempts.filter(assessment__kind=kind)
    return attempts.order_by("-started_at", "-id")


def course_assessment(course_id: int, assessment_id: int) -> Assessment | None:
    """One assessment of the course, or None (another course's is not found)."""
    return Assessment.objects.filter(
        pk=assessment_id, microcredential_id=course_id
    ).first()
